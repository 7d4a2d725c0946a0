package sqlite

import (
	"context"
	"errors"
	"testing"
	"time"

	"groupd/internal/directory"
)

// The caller checks existence first; should it not, an id of unknown kind
// that names nothing is refused rather than stored without a kind.
func TestAddMemberOfUnknownKindAndID(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	tid := seedTenant(t, s)
	g := directory.Group{ID: directory.NewObjectID(), TenantID: tid, SecurityEnabled: true, CreatedAt: time.Now()}
	u := testUser(tid, "known")
	if err := s.Update(ctx, func(tx directory.Tx) error {
		if err := tx.InsertGroup(ctx, g); err != nil {
			return err
		}
		return tx.InsertUser(ctx, u)
	}); err != nil {
		t.Fatal(err)
	}
	ghost := directory.NewObjectID()
	err := s.Update(ctx, func(tx directory.Tx) error {
		return tx.AddMembers(ctx, tid, g.ID, []directory.MemberRef{{ID: u.ID}, {ID: ghost}})
	})
	var nf *directory.NotFoundError
	if !errors.As(err, &nf) || nf.ID != string(ghost) {
		t.Fatalf("AddMembers of an unknown id: got %v, want NotFoundError for %s", err, ghost)
	}
	err = s.Update(ctx, func(tx directory.Tx) error {
		return tx.AddMembers(ctx, tid, directory.NewObjectID(), []directory.MemberRef{{ID: u.ID, Kind: directory.KindUser}})
	})
	if !errors.As(err, &nf) || nf.Kind != directory.KindGroup {
		t.Errorf("AddMembers to an unknown group: got %v, want NotFoundError for the group", err)
	}
}
