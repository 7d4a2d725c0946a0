//go:build unix

package pgtest

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// account is the unprivileged user the server runs as when the tests run
// as root: initdb and postgres refuse to run as root.
type account struct{ uid, gid uint32 }

// dropPrivileges returns nil when not root. As root it picks the
// "postgres" user, else "nobody", and hands dir (if given) to it.
func dropPrivileges(dir string) (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	var acct *account
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 == nil && err2 == nil {
			acct = &account{uid: uint32(uid), gid: uint32(gid)}
			break
		}
	}
	if acct == nil {
		return nil, fmt.Errorf("running as root and neither user postgres nor nobody exists to run PostgreSQL as")
	}
	if dir != "" {
		if err := os.Chown(dir, int(acct.uid), int(acct.gid)); err != nil {
			return nil, err
		}
	}
	return acct, nil
}

func credential(a *account) *syscall.Credential {
	if a == nil {
		return nil
	}
	return &syscall.Credential{Uid: a.uid, Gid: a.gid, NoSetGroups: false, Groups: []uint32{}}
}
