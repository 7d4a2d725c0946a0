package provision

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"groupd/internal/api/httpx"
	"groupd/internal/directory"
)

// request is the body of POST /api/ProvisionGroup.
type request struct {
	DisplayName    string   `json:"displayName"`
	MailNickname   string   `json:"mailNickname"`
	Description    *string  `json:"description,omitempty"`
	OwnerUPNs      []string `json:"ownerUPNs"`
	MemberUPNs     []string `json:"memberUPNs"`
	CreateTeam     bool     `json:"createTeam"`
	Visibility     string   `json:"visibility"`
	Classification *string  `json:"classification,omitempty"`
}

// MaxIdempotencyKeyLen bounds the Idempotency-Key header.
const MaxIdempotencyKeyLen = 255

// parse reads the body: unknown keys, wrong types and missing required
// keys are refused by name; a missing or unknown visibility gets GT365's
// plain-text answer.
func parse(w http.ResponseWriter, r *http.Request) (request, error) {
	obj, err := httpx.DecodeObject(w, r)
	if err != nil {
		return request{}, err
	}
	var rq request
	seen := map[string]bool{}
	for _, f := range obj {
		if seen[f.Name] {
			return rq, badRequest("Request_BadRequest", "Key "+f.Name+" is given twice.", f.Name, "InvalidValue")
		}
		seen[f.Name] = true
		ok := true
		switch f.Name {
		case "displayName":
			rq.DisplayName, ok = httpx.String(f.Value)
		case "mailNickname":
			rq.MailNickname, ok = httpx.String(f.Value)
		case "description":
			if !httpx.IsNull(f.Value) {
				var s string
				s, ok = httpx.String(f.Value)
				rq.Description = &s
			}
		case "ownerUPNs":
			rq.OwnerUPNs, ok = httpx.Strings(f.Value)
		case "memberUPNs":
			if !httpx.IsNull(f.Value) {
				rq.MemberUPNs, ok = httpx.Strings(f.Value)
			}
		case "createTeam":
			if !httpx.IsNull(f.Value) {
				rq.CreateTeam, ok = httpx.Bool(f.Value)
			}
		case "visibility":
			rq.Visibility, ok = httpx.String(f.Value)
			if !ok {
				return rq, visibilityError()
			}
		case "classification":
			if !httpx.IsNull(f.Value) {
				var s string
				s, ok = httpx.String(f.Value)
				rq.Classification = &s
			}
		default:
			return rq, badRequest("Request_BadRequest", "Key "+f.Name+" is not known. The keys are displayName, mailNickname, "+
				"description, ownerUPNs, memberUPNs, createTeam, visibility and classification.", f.Name, "InvalidProperty")
		}
		if !ok {
			return rq, badRequest("Request_BadRequest", "Property "+f.Name+" has an invalid value: give "+expected[f.Name]+".", f.Name, "InvalidValue")
		}
	}
	for _, k := range []string{"displayName", "mailNickname", "ownerUPNs"} {
		if !seen[k] {
			return rq, badRequest("Request_BadRequest", "Property "+k+" is required.", k, "PropertyRequired")
		}
	}
	switch {
	case strings.EqualFold(rq.Visibility, directory.VisibilityPrivate):
		rq.Visibility = directory.VisibilityPrivate
	case strings.EqualFold(rq.Visibility, directory.VisibilityPublic):
		rq.Visibility = directory.VisibilityPublic
	default:
		return rq, visibilityError()
	}
	if len(rq.OwnerUPNs) == 0 {
		return rq, badRequest("Request_BadRequest", "Property ownerUPNs must name at least one owner.", "ownerUPNs", "PropertyRequired")
	}
	for _, list := range []struct {
		name string
		upns []string
	}{{"ownerUPNs", rq.OwnerUPNs}, {"memberUPNs", rq.MemberUPNs}} {
		for i, v := range list.upns {
			if strings.TrimSpace(v) == "" {
				return rq, badRequest("Request_BadRequest", fmt.Sprintf("Property %s has an empty user principal name at index %d.", list.name, i),
					list.name, "InvalidValue")
			}
		}
	}
	return rq, nil
}

// expected says what each key takes, for the answer to a value of the
// wrong type.
var expected = map[string]string{
	"displayName": "a string", "mailNickname": "a string", "description": "a string or null",
	"ownerUPNs": "an array of user principal names", "memberUPNs": "an array of user principal names or null",
	"createTeam": "true or false", "classification": "a string or null",
}

// fingerprint identifies the request an idempotency key was first used for.
func (rq request) fingerprint() string {
	b, _ := json.Marshal(rq) // strings, bools and slices: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (a *api) provision(w http.ResponseWriter, r *http.Request, tenant directory.TenantID) error {
	start := time.Now()
	rq, err := parse(w, r)
	if err != nil {
		return err
	}
	key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if len(key) > MaxIdempotencyKeyLen {
		return badRequest("InvalidRequest", "The Idempotency-Key header is longer than 255 characters.", "", "")
	}
	p := directory.Provision{DisplayName: rq.DisplayName, MailNickname: rq.MailNickname, Description: rq.Description,
		Visibility: rq.Visibility, Classification: rq.Classification, Owners: rq.OwnerUPNs, Members: rq.MemberUPNs,
		CreateTeam: rq.CreateTeam, IdempotencyKey: key}
	if key != "" {
		p.Fingerprint = rq.fingerprint()
	}
	origin := httpx.Origin(r)
	render := func(g directory.Group, _ *directory.Team) ([]byte, error) {
		return json.Marshal(newResponse(r.Context(), origin, g, rq, time.Since(start)))
	}
	out, err := a.dir.ProvisionGroup(r.Context(), tenant, p, render)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Location", groupURL(origin, out.Group.ID))
	if out.Replayed {
		h.Set("Idempotent-Replayed", "true")
	}
	writeRaw(w, http.StatusCreated, out.Response)
	return nil
}

func groupURL(origin string, id directory.ObjectID) string {
	return origin + "/v1.0/groups/" + string(id)
}
