package providers

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/secret"
)

const testKey = "sk-test-client-5f1e2d3c4b5a"

// local starts a test server on 127.0.0.1 only.
func local(t *testing.T, h http.HandlerFunc, tls bool) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
	if tls {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

func credFor(base string) *credential.Credential {
	return &credential.Credential{ID: "relay", APIType: credential.OpenAICompatible, BaseURL: base, Key: secret.New(testKey)}
}

func failure(t *testing.T, err error) *Failure {
	t.Helper()
	f, ok := AsFailure(err)
	if !ok {
		t.Fatalf("error %v (%T) is not a *Failure", err, err)
	}
	if strings.Contains(f.Error(), testKey) {
		t.Fatalf("LEAK: the key in %q", f.Error())
	}
	return f
}

func TestClientTransportFailures(t *testing.T) {
	cl := NewClient(ClientOptions{Timeout: 300 * time.Millisecond, RetryDelay: time.Millisecond})
	ctx := context.Background()

	// A certificate nobody signed: a TLS problem, not a network one.
	tlsSrv := local(t, func(w http.ResponseWriter, r *http.Request) {}, true)
	_, err := cl.Do(ctx, credFor(tlsSrv.URL), Request{URL: tlsSrv.URL + "/v1/models", Auth: AuthBearer})
	if f := failure(t, err); f.Class != ClassTLS || !strings.Contains(f.Message, "certificate") {
		t.Errorf("self-signed: %v", f)
	}
	// Plain HTTP spoken to a TLS port.
	plain := strings.Replace(tlsSrv.URL, "https://", "http://", 1)
	_, err = cl.Do(ctx, credFor(plain), Request{URL: plain + "/v1/models", Auth: AuthBearer})
	if f := failure(t, err); f.Status != 400 && f.Class != ClassTLS && f.Class != ClassBadRequest {
		t.Errorf("http to a TLS port: %v", f)
	}

	// Nobody listening.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String()
	ln.Close()
	_, err = cl.Do(ctx, credFor(dead), Request{URL: dead + "/v1/models", Auth: AuthBearer})
	if f := failure(t, err); f.Class != ClassNetwork || !strings.Contains(f.Message, "refused") || f.Endpoint != "GET "+dead+"/v1/models" {
		t.Errorf("refused: %+v", f)
	}

	// Too slow: a timeout, retried once for a GET.
	var hits atomic.Int32
	slow := local(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.Copy(io.Discard, r.Body) // so the server notices the client leave
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	}, false)
	_, err = cl.Do(ctx, credFor(slow.URL), Request{URL: slow.URL + "/v1/models", Auth: AuthBearer})
	if f := failure(t, err); f.Class != ClassTimeout || !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(f.Message, "Timeout") {
		t.Errorf("slow: %+v", f)
	}
	if hits.Load() != 2 {
		t.Errorf("a timed-out GET was sent %d times, want 2 (one retry)", hits.Load())
	}
	hits.Store(0)
	_, err = cl.Do(ctx, credFor(slow.URL), Request{Method: "POST", URL: slow.URL + "/v1/chat/completions", Auth: AuthBearer, Body: map[string]any{}})
	if f := failure(t, err); f.Class != ClassTimeout || hits.Load() != 1 {
		t.Errorf("a POST is never retried: %d sends, %v", hits.Load(), f)
	}

	// Cancelled: the context's error, not a Failure.
	cctx, cancel := context.WithCancel(ctx)
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if _, err := cl.Do(cctx, credFor(slow.URL), Request{URL: slow.URL + "/v1/models", Auth: AuthBearer}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestClientRetriesSafelyOnce(t *testing.T) {
	cl := NewClient(ClientOptions{RetryDelay: time.Millisecond})
	var hits atomic.Int32
	var answer atomic.Value
	srv := local(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		body := answer.Load().(string)
		if hits.Load() == 1 || strings.Contains(body, "model_not_found") {
			w.WriteHeader(503)
			w.Write([]byte(body))
			return
		}
		w.Write([]byte(`{"object":"list","data":[]}`))
	}, false)
	c := credFor(srv.URL)
	answer.Store(`{"error":{"message":"overloaded, try again"}}`)
	if _, err := cl.Do(context.Background(), c, Request{URL: srv.URL + "/v1/models", Auth: AuthBearer}); err != nil || hits.Load() != 2 {
		t.Errorf("a 503 GET is retried once and succeeds: %d sends, %v", hits.Load(), err)
	}
	hits.Store(0)
	answer.Store(`{"error":{"message":"No available channel for model x","code":"model_not_found"}}`)
	_, err := cl.Do(context.Background(), c, Request{URL: srv.URL + "/v1/models", Auth: AuthBearer})
	if f := failure(t, err); f.Class != ClassModelNotFound || hits.Load() != 1 {
		t.Errorf("a 503 model_not_found is an answer, not a hiccup: %d sends, %v", hits.Load(), f)
	}
}

func TestClientKeepsKeysAtHome(t *testing.T) {
	cl := NewClient(ClientOptions{})
	var elsewhere atomic.Int32
	var seen atomic.Value
	seen.Store("")
	other := local(t, func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		seen.Store(r.Header.Get("Authorization") + r.Header.Get("x-api-key") + r.Header.Get("x-goog-api-key"))
		w.Write([]byte(`{}`))
	}, false)
	home := local(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
		case "/here":
			http.Redirect(w, r, "/v1/models/", http.StatusMovedPermanently)
		case "/v1/models/":
			if r.Header.Get("x-api-key") != testKey {
				w.WriteHeader(401)
				return
			}
			w.Write([]byte(`{"data":[]}`))
		case "/echo":
			w.WriteHeader(401)
			w.Write([]byte(`{"error":{"message":"Incorrect API key provided: ` + testKey + `","code":"invalid_api_key"}}`))
		}
	}, false)
	c := credFor(home.URL)
	ctx := context.Background()

	for _, a := range []Auth{AuthBearer, AuthXAPIKey, AuthGoog} {
		_, err := cl.Do(ctx, c, Request{URL: home.URL + "/away", Auth: a})
		if f := failure(t, err); f.Class != ClassWrongURL || !strings.Contains(f.Message, "redirected to another origin") {
			t.Errorf("auth %d: cross-origin redirect: %+v", a, f)
		}
		// The key is never sent to another origin directly either.
		if _, err := cl.Do(ctx, c, Request{URL: other.URL + "/x", Auth: a}); err == nil || !strings.Contains(err.Error(), "refusing to send its key") {
			t.Errorf("auth %d: a request to another origin with the key: %v", a, err)
		}
	}
	if elsewhere.Load() != 0 {
		t.Fatalf("the other origin got %d requests (headers %q)", elsewhere.Load(), seen.Load())
	}
	// A redirect within the origin is followed, headers and all.
	if _, err := cl.Do(ctx, c, Request{URL: home.URL + "/here", Auth: AuthXAPIKey}); err != nil {
		t.Errorf("same-origin redirect: %v", err)
	}
	// A usage token goes where it is sent; an unauthenticated request too.
	c.Usage.Token = secret.New("tok-test-usage-77aa")
	if _, err := cl.Do(ctx, c, Request{URL: other.URL + "/usage", Auth: AuthToken, Raw: true}); err != nil || seen.Load() != "Bearer tok-test-usage-77aa" {
		t.Errorf("token to its own endpoint: %v, sent %q", err, seen.Load())
	}
	// An answer quoting the key is shown without it.
	_, err := cl.Do(ctx, c, Request{URL: home.URL + "/echo", Auth: AuthBearer})
	if f := failure(t, err); f.Class != ClassInvalidKey || !strings.Contains(f.Message, "(sensitive value)") {
		t.Errorf("echoed key: %+v", f)
	}
}

// APIRoot's cases moved to package credential (TestVersionSuffix).
func TestSSE(t *testing.T) {
	ev := SSE([]byte(": comment\nevent: response.created\ndata: {\"a\":1}\n\ndata: line1\r\ndata: line2\n\nevent: response.completed\ndata: {}\n"))
	if len(ev) != 3 || ev[0].Name != "response.created" || ev[1].Data != "line1\nline2" || ev[2].Name != "response.completed" {
		t.Errorf("SSE = %+v", ev)
	}
	r := &Response{Status: 200, Endpoint: "POST x"}
	if f := StreamError(r, SSE([]byte("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"))); f == nil || f.Class != ClassOverloaded {
		t.Errorf("stream error: %+v", f)
	}
	if f := StreamError(r, ev); f != nil {
		t.Errorf("no error in a clean stream: %+v", f)
	}
}
