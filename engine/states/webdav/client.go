package webdav

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"syscall"
	"time"

	"github.com/studio-b12/gowebdav"
)

// Error is a failed WebDAV request. It names the server (its URL without
// credentials) and the path below it, and says what to do. It never holds
// the password.
type Error struct {
	Server string // the server URL, without credentials
	Method string
	Path   string // below the server URL
	Status int    // the HTTP status; 0 when no answer came
	Hint   string // what to do about it
	Err    error  // the transport error, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "webdav %s: %s %s", e.Server, e.Method, e.Path)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": %d %s", e.Status, http.StatusText(e.Status))
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// retryBackoff is the pause before the one retry of a safe request.
var retryBackoff = 300 * time.Millisecond

// maxRedirects is how many same-origin redirects a request follows.
const maxRedirects = 3

// maxBody bounds what an answer may hold: a state document is at most a
// few MB.
const maxBody = 64 << 20

// client sends hub's WebDAV requests through github.com/studio-b12/gowebdav,
// which builds each request (its URL, escaping, credentials, Depth,
// Destination and Overwrite headers, the PROPFIND body) and reads the
// listings. Around it, hub keeps what its protocol needs (see exchange):
// basic auth on every request without a challenge first, a timeout per
// request, same-origin redirects only, one retry for safe requests, and
// the answer's status and headers as the server sent them.
type client struct {
	base *url.URL // the root collection, path ending in "/", no userinfo
	root string   // base for gowebdav: unescaped, as gowebdav escapes each segment
	// standIn says root names standInHost, as gowebdav cannot take
	// base's host (see newClient).
	standIn bool
	server  string // base for messages
	user    string
	pass    string
	next    http.RoundTripper // the redirect policy over the configured transport
	timeout time.Duration
}

func newClient(base *url.URL, user, pass string, timeout time.Duration, tr http.RoundTripper) *client {
	if tr == nil {
		tr = http.DefaultTransport.(*http.Transport).Clone()
	}
	// gowebdav escapes every segment of the URLs it builds, the host's
	// too, which turns an IPv6 literal ([::1]:8080) into one no URL parser
	// takes. Such a host is given to gowebdav as a stand-in that the
	// exchange replaces.
	host, standIn := base.Host, false
	if url.PathEscape(host) != host {
		host, standIn = standInHost, true
	}
	return &client{
		base:    base,
		root:    base.Scheme + "://" + host + base.Path,
		standIn: standIn,
		server:  strings.TrimSuffix(base.String(), "/"),
		user:    user,
		pass:    pass,
		next:    &redirectTransport{next: tr},
		timeout: timeout,
	}
}

// standInHost is what gowebdav is given for a host it would mangle.
const standInHost = "hub-stand-in.invalid"

type response struct {
	status      int
	header      http.Header
	body        []byte // a GET's; nil for other methods
	contentType string
}

func (r *response) ok() bool { return r.status >= 200 && r.status < 300 }

func (r *response) etag() string { return r.header.Get("ETag") }

// url returns the absolute URL of rel, a slash-separated path below base.
func (c *client) url(rel string) *url.URL {
	u := *c.base
	u.Path = strings.TrimSuffix(c.base.Path, "/") + "/" + strings.TrimPrefix(rel, "/")
	u.RawPath = ""
	return &u
}

// request is one WebDAV request: op makes it with gowebdav.
type request struct {
	method, rel string
	header      http.Header // extra request headers: If-Match, If-None-Match
	// handBack lists answers gowebdav must return as they are instead of
	// acting on them itself (see exchange.Verify).
	handBack func(status int) bool
	// keep keeps the answer's bytes, to check what gowebdav parsed.
	keep bool
	// retry allows one more attempt: only for requests whose repetition
	// is harmless.
	retry bool
	op    func(d *gowebdav.Client, x *exchange) error
}

// send makes q; with q.retry it repeats it once, after a short pause, when
// no answer came or the server answered with a transient error.
func (c *client) send(ctx context.Context, q *request) (*response, error) {
	r, err := c.do(ctx, q)
	if !q.retry || ctx.Err() != nil {
		return r, err
	}
	if err == nil && !transientStatus(r.status) {
		return r, nil
	}
	var e *Error
	if errors.As(err, &e) && e.Hint == redirectHint {
		return r, err
	}
	select {
	case <-ctx.Done():
		return r, err
	case <-time.After(retryBackoff):
	}
	return c.do(ctx, q)
}

func transientStatus(s int) bool {
	switch s {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable,
		http.StatusGatewayTimeout, http.StatusLocked:
		return true
	}
	return false
}

// do makes q once and reads the whole answer within the timeout. The
// answer is what the server sent, as the exchange saw it: gowebdav's own
// errors lose some of it (Remove reports any failure to send as status
// 400, Mkdir reports 405 as 201).
func (c *client) do(ctx context.Context, q *request) (*response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	x := &exchange{c: c, ctx: ctx, q: q}
	err := q.op(x.dav(), x)
	var ae *answerError
	switch {
	case x.err != nil:
		return nil, c.transportError(ctx, q.method, q.rel, x.err)
	case errors.As(x.readErr, &ae):
		return nil, c.fail(q.method, q.rel, x.resp.StatusCode, ae)
	case x.readErr != nil:
		return nil, c.transportError(ctx, q.method, q.rel, fmt.Errorf("reading the answer: %w", x.readErr))
	case x.resp == nil:
		if err == nil {
			err = errors.New("no request sent")
		}
		return nil, c.fail(q.method, q.rel, 0, unwrapPath(err))
	}
	r := &response{status: x.resp.StatusCode, header: x.resp.Header, contentType: x.resp.Header.Get("Content-Type")}
	var se gowebdav.StatusError
	if err != nil && !errors.Is(err, errHandedBack) && (!errors.As(err, &se) || se.Status != r.status) {
		// gowebdav refused an answer the server sent (a listing that
		// does not start with the folder itself, say).
		return nil, c.fail(q.method, q.rel, r.status, fmt.Errorf("unreadable answer: %v", unwrapPath(err)))
	}
	return r, nil
}

// unwrapPath drops the *os.PathError gowebdav wraps its errors in: the
// *Error names the method and path already.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// errHandedBack stops gowebdav from acting on an answer (exchange.Verify).
var errHandedBack = errors.New("answer handed back to hub")

// exchange is one request through gowebdav. gowebdav binds headers, the
// transport and the authenticator to a Client rather than to a call, and
// sends its requests without a context; so each request gets a light
// Client of its own, whose
//
//   - interceptor adds the request's own headers (If-Match, If-None-Match);
//   - authenticator (gowebdav.NewPreemptiveAuth) sends basic auth with
//     every request (gowebdav.NewClient's would send a Client's first
//     request without credentials, to learn the scheme from the 401: with
//     a Client per request, every request twice), sets
//     gowebdav.XInhibitRedirect, and hands back the
//     answers gowebdav would otherwise act on by itself: a PUT answered
//     404 or 409, where Write creates the parent folders its own way (from
//     the bottom, taking Alist's 405 for success) and uploads again, and a
//     MOVE answered 409, where Rename makes folders and MOVEs again, for
//     as long as the server says 409 (Nutstore always does), or 207, whose
//     body it writes to the log;
//   - transport carries the request's context (its timeout and
//     cancellation), strips XInhibitRedirect, puts back a host gowebdav
//     was given a stand-in for (see newClient), goes through the redirect
//     policy (redirectTransport: it follows same-origin redirects itself,
//     so gowebdav's http.Client never sees one), and records the answer's
//     status, headers and any failure to read its body, which gowebdav
//     does not return (ReadDir, for one, skips what it cannot read). It
//     lets through one request per call, so a request is one request on
//     the wire, as the counts in the package doc say.
type exchange struct {
	c   *client
	ctx context.Context
	q   *request

	sent    bool
	resp    *http.Response // the answer, once it came
	err     error          // why no answer came
	readErr error          // why its body could not be read whole
	body    bytes.Buffer   // the answer's bytes, with q.keep
}

// dav is a gowebdav client for this exchange alone.
func (x *exchange) dav() *gowebdav.Client {
	d := gowebdav.NewAuthClient(x.c.root, gowebdav.NewPreemptiveAuth(x))
	d.SetTransport(x)
	if len(x.q.header) > 0 {
		d.SetInterceptor(func(_ string, rq *http.Request) {
			for k, v := range x.q.header {
				rq.Header[k] = v
			}
		})
	}
	return d
}

// RoundTrip implements http.RoundTripper.
func (x *exchange) RoundTrip(req *http.Request) (*http.Response, error) {
	if x.sent {
		x.err = errors.New("internal error: gowebdav sent a second request for one call")
		return nil, x.err
	}
	x.sent = true
	r := req.WithContext(x.ctx)
	r.Header = req.Header.Clone()
	r.Header.Del(gowebdav.XInhibitRedirect)
	if x.c.standIn {
		u := *r.URL
		u.Host = x.c.base.Host
		r.URL, r.Host = &u, ""
		if d := r.Header.Get("Destination"); d != "" {
			stand := x.c.base.Scheme + "://" + standInHost + "/"
			if rest, ok := strings.CutPrefix(d, stand); ok {
				r.Header.Set("Destination", x.c.base.Scheme+"://"+x.c.base.Host+"/"+rest)
			}
		}
	}
	resp, err := x.c.next.RoundTrip(r)
	if err != nil {
		x.err = err
		return nil, err
	}
	resp.Body = &answerBody{rc: resp.Body, x: x, length: resp.ContentLength}
	x.resp = resp
	return resp, nil
}

// Authorize implements gowebdav.Authenticator.
func (x *exchange) Authorize(_ *http.Client, rq *http.Request, _ string) error {
	if x.c.user != "" || x.c.pass != "" {
		rq.SetBasicAuth(x.c.user, x.c.pass)
	}
	rq.Header.Set(gowebdav.XInhibitRedirect, "1")
	return nil
}

// Verify implements gowebdav.Authenticator: a 401 is an answer like any
// other, for hub to explain; q.handBack's answers stop gowebdav.
func (x *exchange) Verify(_ *http.Client, rs *http.Response, _ string) (bool, error) {
	if x.q.handBack != nil && x.q.handBack(rs.StatusCode) {
		return false, errHandedBack
	}
	return false, nil
}

// Clone implements gowebdav.Authenticator.
func (x *exchange) Clone() gowebdav.Authenticator { return x }

// Close implements gowebdav.Authenticator.
func (x *exchange) Close() error { return nil }

// answerError is an answer that arrived but cannot be right.
type answerError struct{ msg string }

func (e *answerError) Error() string { return e.msg }

// answerBody records how reading an answer went, and bounds it.
type answerBody struct {
	rc     io.ReadCloser
	x      *exchange
	n      int64
	length int64 // Content-Length, -1 if unknown
	eof    bool
}

func (b *answerBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.n += int64(n)
	if b.x.q.keep {
		b.x.body.Write(p[:n])
	}
	switch {
	case err == io.EOF:
		b.eof = true
		if b.length >= 0 && b.n != b.length {
			err = &answerError{fmt.Sprintf("answer cut short: %d of %d bytes", b.n, b.length)}
			b.x.readErr = err
		}
	case err != nil:
		if b.x.readErr == nil {
			b.x.readErr = err
		}
	case b.n > maxBody:
		err = &answerError{fmt.Sprintf("answer larger than %d MB", maxBody>>20)}
		b.x.readErr = err
	}
	return n, err
}

// Close drains what gowebdav left unread (an error page, say) so the
// connection can carry the next request.
func (b *answerBody) Close() error {
	if !b.eof && b.x.readErr == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(b.rc, 1<<16))
	}
	return b.rc.Close()
}

