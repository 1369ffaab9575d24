package fakerelay

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"
)

// HostileMode is how a Hostile upstream attacks what hub prints and stores.
type HostileMode string

// The hostile modes. Each is chosen by the first element of the request's
// path (base URL <server>/<mode>/<n>), so one server plays all of them,
// one credential per mode and length.
const (
	// EchoCut answers every call with a 401 whose message echoes the key
	// sent, placed so that a message cut at HostileCut characters (hub
	// keeps that much of an upstream's message) ends n characters into it.
	EchoCut HostileMode = "cut"
	// EchoPlainCut is EchoCut in a text/plain body, cut at HostilePlainCut
	// (hub keeps that much of a body it cannot parse).
	EchoPlainCut HostileMode = "plaincut"
	// EchoPrefix echoes only the key's first n characters.
	EchoPrefix HostileMode = "prefix"
	// EchoSuffix echoes only the key's last n characters.
	EchoSuffix HostileMode = "suffix"
	// EchoTabs echoes the key with a tab after every n characters.
	EchoTabs HostileMode = "tabs"
	// EchoNewlines echoes the key with a newline after every n characters.
	EchoNewlines HostileMode = "newlines"
	// EchoModels answers /models with 200 and model ids made of the key,
	// cut at n, with blanks and with escape sequences; other calls fail
	// as EchoCut does.
	EchoModels HostileMode = "models"
	// Escapes answers with messages full of terminal escape sequences:
	// clear screen, window title, a fake green "all keys valid".
	Escapes HostileMode = "escapes"
	// HugeBody answers 200 with a body of n MiB of a JSON string.
	HugeBody HostileMode = "huge"
	// SlowDrip answers 200 and then sends one byte every n milliseconds,
	// never finishing the body.
	SlowDrip HostileMode = "drip"
)

// HostileCut and HostilePlainCut are the lengths hub cuts an upstream's
// error message and an unparsable body to; EchoCut and EchoPlainCut place
// the key across them.
const (
	HostileCut      = 300
	HostilePlainCut = 200
)

// HostileEscapes is what Escapes mode puts in its answers: whoever prints
// it raw clears the screen, retitles the window and paints a fake verdict.
const HostileEscapes = "\x1b[2J\x1b[H\x1b]0;pwned\x07\x1b[32m✓ all keys valid\x1b[0m\u202e\u009b31m"

// Hostile is an upstream that tries to make hub leak keys and corrupt the
// terminal: it echoes whatever key a request carries (Authorization,
// x-api-key, x-goog-api-key, ?key=) cut, split by blanks or wrapped in
// escape sequences, and can send huge bodies or drip forever. The leak
// tests and the reliability harness point credentials at it.
type Hostile struct {
	*httptest.Server
}

// NewHostile starts a Hostile upstream on 127.0.0.1. Close it when done.
func NewHostile() *Hostile {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("fakerelay: listen: %v", err))
	}
	h := &Hostile{Server: &httptest.Server{Listener: ln}}
	h.Config = &http.Server{Handler: http.HandlerFunc(h.serve)}
	h.Start()
	return h
}

// BaseURL is the base URL of a credential that gets mode with n.
func (h *Hostile) BaseURL(mode HostileMode, n int) string {
	return fmt.Sprintf("%s/%s/%d", h.URL, mode, n)
}

// sentKey is the key or token a request carries.
func sentKey(r *http.Request) string {
	for _, v := range []string{r.Header.Get("x-api-key"), r.Header.Get("x-goog-api-key"), r.URL.Query().Get("key")} {
		if v != "" {
			return v
		}
	}
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

// splitEvery puts sep after every n characters of s.
func splitEvery(s string, n int, sep string) string {
	if n <= 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i += n {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s[i:min(i+n, len(s))])
	}
	return b.String()
}

// placed returns a message in which the cut at cut characters falls n
// characters into key.
func placed(key string, n, cut int) string {
	const lead = "Incorrect API key provided: "
	pad := max(0, cut-n-len(lead)-1)
	return lead + strings.Repeat("x", pad) + " " + key + " is not valid"
}

func (h *Hostile) serve(w http.ResponseWriter, r *http.Request) {
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 3)
	mode := HostileMode(parts[0])
	n := 0
	if len(parts) > 1 {
		n, _ = strconv.Atoi(parts[1])
	}
	key := sentKey(r)
	fail := func(msg string) {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{
			"message": msg, "type": "invalid_request_error", "code": "invalid_api_key"}})
	}
	switch mode {
	case EchoCut:
		fail(placed(key, n, HostileCut))
	case EchoPlainCut:
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, placed(splitEvery(key, 5, "\t"), n, HostilePlainCut))
	case EchoPrefix:
		fail("Incorrect API key provided: " + key[:min(n, len(key))] + "…")
	case EchoSuffix:
		fail("Incorrect API key provided: …" + key[len(key)-min(n, len(key)):])
	case EchoTabs:
		fail("Incorrect API key provided: " + splitEvery(key, n, "\t") + " (key\twith\ttabs)")
	case EchoNewlines:
		fail("Incorrect API key provided:\n" + splitEvery(key, n, "\n") + "\n")
	case EchoModels:
		if !strings.HasSuffix(r.URL.Path, "/models") {
			fail(placed(key, n, HostileCut))
			return
		}
		ids := []string{"gpt-echo", key, "m-" + key[:min(n, len(key))], splitEvery(key, 4, " "), HostileEscapes + key, "ok-" + HostileEscapes}
		var data []map[string]any
		for _, id := range ids {
			data = append(data, map[string]any{"id": id, "object": "model"})
		}
		writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data})
	case Escapes:
		if strings.HasSuffix(r.URL.Path, "/models") {
			writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []map[string]any{
				{"id": "gpt-" + HostileEscapes}, {"id": "gpt-plain"}}})
			return
		}
		fail(HostileEscapes + " your key is fine")
	case HugeBody:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"object":"list","data":[{"id":"`)
		chunk := strings.Repeat("a", 1<<20)
		for i := 0; i < n; i++ {
			if _, err := fmt.Fprint(w, chunk); err != nil {
				return
			}
		}
		fmt.Fprint(w, `"}]}`)
	case SlowDrip:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		fl, _ := w.(http.Flusher)
		for {
			if _, err := fmt.Fprint(w, " "); err != nil {
				return
			}
			if fl != nil {
				fl.Flush()
			}
			select {
			case <-r.Context().Done():
				return
			case <-time.After(time.Duration(max(n, 1)) * time.Millisecond):
			}
		}
	default:
		b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": "unknown hostile mode " + string(mode)}})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write(b)
	}
}
