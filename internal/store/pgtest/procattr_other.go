//go:build unix && !linux

package pgtest

import "syscall"

// procAttr runs a child as owner. Without Linux's parent-death signal a
// server whose test binary crashed keeps running until stopped by hand.
func procAttr(owner *account, _ bool) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: credential(owner)}
}
