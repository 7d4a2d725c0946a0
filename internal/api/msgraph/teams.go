package msgraph

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"groupd/internal/api/httpx"
	"groupd/internal/directory"
)

// teamSettingOrder is the order Microsoft Graph writes each setting
// group's members in.
var teamSettingOrder = map[string][]string{
	"memberSettings": {"allowCreateUpdateChannels", "allowCreatePrivateChannels", "allowDeleteChannels",
		"allowAddRemoveApps", "allowCreateUpdateRemoveTabs", "allowCreateUpdateRemoveConnectors"},
	"guestSettings": {"allowCreateUpdateChannels", "allowDeleteChannels"},
	"messagingSettings": {"allowUserEditMessages", "allowUserDeleteMessages", "allowOwnerDeleteMessages",
		"allowTeamMentions", "allowChannelMentions"},
	"funSettings": {"allowGiphy", "giphyContentRating", "allowStickersAndMemes", "allowCustomMemes"},
}

func asConflict(err error) (*directory.ConflictError, bool) {
	var ce *directory.ConflictError
	ok := errors.As(err, &ce)
	return ce, ok
}

// teamError words the team-specific failures as Microsoft Graph does.
func teamError(err error, groupKey string) error {
	var te *directory.TeamError
	var nf *directory.NotFoundError
	switch {
	case errors.As(err, &te) && te.NoOwner:
		return badRequest(codeBadRequest, "A team needs an owner: add an owner to group %s first.", te.GroupID)
	case errors.As(err, &te):
		return badRequest(codeBadRequest, "Group %s is not a Microsoft 365 group; only those can have a team.", te.GroupID)
	case errors.As(err, &nf) && nf.Kind == directory.KindTeam:
		return &apiError{status: http.StatusNotFound, code: "NotFound", message: "No team found with Group Id " + groupKey + "."}
	}
	if ce, ok := asConflict(err); ok && ce.Property == "team" {
		return &apiError{status: http.StatusConflict, code: "Conflict", message: "A team already exists for group " + groupKey + "."}
	}
	return err
}

func writeTeam(e *enc, t directory.Team, tenant directory.TenantID) {
	g := t.Group
	e.key("id")
	e.str(string(t.GroupID))
	e.key("createdDateTime")
	e.time(t.CreatedAt)
	e.key("displayName")
	e.str(g.DisplayName)
	e.key("description")
	e.strOrNull(g.Description)
	e.key("internalId")
	e.str(t.InternalID)
	e.key("classification")
	e.strOrNull(g.Classification)
	e.key("specialization")
	e.str("none")
	e.key("visibility")
	e.str(strings.ToLower(g.Visibility))
	e.key("webUrl")
	e.str("https://teams.microsoft.com/l/team/" + url.QueryEscape(t.InternalID) +
		"/conversations?groupId=" + string(t.GroupID) + "&tenantId=" + string(tenant))
	e.key("isArchived")
	e.boolean(t.IsArchived)
	e.key("isMembershipLimitedToOwners")
	e.boolean(false)
	e.key("tenantId")
	e.str(string(tenant))
	for _, grp := range directory.TeamSettingGroups {
		e.key(grp)
		e.beginObject()
		for _, name := range teamSettingOrder[grp] {
			e.key(name)
			switch v := t.Settings[grp][name].(type) {
			case bool:
				e.boolean(v)
			case string:
				e.str(v)
			default:
				e.raw("null")
			}
		}
		e.endObject()
	}
}

func (a *api) sendTeam(rq *request, status int, t directory.Team) {
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, "teams", "", true)
	writeTeam(e, t, rq.tenant)
	e.endObject()
	send(rq.w, status, e)
}

// teamBody reads the setting groups of a team body; an empty body is no
// change.
func teamBody(rq *request) (directory.TeamSettings, error) {
	b, err := httpx.ReadBody(rq.w, rq.r)
	if err != nil {
		return nil, err
	}
	out := directory.TeamSettings{}
	if len(strings.TrimSpace(string(b))) == 0 {
		return out, nil
	}
	obj, err := httpx.ParseObject(b)
	if err != nil {
		return nil, err
	}
	br := bodyReader{resource: "Team"}
	for _, f := range obj {
		if br.dup(f.Name) {
			break
		}
		switch f.Name {
		case "@odata.context":
		case "@odata.type":
			br.entityType(f, "team")
		case "memberSettings", "guestSettings", "messagingSettings", "funSettings":
			var m map[string]any
			if json.Unmarshal(f.Value, &m) != nil || m == nil {
				br.fail(invalidValue(f.Name, br.resource))
				break
			}
			out[f.Name] = m
		case "id", "displayName", "description", "internalId", "classification", "specialization", "visibility",
			"webUrl", "isArchived", "isMembershipLimitedToOwners", "tenantId", "createdDateTime":
			br.fail(readOnlyProperty(f.Name))
		default:
			br.fail(invalidProperty(f.Name))
		}
		if br.err != nil {
			return nil, br.err
		}
	}
	return out, nil
}

// createTeam answers PUT /groups/{id}/team: 201 with the new team.
func (a *api) createTeam(rq *request) error {
	settings, err := teamBody(rq)
	if err != nil {
		return err
	}
	key := rq.param("id")
	t, err := a.dir.CreateTeam(rq.ctx, rq.tenant, key, settings)
	if err != nil {
		return teamError(err, key)
	}
	rq.w.Header().Set("Location", rq.base+"/teams/"+string(t.GroupID))
	a.sendTeam(rq, http.StatusCreated, t)
	return nil
}

// getTeam answers GET /groups/{id}/team and GET /teams/{id}.
func (a *api) getTeam(rq *request) error {
	key := rq.param("id")
	t, err := a.dir.Team(rq.ctx, rq.tenant, key)
	if err != nil {
		return teamError(err, key)
	}
	a.sendTeam(rq, http.StatusOK, t)
	return nil
}

// updateTeam answers PATCH /teams/{id}: 204.
func (a *api) updateTeam(rq *request) error {
	settings, err := teamBody(rq)
	if err != nil {
		return err
	}
	key := rq.param("id")
	if err := a.dir.UpdateTeam(rq.ctx, rq.tenant, key, settings); err != nil {
		return teamError(err, key)
	}
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}

// listTeams answers GET /teams with the properties Graph's list gives
// (id, displayName, description); the rest is read per team, as in Graph.
func (a *api) listTeams(rq *request) error {
	page, pk, err := a.plainPage(rq, "/teams")
	if err != nil {
		return err
	}
	p, err := a.dir.TeamGroups(rq.ctx, rq.tenant, page)
	if err != nil {
		return err
	}
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, "teams", "", false)
	writeNextLink(rq, e, pk, "/teams", p.Next)
	e.key("value")
	e.beginArray()
	for i := range p.Items {
		g := &p.Items[i]
		e.beginObject()
		e.key("id")
		e.str(string(g.ID))
		e.key("displayName")
		e.str(g.DisplayName)
		e.key("description")
		e.strOrNull(g.Description)
		e.endObject()
	}
	e.endArray()
	e.endObject()
	send(rq.w, http.StatusOK, e)
	return nil
}
