// Package webdav keeps hub's state on a WebDAV server (Nextcloud, Nutstore,
// Synology, Alist, Apache, rclone), safely without trusting the server to
// honour conditional requests (most ignore If-Match):
//
//   - Writers take a mutex (mutex.go) that needs no atomic operation from
//     the server, then re-read the document and let states.DocStore's
//     guard refuse a conflicting write (another lineage, or a serial other
//     than the one below).
//   - The new version is uploaded into <document>.writing/, read back and
//     compared, then MOVEd over it; where MOVE cannot overwrite (Nutstore
//     answers 409) it is PUT directly and read back. A failed upload leaves
//     the old document in place.
//   - The previous version is kept in a history folder beside the document.
//   - A lock object beside the document keeps other hub runs out while one
//     applies; a stale one is reported, never broken silently.
//
// A Store keeps the document's bytes (a states.Blob); states.DocStore over
// it makes the states.Store, with encryption if the configuration asks.
//
// Requests are few (Nutstore's free accounts allow 600 in 30 minutes): a
// Load is one GET, a Save eight requests, a Lock six and its unlock two.
// Each request is one call of github.com/studio-b12/gowebdav (client.go).
package webdav

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hubctl/hub/engine/states"
)

// Options configure a Store.
type Options struct {
	URL      string // server root, e.g. https://dav.example.com/remote.php/dav/files/me
	Username string
	Password string // secret: never in errors
	// Path is the document's path below URL; default "hub/state.json".
	Path string
	// History is how many previous versions are kept in the history folder
	// beside the document: 0 means the default, 10; a negative number keeps
	// none.
	History int
	// LockTTL is the age past which a lock is reported as stale; default 15m.
	LockTTL time.Duration
	// Timeout bounds each request; default 30s.
	Timeout time.Duration
	// Transport sends the requests; nil means a default transport.
	Transport http.RoundTripper
	Now       func() time.Time
}

// DefaultPath is where the document lives below the server URL by default.
const DefaultPath = "hub/state.json"

// DefaultHistory is how many previous versions are kept by default.
const DefaultHistory = 10

// Store keeps the state document on a WebDAV server: a states.Blob, with
// a lock.
type Store struct {
	c       *client
	doc     string // the document, below the server URL
	dir     string // its folder ("" for the root)
	history string // the history folder
	lock    string // the lock object
	writing string // the write mutex, a collection
	// budget bounds how long a writer may hold the mutex before it sends
	// the request that replaces the document; grace is how long others
	// wait before they break it, longer than budget plus one request.
	budget, grace time.Duration
	keep          int
	ttl           time.Duration
	now           func() time.Time

	mu sync.Mutex
	// directPut is set once MOVE proved unable to replace the document.
	directPut bool
}

var (
	_ states.Blob          = (*Store)(nil)
	_ states.Locker        = (*Store)(nil)
	_ states.ForceUnlocker = (*Store)(nil)
)

