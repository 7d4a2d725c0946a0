package storetest

import (
	"net/url"
	"slices"
	"testing"
	"time"

	"groupd/internal/directory"
	"groupd/internal/odata"
)

func (f *fixture) querier() directory.Querier { return f.s }

// parse builds a ListQuery from OData text, as a dialect would.
func parse(t *testing.T, src directory.Source, schema odata.Schema, raw string) directory.ListQuery {
	t.Helper()
	v, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	v.Set("$count", "true")
	q, err := odata.Parse(v, schema, odata.Options{Allowed: odata.ListOptions, Eventual: true})
	if err != nil {
		t.Fatalf("parse %q: %v", raw, err)
	}
	lq := directory.ListQuery{Source: src, Filter: q.Filter, Search: q.Search, Page: directory.PageRequest{Top: q.Top}}
	if len(q.OrderBy) > 0 {
		lq.OrderBy, lq.Desc = q.OrderBy[0].Prop, q.OrderBy[0].Desc
	}
	return lq
}

// names lists the display names of a whole query, page by page.
func (f *fixture) names(q directory.ListQuery) []string {
	f.t.Helper()
	var out []string
	for _, o := range f.all(q) {
		if o.User != nil {
			out = append(out, o.User.DisplayName)
		} else {
			out = append(out, o.Group.DisplayName)
		}
	}
	return out
}

func (f *fixture) all(q directory.ListQuery) []directory.Object {
	f.t.Helper()
	qs := f.querier()
	var out []directory.Object
	for i := 0; ; i++ {
		p, err := qs.List(f.ctx, f.tenant.ID, q)
		if err != nil {
			f.t.Fatalf("list: %v", err)
		}
		out = append(out, p.Items...)
		if p.Next == "" || i > 1000 {
			return out
		}
		q.Page.After = p.Next
	}
}

func sameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Errorf("%s: got %q, want %q", what, g, w)
	}
}

// seedGroups inserts the groups the filter tests expect results from.
func (f *fixture) seedGroups() {
	f.t.Helper()
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	alpha := f.newUnified("Alpha Team")
	alpha.Classification = "High"
	alpha.ProxyAddresses = []string{"SMTP:alpha@contoso.example", "smtp:a1@contoso.example"}
	alpha.CreatedAt = day
	beta := f.newGroup("beta-Ops")
	beta.CreatedAt = day.Add(24 * time.Hour)
	gamma := f.newGroup("Gamma")
	gamma.Description = "HelloWorld project"
	gamma.CreatedAt = day.Add(48 * time.Hour)
	unnamed := f.newGroup("")
	unnamed.MailNickname = "unnamed"
	unnamed.CreatedAt = day.Add(72 * time.Hour)
	upper := f.newGroup("ÄRGER")
	upper.MailNickname = "aerger"
	upper.CreatedAt = day.Add(96 * time.Hour)
	for _, g := range []directory.Group{alpha, beta, gamma, unnamed, upper} {
		f.insertGroup(g)
	}
}

func testQueryFilter(t *testing.T, f *fixture) {
	f.querier()
	f.seedGroups()
	cases := []struct {
		filter string
		want   []string
	}{
		{"displayName eq 'alpha team'", []string{"Alpha Team"}},
		{"displayName eq 'ärger'", []string{"ÄRGER"}},
		{"displayName ne 'Gamma'", []string{"Alpha Team", "beta-Ops", "", "ÄRGER"}},
		{"not(displayName eq 'Gamma')", []string{"Alpha Team", "beta-Ops", "", "ÄRGER"}},
		{"displayName in ('gamma','BETA-OPS','nope')", []string{"beta-Ops", "Gamma"}},
		{"startsWith(displayName,'al')", []string{"Alpha Team"}},
		{"startsWith(displayName,'ä')", []string{"ÄRGER"}},
		{"endsWith(mail,'@CONTOSO.example')", []string{"Alpha Team"}},
		{"displayName eq null", []string{""}},
		{"displayName ne null", []string{"Alpha Team", "beta-Ops", "Gamma", "ÄRGER"}},
		{"displayName ge 'b' and displayName le 'gz'", []string{"beta-Ops", "Gamma"}},
		{"createdDateTime ge 2024-05-02T00:00:00Z and createdDateTime le 2024-05-03T00:00:00Z", []string{"beta-Ops", "Gamma"}},
		{"createdDateTime gt 2024-05-04T00:00:00Z", []string{"ÄRGER"}},
		{"classification eq 'high' or displayName eq 'Gamma'", []string{"Alpha Team", "Gamma"}},
		{"classification eq null and (startsWith(mailNickname,'un') or startsWith(mailNickname,'ae'))", []string{"", "ÄRGER"}},
		{"groupTypes/any(c:c eq 'unified')", []string{"Alpha Team"}},
		{"not(groupTypes/any(c:c eq 'Unified'))", []string{"beta-Ops", "Gamma", "", "ÄRGER"}},
		{"proxyAddresses/any(x:startsWith(x,'smtp:a1'))", []string{"Alpha Team"}},
		{"mailEnabled eq true", []string{"Alpha Team"}},
		{"securityEnabled eq true and mailEnabled eq false and displayName ne null", []string{"beta-Ops", "Gamma", "ÄRGER"}},
		{"id eq '00000000-0000-0000-0000-000000000000'", nil},
	}
	for _, c := range cases {
		q := parse(t, directory.SourceGroups, odata.GroupSchema, "$filter="+url.QueryEscape(c.filter))
		q.Page.Top = 2
		sameSet(t, c.filter, f.names(q), c.want)
		n, err := f.querier().Count(f.ctx, f.tenant.ID, q)
		if err != nil || n != len(c.want) {
			t.Errorf("count %s: got %d, %v; want %d", c.filter, n, err, len(c.want))
		}
	}
}

