// Package auth establishes who calls: HTTP Basic credentials checked against
// the directory (with a short-lived cache of verified credentials), and the
// Principal every dialect authorises against. Token issuing and validation
// join it later.
package auth
