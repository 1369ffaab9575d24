package secret

import (
	"bytes"
	"encoding/json"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// A Redactor replaces every known secret in text with the placeholder. It is safe
// for concurrent use. The zero value knows no secrets.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string // longest first, so a secret containing another is replaced whole
	maxLen  int
}

// Add registers secrets to scrub, together with the escaped forms they take
// when printed quoted (Go and HCL quoting, JSON with and without HTML
// escaping). Values shorter than MinRedactLen are ignored.
func (r *Redactor) Add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var all []string
	for _, v := range values {
		all = append(all, v)
		all = append(all, escapedForms(v)...)
	}
	for _, v := range all {
		if len(v) < MinRedactLen || !utf8.ValidString(v) {
			continue
		}
		dup := false
		for _, s := range r.secrets {
			if s == v {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		r.secrets = append(r.secrets, v)
		if len(v) > r.maxLen {
			r.maxLen = len(v)
		}
	}
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

// Redact returns s with every known secret replaced by the placeholder.
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, v := range r.secrets {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Placeholder)
		}
	}
	return s
}

// escapedForms returns how v looks inside quoted strings, when that differs
// from v: Go/HCL quoting, JSON quoting with and without HTML escaping, and
// JSON quoting of a Go-quoted value (a diagnostic message in --json output).
// The surrounding quotes are dropped, so the match is on the content.
func escapedForms(v string) []string {
	seen := map[string]bool{v: true}
	var out []string
	add := func(q string) string {
		if len(q) >= 2 {
			q = q[1 : len(q)-1]
		}
		if !seen[q] {
			seen[q] = true
			out = append(out, q)
		}
		return q
	}
	jsonQuote := func(s string, html bool) string {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		if enc.Encode(s) != nil {
			return ""
		}
		return strings.TrimSuffix(b.String(), "\n")
	}
	for _, q := range []string{v, add(strconv.Quote(v)), add(strconv.QuoteToASCII(v))} {
		for _, html := range []bool{true, false} {
			add(jsonQuote(q, html))
		}
	}
	return out
}

func (r *Redactor) longest() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.maxLen
}

// Writer returns a writer that redacts what it passes to w. It holds back the
// last few bytes of each write (fewer than the longest secret) so that a secret
// split across two writes is still caught; call Flush before reading input after
// a prompt, and at the end.
func (r *Redactor) Writer(w io.Writer) *Writer { return &Writer{r: r, w: w} }

// Writer is a redacting io.Writer; see Redactor.Writer.
type Writer struct {
	mu  sync.Mutex
	r   *Redactor
	w   io.Writer
	buf []byte
}

// Write implements io.Writer. It always reports len(p) written unless the
// underlying writer fails.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	// Emit complete lines; they cannot hide a secret that continues later unless
	// the secret itself contains a newline, which keys do not.
	cut := bytes.LastIndexByte(w.buf, '\n') + 1
	if keep := w.r.longest() - 1; len(w.buf)-cut > keep && keep >= 0 {
		cut = len(w.buf) - keep
	}
	if cut <= 0 {
		return len(p), nil
	}
	out := w.r.Redact(string(w.buf[:cut]))
	// A secret straddling the cut point must not be emitted half-way: redact the
	// whole buffer and check the emitted part is a prefix of it.
	whole := w.r.Redact(string(w.buf))
	if !strings.HasPrefix(whole, out) {
		out = whole
		cut = len(w.buf)
	}
	rest := copy(w.buf, w.buf[cut:])
	w.buf = w.buf[:rest]
	if _, err := io.WriteString(w.w, out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes out whatever is held back.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) == 0 {
		return nil
	}
	out := w.r.Redact(string(w.buf))
	w.buf = w.buf[:0]
	_, err := io.WriteString(w.w, out)
	return err
}
