package sqlite

import (
	"context"
	"strings"
	"testing"

	"groupd/internal/directory"
)

// TestProvisionQueriesProbeUsers: the statements of provisioning find each
// user by one probe of a unique index, looping over the request's names
// or ids; the other order reads every user of the tenant per name.
func TestProvisionQueriesProbeUsers(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	tid := string(directory.NewTenantID())
	for _, c := range []struct {
		name, query, want string
		args              []any
	}{
		{"user ids by UPN", qUserIDsByUPN, "SEARCH u USING INDEX users_upn (tenant_id=? AND upn_key=?)",
			[]any{tid, `["a@contoso.example","b@contoso.example"]`}},
		{"first invisible user", qFirstInvisible, "SEARCH u USING INDEX sqlite_autoindex_users_1 (id=?)",
			[]any{tid, `["x","y"]`}},
	} {
		plan, err := s.ExplainQueryPlan(context.Background(), c.query, c.args...)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		lines := strings.Split(plan, "\n")
		if !strings.HasPrefix(strings.TrimLeft(lines[0], "|-` "), "SCAN j") || !strings.Contains(plan, c.want) {
			t.Errorf("%s: want a loop over the request probing users (%s), plan:\n%s", c.name, c.want, plan)
		}
	}
}