func (c *client) fail(method, rel string, status int, err error) *Error {
	return &Error{Server: c.server, Method: method, Path: rel, Status: status, Err: err}
}

const redirectHint = "hub follows redirects only within the same server, and never sends the password elsewhere: " +
	"set the url to the WebDAV endpoint itself (Alist/OpenList: set the storage's WebDAV policy to proxy instead of 302 redirect)"

// transportError explains a request that got no answer.
func (c *client) transportError(ctx context.Context, method, rel string, err error) *Error {
	e := c.fail(method, rel, 0, err)
	var re *redirectError
	var ne net.Error
	switch {
	case errors.As(err, &re):
		e.Err = re
		e.Hint = redirectHint
	case errors.Is(err, context.Canceled):
		e.Hint = "cancelled"
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		if ctx.Err() != nil {
			e.Err = fmt.Errorf("no answer within %s", c.timeout)
		}
		e.Hint = "the server or the network is slow or down: retry later, or raise the timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Hint = "the server is down or the url is wrong: check that it runs and the url is right"
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		e.Hint = "the server dropped the connection: retry later"
	default:
		var de *net.DNSError
		if errors.As(err, &de) {
			e.Hint = "the server's name does not resolve: check the url"
		} else {
			e.Hint = "check the url and the network, then retry"
		}
	}
	return e
}

