package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"groupd/internal/directory"
)

// SQLSTATE codes we act on.
const (
	codeNotNull       = "23502"
	codeForeignKey    = "23503"
	codeUnique        = "23505"
	codeSerialization = "40001"
	codeDeadlock      = "40P01"
)

// pgError returns the server's error, or nil.
func pgError(err error) *pgconn.PgError {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

// isRetryable reports a failure that running the transaction again may
// avoid: a serialization failure or a deadlock.
func isRetryable(err error) bool {
	pe := pgError(err)
	return pe != nil && (pe.Code == codeSerialization || pe.Code == codeDeadlock)
}

// isUnavailable reports an error that says the database cannot serve us
// right now, as opposed to a bug in a statement.
func isUnavailable(err error) bool {
	if pe := pgError(err); pe != nil {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			strings.HasPrefix(pe.Code, "53"), // insufficient resources (disk full, too many connections)
			strings.HasPrefix(pe.Code, "57"), // operator intervention: shutdown, statement timeout
			strings.HasPrefix(pe.Code, "58"), // system error (I/O)
			pe.Code == "25006",               // read-only transaction: we reached a standby
			pe.Code == codeSerialization, pe.Code == codeDeadlock:
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, pgconn.ErrConnClosed) ||
		pgconn.Timeout(err) || pgconn.SafeToRetry(err)
}

// mapErr wraps a driver error with op; errors that mean the database cannot
// be used right now also match directory.ErrUnavailable. Cancellation keeps
// matching context.Canceled or context.DeadlineExceeded.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, directory.ErrUnavailable) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if isUnavailable(err) {
		return fmt.Errorf("%s: %w: %w", op, directory.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// unavailable makes err match directory.ErrUnavailable unless it already
// says something more specific (cancellation).
func unavailable(op string, err error) error {
	err = mapErr(op, err)
	if errors.Is(err, directory.ErrUnavailable) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%s: %w: %w", op, directory.ErrUnavailable, err)
}

// uniqueIndexes maps the unique constraints and indexes of the schema to the
// property each protects. PostgreSQL names the violated index in the error,
// so no message text is parsed.
var uniqueIndexes = map[string]string{
	"users_upn":            "userPrincipalName",
	"users_sam":            "onPremisesSamAccountName",
	"users_mail":           "mail",
	"groups_mail_nickname": "mailNickname",
	"groups_mail":          "mail",
	"domains_pkey":         "domain",
	"tenants_default":      "isDefault",
	"tenants_pkey":         "id",
	"users_pkey":           "id",
	"groups_pkey":          "id",
}

// conflict translates a unique violation into a *directory.ConflictError,
// taking the value from values by property. It returns nil when err is no
// such violation.
func conflict(err error, values map[string]string) error {
	pe := pgError(err)
	if pe == nil || pe.Code != codeUnique {
		return nil
	}
	if prop, ok := uniqueIndexes[pe.ConstraintName]; ok {
		return &directory.ConflictError{Property: prop, Value: values[prop]}
	}
	return nil
}

// foreignKey reports a violation of the named foreign key.
func foreignKey(err error, name string) bool {
	pe := pgError(err)
	return pe != nil && pe.Code == codeForeignKey && pe.ConstraintName == name
}
