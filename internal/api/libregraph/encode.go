package libregraph

import (
	"bytes"
	"encoding/json"
	"net/http"

	"groupd/internal/api/httpx"
	"groupd/internal/directory"
)

// userJSON is a user as LibreGraph shows it; unset properties are left out.
// A group met among members has the same shape with only displayName and id.
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

func objectOut(o directory.Object) userJSON {
	if o.User != nil {
		return userOut(*o.User)
	}
	if sp := o.ServicePrincipal; sp != nil {
		return userJSON{DisplayName: sp.DisplayName, ID: string(sp.ID)}
	}
	return userJSON{DisplayName: o.Group.DisplayName, ID: string(o.Group.ID)}
}

func objectsOut(objs []directory.Object) []userJSON {
	out := make([]userJSON, 0, len(objs))
	for _, o := range objs {
		out = append(out, objectOut(o))
	}
	return out
}

func groupOut(g directory.Group, expanded bool) groupJSON {
	out := groupJSON{DisplayName: g.DisplayName, ID: string(g.ID)}
	if expanded {
		m := objectsOut(g.Members)
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

// decodeBody reads the request body as one JSON object and refuses any key
// not in allowed. An "id" is named as read-only (oCIS: "group id is a
// read-only attribute"); other keys as unknown fields, the way oCIS's
// strict decoder words it.
func decodeBody(w http.ResponseWriter, r *http.Request, kind string, allowed ...string) (httpx.Object, error) {
	obj, err := httpx.DecodeObject(w, r)
	if err != nil {
		return nil, err
	}
	if err := checkKeys(obj, kind, allowed); err != nil {
		return nil, err
	}
	return obj, nil
}

func checkKeys(obj httpx.Object, kind string, allowed []string) error {
next:
	for _, f := range obj {
		for _, a := range allowed {
			if f.Name == a {
				continue next
			}
		}
		if f.Name == "id" && kind != "" {
			return invalidRequest("%s id is a read-only attribute", kind)
		}
		return invalidRequest("invalid request body: json: unknown field %q", f.Name)
	}
	return nil
}

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
