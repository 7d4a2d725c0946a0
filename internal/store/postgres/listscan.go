package postgres

import (
	"github.com/jackc/pgx/v5"

	"groupd/internal/directory"
	"groupd/internal/store/listsql"
)

func scanObjects(rows pgx.Rows, sc listsql.Scope) ([]directory.Object, error) {
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
			o = row.object()
		case sc.Users:
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
