package main

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/net/webdav"
)

// webdavd starts an in-process WebDAV server (golang.org/x/net/webdav over
// memory, behind basic auth) on 127.0.0.1 for the rest of the script, and
// exports WEBDAV_URL, WEBDAV_USER and WEBDAV_PASSWORD. Two hosts in one
// script share it, as two machines share a real server.
func cmdWebdavd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: webdavd")
	}
	srv, user, pass := newDAV()
	ts.Defer(srv.Close)
	ts.Setenv("WEBDAV_URL", srv.URL)
	ts.Setenv("WEBDAV_USER", user)
	ts.Setenv("WEBDAV_PASSWORD", pass)
}

// newDAV starts the in-process WebDAV server behind basic auth.
func newDAV() (srv *httptest.Server, user, pass string) {
	b := make([]byte, 12)
	rand.Read(b)
	user, pass = "hub", "dav-"+hex.EncodeToString(b)
	h := &webdav.Handler{FileSystem: webdav.NewMemFS(), LockSystem: webdav.NewMemLS()}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="dav"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
	return srv, user, pass
}
