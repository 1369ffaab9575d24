// Package providers describes the upstream side of a credential: the API
// families hub knows and how their base URLs are written. Providers that list
// models, verify keys and read balances register here in later work; this file
// holds what configuration loading needs already.
package providers

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// The API types a credential can have.
const (
	OpenAICompatible = "openai-compatible"
	OpenAI           = "openai"
	Anthropic        = "anthropic"
	Google           = "google"
)

// APITypes lists the API types in the order they are documented.
var APITypes = []string{OpenAICompatible, OpenAI, Anthropic, Google}

// ValidAPIType reports whether t is a known API type.
func ValidAPIType(t string) bool {
	for _, k := range APITypes {
		if k == t {
			return true
		}
	}
	return false
}

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
	if u.User != nil {
		return "", fmt.Errorf("base URL %q: credentials in the URL are not allowed; put the key in api_key", stripUser(u))
	}
	if scheme == "http" && !insecure && !isLoopback(u.Hostname()) {
		return "", fmt.Errorf("base URL %s: %w; use https, or set insecure = true if this is really what you want", u.Redacted(), ErrInsecureURL)
	}
	u.Scheme = scheme
	u.Host = strings.ToLower(u.Host)
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

func stripUser(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
