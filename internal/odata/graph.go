package odata

// The Microsoft Graph v1.0 schemas of groups and users. Filter support
// follows Graph's documentation of advanced query capabilities on directory
// objects: eq, in, startsWith, ge, le work by default where Graph says so;
// ne, not, endsWith and comparisons with null need advanced query
// parameters. groupd choices where Graph is silent or uneven: gt and lt work
// wherever ge and le do on date-times; createdDateTime may be sorted in
// advanced queries on groups as on users; a group's description is searched
// but not filtered.

// Operator sets shared by many properties.
var (
	stringOps    = Ops(OpEq, OpIn, OpStartsWith, OpGe, OpLe)
	negationOps  = Ops(OpNe, OpNot)
	nullableOps  = Ops(OpNe, OpNot, OpNull)
	boolOps      = Ops(OpEq, OpIn)
	idOps        = Ops(OpEq, OpIn)
	dateTimeOps  = Ops(OpEq, OpGe, OpLe, OpGt, OpLt)
	dateTimeAdv  = Ops(OpNe, OpNot, OpIn)
	addressesOps = Ops(OpAny, OpEq, OpIn, OpStartsWith, OpGe, OpLe)
	addressesAdv = Ops(OpNot, OpEndsWith)
)

// filterable is a selectable property with filter support.
func filterable(name string, t PropType, def, adv OpSet) Prop {
	return Prop{Name: name, Type: t, Filter: FilterOps{Default: def, Advanced: adv}, Selectable: true}
}

// sel is a property that can only be selected.
func sel(name string, t PropType) Prop {
	return Prop{Name: name, Type: t, Selectable: true}
}

func sorted(p Prop, s Support) Prop { p.Sort = s; return p }
func searchable(p Prop) Prop        { p.Searchable = true; return p }
func withOps(p Prop, def, adv OpSet) Prop {
	p.Filter = FilterOps{Default: def, Advanced: adv}
	return p
}

func groupProps() map[string]Prop {
	return newProps(
		filterable("id", TypeGUID, idOps, negationOps),
		sel("deletedDateTime", TypeDateTime),
		filterable("classification", TypeString, stringOps, nullableOps),
		sorted(filterable("createdDateTime", TypeDateTime, dateTimeOps, dateTimeAdv), AdvancedOnly),
		sel("creationOptions", TypeStringCollection),
		searchable(sel("description", TypeString)),
		searchable(sorted(filterable("displayName", TypeString, stringOps, nullableOps), Supported)),
		sel("expirationDateTime", TypeDateTime),
		filterable("groupTypes", TypeStringCollection, Ops(OpAny, OpEq, OpIn), Ops(OpNot)),
		sel("isAssignableToRole", TypeBool),
		filterable("mail", TypeString, stringOps, nullableOps|Ops(OpEndsWith)),
		filterable("mailEnabled", TypeBool, boolOps, negationOps),
		filterable("mailNickname", TypeString, stringOps, nullableOps),
		sel("membershipRule", TypeString),
		sel("membershipRuleProcessingState", TypeString),
		sel("onPremisesDomainName", TypeString),
		sel("onPremisesLastSyncDateTime", TypeDateTime),
		sel("onPremisesNetBiosName", TypeString),
		sel("onPremisesSamAccountName", TypeString),
		sel("onPremisesSecurityIdentifier", TypeString),
		sel("onPremisesSyncEnabled", TypeBool),
		sel("preferredDataLocation", TypeString),
		sel("preferredLanguage", TypeString),
		filterable("proxyAddresses", TypeStringCollection, addressesOps, addressesAdv),
		sel("renewedDateTime", TypeDateTime),
		sel("resourceBehaviorOptions", TypeStringCollection),
		sel("resourceProvisioningOptions", TypeStringCollection),
		filterable("securityEnabled", TypeBool, boolOps, negationOps),
		sel("securityIdentifier", TypeString),
		sel("theme", TypeString),
		filterable("visibility", TypeString, Ops(OpEq, OpIn), negationOps),
		sel("onPremisesProvisioningErrors", TypeOther),
		sel("serviceProvisioningErrors", TypeOther),
		// Selectable only, outside Graph's default set.
		sel("allowExternalSenders", TypeBool),
		sel("assignedLabels", TypeOther),
		sel("assignedLicenses", TypeOther),
		sel("autoSubscribeNewMembers", TypeBool),
		sel("hasMembersWithLicenseErrors", TypeBool),
		sel("hideFromAddressLists", TypeBool),
		sel("hideFromOutlookClients", TypeBool),
		sel("isSubscribedByMail", TypeBool),
		sel("licenseProcessingState", TypeOther),
		sel("unseenCount", TypeInt),
	)
}

