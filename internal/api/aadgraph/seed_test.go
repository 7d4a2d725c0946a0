package aadgraph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// seedHost is the host of the seed's URLs; only the host changes.
const seedHost = "https://graph.windows.net"

// ids maps the seed's object ids to the ones groupd gave the same objects.
type ids map[string]string

func (m ids) apply(s string) string {
	for seed, ours := range m {
		s = strings.ReplaceAll(s, seed, ours)
	}
	return s
}

func readSeed(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "seed", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wantSeed compares a response body with the seed's example field by
// field, in the seed's member order, once the seed's ids are mapped to
// ours and its host to this server's. Collections compare as sets: the
// seed shows its items ordered by its own ids, groupd orders by its ids.
func (e *env) wantSeed(r *resp, status int, golden string, m ids) {
	e.t.Helper()
	r.want(e.t, status)
	if ct := r.h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		e.t.Errorf("Content-Type %q, want application/json", ct)
	}
	want := strings.ReplaceAll(m.apply(readSeed(e.t, golden)), seedHost, e.url)
	w, g := canonical(e.t, []byte(want)), canonical(e.t, r.body)
	if w != g {
		e.t.Errorf("%s differs from the seed\n got %s\nwant %s", golden, g, w)
	}
}

// canonical re-encodes JSON compactly, keeping member order and sorting
// array elements.
func canonical(t testing.TB, b []byte) string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out strings.Builder
	var value func() error
	value = func() error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' {
				out.WriteByte('{')
				for i := 0; dec.More(); i++ {
					k, _ := dec.Token()
					if i > 0 {
						out.WriteByte(',')
					}
					kb, _ := json.Marshal(k)
					out.Write(kb)
					out.WriteByte(':')
					if err := value(); err != nil {
						return err
					}
				}
				_, err = dec.Token()
				out.WriteByte('}')
				return err
			}
			var items []string
			saved := out
			for dec.More() {
				out = strings.Builder{}
				if err := value(); err != nil {
					return err
				}
				items = append(items, out.String())
			}
			out = saved
			slices.Sort(items)
			out.WriteString("[" + strings.Join(items, ",") + "]")
			_, err = dec.Token()
			return err
		default:
			vb, _ := json.Marshal(v)
			out.Write(vb)
		}
		return nil
	}
	if err := value(); err != nil && err != io.EOF {
		t.Fatalf("invalid JSON: %v\n%s", err, b)
	}
	return out.String()
}

