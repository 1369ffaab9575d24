package webdav

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/states/backend"
)

// The webdav state backend: hub { state "webdav" { url = ... } }.
func init() {
	backend.Register(backend.Info{
		Type: "webdav",
		Doc:  "a WebDAV server (Nextcloud, Nutstore, Synology, Alist, Apache, rclone)",
		New:  func() backend.Settings { return &settings{} },
	})
}

// settings are the webdav block's body. Defaults are New's: an unset
// path, history or lock_ttl reaches it as its zero value.
type settings struct {
	URL      string `hcl:"url,optional"`
	Username string `hcl:"username,optional"`
	Password string `hcl:"password,optional"` // secret
	Path     string `hcl:"path,optional"`
	History  *int   `hcl:"history,optional"`
	LockTTL  string `hcl:"lock_ttl,optional"`
	Insecure bool   `hcl:"insecure,optional"`

	url     string // URL, checked, without trailing slashes
	lockTTL time.Duration
}

// Secrets implements backend.Settings.
func (s *settings) Secrets() []string {
	if s.Password == "" {
		return nil
	}
	return []string{s.Password}
}

// Check implements backend.Settings with New's URL and path rules, worded
// for the configuration; a URL with a query passes here and fails at Open,
// with New's message.
func (s *settings) Check(block hcl.Range) hcl.Diagnostics {
	var diags hcl.Diagnostics
	bad := func(summary, detail string) {
		diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: block.Ptr()})
	}
	u, user, problem := parseURL(strings.TrimRight(s.URL, "/"))
	switch {
	case problem == urlEmpty:
		bad("Missing WebDAV URL", `The webdav state backend needs url, the WebDAV folder to keep state in (for Nextcloud: https://host/remote.php/dav/files/<user>).`)
	case problem == urlUnparsable || problem == urlNotHTTP:
		bad("Invalid WebDAV URL", fmt.Sprintf("The url %q is not an http(s) URL.", redactURL(s.URL)))
	case user != nil:
		bad("Invalid WebDAV URL", "Put the user name and password in username and password, not in the url.")
	case u.Scheme == "http" && !s.Insecure && !loopbackHost(u.Hostname()):
		bad("Insecure WebDAV URL", "Plain http would send the password and the state unencrypted; use https, or set insecure = true.")
	default:
		s.url = u.String()
	}
	if _, ok := cleanPath(s.Path); !ok {
		bad("Invalid state path", fmt.Sprintf("The path %q must name a file below url, like %s.", s.Path, DefaultPath))
	}
	if s.History != nil && (*s.History < 0 || *s.History > 1000) {
		bad("Invalid history", "history is the number of earlier states kept on the server, from 0 to 1000.")
	}
	if s.LockTTL != "" {
		d, err := backend.ParseDuration("lock_ttl", s.LockTTL, block)
		if err != nil {
			diags = diags.Append(err)
		}
		s.lockTTL = d
	}
	return diags
}

// Open implements backend.Settings.
func (s *settings) Open() (states.Blob, error) {
	history := 0 // New's default
	if s.History != nil {
		history = *s.History
		if history == 0 {
			history = -1 // none: New takes 0 for its default
		}
	}
	st, err := New(Options{URL: s.url, Username: s.Username, Password: s.Password, Path: s.Path, History: history, LockTTL: s.lockTTL})
	if err != nil {
		return nil, err
	}
	return st, nil
}

func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(unparsable)"
}

func loopbackHost(h string) bool {
	return h == "localhost" || h == "127.0.0.1" || h == "::1" || strings.HasPrefix(h, "127.")
}