// statusError explains an unexpected answer.
func (c *client) statusError(method, rel string, r *response) *Error {
	e := c.fail(method, rel, r.status, nil)
	switch s := r.status; {
	case s == http.StatusUnauthorized:
		e.Hint = "the server refused the username or password: check them (Nutstore/Jianguoyun needs an app password from its security settings, not the account password; it also answers 401 for a while after too many requests)"
	case s == http.StatusForbidden:
		e.Hint = "the account may not do this here: check its permissions on the folder (Nutstore/Jianguoyun: the url must be under /dav/)"
	case s == http.StatusNotFound:
		e.Hint = "check the url and the path"
	case s == http.StatusMethodNotAllowed:
		e.Hint = "the server does not allow " + method + " here: check that the url is a WebDAV folder you may write to (Alist/OpenList: the storage may be read-only)"
	case s == http.StatusConflict:
		e.Hint = "a parent folder is missing or the server refused the change: check the path"
	case s == http.StatusPreconditionFailed:
		e.Hint = "someone else changed it meanwhile: run the command again"
	case s == http.StatusLocked:
		e.Hint = "the server holds a lock on it (Nextcloud locks files while other clients sync them): retry later"
	case s == http.StatusTooManyRequests:
		e.Hint = "the server limits the request rate (Nutstore/Jianguoyun free accounts allow 600 requests per 30 minutes): wait a few minutes"
	case s == http.StatusInsufficientStorage:
		e.Hint = "the account's storage is full: free some space on the server"
	case s == http.StatusRequestEntityTooLarge:
		e.Hint = "the server refused the size of the upload"
	case s >= 300 && s < 400:
		e.Hint = "the server answered with a redirect hub cannot follow: set the url to the WebDAV endpoint itself"
	case s >= 500:
		e.Hint = "the server failed: retry later, and check its logs if it keeps failing"
	default:
		e.Hint = "unexpected answer"
	}
	if strings.Contains(r.contentType, "html") && r.status != http.StatusUnauthorized {
		e.Hint += " (the server answered with a web page: is the url a WebDAV endpoint?)"
	}
	return e
}

