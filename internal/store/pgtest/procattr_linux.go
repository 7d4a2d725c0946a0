package pgtest

import "syscall"

// procAttr runs a child as owner; the server also gets SIGINT (PostgreSQL's
// fast shutdown) from the kernel if the test binary dies first.
func procAttr(owner *account, server bool) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Credential: credential(owner)}
	if server {
		a.Pdeathsig = syscall.SIGINT
	}
	return a
}
