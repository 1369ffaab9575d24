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
	"path"
	"strings"
	"syscall"
	"time"
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

// maxBody bounds what a GET reads: a state document is at most a few MB.
const maxBody = 64 << 20

// client sends WebDAV requests: basic auth on every request, a timeout per
// request, same-origin redirects only, and one retry for safe requests.
type client struct {
	base    *url.URL // the root collection, path ending in "/", no userinfo
	server  string   // base for messages
	user    string
	pass    string
	hc      *http.Client
	timeout time.Duration
}

type response struct {
	status      int
	header      http.Header
	body        []byte
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

// call sends one request; with retry it repeats it once, after a short
// pause, when no answer came or the server answered with a transient error.
// Only requests whose repetition is harmless may pass retry.
func (c *client) call(ctx context.Context, method, rel string, hdr http.Header, body []byte, retry bool) (*response, error) {
	r, err := c.do(ctx, method, rel, hdr, body)
	if !retry || ctx.Err() != nil {
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
	return c.do(ctx, method, rel, hdr, body)
}

func transientStatus(s int) bool {
	switch s {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable,
		http.StatusGatewayTimeout, http.StatusLocked:
		return true
	}
	return false
}

// do sends one request and reads the whole answer within the timeout.
func (c *client) do(ctx context.Context, method, rel string, hdr http.Header, body []byte) (*response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url(rel).String(), rd)
	if err != nil {
		return nil, c.fail(method, rel, 0, err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if c.user != "" || c.pass != "" {
		req.SetBasicAuth(c.user, c.pass)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, method, rel, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, c.transportError(ctx, method, rel, fmt.Errorf("reading the answer: %w", err))
	}
	if len(b) > maxBody {
		return nil, c.fail(method, rel, resp.StatusCode, fmt.Errorf("answer larger than %d MB", maxBody>>20))
	}
	if resp.ContentLength >= 0 && int64(len(b)) != resp.ContentLength && method != http.MethodHead {
		return nil, c.fail(method, rel, 0, fmt.Errorf("answer cut short: %d of %d bytes", len(b), resp.ContentLength))
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b, contentType: resp.Header.Get("Content-Type")}, nil
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

// get reads rel. found is false when it does not exist.
func (c *client) get(ctx context.Context, rel string) (r *response, found bool, err error) {
	r, err = c.call(ctx, http.MethodGet, rel, nil, nil, true)
	if err != nil {
		return nil, false, err
	}
	switch {
	case r.status == http.StatusOK:
		return r, true, nil
	case missing(r.status):
		return r, false, nil
	}
	return nil, false, c.statusError(http.MethodGet, rel, r)
}

// remove deletes rel; a missing file counts as deleted.
func (c *client) remove(ctx context.Context, rel string, hdr http.Header) (*response, error) {
	r, err := c.call(ctx, "DELETE", rel, hdr, nil, true)
	if err != nil {
		return nil, err
	}
	if r.ok() || r.status == http.StatusNotFound {
		return r, nil
	}
	return r, c.statusError("DELETE", rel, r)
}

// mkcolAll creates the collection dir and those above it, from the top:
// MKCOL answers 405 for a folder that exists (and Alist also for one whose
// parent is missing, so walking up from the bottom would not work).
// Answers other than "parent missing" do not stop the walk: Apache answers
// 403 to the loser of two MKCOLs at once, so whether the folder exists is
// for the request that follows to tell; the first such error is returned
// for it to report.
func (c *client) mkcolAll(ctx context.Context, dir string) error {
	if dir == "" || dir == "." {
		return nil
	}
	parts := strings.Split(dir, "/")
	var first error
	for i := range parts {
		sub := strings.Join(parts[:i+1], "/") + "/"
		r, err := c.call(ctx, "MKCOL", sub, nil, nil, true)
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

// put uploads body to rel, creating the parent folders when the server says
// they are missing (404, 409, or 405 as Alist does) and trying once more.
// retry allows one more attempt after a transient failure: only for
// uploads whose repetition is harmless.
func (c *client) put(ctx context.Context, rel string, body []byte, hdr http.Header, retry bool) (*response, error) {
	r, err := c.call(ctx, http.MethodPut, rel, hdr, body, retry)
	if err != nil {
		return nil, err
	}
	if missing(r.status) || r.status == http.StatusMethodNotAllowed {
		mkErr := c.mkcolAll(ctx, path.Dir(rel))
		if r, err = c.call(ctx, http.MethodPut, rel, hdr, body, retry); err != nil {
			return nil, err
		}
		if (missing(r.status) || r.status == http.StatusMethodNotAllowed) && mkErr != nil {
			return nil, mkErr
		}
	}
	return r, nil
}

// entry is one resource in a PROPFIND answer.
type entry struct {
	name       string // the last segment of its path
	collection bool
	modified   time.Time // zero if the server did not say
}

// propfind lists rel (Depth 0) or rel and its members (Depth 1; never
// infinity, which many servers refuse). date is the server's clock when it
// answered, if it said.
func (c *client) propfind(ctx context.Context, rel, depth string) (entries []entry, date time.Time, found bool, err error) {
	hdr := http.Header{"Depth": {depth}, "Content-Type": {"application/xml; charset=utf-8"}}
	body := []byte(`<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:getlastmodified/></d:prop></d:propfind>`)
	r, err := c.call(ctx, "PROPFIND", rel, hdr, body, true)
	if err != nil {
		return nil, time.Time{}, false, err
	}
	if missing(r.status) {
		return nil, time.Time{}, false, nil
	}
	if r.status != http.StatusMultiStatus {
		return nil, time.Time{}, false, c.statusError("PROPFIND", rel, r)
	}
	var ms struct {
		Responses []struct {
			Href     string `xml:"DAV: href"`
			Propstat []struct {
				Status string `xml:"DAV: status"`
				Prop   struct {
					Type struct {
						Collection *struct{} `xml:"DAV: collection"`
					} `xml:"DAV: resourcetype"`
					Modified string `xml:"DAV: getlastmodified"`
				} `xml:"DAV: prop"`
			} `xml:"DAV: propstat"`
		} `xml:"DAV: response"`
	}
	if err := xml.Unmarshal(r.body, &ms); err != nil {
		return nil, time.Time{}, false, c.fail("PROPFIND", rel, r.status, fmt.Errorf("unreadable answer: %w", err))
	}
	for _, resp := range ms.Responses {
		u, err := url.Parse(strings.TrimSpace(resp.Href))
		if err != nil {
			continue
		}
		e := entry{name: path.Base(u.Path), collection: strings.HasSuffix(u.Path, "/")}
		for _, ps := range resp.Propstat {
			if !strings.Contains(ps.Status, " 200") {
				continue
			}
			if ps.Prop.Type.Collection != nil {
				e.collection = true
			}
			if t, err := http.ParseTime(strings.TrimSpace(ps.Prop.Modified)); err == nil {
				e.modified = t
			}
		}
		entries = append(entries, e)
	}
	date, _ = http.ParseTime(r.header.Get("Date"))
	return entries, date, true, nil
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
