package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

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

func scanObjects(rows *sql.Rows, sc scope) ([]directory.Object, error) {
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
			var err error
			if o, err = row.object(); err != nil {
				return nil, err
			}
		case sc.users:
			var row userRow
			if err := rows.Scan(row.dest()...); err != nil {
				return nil, err
			}
			u, err := row.user()
			if err != nil {
				return nil, err
			}
			o.User = &u
		default:
			var row groupRow
			if err := rows.Scan(row.dest()...); err != nil {
				return nil, err
			}
			g, err := row.group()
			if err != nil {
				return nil, err
			}
			o.Group = &g
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
