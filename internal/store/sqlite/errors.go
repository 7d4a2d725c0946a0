package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"groupd/internal/directory"

	sqlite "modernc.org/sqlite"
	lib "modernc.org/sqlite/lib"
)

// Extended result codes of the constraint failures we translate.
const (
	codeUnique     = lib.SQLITE_CONSTRAINT_UNIQUE     // 2067
	codePrimaryKey = lib.SQLITE_CONSTRAINT_PRIMARYKEY // 1555
	codeForeignKey = lib.SQLITE_CONSTRAINT_FOREIGNKEY // 787
	codeNotNull    = lib.SQLITE_CONSTRAINT_NOTNULL    // 1299
)

// errClosed is returned after Close.
var errClosed = fmt.Errorf("store closed: %w", directory.ErrUnavailable)

// sqliteCode returns the extended result code of a driver error, or 0.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

// mapErr wraps a driver error with op; errors that mean the database cannot
// be used right now also match directory.ErrUnavailable.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, directory.ErrUnavailable) {
		return fmt.Errorf("%s: %w", op, err)
	}
	switch sqliteCode(err) & 0xff {
	case lib.SQLITE_BUSY, lib.SQLITE_LOCKED, lib.SQLITE_IOERR, lib.SQLITE_CANTOPEN,
		lib.SQLITE_FULL, lib.SQLITE_READONLY, lib.SQLITE_NOMEM, lib.SQLITE_PROTOCOL:
		return fmt.Errorf("%s: %w: %w", op, directory.ErrUnavailable, err)
	case lib.SQLITE_INTERRUPT:
		return fmt.Errorf("%s: %w: %w", op, context.Canceled, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// uniqueIndexes maps the key column a unique index covers to the property it
// protects. SQLite names the columns, not the index, in the failure's text
// ("UNIQUE constraint failed: users.tenant_id, users.upn_key"); the names are
// ours, so matching them is stable, and the code is checked first.
var uniqueIndexes = []struct {
	column   string
	property string
}{
	{"users.upn_key", "userPrincipalName"},
	{"users.sam_key", "onPremisesSamAccountName"},
	{"users.mail_key", "mail"},
	{"groups.mail_nickname_key", "mailNickname"},
	{"groups.mail_key", "mail"},
	{"domains.name_key", "domain"},
	{"tenants.is_default", "isDefault"},
	{"tenants.id", "id"},
	{"users.id", "id"},
	{"groups.id", "id"},
}

// conflict translates a unique or primary key failure into a
// *directory.ConflictError, taking the value from values by property. It
// returns nil when err is no such failure.
func conflict(err error, values map[string]string) error {
	code := sqliteCode(err)
	if code != codeUnique && code != codePrimaryKey {
		return nil
	}
	msg := err.Error()
	for _, ix := range uniqueIndexes {
		if strings.Contains(msg, ix.column) {
			return &directory.ConflictError{Property: ix.property, Value: values[ix.property]}
		}
	}
	return nil
}
