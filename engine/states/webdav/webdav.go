// Package webdav keeps hub's state on a WebDAV server (Nextcloud, Nutstore,
// Synology, Alist, Apache, rclone), safely without trusting the server to
// honour conditional requests (most ignore If-Match):
//
//   - Writers take a mutex (mutex.go) that needs no atomic operation from
//     the server, then re-read the document and refuse a conflicting write
//     (another lineage, or a serial other than the one below).
//   - The new version is uploaded into <document>.writing/, read back and
//     compared, then MOVEd over it; where MOVE cannot overwrite (Nutstore
//     answers 409) it is PUT directly and read back. A failed upload leaves
//     the old document in place.
//   - The previous version is kept in a history folder beside the document.
//   - A lock object beside the document keeps other hub runs out while one
//     applies; a stale one is reported, never broken silently.
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
	// Codec, if set, encodes the document (and its history) before upload,
	// such as age encryption.
	Codec states.Codec
	Now   func() time.Time
}

// DefaultPath is where the document lives below the server URL by default.
const DefaultPath = "hub/state.json"

// DefaultHistory is how many previous versions are kept by default.
const DefaultHistory = 10

// Store keeps state on a WebDAV server.
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
	codec         states.Codec
	now           func() time.Time

	mu sync.Mutex
	// directPut is set once MOVE proved unable to replace the document.
	directPut bool
}

var (
	_ states.Store         = (*Store)(nil)
	_ states.Locker        = (*Store)(nil)
	_ states.ForceUnlocker = (*Store)(nil)
	_ states.ForcePusher   = (*Store)(nil)
)

// New checks the options and returns a Store; it sends no request.
func New(o Options) (*Store, error) {
	if strings.TrimSpace(o.URL) == "" {
		return nil, errors.New("webdav: the url is empty")
	}
	u, err := url.Parse(o.URL)
	if err != nil {
		// url.Parse's message repeats the URL, credentials and all.
		return nil, errors.New("webdav: the url is not a valid URL")
	}
	if u.User != nil {
		if o.Username == "" {
			o.Username = u.User.Username()
		}
		if p, ok := u.User.Password(); ok && o.Password == "" {
			o.Password = p
		}
		u.User = nil
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("webdav: the url %s must start with https:// (or http://) and name a server", redactedString(u))
	}
	if u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, fmt.Errorf("webdav: the url %s must not have a query or fragment", redactedString(u))
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawPath = ""
	p := o.Path
	if p == "" {
		p = DefaultPath
	}
	p = strings.Trim(p, "/")
	if p == "" || slices.Contains(strings.Split(p, "/"), "..") || slices.Contains(strings.Split(p, "/"), ".") || strings.Contains(p, "//") {
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
		codec:   o.Codec,
		now:     o.Now,
	}, nil
}

func redactedString(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	c.Fragment = ""
	return c.String()
}

// Describe implements states.Store: the document's URL, without credentials.
func (s *Store) Describe() string { return s.c.url(s.doc).String() }

// Load implements states.Store with one GET. A missing document (or a
// missing folder above it) gives a new state with serial 0; a document
// that does not read as a hub state is an error, never an empty state.
func (s *Store) Load(ctx context.Context) (*states.State, error) {
	cur, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	if !cur.found {
		return states.New(), nil
	}
	if cur.err != nil {
		return nil, cur.err
	}
	return cur.state, nil
}

// current is the document as the server holds it.
type current struct {
	found bool
	raw   []byte // as stored (encoded)
	etag  string
	state *states.State // nil if err
	err   error         // why raw is not a hub state
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
	cur := &current{found: true, raw: r.body, etag: r.etag()}
	cur.state, cur.err = s.decode(r)
	return cur, nil
}

func (s *Store) decode(r *response) (*states.State, error) {
	bad := func(err error) error {
		e := s.c.fail(http.MethodGet, s.doc, 0, err)
		e.Hint = fmt.Sprintf("the document is not a hub state hub can read: restore an earlier version from %s/ on the server, or replace it with hub state push", s.history)
		if strings.Contains(r.contentType, "html") {
			e.Hint = "the server answered with a web page: is the url a WebDAV endpoint?"
		}
		return e
	}
	b := r.body
	if len(b) == 0 {
		return nil, bad(errors.New("the document is empty (0 bytes), as a half-finished upload leaves it"))
	}
	if s.codec != nil {
		var err error
		if b, err = s.codec.Decode(b); err != nil {
			return nil, bad(fmt.Errorf("decode: %w", err))
		}
	}
	st, err := states.Decode(b)
	if err != nil {
		return nil, bad(err)
	}
	return st, nil
}

func (s *Store) encode(st *states.State) ([]byte, error) {
	b, err := states.Encode(st)
	if err != nil {
		return nil, err
	}
	if s.codec != nil {
		if b, err = s.codec.Encode(b); err != nil {
			return nil, fmt.Errorf("encode state for %s: %w", s.Describe(), err)
		}
	}
	return b, nil
}

// Save implements states.Store.
func (s *Store) Save(ctx context.Context, st *states.State) error { return s.write(ctx, st, false) }

// ForcePush implements states.ForcePusher: it replaces whatever the server
// holds (another lineage, another serial, an unreadable document) with st,
// as safely as Save and keeping the replaced version in the history.
func (s *Store) ForcePush(ctx context.Context, st *states.State) error {
	return s.write(ctx, st, true)
}

func (s *Store) conflict(st *states.State, cur *current) error {
	return &states.ConflictError{Where: s.Describe(), WantLineage: st.Lineage, HaveLineage: cur.state.Lineage,
		WantSerialBelow: st.Serial - 1, HaveSerial: cur.state.Serial}
}

// check refuses to replace cur with st unless force.
func (s *Store) check(st *states.State, cur *current, force bool) error {
	if force || !cur.found {
		return nil
	}
	if cur.err != nil {
		return cur.err
	}
	if cur.state.Lineage != st.Lineage || cur.state.Serial != st.Serial-1 {
		return s.conflict(st, cur)
	}
	return nil
}
