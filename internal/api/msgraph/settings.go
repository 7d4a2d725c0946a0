package msgraph

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

// mountGovernance registers the tenant policy and team routes.
func (a *api) mountGovernance(r chi.Router) {
	r.Get("/groupSettingTemplates", a.endpoint(auth.NeedDirRead, 0, "GroupSettingTemplate", a.listSettingTemplates))
	r.Get("/groupSettingTemplates/{id}", a.endpoint(auth.NeedDirRead, 0, "GroupSettingTemplate", a.getSettingTemplate))
	for _, sc := range []settingScope{tenantSettings, groupSettings} {
		r.Get(sc.route, a.endpoint(auth.NeedDirRead, 0, "GroupSetting", a.listGroupSettings(sc)))
		r.Post(sc.route, a.endpoint(auth.NeedDirWrite, 0, "GroupSetting", a.createGroupSetting(sc)))
		r.Get(sc.route+"/{sid}", a.endpoint(auth.NeedDirRead, 0, "GroupSetting", a.getGroupSetting(sc)))
		r.Patch(sc.route+"/{sid}", a.endpoint(auth.NeedDirWrite, 0, "GroupSetting", a.updateGroupSetting(sc)))
		r.Delete(sc.route+"/{sid}", a.endpoint(auth.NeedDirWrite, 0, "GroupSetting", a.deleteGroupSetting(sc)))
	}
	r.Put("/groups/{id}/team", a.endpoint(auth.NeedTeamWrite, 0, "Team", a.createTeam))
	r.Get("/groups/{id}/team", a.endpoint(auth.NeedTeamRead, 0, "Team", a.getTeam))
	r.Get("/teams", a.endpoint(auth.NeedTeamRead, optTop|optSkipToken, "Team", a.listTeams))
	r.Get("/teams/{id}", a.endpoint(auth.NeedTeamRead, 0, "Team", a.getTeam))
	r.Patch("/teams/{id}", a.endpoint(auth.NeedTeamWrite, 0, "Team", a.updateTeam))
}

func writeTemplate(e *enc, t directory.SettingTemplate) {
	e.key("id")
	e.str(t.ID)
	e.key("deletedDateTime")
	e.raw("null")
	e.key("displayName")
	e.str(t.DisplayName)
	e.key("description")
	e.str(t.Description)
	e.key("values")
	e.beginArray()
	for _, d := range t.Values {
		e.beginObject()
		e.key("name")
		e.str(d.Name)
		e.key("type")
		e.str(d.Type)
		e.key("defaultValue")
		e.str(d.DefaultValue)
		e.key("description")
		e.str(d.Description)
		e.endObject()
	}
	e.endArray()
}

func writeSetting(e *enc, s directory.GroupSetting) {
	e.key("id")
	e.str(string(s.ID))
	e.key("displayName")
	e.str(s.DisplayName)
	e.key("templateId")
	e.str(s.TemplateID)
	e.key("values")
	e.beginArray()
	for _, v := range s.Values {
		e.beginObject()
		e.key("name")
		e.str(v.Name)
		e.key("value")
		e.str(v.Value)
		e.endObject()
	}
	e.endArray()
}

func (a *api) listSettingTemplates(rq *request) error {
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, "groupSettingTemplates", "", false)
	e.key("value")
	e.beginArray()
	for _, t := range a.dir.SettingTemplates() {
		e.beginObject()
		writeTemplate(e, t)
		e.endObject()
	}
	e.endArray()
	e.endObject()
	send(rq.w, http.StatusOK, e)
	return nil
}

func (a *api) getSettingTemplate(rq *request) error {
	t, err := a.dir.SettingTemplate(rq.param("id"))
	if err != nil {
		return err
	}
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, "groupSettingTemplates", "", true)
	writeTemplate(e, t)
	e.endObject()
	send(rq.w, http.StatusOK, e)
	return nil
}

// settingScope is where settings requests point: the tenant's
// /groupSettings or a Microsoft 365 group's /groups/{id}/settings.
type settingScope struct {
	route string
	group bool
}

var (
	tenantSettings = settingScope{route: "/groupSettings"}
	groupSettings  = settingScope{route: "/groups/{id}/settings", group: true}
)

// of is the scope of the settings a request names.
func (sc settingScope) of(rq *request) directory.SettingsScope {
	if sc.group {
		return directory.GroupScope(rq.param("id"))
	}
	return directory.SettingsScope{}
}

// set is the entity set of the settings below base, for @odata.context
// and Location.
func (sc settingScope) set(rq *request) string {
	if sc.group {
		return "groups('" + rq.param("id") + "')/settings"
	}
	return "groupSettings"
}

func (a *api) listGroupSettings(sc settingScope) func(*request) error {
	return func(rq *request) error {
		list, err := a.dir.GroupSettings(rq.ctx, rq.tenant, sc.of(rq))
		if err != nil {
			return err
		}
		e := getEnc()
		e.beginObject()
		e.metadataContext(rq.base, sc.set(rq), "", false)
		e.key("value")
		e.beginArray()
		for _, s := range list {
			e.beginObject()
			writeSetting(e, s)
			e.endObject()
		}
		e.endArray()
		e.endObject()
		send(rq.w, http.StatusOK, e)
		return nil
	}
}

