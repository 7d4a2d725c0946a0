package main

import (
	"flag"

	"groupd/internal/directory"
	"groupd/internal/server"
)

// trackingFlags are serve's options for deleted items and the change log.
func trackingFlags(fs *flag.FlagSet, t *server.Tracking) {
	fs.BoolVar(&t.KeepDeletedSecurityGroups, "keep-deleted-security-groups", false,
		"keep deleted security groups restorable, like Microsoft 365 groups")
	fs.DurationVar(&t.DeletedRetention, "deleted-retention", directory.DefaultDeletedRetention,
		"how long deleted users and groups stay restorable (`DURATION`)")
	fs.DurationVar(&t.ChangeRetention, "change-retention", directory.DefaultChangeRetention,
		"how long the change log is kept; older delta tokens must resync (`DURATION`)")
}