// missing reports a status that means "no such file": 404, or 409 from
// servers (Nutstore) that say so when a parent folder is missing.
func missing(s int) bool { return s == http.StatusNotFound || s == http.StatusConflict }

// get reads rel (gowebdav's ReadStream). found is false when it does not
// exist.
func (c *client) get(ctx context.Context, rel string) (r *response, found bool, err error) {
	var body []byte
	r, err = c.send(ctx, &request{method: http.MethodGet, rel: rel, retry: true,
		op: func(d *gowebdav.Client, _ *exchange) error {
			body = nil
			rc, err := d.ReadStream(rel)
			if err != nil {
				return err
			}
			defer rc.Close()
			body, err = io.ReadAll(rc)
			return err
		}})
	if err != nil {
		return nil, false, err
	}
	switch {
	case r.status == http.StatusOK:
		r.body = body
		return r, true, nil
	case missing(r.status):
		return r, false, nil
	}
	return nil, false, c.statusError(http.MethodGet, rel, r)
}

// remove deletes rel (gowebdav's Remove); a missing file counts as
// deleted.
func (c *client) remove(ctx context.Context, rel string, hdr http.Header) (*response, error) {
	r, err := c.send(ctx, &request{method: "DELETE", rel: rel, header: hdr, retry: true,
		op: func(d *gowebdav.Client, _ *exchange) error { return d.Remove(rel) }})
	if err != nil {
		return nil, err
	}
	if r.ok() || r.status == http.StatusNotFound {
		return r, nil
	}
	return r, c.statusError("DELETE", rel, r)
}

