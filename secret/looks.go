package secret

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// keyPrefixes start the keys and tokens of the services hub users hold.
var keyPrefixes = []string{
	"sk-", "sk_", "AIza", "ghp_", "gho_", "ghs_", "github_pat_", "glpat-", "xoxb-", "xoxp-",
	"hf_", "gsk_", "xai-", "nvapi-", "r8_", "pplx-",
	// age's secret keys (identities), which must never be in a repository.
	"AGE-SECRET-KEY-",
}

// keyRunes are the characters of a key-like token.
func keyRune(r rune) bool {
	return r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
}

// LooksLikeKey reports whether token looks like an API key or a token: a
// known key prefix (sk-, AIza, ghp_...) followed by enough characters, a
// run of 20 letters and digits mixing upper case, lower case and digits, or
// 32 hex digits. It is the check for text hub never registered as a
// secret (a line of the user's own file shown in a diagnostic or a diff):
// model names, URLs, environment variable names and UUIDs do not match.
func LooksLikeKey(token string) bool {
	if len(token) < 16 {
		return false
	}
	for _, p := range keyPrefixes {
		if strings.HasPrefix(token, p) && len(token) >= len(p)+13 && strings.IndexFunc(token[len(p):], func(r rune) bool { return !keyRune(r) }) < 0 {
			return true
		}
	}
	// A long run of letters and digits: random when it mixes cases and
	// digits, or when it is all hex.
	for _, run := range strings.FieldsFunc(token, func(r rune) bool { return !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))) }) {
		var upper, lower, digit, nonHex bool
		for _, r := range run {
			switch {
			case r >= 'A' && r <= 'Z':
				upper = true
				nonHex = nonHex || r > 'F'
			case r >= 'a' && r <= 'z':
				lower = true
				nonHex = nonHex || r > 'f'
			default:
				digit = true
			}
		}
		if len(run) >= 20 && upper && lower && digit || len(run) >= 32 && digit && !nonHex && (upper || lower) {
			return true
		}
	}
	return false
}

// ContainsKeyLike reports whether some token of s (a run of letters,
// digits, '_' and '-') LooksLikeKey: the tokens RedactKeyLike would hide.
func ContainsKeyLike(s string) bool {
	for i := 0; i < len(s); {
		if !keyRune(rune(s[i])) {
			i++
			continue
		}
		j := i
		for j < len(s) && keyRune(rune(s[j])) {
			j++
		}
		if LooksLikeKey(s[i:j]) {
			return true
		}
		i = j
	}
	return false
}

// RedactKeyLike replaces every token of s that LooksLikeKey with the
// placeholder.
func RedactKeyLike(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !keyRune(rune(s[i])) {
			i++
			continue
		}
		j := i
		for j < len(s) && keyRune(rune(s[j])) {
			j++
		}
		if LooksLikeKey(s[i:j]) {
			b.WriteString(s[last:i])
			b.WriteString(Placeholder)
			last = j
		}
		i = j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// sensitiveWords make an attribute name a key position wherever they are
// a word of it; "key" does only as the last word (relay_key, but not
// key_mode).
var sensitiveWords = map[string]bool{
	"apikey": true, "token": true, "password": true, "passwd": true, "pwd": true,
	"passphrase": true, "secret": true,
}

// SensitiveName reports whether an attribute (or variable) of that name
// holds a key: api_key, apikey, token, password, passphrase, secret,
// relay_key, client_secret... in any block. Diagnostics' snippets and
// hub fmt's diffs hide the values of such attributes.
func SensitiveName(name string) bool {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == '_' || r == '-' || r == '.' })
	for i, w := range words {
		if sensitiveWords[w] || w == "key" && i == len(words)-1 {
			return true
		}
	}
	return false
}

// Printable makes text from outside hub (an upstream's message, a model
// id) safe to print on a terminal: control characters (escape sequences
// that clear the screen, set the title or paint a fake "✓"), C1 controls
// and bidirectional overrides are shown as \x1b or \u202e escapes, line
// breaks and tabs become spaces, and invalid UTF-8 becomes U+FFFD. Redact
// before, since the escapes would break a key apart.
func Printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unprintable(r) || r == '\n' || r == '\t' || r == '\r' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\ufffd") {
		switch {
		case r == '\n' || r == '\t' || r == '\r':
			b.WriteByte(' ')
		case r < 0x80 && unprintable(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unprintable(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unprintable reports the characters a terminal acts on rather than shows:
// C0 and C1 controls, DEL, and the invisible formatting characters that
// reorder or hide text (bidi overrides and isolates, zero-width marks).
func unprintable(r rune) bool {
	return r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || unicode.Is(unicode.Cf, r)
}
