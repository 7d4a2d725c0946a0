package sqlite

import (
	"context"
	"testing"
)

// TestMultiRowInsertsCallNoFunction: the multi-row inserts that run inside
// group commits call no SQL function, so SQLite opens no statement journal
// for them (pairRows). Their programs would say Function or PureFunc.
func TestMultiRowInsertsCallNoFunction(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	for _, c := range []struct {
		name, q string
		args    []any
	}{
		{"add user members", qAddUserMembers, []any{"t", "[]"}},
		{"insert tokens", qInsertTokens, []any{"t", "o", "group", "[]"}},
	} {
		name := c.name
		rows, err := s.readers.QueryContext(context.Background(), "EXPLAIN "+c.q, c.args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		for i := range vals {
			vals[i] = new(any)
		}
		for rows.Next() {
			if err := rows.Scan(vals...); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			switch op := *(vals[1].(*any)); op {
			case "Function", "PureFunc":
				t.Errorf("%s calls a function (%v): SQLite journals the statement", name, op)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rows.Close()
	}
}