// mkcol creates the collection rel (gowebdav's Mkdir).
func (c *client) mkcol(ctx context.Context, rel string) (*response, error) {
	return c.send(ctx, &request{method: "MKCOL", rel: rel, retry: true,
		op: func(d *gowebdav.Client, _ *exchange) error { return d.Mkdir(rel, 0) }})
}

// mkcolAll creates the collection dir and those above it, from the top:
// MKCOL answers 405 for a folder that exists (and Alist also for one whose
// parent is missing, so walking up from the bottom, as gowebdav's MkdirAll
// does, would not work). Answers other than "parent missing" do not stop
// the walk: Apache answers 403 to the loser of two MKCOLs at once, so
// whether the folder exists is for the request that follows to tell; the
// first such error is returned for it to report.
func (c *client) mkcolAll(ctx context.Context, dir string) error {
	if dir == "" || dir == "." {
		return nil
	}
	parts := strings.Split(dir, "/")
	var first error
	for i := range parts {
		sub := strings.Join(parts[:i+1], "/") + "/"
		r, err := c.mkcol(ctx, sub)
		if err != nil {
			return err
		}
		switch {
		case r.ok() || r.status == http.StatusMethodNotAllowed:
		case missing(r.status):
			e := c.statusError("MKCOL", sub, r)
			if i == 0 {
				e.Hint = fmt.Sprintf("the server would not create the top-level folder %s: create the folder %s in the web UI first (Nutstore/Jianguoyun lets no client create top-level folders), and check the url", parts[0], parts[0])
			}
			return e
		default:
			if first == nil {
				first = c.statusError("MKCOL", sub, r)
			}
		}
	}
	return first
}

// putOnce uploads body to rel (gowebdav's Write) with the extra headers
// hdr, as one request: a 404 or 409 comes back as it is, with no folder
// made. retry allows one more attempt after a transient failure: only for
// uploads whose repetition is harmless.
func (c *client) putOnce(ctx context.Context, rel string, body []byte, hdr http.Header, retry bool) (*response, error) {
	return c.send(ctx, &request{method: http.MethodPut, rel: rel, header: hdr, retry: retry, handBack: missing,
		op: func(d *gowebdav.Client, _ *exchange) error { return d.Write(rel, body, 0) }})
}

// put uploads body to rel, creating the parent folders when the server says
// they are missing (404, 409, or 405 as Alist does) and trying once more.
// retry allows one more attempt after a transient failure: only for
// uploads whose repetition is harmless.
func (c *client) put(ctx context.Context, rel string, body []byte, hdr http.Header, retry bool) (*response, error) {
	r, err := c.putOnce(ctx, rel, body, hdr, retry)
	if err != nil {
		return nil, err
	}
	if missing(r.status) || r.status == http.StatusMethodNotAllowed {
		mkErr := c.mkcolAll(ctx, path.Dir(rel))
		if r, err = c.putOnce(ctx, rel, body, hdr, retry); err != nil {
			return nil, err
		}
		if (missing(r.status) || r.status == http.StatusMethodNotAllowed) && mkErr != nil {
			return nil, mkErr
		}
	}
	return r, nil
}

// move MOVEs from onto to, replacing it (gowebdav's Rename, Overwrite: T),
// as one request that is never repeated: a 409 or 207 comes back as it is.
func (c *client) move(ctx context.Context, from, to string) (*response, error) {
	return c.send(ctx, &request{method: "MOVE", rel: from,
		handBack: func(s int) bool { return s == http.StatusConflict || s == http.StatusMultiStatus },
		op:       func(d *gowebdav.Client, _ *exchange) error { return d.Rename(from, to, true) }})
}

// entry is one resource in a folder listing.
type entry struct {
	name       string // the last segment of its path
	collection bool
	modified   time.Time // zero if the server did not say
}

