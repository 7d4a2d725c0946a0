package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"groupd/internal/directory"
)

// queryErr keeps ErrBadCursor and marks anything else the compiler refuses
// as invalid input: internal/odata validated the query against a schema
// this engine does not fully cover.
func queryErr(err error) error {
	if errors.Is(err, directory.ErrBadCursor) {
		return err
	}
	return fmt.Errorf("%w: %w", directory.ErrInvalid, err)
}

func scanObjects(rows pgx.Rows, sc scope) ([]directory.Object, error) {
	defer rows.Close()
	var out []directory.Object
	for rows.Next() {
		var o directory.Object
		switch {
		case sc.users && sc.groups:
			var row objectRow
			if err := rows.Scan(row.dest()...); err != nil {
				return nil, err
			}
			o = row.object()
		case sc.users:
			var row userRow
			if err := rows.Scan(row.dest()...); err != nil {
				return nil, err
			}
			u := row.user()
			o.User = &u
		default:
			var row groupRow
			if err := rows.Scan(row.dest()...); err != nil {
				return nil, err
			}
			g := row.group()
			o.Group = &g
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