// New checks the options and returns a Store; it sends no request.
func New(o Options) (*Store, error) {
	u, user, problem := parseURL(o.URL)
	switch problem {
	case urlEmpty:
		return nil, errors.New("webdav: the url is empty")
	case urlUnparsable:
		// url.Parse's message repeats the URL, credentials and all.
		return nil, errors.New("webdav: the url is not a valid URL")
	case urlNotHTTP:
		return nil, fmt.Errorf("webdav: the url %s must start with https:// (or http://) and name a server", redactedString(u))
	case urlQuery:
		return nil, fmt.Errorf("webdav: the url %s must not have a query or fragment", redactedString(u))
	}
	if user != nil {
		if o.Username == "" {
			o.Username = user.Username()
		}
		if p, ok := user.Password(); ok && o.Password == "" {
			o.Password = p
		}
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawPath = ""
	p, ok := cleanPath(o.Path)
	if !ok {
		return nil, fmt.Errorf("webdav: the path %q must be a file path below the url, such as %s", o.Path, DefaultPath)
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.LockTTL <= 0 {
		o.LockTTL = 15 * time.Minute
	}
	if o.History == 0 {
		o.History = DefaultHistory
	}
	if o.History < 0 {
		o.History = 0
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c := newClient(u, o.Username, o.Password, o.Timeout, o.Transport)
	dir := path.Dir(p)
	if dir == "." {
		dir = ""
	}
	return &Store{
		c:       c,
		doc:     p,
		dir:     dir,
		history: path.Join(dir, "history"),
		lock:    p + ".lock",
		writing: p + ".writing",
		budget:  2 * o.Timeout,
		grace:   3*o.Timeout + time.Second,
		keep:    o.History,
		ttl:     o.LockTTL,
		now:     o.Now,
	}, nil
}

// urlProblem is what is wrong with a server URL; New and the hub block's
// checks word it each their own way.
type urlProblem int

const (
	urlOK urlProblem = iota
	urlEmpty
	urlUnparsable
	urlNotHTTP // not http(s), or no server named
	urlQuery   // a query or fragment
)

// parseURL parses a server URL and takes the user info out of it.
func parseURL(raw string) (u *url.URL, user *url.Userinfo, problem urlProblem) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil, urlEmpty
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, nil, urlUnparsable
	}
	user, u.User = u.User, nil
	switch {
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return u, user, urlNotHTTP
	case u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return u, user, urlQuery
	}
	return u, user, urlOK
}

// cleanPath checks the document's path below the server URL ("" is
// DefaultPath) and returns it without a leading slash: a file path, with
// no empty, "." or ".." segment (nor ".." anywhere).
func cleanPath(p string) (string, bool) {
	if p == "" {
		p = DefaultPath
	}
	p = strings.TrimLeft(p, "/")
	segs := strings.Split(p, "/")
	if strings.Contains(p, "..") || slices.Contains(segs, ".") || slices.Contains(segs, "") {
		return "", false
	}
	return p, true
}

func redactedString(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	c.Fragment = ""
	return c.String()
}

// Describe implements states.Blob: the document's URL, without credentials.
func (s *Store) Describe() string { return s.c.url(s.doc).String() }

// Read implements states.Blob with one GET. A missing document (or a
// missing folder above it) is not found; a document that does not read as
// a hub state is an error with a hint, never an empty state.
func (s *Store) Read(ctx context.Context) (states.Stored, error) {
	cur, err := s.read(ctx)
	if err != nil {
		return states.Stored{}, err
	}
	return s.stored(cur), nil
}

// Write implements states.Blob: see write.go.
func (s *Store) Write(ctx context.Context, body []byte, g *states.Guard) error {
	return s.write(ctx, body, g)
}

// current is the document as the server holds it.
type current struct {
	found       bool
	raw         []byte // as stored (encoded)
	etag        string
	contentType string
}

func (c *current) same(d *current) bool {
	return c.found == d.found && bytes.Equal(c.raw, d.raw)
}

func (s *Store) read(ctx context.Context) (*current, error) {
	r, found, err := s.c.get(ctx, s.doc)
	if err != nil {
		return nil, err
	}
	if !found {
		return &current{}, nil
	}
	return &current{found: true, raw: r.body, etag: r.etag(), contentType: r.contentType}, nil
}

// stored is cur for states.DocStore, which says whether it is a state.
func (s *Store) stored(cur *current) states.Stored {
	if !cur.found {
		return states.Stored{}
	}
	return states.Stored{Found: true, Data: cur.raw, Unreadable: func(err error) error {
		if len(cur.raw) == 0 {
			err = errors.New("the document is empty (0 bytes), as a half-finished upload leaves it")
		}
		e := s.c.fail(http.MethodGet, s.doc, 0, err)
		e.Hint = fmt.Sprintf("the document is not a hub state hub can read: restore an earlier version from %s/ on the server, or replace it with hub state push", s.history)
		if strings.Contains(cur.contentType, "html") {
			e.Hint = "the server answered with a web page: is the url a WebDAV endpoint?"
		}
		return e
	}}
}
