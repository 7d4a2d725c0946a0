//go:build !linux

package main

import "syscall"

// childAttr: only Linux can tie a child's life to its parent; elsewhere the
// children are stopped by the bench itself.
func childAttr() *syscall.SysProcAttr { return nil }

// flushFiles: the measurements are made on Linux; elsewhere the new data
// is left to the kernel's own write-back.
func flushFiles() {}
