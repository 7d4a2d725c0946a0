package libregraph

import (
	"bytes"
	"encoding/json"
	"net/http"

	"groupd/internal/api/httpx"
	"groupd/internal/directory"
)

// userJSON is a user as LibreGraph shows it; unset properties are left out.
type userJSON struct {
	DisplayName              string `json:"displayName,omitempty"`
	ID                       string `json:"id"`
	Mail                     string `json:"mail,omitempty"`
	OnPremisesSamAccountName string `json:"onPremisesSamAccountName,omitempty"`
}

// groupJSON is a group; Members is set only when members were expanded, and
// then appears even when empty.
type groupJSON struct {
	DisplayName string      `json:"displayName"`
	ID          string      `json:"id"`
	Members     *[]userJSON `json:"members,omitempty"`
}

// listJSON is a collection answer.
type listJSON[T any] struct {
	Value []T `json:"value"`
}

func userOut(u directory.User) userJSON {
	return userJSON{DisplayName: u.DisplayName, ID: string(u.ID), Mail: u.Mail, OnPremisesSamAccountName: u.OnPremisesSamAccountName}
}

// membersOut lists the users among members. oCIS reads a group's member
// entries as users and drops any that is not one (createUserModelFromLDAP
// in services/graph/pkg/identity), and its model types members as users; a
// group or application nested through another dialect is therefore left
// out here too, rather than shown as a user it is not.
func membersOut(objs []directory.Object) []userJSON {
	out := make([]userJSON, 0, len(objs))
	for _, o := range objs {
		if o.User != nil {
			out = append(out, userOut(*o.User))
		}
	}
	return out
}

func groupOut(g directory.Group, expanded bool) groupJSON {
	out := groupJSON{DisplayName: g.DisplayName, ID: string(g.ID)}
	if expanded {
		m := membersOut(g.Members)
		out.Members = &m
	}
	return out
}

// writeJSON writes v with status as oCIS does (render.JSON).
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		// Only our own types are encoded here; they always marshal.
		http.Error(w, `{"error":{"code":"generalException","message":"encoding failed"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func noContent(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }

// stringField returns a string member: nil when absent or null.
func stringField(obj httpx.Object, name string) (*string, error) {
	v, ok := obj.Get(name)
	if !ok || httpx.IsNull(v) {
		return nil, nil
	}
	s, ok := httpx.String(v)
	if !ok {
		return nil, invalidRequest("Invalid %s: must be a string", name)
	}
	return &s, nil
}

// isObject reports whether a raw JSON value is an object.
func isObject(v json.RawMessage) bool {
	b := bytes.TrimSpace(v)
	return len(b) > 0 && b[0] == '{'
}
