//go:build !linux

package main

import "syscall"

// childAttr: only Linux can tie a child's life to its parent; elsewhere the
// children are stopped by the bench itself.
func childAttr() *syscall.SysProcAttr { return nil }
