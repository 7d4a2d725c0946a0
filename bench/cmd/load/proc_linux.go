package main

import "syscall"

// childAttr makes the kernel stop a child when the bench dies, so that an
// interrupted bench leaves no server behind.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}

// flushFiles writes every file's dirty pages back to disk.
func flushFiles() { syscall.Sync() }
