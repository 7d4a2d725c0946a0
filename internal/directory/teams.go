package directory

import (
	"context"
	"encoding/hex"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/google/uuid"
)

// TeamSettings holds a team's setting groups (memberSettings,
// guestSettings, messagingSettings, funSettings), each a map of setting
// name to a bool or, for giphyContentRating, a string.
type TeamSettings map[string]map[string]any

// teamDefaults are Microsoft Teams' defaults for a new team; they also
// define which settings exist and of which type each is.
var teamDefaults = TeamSettings{
	"memberSettings": {
		"allowCreateUpdateChannels": true, "allowCreatePrivateChannels": true, "allowDeleteChannels": true,
		"allowAddRemoveApps": true, "allowCreateUpdateRemoveTabs": true, "allowCreateUpdateRemoveConnectors": true,
	},
	"guestSettings": {"allowCreateUpdateChannels": false, "allowDeleteChannels": false},
	"messagingSettings": {
		"allowUserEditMessages": true, "allowUserDeleteMessages": true, "allowOwnerDeleteMessages": true,
		"allowTeamMentions": true, "allowChannelMentions": true,
	},
	"funSettings": {"allowGiphy": true, "giphyContentRating": "moderate", "allowStickersAndMemes": true, "allowCustomMemes": true},
}

// TeamSettingGroups lists the setting groups in a stable order.
var TeamSettingGroups = []string{"memberSettings", "guestSettings", "messagingSettings", "funSettings"}

// DefaultTeamSettings returns a fresh copy of the defaults.
func DefaultTeamSettings() TeamSettings {
	out := TeamSettings{}
	for g, m := range teamDefaults {
		out[g] = maps.Clone(m)
	}
	return out
}

// Merge validates patch against the known settings and writes it into ts.
// A setting or group that does not exist, or a value of the wrong type, is
// a *ValidationError naming it.
func (ts TeamSettings) Merge(patch TeamSettings) error {
	for _, g := range slices.Sorted(maps.Keys(patch)) {
		known, ok := teamDefaults[g]
		if !ok {
			return &ValidationError{Property: g, Reason: ReasonUnknown}
		}
		for _, name := range slices.Sorted(maps.Keys(patch[g])) {
			v := patch[g][name]
			def, ok := known[name]
			if !ok {
				return &ValidationError{Property: g + "." + name, Reason: ReasonUnknown}
			}
			switch def.(type) {
			case bool:
				if _, ok := v.(bool); !ok {
					return &ValidationError{Property: g + "." + name, Reason: ReasonInvalidValue, Detail: "the value must be true or false"}
				}
			case string:
				str, ok := v.(string)
				if !ok || (!strings.EqualFold(str, "moderate") && !strings.EqualFold(str, "strict")) {
					return &ValidationError{Property: g + "." + name, Reason: ReasonInvalidValue, Detail: "the value must be moderate or strict"}
				}
				v = strings.ToLower(str)
			}
			if ts[g] == nil {
				ts[g] = maps.Clone(known)
			}
			ts[g][name] = v
		}
	}
	return nil
}

// teamInternalID derives the Teams thread id from the group id, so that it
// is stable and needs no lookup.
func teamInternalID(group ObjectID) string {
	u, err := uuid.Parse(string(group))
	if err != nil {
		return ""
	}
	return "19:" + hex.EncodeToString(u[:]) + "@thread.tacv2"
}

// CreateTeam makes a team for a Microsoft 365 group that has an owner,
// with settings over the defaults.
func (s *Service) CreateTeam(ctx context.Context, tenant TenantID, groupKey string, settings TeamSettings) (Team, error) {
	var out Team
	err := s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		g, err := s.groupTx(ctx, tx, tenant, groupKey)
		if err != nil {
			return err
		}
		if err := s.checkOwned(ctx, tx, g, false); err != nil {
			return err
		}
		out, err = s.createTeamTx(ctx, tx, log, g, settings, false)
		return err
	})
	return out, err
}

// TeamError says a group cannot have a team: it is not a Microsoft 365
// group, or it has no owner.
type TeamError struct {
	GroupID ObjectID
	NoOwner bool // false: the group is not a Microsoft 365 group
}

func (e *TeamError) Error() string {
	if e.NoOwner {
		return "group " + string(e.GroupID) + " has no owner to own its team"
	}
	return "group " + string(e.GroupID) + " is not a Microsoft 365 group"
}
func (e *TeamError) Is(target error) bool { return target == ErrInvalid }

// createTeamTx makes g's team inside tx. owned says the caller knows g
// has an owner, having added one in tx; otherwise the owners are counted.
func (s *Service) createTeamTx(ctx context.Context, tx Tx, log *changeLog, g Group, settings TeamSettings, owned bool) (Team, error) {
	if !g.IsUnified() {
		return Team{}, &TeamError{GroupID: g.ID}
	}
	if !owned {
		n, err := tx.CountOwners(ctx, g.TenantID, g.ID)
		if err != nil {
			return Team{}, err
		}
		if n == 0 {
			return Team{}, &TeamError{GroupID: g.ID, NoOwner: true}
		}
	}
	t := Team{GroupID: g.ID, TenantID: g.TenantID, InternalID: teamInternalID(g.ID),
		Settings: DefaultTeamSettings(), CreatedAt: log.at, Group: g}
	if err := t.Settings.Merge(settings); err != nil {
		return Team{}, err
	}
	if err := tx.InsertTeam(ctx, t); err != nil {
		return Team{}, err
	}
	log.add(KindTeam, g.ID, OpCreated, slices.Sorted(maps.Keys(settings)))
	return t, nil
}

// Team returns a group's team with its group.
func (s *Service) Team(ctx context.Context, tenant TenantID, key string) (Team, error) {
	g, err := s.Group(ctx, tenant, key)
	if err != nil {
		return Team{}, teamNotFound(err)
	}
	t, err := s.store.Team(ctx, tenant, g.ID)
	if err != nil {
		return Team{}, err
	}
	t.Group = g
	return t, nil
}

// TeamGroups lists a page of the tenant's groups that have a team.
func (s *Service) TeamGroups(ctx context.Context, tenant TenantID, page PageRequest) (Page[Group], error) {
	return s.store.TeamGroups(ctx, tenant, page)
}

// teamNotFound names the team when its group does not exist.
func teamNotFound(err error) error {
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return &NotFoundError{Kind: KindTeam, ID: nf.ID}
	}
	return err
}

// UpdateTeam changes a team's settings.
func (s *Service) UpdateTeam(ctx context.Context, tenant TenantID, key string, patch TeamSettings) error {
	return s.update(ctx, tenant, func(tx Tx, log *changeLog) error {
		g, err := s.groupTx(ctx, tx, tenant, key)
		if err != nil {
			return teamNotFound(err)
		}
		if err := s.checkOwned(ctx, tx, g, false); err != nil {
			return err
		}
		t, err := tx.Team(ctx, tenant, g.ID)
		if err != nil {
			return err
		}
		if err := t.Settings.Merge(patch); err != nil {
			return err
		}
		if err := tx.UpdateTeam(ctx, t); err != nil {
			return err
		}
		log.add(KindTeam, g.ID, OpUpdated, slices.Sorted(maps.Keys(patch)))
		return nil
	})
}
