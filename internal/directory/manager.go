package directory

import (
	"context"
	"errors"
)

// A user may have a manager, another user of its tenant (Microsoft Graph's
// manager; its reverse is directReports, the list source
// SourceDirectReports). A manager who is deleted reads as none, and comes
// back with a restore. As in Entra, chains of managers are not checked for
// cycles: only a user who would manage itself is refused.

// Manager returns the manager of the user key; *NotFoundError naming
// "manager" when it has none that is visible.
func (s *Service) Manager(ctx context.Context, tenant TenantID, key string) (User, error) {
	u, err := s.User(ctx, tenant, key)
	if err != nil {
		return User{}, err
	}
	if u.ManagerID == "" {
		return User{}, &NotFoundError{Kind: KindUser, ID: "manager"}
	}
	m, err := s.userByID(ctx, tenant, u.ManagerID)
	if errors.Is(err, ErrNotFound) {
		return User{}, &NotFoundError{Kind: KindUser, ID: "manager"}
	}
	return m, err
}

// SetManager makes the user manager the manager of the user key.
func (s *Service) SetManager(ctx context.Context, tenant TenantID, key string, manager ObjectID) error {
	return s.changeManager(ctx, tenant, key, manager)
}

// RemoveManager removes the manager of the user key; *NotFoundError naming
// "manager" when it has none.
func (s *Service) RemoveManager(ctx context.Context, tenant TenantID, key string) error {
	return s.changeManager(ctx, tenant, key, "")
}

// changeManager sets the manager of the user key to manager, a visible
// user other than itself, or removes it ("").
func (s *Service) changeManager(ctx context.Context, tenant TenantID, key string, manager ObjectID) error {
	return s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		u, err := s.userTx(ctx, tx, tenant, key)
		if err != nil {
			return err
		}
		switch {
		case manager == "" && u.ManagerID == "":
			return &NotFoundError{Kind: KindUser, ID: "manager"}
		case manager == u.ID:
			return &ValidationError{Property: "manager", Reason: ReasonInvalidValue, Detail: "a user cannot be its own manager"}
		case manager != "":
			if _, err := tx.User(ctx, tenant, manager); err != nil {
				return err
			}
		}
		if u.ManagerID == manager {
			return nil
		}
		former := u.ManagerID
		u.ManagerID = manager
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		// The row names the manager replaced, so that a delta query can
		// report its removal (deltamanager.go); an audit entry shows it as
		// its second target.
		log.add(KindUser, u.ID, OpUpdated, []string{SelectManager})
		if former != "" {
			r := &log.rows[len(log.rows)-1]
			r.RelatedID, r.RelatedKind = former, KindUser
		}
		return nil
	})
}
