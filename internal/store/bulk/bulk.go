// Package bulk describes a directory loaded in one go (groupd bench
// generate): the objects and memberships an engine writes straight into its
// tables, with every derived row (search tokens, counters) it keeps for
// them, instead of one Update per object.
package bulk

import (
	"context"

	"groupd/internal/directory"
)

// Membership is one direct membership row.
type Membership struct {
	Group  directory.ObjectID
	Member directory.ObjectID
	Kind   directory.ObjectKind // KindUser or KindGroup
}

// Data is what a load writes into one existing tenant. Memberships sorted
// by group and then member load fastest. The caller guarantees what the
// domain would check: ids are new, unique names are free, members exist in
// Users or Groups, nesting has no cycle and Unified groups hold users only.
type Data struct {
	Tenant      directory.TenantID
	Users       []directory.User
	Groups      []directory.Group
	Memberships []Membership
}

// Progress is told how many rows of a phase ("users", "groups",
// "memberships", "search tokens") are written so far, out of total.
type Progress func(phase string, done, total int)

// Loader is the optional engine extra that loads Data. The load is one
// transaction: on error nothing is written. It writes no change log rows,
// so a server must not run on the store meanwhile (its caches would not
// hear of the new objects).
type Loader interface {
	BulkLoad(ctx context.Context, d Data, progress Progress) error
}
