package credential

import (
	"fmt"
	"net/url"
	"strings"
)

// This file holds the syntax rules of a custom usage block (endpoint and dot
// paths), so configuration loading can check them without importing the
// usage readers, and the readers apply exactly the same rules.

// ValidUsagePath reports whether p is a dot path a custom usage mapping can
// follow: segments separated by dots, each non-empty once trimmed. Only plain
// JSON objects are walked, so there are no array indexes or wildcards, as in
// All API Hub's custom endpoint mapping.
func ValidUsagePath(p string) error {
	if strings.TrimSpace(p) == "" {
		return fmt.Errorf("the path is empty; write the keys to follow, like \"data.balance\"")
	}
	for i, seg := range strings.Split(p, ".") {
		seg = strings.TrimSpace(seg)
		if seg == "" {
			return fmt.Errorf("the path %q has an empty segment (number %d); write keys separated by single dots, like \"data.balance\"", p, i+1)
		}
		if strings.ContainsAny(seg, "[]*") {
			return fmt.Errorf("the path %q has %q: only object keys can be followed, no array indexes or wildcards", p, seg)
		}
	}
	return nil
}

// UsagePathSegments splits a valid dot path into its trimmed segments.
func UsagePathSegments(p string) []string {
	segs := strings.Split(p, ".")
	for i, s := range segs {
		segs[i] = strings.TrimSpace(s)
	}
	return segs
}

// CheckUsageEndpoint checks the syntax of a custom usage endpoint: a
// root-relative path (/api/x), resolved against the credential's origin, or
// an absolute http(s) URL. A protocol-relative "//host" and other schemes are
// refused, since they would silently send the request somewhere unexpected.
func CheckUsageEndpoint(endpoint string) error {
	_, err := parseUsageEndpoint(endpoint)
	return err
}

// ResolveUsageEndpoint returns the URL a custom usage endpoint names for a
// credential whose normalized base URL is base, and whether it is on the
// base's own origin: only then may the credential's key be sent there. A
// root-relative endpoint is resolved against the base's origin, not its path
// (a base of https://x/api-prefix and "/api/usage" give https://x/api/usage).
// Plain http to another host is refused unless the base itself is plain http
// (insecure) or the host is loopback: a usage token is a secret too.
func ResolveUsageEndpoint(base, endpoint string) (resolved string, sameOrigin bool, err error) {
	u, err := parseUsageEndpoint(endpoint)
	if err != nil {
		return "", false, err
	}
	b, err := url.Parse(base)
	if err != nil || b.Host == "" {
		return "", false, fmt.Errorf("base URL %q has no origin to resolve the usage endpoint against", base)
	}
	if u.Host == "" {
		u.Scheme, u.Host = strings.ToLower(b.Scheme), strings.ToLower(b.Host)
		return u.String(), true, nil
	}
	same := Origin(u) == Origin(b)
	if strings.EqualFold(u.Scheme, "http") && !same && !strings.EqualFold(b.Scheme, "http") && !IsLoopback(u.Hostname()) {
		return "", false, fmt.Errorf("usage endpoint %s: %w; use https", u.Redacted(), ErrInsecureURL)
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	return u.String(), same, nil
}

func parseUsageEndpoint(endpoint string) (*url.URL, error) {
	e := strings.TrimSpace(endpoint)
	switch {
	case e == "":
		return nil, fmt.Errorf("the usage endpoint is empty; give a path like \"/api/usage\" or an https:// URL")
	case strings.ContainsAny(e, " \t\r\n\\"):
		return nil, fmt.Errorf("the usage endpoint %q holds a space or a backslash; write it without them (a space in a URL is %%20)", e)
	case strings.HasPrefix(e, "//"):
		return nil, fmt.Errorf("the usage endpoint %q is protocol-relative; write a path starting with a single \"/\" or a full https:// URL", e)
	}
	u, err := url.Parse(e)
	if err != nil {
		return nil, fmt.Errorf("the usage endpoint %q does not parse (%v); write a path starting with \"/\" or a full https:// URL", e, err)
	}
	u.Fragment, u.RawFragment = "", ""
	if strings.HasPrefix(e, "/") {
		return u, nil
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		if u.Scheme == "" {
			return nil, fmt.Errorf("the usage endpoint %q is neither a path starting with \"/\" nor an http(s) URL; for a path on the credential's own site write \"/%s\"", e, e)
		}
		return nil, fmt.Errorf("the usage endpoint %q has scheme %q; only a path starting with \"/\" or an http(s) URL is allowed", e, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("the usage endpoint %q has no host; write a full URL like \"https://stats.example.com/usage\"", e)
	}
	if u.User != nil {
		return nil, fmt.Errorf("the usage endpoint %s has credentials in the URL; give them as token instead", stripUser(u))
	}
	return u, nil
}
