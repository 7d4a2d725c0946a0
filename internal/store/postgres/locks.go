package postgres

import (
	"context"
	"hash/fnv"
	"slices"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Contention. SERIALIZABLE transactions that touch the same rows, say
// two member adds to one group, both read and write the same index page,
// so one of them fails with a serialization failure; under load on a hot
// group most attempts would fail again. So each run of an update function
// notes what it touched (the objects, names and groups its reads and
// writes named), and a run after a failure first takes session advisory
// locks on those keys, in a fixed order, before its transaction (and so its
// snapshot) begins. Retries of conflicting updates thus queue up behind one
// another instead of colliding again, while first attempts stay
// optimistic and pay nothing.

// maxLockKeys bounds the locks one retry takes; an update that touched
// more is rare (a bulk operation) and just retries without them.
const maxLockKeys = 32

// touch notes a key this run touched. Outside a transaction it does
// nothing.
func (r reader) touch(parts ...string) {
	if r.tx == nil || len(r.tx.keys) >= maxLockKeys {
		return
	}
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	k := int64(h.Sum64())
	if !slices.Contains(r.tx.keys, k) {
		r.tx.keys = append(r.tx.keys, k)
	}
}

// lockKeys takes the advisory locks keys name on conn, in ascending order
// so that two retries never wait for each other in a cycle. The locks are
// held by the session until unlockKeys.
func lockKeys(ctx context.Context, conn *pgxpool.Conn, keys []int64) error {
	keys = slices.Clone(keys)
	slices.Sort(keys)
	for _, k := range keys {
		if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", k); err != nil {
			return err
		}
	}
	return nil
}

// unlockKeys releases every advisory lock of the session. If that fails
// the connection is closed, which releases them too, rather than returned
// to the pool with locks held.
func unlockKeys(ctx context.Context, conn *pgxpool.Conn) {
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock_all()"); err != nil {
		_ = conn.Conn().Close(ctx)
	}
}