func userProps() map[string]Prop {
	return newProps(
		sel("businessPhones", TypeStringCollection),
		searchable(sorted(filterable("displayName", TypeString, stringOps, nullableOps), Supported)),
		filterable("givenName", TypeString, stringOps, nullableOps),
		filterable("jobTitle", TypeString, stringOps, nullableOps),
		filterable("mail", TypeString, stringOps, negationOps|Ops(OpEndsWith)),
		sel("mobilePhone", TypeString),
		sel("officeLocation", TypeString),
		sel("preferredLanguage", TypeString),
		filterable("surname", TypeString, stringOps, nullableOps),
		sorted(filterable("userPrincipalName", TypeString, stringOps, negationOps|Ops(OpEndsWith)), Supported),
		filterable("id", TypeGUID, idOps, negationOps),
		// Selectable only unless a filter is given.
		filterable("accountEnabled", TypeBool, boolOps, negationOps),
		sel("ageGroup", TypeString),
		sel("assignedLicenses", TypeOther),
		sel("assignedPlans", TypeOther),
		sel("city", TypeString),
		sel("companyName", TypeString),
		sel("consentProvidedForMinor", TypeString),
		sel("country", TypeString),
		sorted(filterable("createdDateTime", TypeDateTime, dateTimeOps, dateTimeAdv), AdvancedOnly),
		sel("creationType", TypeString),
		sel("deletedDateTime", TypeDateTime),
		filterable("department", TypeString, stringOps, nullableOps),
		sel("employeeHireDate", TypeDateTime),
		sel("employeeId", TypeString),
		sel("employeeLeaveDateTime", TypeDateTime),
		sel("employeeType", TypeString),
		sel("externalUserState", TypeString),
		sel("externalUserStateChangeDateTime", TypeDateTime),
		sel("faxNumber", TypeString),
		sel("identities", TypeOther),
		sel("imAddresses", TypeStringCollection),
		sel("isResourceAccount", TypeBool),
		sel("lastPasswordChangeDateTime", TypeDateTime),
		sel("legalAgeGroupClassification", TypeString),
		filterable("mailNickname", TypeString, stringOps, nullableOps),
		sel("onPremisesDistinguishedName", TypeString),
		sel("onPremisesDomainName", TypeString),
		sel("onPremisesImmutableId", TypeString),
		sel("onPremisesLastSyncDateTime", TypeDateTime),
		sel("onPremisesProvisioningErrors", TypeOther),
		withOps(sel("onPremisesSamAccountName", TypeString), 0, stringOps|negationOps),
		sel("onPremisesSecurityIdentifier", TypeString),
		sel("onPremisesSyncEnabled", TypeBool),
		sel("onPremisesUserPrincipalName", TypeString),
		filterable("otherMails", TypeStringCollection, addressesOps, addressesAdv),
		sel("passwordPolicies", TypeString),
		sel("passwordProfile", TypeOther), // write-only: always null when selected
		sel("postalCode", TypeString),
		sel("preferredDataLocation", TypeString),
		sel("preferredName", TypeString),
		sel("provisionedPlans", TypeOther),
		sel("proxyAddresses", TypeStringCollection),
		sel("securityIdentifier", TypeString),
		sel("showInAddressList", TypeBool),
		sel("signInSessionsValidFromDateTime", TypeDateTime),
		sel("state", TypeString),
		sel("streetAddress", TypeString),
		sel("usageLocation", TypeString),
		filterable("userType", TypeString, Ops(OpEq, OpIn), nullableOps),
	)
}

// GroupSchema is microsoft.graph.group. Expandable: members (users and
// groups), owners (users), memberOf (groups).
var GroupSchema = Schema{
	EntityType: "microsoft.graph.group",
	Resource:   "Group",
	Props:      groupProps(),
	Relationships: []Relationship{
		{Name: "members", Props: selectable(userProps(), groupProps())},
		{Name: "owners", Props: selectable(userProps())},
		{Name: "memberOf", Props: selectable(groupProps())},
	},
	Unexpanded: []string{"transitiveMembers", "transitiveMemberOf", "createdOnBehalfOf", "settings",
		"photo", "photos", "extensions", "team", "appRoleAssignments", "permissionGrants", "drive", "drives",
		"sites", "calendar", "calendarView", "events", "conversations", "threads", "acceptedSenders",
		"rejectedSenders", "membersWithLicenseErrors", "groupLifecyclePolicies", "onenote", "planner"},
}

// UserSchema is microsoft.graph.user. Expandable: memberOf (groups),
// manager (a user) and directReports (users).
var UserSchema = Schema{
	EntityType: "microsoft.graph.user",
	Resource:   "User",
	Props:      userProps(),
	Relationships: []Relationship{
		{Name: "memberOf", Props: selectable(groupProps())},
		{Name: "manager", Props: selectable(userProps()), Chain: true},
		{Name: "directReports", Props: selectable(userProps())},
	},
	Unexpanded: []string{"transitiveMemberOf", "ownedObjects", "ownedDevices",
		"registeredDevices", "createdObjects", "appRoleAssignments", "oauth2PermissionGrants",
		"licenseDetails", "joinedTeams", "drive", "drives", "calendar", "calendars", "calendarView", "events",
		"contacts", "contactFolders", "mailFolders", "messages", "people", "photo", "photos", "extensions",
		"outlook", "planner", "onenote", "insights", "settings", "teamwork", "todo", "authentication",
		"sponsors"},
}

// DirectoryObjectSchema is microsoft.graph.directoryObject as groupd lists
// it: members of a group, users and groups mixed. Any property of either
// type may be selected; a property may be filtered, sorted or searched only
// where users and groups both allow it, with the operators both support
// (an operator is default only if default on both).
var DirectoryObjectSchema = Schema{
	EntityType: directoryObject,
	Resource:   "DirectoryObject",
	Props:      common(userProps(), groupProps()),
}

// common is the union of a and b for $select and their intersection for
// everything else.
func common(a, b map[string]Prop) map[string]Prop {
	out := selectable(a, b)
	for name, p := range out {
		pa, inA := a[name]
		pb, inB := b[name]
		p.Filter, p.Sort, p.Searchable = FilterOps{}, Unsupported, false
		if inA && inB && pa.Type == pb.Type {
			all := (pa.Filter.Default | pa.Filter.Advanced) & (pb.Filter.Default | pb.Filter.Advanced)
			def := pa.Filter.Default & pb.Filter.Default
			p.Filter = FilterOps{Default: def, Advanced: all &^ def}
			switch {
			case pa.Sort == Supported && pb.Sort == Supported:
				p.Sort = Supported
			case pa.Sort != Unsupported && pb.Sort != Unsupported:
				p.Sort = AdvancedOnly
			}
			p.Searchable = pa.Searchable && pb.Searchable
		}
		out[name] = p
	}
	return out
}