func (a *api) sendSetting(rq *request, sc settingScope, status int, s directory.GroupSetting) {
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, sc.set(rq), "", true)
	writeSetting(e, s)
	e.endObject()
	send(rq.w, status, e)
}

func (a *api) getGroupSetting(sc settingScope) func(*request) error {
	return func(rq *request) error {
		s, err := a.dir.GroupSetting(rq.ctx, rq.tenant, sc.of(rq), rq.param("sid"))
		if err != nil {
			return err
		}
		a.sendSetting(rq, sc, http.StatusOK, s)
		return nil
	}
}

// settingBody reads a groupSetting body: templateId (create only) and
// values [{name, value}], each name once; displayName may repeat the
// template's name on create and is read-only after, as templateId is.
func settingBody(rq *request, create bool) (templateID string, values []directory.SettingValue, err error) {
	obj, err := httpx.DecodeObject(rq.w, rq.r)
	if err != nil {
		return "", nil, err
	}
	b := bodyReader{resource: "GroupSetting"}
	hasTemplate := false
	for _, f := range obj {
		if b.dup(f.Name) {
			return "", nil, b.err
		}
		switch f.Name {
		case "@odata.type":
			b.entityType(f, "groupSetting")
		case "displayName", "templateId":
			if !create {
				b.fail(readOnlyProperty(f.Name))
				break
			}
			if s := b.str(f); s != nil && f.Name == "templateId" {
				templateID, hasTemplate = *s, true
			}
		case "values":
			values = b.settingValues(f)
		case "id":
			b.fail(readOnlyProperty(f.Name))
		default:
			b.fail(invalidProperty(f.Name))
		}
		if b.err != nil {
			return "", nil, b.err
		}
	}
	if create && !hasTemplate {
		return "", nil, &directory.ValidationError{Property: "templateId", Reason: directory.ReasonRequired}
	}
	return templateID, values, nil
}

// settingValues reads values: an array of {name, value} strings. A name
// given twice is refused rather than letting the last one win, since the
// client cannot have meant both.
func (b *bodyReader) settingValues(f httpx.Field) []directory.SettingValue {
	var list []struct {
		Name  *string `json:"name"`
		Value *string `json:"value"`
	}
	if httpx.IsNull(f.Value) || json.Unmarshal(f.Value, &list) != nil {
		b.fail(invalidValue(f.Name, b.resource))
		return nil
	}
	values := make([]directory.SettingValue, 0, len(list))
	for _, v := range list {
		if v.Name == nil || v.Value == nil {
			b.fail(invalidValue(f.Name, b.resource))
			return nil
		}
		for _, prev := range values {
			if strings.EqualFold(prev.Name, *v.Name) {
				b.fail(withTarget(badRequest(codeRequestBad, "The setting '%s' is given more than once in values.", *v.Name), f.Name, "InvalidValue"))
				return nil
			}
		}
		values = append(values, directory.SettingValue{Name: *v.Name, Value: *v.Value})
	}
	return values
}

// settingConflict words a second setting of one template as Entra does.
func settingConflict(err error) error {
	if ce, ok := asConflict(err); ok && ce.Property == "templateId" {
		return withTarget(badRequest(codeRequestBad,
			"A conflicting object with one or more of the specified property values is present in the directory."), "templateId", "ObjectConflict")
	}
	return err
}

func (a *api) createGroupSetting(sc settingScope) func(*request) error {
	return func(rq *request) error {
		tpl, values, err := settingBody(rq, true)
		if err != nil {
			return err
		}
		s, err := a.dir.CreateGroupSetting(rq.ctx, rq.tenant, sc.of(rq), strings.TrimSpace(tpl), values)
		if err != nil {
			return settingConflict(err)
		}
		loc := rq.base + "/groupSettings/" + string(s.ID)
		if sc.group {
			loc = rq.base + "/groups/" + string(s.GroupID) + "/settings/" + string(s.ID)
		}
		rq.w.Header().Set("Location", loc)
		a.sendSetting(rq, sc, http.StatusCreated, s)
		return nil
	}
}

func (a *api) updateGroupSetting(sc settingScope) func(*request) error {
	return func(rq *request) error {
		_, values, err := settingBody(rq, false)
		if err != nil {
			return err
		}
		if err := a.dir.UpdateGroupSetting(rq.ctx, rq.tenant, sc.of(rq), rq.param("sid"), values); err != nil {
			return err
		}
		rq.w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func (a *api) deleteGroupSetting(sc settingScope) func(*request) error {
	return func(rq *request) error {
		if err := a.dir.DeleteGroupSetting(rq.ctx, rq.tenant, sc.of(rq), rq.param("sid")); err != nil {
			return err
		}
		rq.w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
