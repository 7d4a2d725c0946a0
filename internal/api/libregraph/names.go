package libregraph

import (
	"strings"
	"unicode"

	"groupd/internal/directory"
)

// Names as LibreGraph takes them. oCIS checks a group name with
// isValidGroupName, which trims white space before judging it, and stores it
// as the RDN of an LDAP entry, where a server compares values with leading
// and trailing spaces removed (RFC 4518): " Example Users " is the name
// "Example Users" there, and taken when that one is. groupd stores the
// trimmed name, so that the directory's unique-name rule, which compares
// stored names, sees the two as one inside its transaction.
//
// Control characters (NUL, tab, line breaks, DEL, C1) are refused in any
// display name: LDAP's directory strings cannot carry NUL, and none of them
// belongs in a name a person reads; oCIS answers an invalid name with 400
// invalidRequest.

// groupName returns the group name to store for v.
func groupName(v string) (string, error) {
	if err := noControls("displayName", v); err != nil {
		return "", err
	}
	return strings.TrimSpace(v), nil
}

// noControls refuses v when it holds a control character.
func noControls(prop, v string) error {
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return &directory.ValidationError{Property: prop, Reason: directory.ReasonInvalidChars,
			Detail: "control characters such as tab, line breaks or NUL are not allowed"}
	}
	return nil
}
