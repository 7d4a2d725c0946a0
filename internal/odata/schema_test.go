package odata

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// names returns the sorted names of the properties of s for which keep holds.
func names(s Schema, keep func(Prop) bool) string {
	var out []string
	for k, p := range s.Props {
		if k != p.Name {
			panic("property indexed under another name: " + k)
		}
		if keep(p) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

func isFilterable(p Prop) bool { return p.Filter.Default|p.Filter.Advanced != 0 }

// The schemas hold what the brief and Graph's documentation list.
func TestSchemas(t *testing.T) {
	for _, tt := range []struct {
		name      string
		got, want string
	}{
		{"group filter", names(GroupSchema, isFilterable),
			"classification,createdDateTime,displayName,groupTypes,id,mail,mailEnabled,mailNickname,proxyAddresses,securityEnabled,visibility"},
		{"group search", names(GroupSchema, func(p Prop) bool { return p.Searchable }), "description,displayName"},
		{"group sort", names(GroupSchema, func(p Prop) bool { return p.Sort == Supported }), "displayName"},
		{"group advanced sort", names(GroupSchema, func(p Prop) bool { return p.Sort == AdvancedOnly }), "createdDateTime"},
		{"user filter", names(UserSchema, isFilterable),
			"accountEnabled,createdDateTime,department,displayName,givenName,id,jobTitle,mail,mailNickname,onPremisesSamAccountName,otherMails,surname,userPrincipalName,userType"},
		{"user search", names(UserSchema, func(p Prop) bool { return p.Searchable }), "displayName"},
		{"user sort", names(UserSchema, func(p Prop) bool { return p.Sort == Supported }), "displayName,userPrincipalName"},
		{"user advanced sort", names(UserSchema, func(p Prop) bool { return p.Sort == AdvancedOnly }), "createdDateTime"},
		{"directoryObject filter", names(DirectoryObjectSchema, isFilterable), "createdDateTime,displayName,id,mail,mailNickname"},
		{"directoryObject sort", names(DirectoryObjectSchema, func(p Prop) bool { return p.Sort != Unsupported }), "createdDateTime,displayName"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, tt.got, tt.want)
		}
	}
	groupSelect := "id deletedDateTime classification createdDateTime creationOptions description displayName expirationDateTime " +
		"groupTypes isAssignableToRole mail mailEnabled mailNickname membershipRule membershipRuleProcessingState onPremisesDomainName " +
		"onPremisesLastSyncDateTime onPremisesNetBiosName onPremisesSamAccountName onPremisesSecurityIdentifier onPremisesSyncEnabled " +
		"preferredDataLocation preferredLanguage proxyAddresses renewedDateTime resourceBehaviorOptions resourceProvisioningOptions " +
		"securityEnabled securityIdentifier theme visibility onPremisesProvisioningErrors serviceProvisioningErrors"
	userSelect := "businessPhones displayName givenName jobTitle mail mobilePhone officeLocation preferredLanguage surname " +
		"userPrincipalName id accountEnabled createdDateTime deletedDateTime department mailNickname otherMails onPremisesSamAccountName"
	for _, c := range []struct {
		s    Schema
		list string
	}{{GroupSchema, groupSelect}, {UserSchema, userSelect}, {DirectoryObjectSchema, groupSelect + " " + userSelect}} {
		for _, name := range strings.Fields(c.list) {
			if p, ok := c.s.Props[name]; !ok || !p.Selectable {
				t.Errorf("%s: %s is not selectable", c.s.EntityType, name)
			}
		}
	}
	// Every filterable or sortable property is selectable, and searchable
	// ones are strings.
	for _, s := range []Schema{GroupSchema, UserSchema, DirectoryObjectSchema} {
		for _, p := range s.Props {
			if (isFilterable(p) || p.Sort != Unsupported) && !p.Selectable || p.Searchable && p.Type != TypeString {
				t.Errorf("%s: inconsistent %+v", s.EntityType, p)
			}
		}
	}
}

func TestDirectoryObjectSchema(t *testing.T) {
	opts := Options{Allowed: ListOptions, Eventual: true}
	for _, v := range []url.Values{
		q("$filter", "startsWith(displayName,'a')", "$count", "true", "$orderby", "displayName"),
		q("$filter", "id in ('0123abcd-0123-4567-89ab-0123456789ab')"),
		q("$select", "userPrincipalName,groupTypes,displayName"),
		q("$search", `"displayName:sales"`),
	} {
		if _, err := Parse(v, DirectoryObjectSchema, opts); err != nil {
			t.Errorf("%v: %v", v, err)
		}
	}
	_, err := Parse(q("$filter", "userPrincipalName eq 'a@b.c'"), DirectoryObjectSchema, opts)
	wantErr(t, "user-only property", err, CodeUnsupportedQuery, "$filter", "Unsupported or invalid query filter clause specified for property 'userPrincipalName' of resource 'DirectoryObject'.")
	_, err = Parse(q("$filter", "mail eq null", "$count", "true"), DirectoryObjectSchema, opts)
	wantErr(t, "null only on groups", err, CodeUnsupportedQuery, "$filter", "property 'mail' of resource 'DirectoryObject'")
	_, err = Parse(q("$search", `"description:x"`), DirectoryObjectSchema, opts)
	wantErr(t, "group-only search", err, CodeUnsupportedQuery, "$search", "Property 'description' of resource 'DirectoryObject' cannot be used in $search.")
	_, err = Parse(q("$expand", "members"), DirectoryObjectSchema, opts)
	wantErr(t, "no relationships", err, CodeBadRequest, "$expand", "Could not find a property named 'members' on type 'microsoft.graph.directoryObject'.")
}

// A relationship Graph has and groupd does not expand is refused as
// unsupported, naming what may be expanded; a misspelled one stays a bad
// request about an unknown property.
func TestUnexpandedRelationships(t *testing.T) {
	opts := Options{Allowed: EntityOptions}
	_, err := Parse(q("$expand", "Drive"), GroupSchema, opts)
	wantErr(t, "group drive", err, CodeUnsupportedQuery, "$expand",
		"Expanding 'drive' is not supported by this service; on type 'microsoft.graph.group' $expand may name members, owners, memberOf.")
	_, err = Parse(q("$expand", "ownedObjects($select=id)"), UserSchema, opts)
	wantErr(t, "user ownedObjects", err, CodeUnsupportedQuery, "$expand",
		"Expanding 'ownedObjects' is not supported by this service; on type 'microsoft.graph.user' $expand may name memberOf, manager, directReports.")
	_, err = Parse(q("$expand", "drvie"), GroupSchema, opts)
	wantErr(t, "misspelled", err, CodeBadRequest, "$expand", "Could not find a property named 'drvie' on type 'microsoft.graph.group'.")
	for _, s := range []*Schema{&GroupSchema, &UserSchema} {
		for _, name := range s.Unexpanded {
			if _, ok := s.relationship(name); ok {
				t.Errorf("%s: %s is expanded and listed as not", s.EntityType, name)
			}
			if _, ok := s.Lookup(name); ok {
				t.Errorf("%s: %s is a property and listed as a relationship", s.EntityType, name)
			}
		}
	}
}

func BenchmarkParse(b *testing.B) {
	v := q(
		"$filter", "(groupTypes/any(c:c eq 'Unified') or securityEnabled eq true) and startsWith(displayName,'Sales') and createdDateTime ge 2024-01-01T00:00:00Z",
		"$search", `"displayName:sales team" OR "mail:sales"`,
		"$select", "id,displayName,mail,groupTypes",
		"$orderby", "displayName",
		"$top", "50",
		"$count", "true",
	)
	opts := Options{Allowed: ListOptions, Eventual: true}
	b.ReportAllocs()
	for b.Loop() {
		qq, err := Parse(v, GroupSchema, opts)
		if err != nil {
			b.Fatal(err)
		}
		_ = qq.Canonical()
	}
}
