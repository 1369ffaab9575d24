//go:build !windows

package e2e

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// guard is the HTTP(S) proxy every tool runs behind. Tools phone home
// (telemetry, feature flags, update checks, model catalogues); offline those
// requests fail, but how fast depends on the machine's network, and a test
// must never depend on, or talk to, anything but 127.0.0.1. So the guard
// forwards requests and CONNECT tunnels to loopback addresses (a tool that
// ignores NO_PROXY still reaches the fake upstream) and answers everything
// else with 403 at once, remembering the host.
//
// Node's built-in fetch ignores the proxy variables, so Node tools (Gemini
// CLI, Claude Code Router, npm) also run with nodeGuard preloaded.
type guard struct {
	srv    *httptest.Server
	mu     sync.Mutex
	denied map[string]int
}

func newGuard(t *testing.T) *guard {
	t.Helper()
	g := &guard{denied: map[string]int{}}
	g.srv = httptest.NewServer(g)
	t.Cleanup(g.srv.Close)
	return g
}

// URL is the proxy URL for HTTP_PROXY and HTTPS_PROXY.
func (g *guard) URL() string { return g.srv.URL }

// refused lists the hosts the guard refused, with counts.
func (g *guard) refused() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for h, n := range g.denied {
		if n > 1 {
			h += " (" + strconv.Itoa(n) + "x)"
		}
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

func isLoopback(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if r.Method != http.MethodConnect && r.URL.Host != "" {
		host = r.URL.Host
	}
	if !isLoopback(host) {
		g.mu.Lock()
		g.denied[host]++
		g.mu.Unlock()
		http.Error(w, "hub e2e: no network in tests ("+host+")", http.StatusForbidden)
		return
	}
	if r.Method == http.MethodConnect {
		g.tunnel(w, r)
		return
	}
	// A plain request for a loopback URL: forward it.
	out := r.Clone(r.Context())
	out.RequestURI = ""
	tr := &http.Transport{Proxy: nil}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			_, _ = w.Write(buf[:n])
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
		}
		if err != nil {
			return
		}
	}
}

func (g *guard) tunnel(w http.ResponseWriter, r *http.Request) {
	dst, err := net.DialTimeout("tcp", r.Host, 5*time.Second)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		dst.Close()
		http.Error(w, "no hijack", http.StatusInternalServerError)
		return
	}
	src, rw, err := hj.Hijack()
	if err != nil {
		dst.Close()
		return
	}
	_, _ = src.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
	go func() {
		// Bytes the client sent after CONNECT may already be buffered.
		if n := rw.Reader.Buffered(); n > 0 {
			b, _ := rw.Reader.Peek(n)
			_, _ = dst.Write(b)
		}
		_, _ = io.Copy(dst, src)
		dst.Close()
	}()
	go func() {
		_, _ = io.Copy(src, dst)
		src.Close()
	}()
}

// nodeGuard is preloaded into every Node process of a test (NODE_OPTIONS
// --require): DNS lookups of names other than localhost fail with ENOTFOUND
// and connections to non-loopback IP addresses are refused, at once, and the
// names go to $HUB_E2E_NODE_GUARD_LOG. Loopback and Unix sockets work as
// usual. The native tools (Claude Code and opencode are Bun binaries, Codex
// is Rust) honor HTTP(S)_PROXY and meet the guard proxy instead.
const nodeGuard = `'use strict';
// hub e2e: this Node process may only connect to loopback addresses.
const dns = require('node:dns');
const net = require('node:net');
const fs = require('node:fs');
const logFile = process.env.HUB_E2E_NODE_GUARD_LOG;
function isLoopback(host) {
  if (!host) return true;
  host = String(host).replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host) || host === '::ffff:127.0.0.1';
}
function refuse(host) {
  if (logFile) { try { fs.appendFileSync(logFile, host + '\n'); } catch {} }
  const err = new Error('hub e2e: no network in tests (' + host + ')');
  err.code = 'ENOTFOUND'; err.hostname = host;
  return err;
}
const lookup = dns.lookup;
dns.lookup = function (hostname, options, callback) {
  if (isLoopback(hostname)) return lookup.apply(this, arguments);
  const cb = typeof options === 'function' ? options : callback;
  const err = refuse(hostname);
  process.nextTick(() => cb(err));
  return {};
};
const plookup = dns.promises.lookup;
dns.promises.lookup = function (hostname, options) {
  if (isLoopback(hostname)) return plookup.apply(this, arguments);
  return Promise.reject(refuse(hostname));
};
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  let o = args[0];
  if (Array.isArray(o)) o = o[0];
  let host;
  if (o !== null && typeof o === 'object') { if (o.path) return connect.apply(this, args); host = o.host; }
  else if (typeof o === 'number' || /^\d+$/.test(String(o))) host = typeof args[1] === 'string' ? args[1] : 'localhost';
  else return connect.apply(this, args);
  if (host && net.isIP(String(host).replace(/^\[|\]$/g, '')) && !isLoopback(host)) {
    const err = refuse(host);
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return connect.apply(this, args);
};
`
