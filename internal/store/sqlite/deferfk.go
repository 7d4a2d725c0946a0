package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/pressly/goose/v3"

	"groupd/internal/directory"
)

// The foreign keys from memberships and ownerships to groups are deferred
// (checked at COMMIT). An immediate key makes SQLite open a statement
// journal for every multi-row insert into these tables and copy into it
// each page the insert touches; inside a group commit batch nearly all of
// those pages already exist, and at 8 provisioning clients that copying
// was a fifth of all CPU. A deferred key only counts the rows that name a
// missing group, so the inserts (with OR FAIL where a partial insert is
// undone anyway, see insertRelations' callers) need no journal.
//
// The count is checked right after each insert into these tables
// (insertRelations), so a caller gets the error an immediate key gave, and
// after each update of a batch (runBatch), so a row without its group
// never reaches COMMIT and fails a whole batch.

// errNoGroup says an insert named a group that does not exist.
var errNoGroup = errors.New("FOREIGN KEY constraint failed: no such group")

// errDangling answers an update that left a relation row without its group
// although its own statements did not report it.
var errDangling = fmt.Errorf("update left a relation without its group: %w", errNoGroup)

// foreignKey reports whether err says a row named a missing parent.
func foreignKey(err error) bool {
	return errors.Is(err, errNoGroup) || sqliteCode(err) == codeForeignKey
}

// insertRelations runs q, an insert into table (memberships or ownerships)
// of rows of group, and fails with errNoGroup, having removed the rows
// again, when the group does not exist: what an immediate key did. Every
// row naming a missing group is one this statement made, because every
// earlier one was checked the same way.
func (t *tx) insertRelations(ctx context.Context, table string, group directory.ObjectID, q string, args ...any) (sql.Result, error) {
	res, err := t.exec(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	dangling, err := t.w.deferredFKs()
	if err != nil || !dangling {
		return res, err
	}
	if _, err := t.exec(ctx, deleteOrphans[table], string(group)); err != nil {
		return nil, err
	}
	return nil, errNoGroup
}

var deleteOrphans = map[string]string{
	"memberships": `DELETE FROM memberships WHERE group_id = ?1`,
	"ownerships":  `DELETE FROM ownerships WHERE group_id = ?1`,
}

// deferMigration is migration 120: SQLite cannot change a constraint in
// place, so both tables are rebuilt with the same columns, keys and
// indexes. Nothing references them, so dropping them deletes nothing
// through a foreign key. Their planner statistics are kept: the rebuilt
// tables hold the same rows.
var deferMigration = goose.NewGoMigration(120, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
	var stats bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1')`).Scan(&stats); err != nil {
		return err
	}
	steps := []string{
		`CREATE TABLE memberships_new (
    group_id    TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    member_id   TEXT NOT NULL,
    tenant_id   TEXT NOT NULL,
    member_kind TEXT NOT NULL CHECK (member_kind IN ('user', 'group')),
    PRIMARY KEY (group_id, member_id)
) WITHOUT ROWID`,
		`INSERT INTO memberships_new (group_id, member_id, tenant_id, member_kind)
SELECT group_id, member_id, tenant_id, member_kind FROM memberships ORDER BY group_id, member_id`,
		`CREATE TABLE ownerships_new (
    group_id   TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    owner_id   TEXT NOT NULL,
    tenant_id  TEXT NOT NULL,
    owner_kind TEXT NOT NULL,
    PRIMARY KEY (group_id, owner_id)
) WITHOUT ROWID`,
		`INSERT INTO ownerships_new (group_id, owner_id, tenant_id, owner_kind)
SELECT group_id, owner_id, tenant_id, owner_kind FROM ownerships ORDER BY group_id, owner_id`,
	}
	if stats {
		steps = append(steps, `CREATE TEMP TABLE kept_stats AS
SELECT * FROM sqlite_stat1 WHERE tbl IN ('memberships', 'ownerships')`)
	}
	steps = append(steps,
		`DROP TABLE memberships`,
		`ALTER TABLE memberships_new RENAME TO memberships`,
		`CREATE INDEX memberships_member ON memberships (member_id, group_id)`,
		`CREATE INDEX memberships_nesting ON memberships (tenant_id, member_id, group_id) WHERE member_kind = 'group'`,
		`DROP TABLE ownerships`,
		`ALTER TABLE ownerships_new RENAME TO ownerships`,
		`CREATE INDEX ownerships_owner ON ownerships (owner_id, group_id)`)
	if stats {
		steps = append(steps, `INSERT INTO sqlite_stat1 SELECT * FROM kept_stats`, `DROP TABLE kept_stats`)
	}
	for _, q := range steps {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("defer relation keys: %w", err)
		}
	}
	return nil
}}, nil)
