package directory

import (
	"crypto/rand"
	"unicode"

	"golang.org/x/crypto/bcrypt"
)

// DefaultPasswordCost is the bcrypt cost for stored passwords: slow enough to
// resist offline guessing; Basic auth stays cheap because verified
// credentials are cached by internal/auth.
const DefaultPasswordCost = 10

// MaxPasswordLen is bcrypt's input limit in bytes.
const MaxPasswordLen = 72

// checkPasswordComplexity applies Entra's default policy: 8 to 256
// characters (bcrypt takes 72 bytes) and three of lower case, upper case,
// digits and symbols.
func checkPasswordComplexity(pw string) error {
	if len(pw) < 8 || len(pw) > MaxPasswordLen {
		return &ValidationError{Property: "passwordProfile", Reason: ReasonPassword}
	}
	var lower, upper, digit, other int
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = 1
		case unicode.IsUpper(r):
			upper = 1
		case unicode.IsDigit(r):
			digit = 1
		default:
			other = 1
		}
	}
	if lower+upper+digit+other < 3 {
		return &ValidationError{Property: "passwordProfile", Reason: ReasonPassword}
	}
	return nil
}

func hashPassword(pw string, cost int) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// passwordMatches compares in constant time (bcrypt does).
func passwordMatches(hash, pw string) bool {
	if hash == "" {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// GeneratePassword returns a random password that meets the complexity
// policy, for the bootstrap admin.
func GeneratePassword() string {
	const (
		lower  = "abcdefghijkmnopqrstuvwxyz"
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		digits = "23456789"
	)
	all := lower + upper + digits
	buf := make([]byte, 20)
	for i := range buf {
		buf[i] = all[randIndex(len(all))]
	}
	// Guarantee one of each class so the policy always holds.
	buf[3] = lower[randIndex(len(lower))]
	buf[9] = upper[randIndex(len(upper))]
	buf[15] = digits[randIndex(len(digits))]
	return string(buf)
}

func randIndex(n int) int {
	var b [1]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		// Reject values that would bias the modulo.
		if int(b[0]) < 256-256%n {
			return int(b[0]) % n
		}
	}
}
