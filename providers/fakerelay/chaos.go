package fakerelay

// The hostile upstream: a server that attacks hub's output with the key a
// request carried, for leak tests. It is not a flavor of a real relay: it
// answers every path, in a shape that carries its payload in every field an
// OpenAI-, New API- or Anthropic-style error or model list has, so whatever
// hub reads from it is hostile.

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// ChaosMode is one way a hostile upstream echoes the key it was sent.
type ChaosMode string

// The hostile modes. Each request takes the next variant of its mode, so
// repeated calls walk every cut length and every insertion point.
const (
	// ChaosCut: a filler of a growing length then the key, so any
	// shortening of the message cuts inside the key at some request; and
	// every prefix and suffix of the key on its own.
	ChaosCut ChaosMode = "cut"
	// ChaosWhitespace: the key with a tab, a newline, CR LF or spaces
	// inserted at each position, and after "Bearer\t".
	ChaosWhitespace ChaosMode = "whitespace"
	// ChaosEscapes: terminal escape sequences (clear screen, window
	// title, colours forging "all keys valid", C1 CSI, DCS) around the key,
	// in error messages and model ids.
	ChaosEscapes ChaosMode = "escapes"
	// ChaosHuge: a body of Chaos.HugeSize bytes with the key at its
	// start, middle and end.
	ChaosHuge ChaosMode = "huge"
	// ChaosDrip: an error answer holding the key, one byte every
	// Chaos.DripEvery.
	ChaosDrip ChaosMode = "drip"
)

// ChaosModes are all the modes, in order.
var ChaosModes = []ChaosMode{ChaosCut, ChaosWhitespace, ChaosEscapes, ChaosHuge, ChaosDrip}

// ChaosEscapeSeq is what ChaosEscapes puts around the key: it clears
// the screen, sets the window title and prints a green "all keys valid".
const ChaosEscapeSeq = "\x1b[2J\x1b[H\x1b]0;hub: pwned\x07\x1b[32m✓ all keys valid\x1b[0m \u009b31m\x1bPq#0\x1b\\"

// Chaos is a running hostile upstream on 127.0.0.1.
type Chaos struct {
	*httptest.Server
	Mode ChaosMode
	// HugeSize is the size of ChaosHuge bodies; default 8 MiB.
	HugeSize int
	// DripEvery is the pause between bytes of ChaosDrip; default 10 ms.
	DripEvery time.Duration

	mu sync.Mutex
	n  int
}

// NewChaos starts a hostile upstream in mode. Close it when done.
func NewChaos(mode ChaosMode) *Chaos {
	h := &Chaos{Mode: mode, HugeSize: 8 << 20, DripEvery: 10 * time.Millisecond}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("fakerelay: listen: %v", err))
	}
	h.Server = &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(h.serve)}}
	h.Start()
	return h
}

// Requests is how many requests the upstream answered.
func (h *Chaos) Requests() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

// hostileKey is the key a request carried, however it was sent.
func hostileKey(r *http.Request) string {
	for _, v := range []string{r.Header.Get("Authorization"), r.Header.Get("x-api-key"), r.Header.Get("x-goog-api-key"), r.URL.Query().Get("key")} {
		if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
			v = v[7:]
		}
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return "sk-no-key-sent"
}

// payload is what variant j of the mode makes of key: the text hub will
// find in every field of the answer.
func (h *Chaos) payload(key string, j int) string {
	switch h.Mode {
	case ChaosCut:
		l := j % (len(key) + 1)
		return strings.Repeat("x", j%330) + key + " prefix " + key[:l] + " suffix " + key[len(key)-l:] + " end"
	case ChaosWhitespace:
		p := j % (len(key) + 1)
		ws := []string{"\t", "\n", "\r\n", "  \t "}[j%4]
		return "Invalid token " + key[:p] + ws + key[p:] + " (Bearer\t" + key + ")"
	case ChaosEscapes:
		return ChaosEscapeSeq + " invalid key " + key + " \x1b[1A\x1b[2K"
	}
	return "Invalid token " + key
}

func (h *Chaos) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	j := h.n
	h.n++
	h.mu.Unlock()
	key := hostileKey(r)
	p := h.payload(key, j)
	switch h.Mode {
	case ChaosHuge:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fill := strings.Repeat("A", max(h.HugeSize/2-len(key), 0))
		fmt.Fprintf(w, `{"error":{"message":%q,"type":%q},"message":%q}`, key+fill+key+fill+key, key, key)
		return
	case ChaosDrip:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		body := fmt.Sprintf(`{"error":{"message":%q,"type":"invalid_request_error"},"message":%q}`, p, p)
		f, _ := w.(http.Flusher)
		for i := 0; i < len(body); i++ {
			if _, err := w.Write([]byte{body[i]}); err != nil {
				return
			}
			if f != nil {
				f.Flush()
			}
			select {
			case <-time.After(h.DripEvery):
			case <-r.Context().Done():
				return
			}
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if strings.HasSuffix(r.URL.Path, "/models") && j%2 == 1 {
		// A model list whose ids and names are the payload.
		fmt.Fprintf(w, `{"object":"list","data":[{"id":%q,"object":"model","owned_by":%q},{"id":"gpt-4o","display_name":%q}],"has_more":false}`, p, p, p)
		return
	}
	w.WriteHeader(http.StatusUnauthorized)
	fmt.Fprintf(w, `{"error":{"message":%q,"type":%q,"code":%q,"param":%q},"type":"error","message":%q,"detail":%q,"success":false,"data":{"name":%q}}`,
		p, "invalid_request_error "+p, p, p, p, p, p)
}
