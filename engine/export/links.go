package export

import (
	"fmt"
	"net/url"
	"strings"
)

// formEncode writes pairs as WHATWG URLSearchParams serializes them
// (application/x-www-form-urlencoded): in the given order, space as +, and
// every byte but ASCII letters, digits and *-._ percent-encoded. CC Switch
// decodes the query with the url crate's form decoder, the same rules in
// reverse; matching All API Hub byte for byte keeps links comparable.
func formEncode(pairs [][2]string) string {
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		formEscape(&b, p[0])
		b.WriteByte('=')
		formEscape(&b, p[1])
	}
	return b.String()
}

func formEscape(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '*', c == '-', c == '.', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
}

// httpURL is All API Hub's normalizeHttpUrl for a base URL hub already
// normalized: https:// when no scheme is given, no trailing slash.
func httpURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("base URL %q is not an http(s) URL", raw)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

// slugRuns replaces every run of characters outside [a-z0-9] with one
// dash and trims dashes at both ends: the slug both All API Hub's Hermes
// and Cursor++ exports use (after lower-casing).
func slugRuns(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}
