package secret

import (
	"bytes"
	"encoding/json"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// FragmentLen is the longest start or end of a known secret that Redact
// lets through: a prefix or suffix of FragmentLen or more characters is
// redacted wherever it appears (a secret shorter than that only whole).
// An upstream that echoes a key in a message that is then cut inside it,
// or shows it by its tail, would otherwise print most of the key. Twelve
// characters of a random key leave the rest no easier to guess. Shorter
// runs, half of a short secret, or a run from a secret's middle alone
// start matching ordinary words: keys and passwords made of words share
// them with paths and names ("sk-test-anthropic" ends with an API type).
const FragmentLen = 12

// seedLen is the length of the windows indexed to find fragments.
const seedLen = MinRedactLen

// A Redactor replaces every known secret in text with the placeholder, and
// any long enough start or end of one (see FragmentLen), whatever whitespace was
// put into it or taken out of it: a key holding a tab that a message
// turned into a space, or a key an upstream broke over lines, is still
// found. It is safe for concurrent use. The zero value knows no secrets.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string // longest first, so a secret containing another is replaced whole
	maxLen  int
	// frags are the secrets with their whitespace removed, matched as runs
	// of at least their min; seeds index their seedLen-byte windows.
	frags []fragment
	seeds map[string][]seedRef
}

type fragment struct {
	norm string
	min  int
}

type seedRef struct{ frag, off int }

// fragmentMin is how many characters of a secret of n non-blank
// characters make a fragment worth redacting.
func fragmentMin(n int) int { return min(FragmentLen, n) }

// Add registers secrets to scrub, together with the escaped forms they take
// when printed quoted (Go and HCL quoting, JSON with and without HTML
// escaping), and their fragments. Values shorter than MinRedactLen are
// ignored.
func (r *Redactor) Add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var all []string
	for _, v := range values {
		all = append(all, v)
		all = append(all, escapedForms(v)...)
		r.addFragment(v)
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

// addFragment indexes v's whitespace-free form for fragment matching.
func (r *Redactor) addFragment(v string) {
	norm := stripSpace(v)
	if len(norm) < MinRedactLen || !utf8.ValidString(norm) {
		return
	}
	for _, f := range r.frags {
		if f.norm == norm {
			return
		}
	}
	if r.seeds == nil {
		r.seeds = map[string][]seedRef{}
	}
	i := len(r.frags)
	r.frags = append(r.frags, fragment{norm: norm, min: fragmentMin(len(norm))})
	for off := 0; off+seedLen <= len(norm); off++ {
		w := norm[off : off+seedLen]
		r.seeds[w] = append(r.seeds[w], seedRef{i, off})
	}
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// Redact returns s with every known secret, and every long enough
// fragment of one, replaced by the placeholder.
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return replaceSpans(s, r.spans(s))
}

// span is a byte range [0] to [1] of text to redact.
type span [2]int

// spans returns the ranges of s to redact, sorted and disjoint.
func (r *Redactor) spans(s string) []span {
	var out []span
	for _, v := range r.secrets {
		for from := 0; ; {
			i := strings.Index(s[from:], v)
			if i < 0 {
				break
			}
			out = append(out, span{from + i, from + i + len(v)})
			from += i + len(v)
		}
	}
	out = append(out, r.fragmentSpans(s)...)
	if len(out) == 0 {
		return nil
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	merged := out[:1]
	for _, sp := range out[1:] {
		last := &merged[len(merged)-1]
		if sp[0] < last[1] {
			last[1] = max(last[1], sp[1])
			continue
		}
		merged = append(merged, sp)
	}
	return merged
}

// fragmentSpans finds runs of a secret's characters in s, skipping the
// whitespace of s (and whitespace written as \t, \n or \r escapes, as JSON
// and Go quoting print it) between them.
func (r *Redactor) fragmentSpans(s string) []span {
	if len(r.frags) == 0 || len(s) < MinRedactLen {
		return nil
	}
	// proj is s without its whitespace; pos[i] is where proj[i] is in s and
	// end[i] where it ends.
	proj := make([]byte, 0, len(s))
	pos := make([]int, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			i++
			continue
		case c == '\\' && i+1 < len(s) && (s[i+1] == 't' || s[i+1] == 'n' || s[i+1] == 'r'):
			i += 2
			continue
		case c >= utf8.RuneSelf:
			ru, size := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(ru) {
				i += size
				continue
			}
		}
		proj = append(proj, c)
		pos = append(pos, i)
		i++
	}
	var out []span
	for j := 0; j+seedLen <= len(proj); {
		refs := r.seeds[string(proj[j:j+seedLen])]
		best := 0
		for _, ref := range refs {
			f := r.frags[ref.frag]
			// Extend the seed both ways along the secret.
			a, k := j, ref.off
			for a > 0 && k > 0 && proj[a-1] == f.norm[k-1] {
				a--
				k--
			}
			b, m := j+seedLen, ref.off+seedLen
			for b < len(proj) && m < len(f.norm) && proj[b] == f.norm[m] {
				b++
				m++
			}
			// Only a run that starts or ends the secret counts: a key
			// cut short or shown by its tail. A run from its middle
			// alone could be ordinary text sharing a word with it.
			if b-a >= f.min && (k == 0 || m == len(f.norm)) {
				out = append(out, span{pos[a], pos[b-1] + 1})
				best = max(best, b)
			}
		}
		if best > j {
			j = best
			continue
		}
		j++
	}
	return out
}

// replaceSpans replaces each span of s by the placeholder.
func replaceSpans(s string, spans []span) string {
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp[0]])
		b.WriteString(Placeholder)
		last = sp[1]
	}
	b.WriteString(s[last:])
	return b.String()
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
// last few bytes of each write (fewer than the longest secret), and any
// fragment of a secret still open at the end, so that a secret split across
// two writes is still caught whole; call Flush before reading input after a
// prompt, and at the end.
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
	// Emit complete lines; a secret continuing on the next line is caught
	// by the spans below, which see the whole buffer.
	cut := bytes.LastIndexByte(w.buf, '\n') + 1
	if keep := w.r.longest() - 1; len(w.buf)-cut > keep && keep >= 0 {
		cut = len(w.buf) - keep
	}
	if cut <= 0 {
		return len(p), nil
	}
	whole := string(w.buf)
	w.r.mu.RLock()
	spans := w.r.spans(whole)
	w.r.mu.RUnlock()
	// A secret or fragment straddling the cut, or reaching the end of what
	// arrived but for blanks (it may go on in the next write, or on the
	// next line), is held back whole.
	end := len(strings.TrimRight(whole, " \t\r\n"))
	var emit []span
	for _, sp := range spans {
		if sp[1] >= end && sp[0] < cut || sp[0] < cut && cut < sp[1] {
			cut = sp[0]
			break
		}
		if sp[1] <= cut {
			emit = append(emit, sp)
		}
	}
	if cut <= 0 {
		return len(p), nil
	}
	out := replaceSpans(whole[:cut], emit)
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
