package secret

import (
	"net/url"
	"strings"
)

// RedactURL returns a URL fit to show: without user information, query or
// fragment, any of which may carry a key (https://user:key@host,
// ?key=...). A URL that does not parse is cut at its first ? or #.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.IndexAny(raw, "?#"); i >= 0 {
			return raw[:i]
		}
		return raw
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}
