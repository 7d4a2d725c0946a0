package sqlite

import (
	"database/sql"

	"groupd/internal/directory"
	"groupd/internal/store/listsql"
)

func scanObjects(rows *sql.Rows, sc listsql.Scope) ([]directory.Object, error) {
	defer rows.Close()
	var out []directory.Object
	for rows.Next() {
		var o directory.Object
		switch {
		case sc.Users && sc.Groups:
			var row objectRow
			if err := rows.Scan(row.dest()...); err != nil {
				return nil, err
			}
			var err error
			if o, err = row.object(); err != nil {
				return nil, err
			}
		case sc.Users:
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
