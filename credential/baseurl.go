package credential

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// ErrInsecureURL is wrapped by NormalizeBaseURL's error for plain http to a
// host that is not loopback.
var ErrInsecureURL = errors.New("plain http sends the key unencrypted")

// NormalizeBaseURL returns the canonical form of a credential's base URL, as
// All API Hub stores it: trimmed, https:// added when no scheme is given, no
// query, fragment or trailing slash, and cut at the last /v1 path segment
// (/v1beta for Google), so each target can append the suffix its tool needs.
// Plain http is refused unless the host is loopback or insecure is set.
func NormalizeBaseURL(apiType, raw string, insecure bool) (string, error) {
	s := strings.TrimSpace(raw)
	s = strings.Trim(s, "\"'<>()[]{}`")
	if s == "" {
		return "", errors.New("base URL is empty")
	}
	if !strings.Contains(s, "://") {
		if strings.HasPrefix(s, "/") || strings.HasPrefix(s, "?") || strings.HasPrefix(s, "#") {
			return "", fmt.Errorf("base URL %q has no host", raw)
		}
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("base URL %q: %w", raw, err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("base URL %q: scheme %q is not http or https", raw, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", fmt.Errorf("base URL %q has no host", raw)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("base URL %q: port %s is not between 1 and 65535", raw, p)
		}
	}
	if u.User != nil {
		return "", fmt.Errorf("base URL %q: credentials in the URL are not allowed; put the key in api_key", stripUser(u))
	}
	if scheme == "http" && !insecure && !IsLoopback(u.Hostname()) {
		return "", fmt.Errorf("base URL %s: %w; use https, or set insecure = true if this is really what you want", u.Redacted(), ErrInsecureURL)
	}
	u.Scheme = scheme
	host, err := asciiHost(u.Hostname())
	if err != nil {
		return "", fmt.Errorf("base URL %q: %w", raw, err)
	}
	if strings.Contains(host, ":") { // IPv6
		host = "[" + host + "]"
	}
	if p := u.Port(); p != "" {
		host += ":" + p
	}
	u.Host = host
	u.RawQuery, u.Fragment, u.RawFragment, u.ForceQuery = "", "", "", false

	cut := "v1"
	if apiType == Google {
		cut = "v1beta"
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i := len(segs) - 1; i >= 0; i-- {
		if strings.EqualFold(segs[i], cut) {
			segs = segs[:i]
			break
		}
	}
	path := strings.Join(segs, "/")
	if path != "" {
		path = "/" + path
	}
	u.Path, u.RawPath = path, ""
	return u.String(), nil
}

// asciiHost returns host lower-cased, and an internationalized domain name
// in its ASCII (punycode) form, as DNS and TLS see it: rélay.example.com is
// xn--rlay-bpa.example.com, not r%C3%A9lay.example.com.
func asciiHost(host string) (string, error) {
	ascii := true
	for i := 0; i < len(host); i++ {
		if host[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(host), nil
	}
	a, err := idna.Lookup.ToASCII(host)
	if err != nil {
		return "", fmt.Errorf("host %q is not a valid domain name: %w", host, err)
	}
	return a, nil
}

func stripUser(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}

// IsLoopback reports whether host is this machine (localhost, 127/8, ::1):
// the one place plain http is allowed without insecure.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// versionSuffix matches an API version as the last path segment: /v1, /v3,
// /v1beta, /v1beta2, /v1alpha. Alpha counts too: Google serves v1alpha, and
// appending another version to it would only make a 404.
var versionSuffix = regexp.MustCompile(`/v\d+((alpha|beta)\d*)?$`)

// HasVersion reports whether a base URL already ends in an API version
// segment (/v1, /v3, /v1beta, as Volcengine's /api/coding/v3), which targets
// keep as it is instead of appending their tool's /v1.
func HasVersion(base string) bool { return versionSuffix.MatchString(base) }

// APIRoot returns the base under which a family's paths live: base + "/" +
// version, unless base already ends in a version segment (/api/coding/v3),
// which is then used as it is (All API Hub's coerceBaseUrlToV1).
func APIRoot(base, version string) string {
	base = strings.TrimRight(base, "/")
	if HasVersion(base) {
		return base
	}
	return base + "/" + version
}

// Origin returns scheme://host[:port] of u, lower-cased: the only place a
// credential's key may be sent.
func Origin(u *url.URL) string {
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
}

// OriginOf returns the origin of a URL string, or "" when it does not parse.
func OriginOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return Origin(u)
}