func testQueryUsers(t *testing.T, f *fixture) {
	f.querier()
	ada := f.newUser("ada")
	ada.DisplayName, ada.Department, ada.JobTitle = "Ada Lovelace", "Research", "Engineer"
	bob := f.newUser("bob")
	bob.DisplayName, bob.AccountEnabled = "Bob Builder", false
	bob.OtherMails = []string{"bob@other.example"}
	bob.UserType = directory.UserTypeGuest
	f.insertUser(ada)
	f.insertUser(bob)
	cases := []struct {
		filter string
		want   []string
	}{
		{"startsWith(userPrincipalName,'ADA@')", []string{"Ada Lovelace"}},
		{"accountEnabled eq false", []string{"Bob Builder"}},
		{"department eq null", []string{"Bob Builder"}},
		{"department eq 'research' and jobTitle eq 'engineer'", []string{"Ada Lovelace"}},
		{"endsWith(mail,'x')", nil},
		{"otherMails/any(m:m eq 'BOB@other.example')", []string{"Bob Builder"}},
		{"userType eq 'Guest'", []string{"Bob Builder"}},
		{"userType in ('member')", []string{"Ada Lovelace"}},
	}
	for _, c := range cases {
		q := parse(t, directory.SourceUsers, odata.UserSchema, "$filter="+url.QueryEscape(c.filter))
		sameSet(t, c.filter, f.names(q), c.want)
	}
	q := parse(t, directory.SourceUsers, odata.UserSchema, `$search="displayName:love"`)
	sameSet(t, "search", f.names(q), []string{"Ada Lovelace"})
	// A renamed user is found by its new name only.
	ada.DisplayName = "Countess"
	f.update(func(tx directory.Tx) error { return tx.UpdateUser(f.ctx, ada) })
	sameSet(t, "search after rename", f.names(q), nil)
}

func testQuerySearch(t *testing.T, f *fixture) {
	f.querier()
	f.seedGroups()
	cases := []struct {
		search string
		want   []string
	}{
		{`"displayName:alp"`, []string{"Alpha Team"}},
		{`"displayName:team alpha"`, []string{"Alpha Team"}},
		{`"displayName:ops"`, []string{"beta-Ops"}},
		{`"displayName:betaops"`, []string{"beta-Ops"}},
		{`"displayName:eam"`, nil},
		{`"description:world"`, []string{"Gamma"}},
		{`"displayName:alpha" OR "displayName:gam"`, []string{"Alpha Team", "Gamma"}},
		{`"displayName:alpha" AND "displayName:gam"`, nil},
		{`"displayName:ärg"`, []string{"ÄRGER"}},
		{`"mailNickname:BET"`, []string{"beta-Ops"}},
	}
	for _, c := range cases {
		q := parse(t, directory.SourceGroups, odata.GroupSchema, "$search="+url.QueryEscape(c.search))
		sameSet(t, c.search, f.names(q), c.want)
	}
	// Search and filter must both hold.
	q := parse(t, directory.SourceGroups, odata.GroupSchema, `$search="displayName:a"&$filter=mailEnabled eq true`)
	sameSet(t, "search+filter", f.names(q), []string{"Alpha Team"})
}

func testQueryOrderBy(t *testing.T, f *fixture) {
	f.querier()
	f.seedGroups()
	asc := []string{"", "Alpha Team", "beta-Ops", "Gamma", "ÄRGER"}
	for _, top := range []int{1, 2, 100} {
		q := parse(t, directory.SourceGroups, odata.GroupSchema, "$orderby=displayName")
		q.Page.Top = top
		if got := f.names(q); !slices.Equal(got, asc) {
			t.Errorf("asc top %d: got %q, want %q", top, got, asc)
		}
		q = parse(t, directory.SourceGroups, odata.GroupSchema, "$orderby=displayName desc")
		q.Page.Top = top
		desc := slices.Clone(asc)
		slices.Reverse(desc)
		if got := f.names(q); !slices.Equal(got, desc) {
			t.Errorf("desc top %d: got %q, want %q", top, got, desc)
		}
		q = parse(t, directory.SourceGroups, odata.GroupSchema, "$orderby=createdDateTime desc")
		q.Page.Top = top
		byDate := []string{"ÄRGER", "", "Gamma", "beta-Ops", "Alpha Team"}
		if got := f.names(q); !slices.Equal(got, byDate) {
			t.Errorf("createdDateTime desc top %d: got %q, want %q", top, got, byDate)
		}
	}
}