// TestSeedReplay replays every request of the Azure AD Graph seed, in the
// seed's order, with only the host changed, and compares each answer with
// the seed's example.
func TestSeedReplay(t *testing.T) {
	e := newEnv(t)
	m := ids{}

	// GET /groups: the three groups of the example, as they were created.
	m["c57cdc98-0dcd-4f90-a82f-c911b288bab9"] = e.group("Marketing", "Marketing Group", "cdf76b17-0734-41bc-9c24-9a7af93f3502")
	m["cc9869f0-6ac0-4d00-bc24-621a2d949d35"] = e.group("Engineering", "Engineering Group", "ef3b8cc1-721b-4452-9e30-9867d1de80ea")
	m["fc15e7ef-993f-4865-bf37-317d9b8017b8"] = e.group("Test", "Test Group", "fec6273a-20af-49ba-8129-3cbde45a0a16")
	e.wantSeed(e.do("GET", "/myorganization/groups?api-version=1.6", nil), http.StatusOK, "01_list_groups.json", m)
	// The seed's code samples also send a trailing "&", or "&amp;".
	for _, q := range []string{"?api-version=1.6&", "?api-version=1.6&amp;"} {
		e.wantSeed(e.do("GET", "/myorganization/groups"+q, nil), http.StatusOK, "01_list_groups.json", m)
	}

	// GET /groups/{id}: the seed asks for f795caea… and shows b4bda672…;
	// both name the one group here.
	marketing := e.group("Marketing", "Marketing Department", "BposMailNickName")
	m["f795caea-121d-49c7-8ae6-a95623add8aa"], m["b4bda672-1fba-4711-8fb1-5383c40b2c14"] = marketing, marketing
	e.wantSeed(e.do("GET", m.apply("/myorganization/groups/f795caea-121d-49c7-8ae6-a95623add8aa?api-version=1.6"), nil),
		http.StatusOK, "02_get_group.json", m)

	// POST /groups.
	r := e.do("POST", "/myorganization/groups?api-version=1.6", readSeed(t, "03_create_group_request.json"))
	created := r.want(t, http.StatusCreated).obj(t)["objectId"].(string)
	m["c7ebe5ed-b1d2-4990-88f7-892e4db2e5f3"] = created
	e.wantSeed(r, http.StatusCreated, "03_create_group.json", m)
	if loc := r.h.Get("Location"); loc != e.url+"/v1.0/groups/"+created {
		t.Errorf("Location %q", loc)
	}

	// PATCH /groups/{id}: 204, no body, the description changed.
	e.do("PATCH", m.apply("/myorganization/groups/c7ebe5ed-b1d2-4990-88f7-892e4db2e5f3?api-version=1.6"),
		readSeed(t, "04_patch_group_request.json")).want(t, http.StatusNoContent)
	if g := e.aad("GET", "/groups/"+created, nil).want(t, http.StatusOK).obj(t); g["description"] != "Example Security Group" {
		t.Errorf("after PATCH: %v", g)
	}

	// DELETE /groups/{id}: 204, and the group is gone.
	e.do("DELETE", m.apply("/myorganization/groups/c7ebe5ed-b1d2-4990-88f7-892e4db2e5f3?api-version=1.6"), nil).
		want(t, http.StatusNoContent)
	e.aad("GET", "/groups/"+created, nil).want(t, http.StatusNotFound)

	// GET /groups/{id}/$links/members: four users.
	for _, seed := range []string{"06adda87-a819-4c2e-ab30-127f308468b5", "225711c4-501c-4e38-b10c-654a4f62ad67",
		"2355eace-6b1d-4560-a481-eddabb529537", "2b0a2e75-f6f5-498a-9f5c-3543e171a5a6"} {
		m[seed] = e.user("u" + seed[:8])
		e.addMember(marketing, m[seed])
	}
	e.wantSeed(e.do("GET", m.apply("/myorganization/groups/f795caea-121d-49c7-8ae6-a95623add8aa/$links/members?api-version=1.6"), nil),
		http.StatusOK, "06_links_members.json", m)

	// POST /groups/{id}/$links/members with the seed's body, whose URL keeps
	// the seed's host.
	newcomer := e.user("newcomer")
	m["3eb6055a-baeb-44d4-a1ea-2fee86d8891b"] = newcomer
	e.do("POST", m.apply("/myorganization/groups/b4bda672-1fba-4711-8fb1-5383c40b2c14/$links/members?api-version=1.6"),
		m.apply(readSeed(t, "07_add_member_request.json"))).want(t, http.StatusNoContent)
	if !slices.Contains(e.members(marketing), newcomer) {
		t.Errorf("member not added: %v", e.members(marketing))
	}

	// DELETE /groups/{id}/$links/members/{memberId}.
	e.do("DELETE", m.apply("/myorganization/groups/b4bda672-1fba-4711-8fb1-5383c40b2c14/$links/members/3eb6055a-baeb-44d4-a1ea-2fee86d8891b?api-version=1.6"), nil).
		want(t, http.StatusNoContent)
	if slices.Contains(e.members(marketing), newcomer) {
		t.Errorf("member not removed: %v", e.members(marketing))
	}

	// GET /groups/{id}/$links/memberOf: the group is in one group (the
	// seed's c7ebe5ed…, deleted above, so made again).
	parent := e.group("Example Group", "", "ExampleGroup2")
	m["c7ebe5ed-b1d2-4990-88f7-892e4db2e5f3"] = parent
	e.addMember(parent, marketing)
	e.wantSeed(e.do("GET", m.apply("/myorganization/groups/b4bda672-1fba-4711-8fb1-5383c40b2c14/$links/memberOf?api-version=1.6"), nil),
		http.StatusOK, "09_links_memberof.json", m)
}
