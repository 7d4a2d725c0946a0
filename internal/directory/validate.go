package directory

import (
	"strings"
	"unicode/utf8"
)

// Limits of property values, as Microsoft Graph documents them.
const (
	MaxDisplayNameLen  = 256
	MaxDescriptionLen  = 1024
	MaxMailNicknameLen = 64
	MaxUPNAliasLen     = 64
	MaxUPNLen          = 113
	MaxNameLen         = 64 // givenName, surname, department
	MaxJobTitleLen     = 128
	MaxSamLen          = 64
	MaxMailLen         = 256

	// MaxBindRefs is how many references one PATCH may bind per relationship,
	// and how many members and owners together a create may bind.
	MaxBindRefs = 20
	// MaxOwners is how many owners a group may have.
	MaxOwners = 100
)

func required(prop, v string) error {
	if strings.TrimSpace(v) == "" {
		return &ValidationError{Property: prop, Reason: ReasonRequired}
	}
	return nil
}

func maxLen(prop, v string, limit int) error {
	if utf8.RuneCountInString(v) > limit {
		return &ValidationError{Property: prop, Reason: ReasonTooLong, Limit: limit}
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// mailNicknameForbidden are the characters Exchange refuses in an alias.
const mailNicknameForbidden = "@()\\[]\";:<>, "

func validMailNickname(v string) error {
	if err := required("mailNickname", v); err != nil {
		return err
	}
	if err := maxLen("mailNickname", v, MaxMailNicknameLen); err != nil {
		return err
	}
	for _, r := range v {
		if r > 0x7e || r < 0x21 || strings.ContainsRune(mailNicknameForbidden, r) {
			return &ValidationError{Property: "mailNickname", Reason: ReasonInvalidChars,
				Detail: "mailNickname may contain only ASCII characters except @ ( ) \\ [ ] \" ; : < > , and space"}
		}
	}
	// It becomes the part of a mail address before the @, where a period
	// must stand between other characters (Exchange's alias rule).
	if strings.HasPrefix(v, ".") || strings.HasSuffix(v, ".") || strings.Contains(v, "..") {
		return &ValidationError{Property: "mailNickname", Reason: ReasonInvalidChars,
			Detail: "a period in mailNickname must stand between other characters: not first, last or twice in a row"}
	}
	return nil
}

func validDisplayName(v string) error {
	return firstErr(required("displayName", v), maxLen("displayName", v, MaxDisplayNameLen))
}

// upnAliasAllowed reports whether r may appear before the @ of a UPN
// (Entra: letters, digits and ' . - _ ! # ^ ~).
func upnAliasAllowed(r rune) bool {
	return r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		strings.ContainsRune("'.-_!#^~", r))
}

// validUPN checks shape and characters of a user principal name and that its
// domain is verified in the tenant.
func validUPN(t Tenant, v string) error {
	const prop = "userPrincipalName"
	if err := firstErr(required(prop, v), maxLen(prop, v, MaxUPNLen)); err != nil {
		return err
	}
	alias, domain, ok := strings.Cut(v, "@")
	if !ok || alias == "" || domain == "" || strings.Contains(domain, "@") {
		return &ValidationError{Property: prop, Reason: ReasonInvalidValue, Detail: "userPrincipalName must have the form alias@domain"}
	}
	if err := maxLen(prop, alias, MaxUPNAliasLen); err != nil {
		return err
	}
	if strings.HasPrefix(alias, ".") || strings.HasSuffix(alias, ".") {
		return &ValidationError{Property: prop, Reason: ReasonInvalidChars, Detail: "the alias may not start or end with a period"}
	}
	for _, r := range alias {
		if !upnAliasAllowed(r) {
			return &ValidationError{Property: prop, Reason: ReasonInvalidChars,
				Detail: "the alias may contain only letters, digits and ' . - _ ! # ^ ~"}
		}
	}
	if !t.HasDomain(domain) {
		return &ValidationError{Property: prop, Reason: ReasonDomain, Detail: domain}
	}
	return nil
}

// validMail checks the plain shape of an SMTP address.
func validMail(prop, v string) error {
	if err := maxLen(prop, v, MaxMailLen); err != nil {
		return err
	}
	local, domain, ok := strings.Cut(v, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(v, " \t\r\n<>()[]\\,;:\"") || strings.Contains(domain, "@") {
		return &ValidationError{Property: prop, Reason: ReasonInvalidValue, Detail: "not a valid email address"}
	}
	return nil
}

// validSam follows the account name rule of oCIS (letters, digits, _ . -,
// not starting with a digit, dot or dash).
func validSam(v string) error {
	const prop = "onPremisesSamAccountName"
	if err := firstErr(required(prop, v), maxLen(prop, v, MaxSamLen)); err != nil {
		return err
	}
	for i, r := range v {
		letter := r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_')
		rest := r < 0x80 && (r >= '0' && r <= '9' || r == '.' || r == '-')
		if !letter && (i == 0 || !rest) {
			return &ValidationError{Property: prop, Reason: ReasonInvalidChars,
				Detail: "must start with a letter or _ and contain only letters, digits, _ . -"}
		}
	}
	return nil
}

func oneOf(prop, v string, allowed ...string) (string, error) {
	for _, a := range allowed {
		if strings.EqualFold(a, v) {
			return a, nil
		}
	}
	return "", &ValidationError{Property: prop, Reason: ReasonInvalidValue,
		Detail: "allowed values are " + strings.Join(allowed, ", ")}
}

// deriveMailNickname turns a display name into an alias: the ASCII letters,
// digits and - _ . of the name, at most MaxMailNicknameLen long.
func deriveMailNickname(displayName string) string {
	var b strings.Builder
	for _, r := range displayName {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			b.WriteRune(r)
		}
	}
	s := b.String()
	for strings.Contains(s, "..") {
		s = strings.ReplaceAll(s, "..", ".")
	}
	if len(s) > MaxMailNicknameLen-4 {
		s = s[:MaxMailNicknameLen-4]
	}
	if s = strings.Trim(s, "."); s == "" {
		s = "group"
	}
	return s
}
