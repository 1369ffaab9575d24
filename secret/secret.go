// Package secret keeps key material from reaching any output.
//
// A [Secret] hides its value from every formatting path (fmt verbs, JSON, text
// marshalling), so a key that leaks into a struct that gets printed prints as
// "(sensitive value)". A [Redactor] is the second line of defence: it knows every
// secret string of the current run and scrubs them from any text hub writes.
package secret

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// Placeholder is what hub prints instead of a secret value.
const Placeholder = "(sensitive value)"

// A Secret is a string that never formats as itself. Use Reveal to get the value
// at the one place that must write it (a target's file content).
type Secret struct{ v string }

// New wraps s as a Secret.
func New(s string) Secret { return Secret{v: s} }

// Reveal returns the raw value.
func (s Secret) Reveal() string { return s.v }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.v == "" }

// String implements fmt.Stringer with the placeholder.
func (s Secret) String() string { return Placeholder }

// GoString implements fmt.GoStringer with the placeholder.
func (s Secret) GoString() string { return Placeholder }

// MarshalText implements encoding.TextMarshaler with the placeholder, so JSON and
// other encoders never see the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(Placeholder), nil }

// Hash returns a salted digest of v, used in state and saved plans to notice a
// change of a value without storing it.
func Hash(salt, v []byte) string {
	m := hmac.New(sha256.New, salt)
	m.Write(v)
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// MinRedactLen is the shortest secret the Redactor scrubs from text. Shorter
// values would match ordinary words; hub never prints sensitive values directly
// anyway, so redaction is the safety net, not the mechanism.
const MinRedactLen = 6