// list lists the members of the folder rel (gowebdav's ReadDir: PROPFIND
// with Depth 1; never infinity, which many servers refuse). date is the
// server's clock when it answered, if it said.
func (c *client) list(ctx context.Context, rel string) (entries []entry, date time.Time, found bool, err error) {
	var files []os.FileInfo
	r, err := c.send(ctx, &request{method: "PROPFIND", rel: rel, retry: true, keep: true,
		op: func(d *gowebdav.Client, x *exchange) error {
			x.body.Reset()
			var err error
			if files, err = d.ReadDir(rel); err != nil {
				if x.resp != nil && x.resp.StatusCode == http.StatusMultiStatus && gowebdav.IsErrCode(err, http.StatusMethodNotAllowed) {
					return errors.New("the listing does not start with the folder itself")
				}
				return err
			}
			// ReadDir skips what it cannot parse, so a garbled listing
			// would read as an empty folder: for the write mutex, a
			// folder where no other writer is.
			if err := multistatus(x.body.Bytes()); err != nil {
				return fmt.Errorf("not a WebDAV listing: %w", err)
			}
			return nil
		}})
	if err != nil {
		return nil, time.Time{}, false, err
	}
	if missing(r.status) {
		return nil, time.Time{}, false, nil
	}
	if r.status != http.StatusMultiStatus {
		return nil, time.Time{}, false, c.statusError("PROPFIND", rel, r)
	}
	for _, f := range files {
		e := entry{name: f.Name(), collection: f.IsDir(), modified: f.ModTime()}
		if e.modified.Unix() <= 0 {
			e.modified = time.Time{} // gowebdav's time for "not given"
		}
		entries = append(entries, e)
	}
	date, _ = http.ParseTime(r.header.Get("Date"))
	return entries, date, true, nil
}

// multistatus checks that b is a well-formed DAV:multistatus document.
func multistatus(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	root := false
	for {
		t, err := d.Token()
		if err == io.EOF {
			if !root {
				return errors.New("no XML element")
			}
			return nil
		}
		if err != nil {
			return err
		}
		if se, ok := t.(xml.StartElement); ok && !root {
			if se.Name.Space != "DAV:" || se.Name.Local != "multistatus" {
				return fmt.Errorf("<%s> instead of a DAV: multistatus", se.Name.Local)
			}
			root = true
		}
	}
}

// redirectError is a redirect hub would not follow.
type redirectError struct {
	to   string // scheme://host of the target; never its path or query (signed URLs)
	hops int
}

func (e *redirectError) Error() string {
	if e.to != "" {
		return "the server redirected to another server, " + e.to
	}
	return fmt.Sprintf("more than %d redirects", e.hops)
}

// redirectTransport follows redirects within one origin, repeating the
// request as it was (method, body, credentials), and refuses any to
// another origin so the credentials never leave the server the user named.
// http.Client's own policy would turn a PROPFIND or PUT into a GET on a
// 302 and forward the credentials to another port of the same host.
type redirectTransport struct{ next http.RoundTripper }

func (t *redirectTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req
	for hops := 0; ; hops++ {
		resp, err := t.next.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		switch resp.StatusCode {
		case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
			http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		default:
			return resp, nil
		}
		loc := resp.Header.Get("Location")
		if loc == "" {
			return resp, nil
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		u, err := r.URL.Parse(loc)
		if err != nil {
			return nil, &redirectError{to: "an unreadable location"}
		}
		if !strings.EqualFold(u.Scheme, req.URL.Scheme) || !strings.EqualFold(u.Host, req.URL.Host) {
			return nil, &redirectError{to: u.Scheme + "://" + u.Host}
		}
		if hops >= maxRedirects {
			return nil, &redirectError{hops: maxRedirects}
		}
		next := r.Clone(r.Context())
		next.URL = u
		next.Host = ""
		if r.Body != nil && r.Body != http.NoBody {
			if r.GetBody == nil {
				return nil, &redirectError{hops: hops}
			}
			if next.Body, err = r.GetBody(); err != nil {
				return nil, err
			}
		}
		r = next
	}
}
