package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

const key = "sk-test-secret-abcdef0123"

func TestSecretNeverFormats(t *testing.T) {
	s := New(key)
	b, _ := json.Marshal(struct{ K Secret }{s})
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s), string(b)} {
		if strings.Contains(out, key) || !strings.Contains(out, Placeholder) {
			t.Errorf("formatted as %q", out)
		}
	}
	if s.Reveal() != key {
		t.Error("Reveal lost the value")
	}
}

func TestRedactingWriter(t *testing.T) {
	r := &Redactor{}
	r.Add(key, "short", "sk-test-secret-abcdef0123-longer")
	var buf bytes.Buffer
	w := r.Writer(&buf)
	// The key split across writes, at every position.
	msg := "before " + key + " middle sk-test-secret-abcdef0123-longer end\nnext line " + key
	for i := 0; i < len(msg); i += 3 {
		w.Write([]byte(msg[i:min(i+3, len(msg))]))
	}
	w.Flush()
	out := buf.String()
	if strings.Contains(out, "abcdef0123") {
		t.Errorf("leaked: %q", out)
	}
	if strings.Count(out, Placeholder) != 3 || !strings.Contains(out, "before ") || !strings.Contains(out, "next line ") {
		t.Errorf("output = %q", out)
	}
	if r.Redact("short") != "short" {
		t.Error("a value shorter than MinRedactLen was redacted")
	}
}

// TestRedactFragments: a key cut anywhere (an upstream's message shortened
// inside the echoed key), shown by its tail, or with its whitespace changed
// (a tab turned into a space, a newline put inside it), is redacted as long
// as FragmentLen of its characters are there.
func TestRedactFragments(t *testing.T) {
	const k = "sk-test-FRAGCANARY-0123456789abcdef"
	r := &Redactor{}
	r.Add(k)
	for n := FragmentLen; n <= len(k); n++ {
		for _, text := range []string{
			"Incorrect API key provided: " + k[:n] + "… (truncated)",
			"key ending " + k[len(k)-n:] + ".",
		} {
			if got := r.Redact(text); strings.Contains(got, k[:FragmentLen]) || strings.Contains(got, k[len(k)-FragmentLen:]) || !strings.Contains(got, Placeholder) {
				t.Errorf("cut at %d: %q -> %q", n, text, got)
			}
		}
	}
	// Whitespace put in, escaped as JSON prints it, or collapsed.
	for _, text := range []string{
		"sk-test-FRAG CANARY-0123 456789abcdef",
		"sk-te\tst-FRAGCA\nNARY-0123\r\n456789ab cdef",
		`{"message":"sk-test-FRAG\tCANARY-0123\n456789abcdef"}`,
	} {
		got := r.Redact(text)
		if strings.Contains(got, "CANARY") || strings.Contains(got, "89ab") || strings.Count(got, Placeholder) != 1 {
			t.Errorf("%q -> %q", text, got)
		}
	}
	// A key holding a tab, printed with a space (strings.Fields collapsed it).
	tabbed := "sk-test-TAB\tKEY-0123456789abcdef"
	r.Add(tabbed)
	if got := r.Redact("key: sk-test-TAB KEY-0123456789abcdef ok"); got != "key: "+Placeholder+" ok" {
		t.Errorf("tab key -> %q", got)
	}
	// Short runs, runs from the middle alone and ordinary text stay.
	for _, text := range []string{k[:FragmentLen-1], "sk-test-", "the key is invalid", k[len(k)-FragmentLen+1:], "/tmp/script-FRAGCANARY-01/x"} {
		if got := r.Redact(text); got != text {
			t.Errorf("%q -> %q", text, got)
		}
	}
	// A short secret: FragmentLen of it, or all of it when it is shorter;
	// half of it is not enough (it is often a word).
	r2 := &Redactor{}
	r2.Add("pw-0123456789", "sk-test-anthropic", "hunter2hunt")
	if got := r2.Redact("a pw-012345678 b 3456789 c, api type anthropic, hunter2hun t"); got != "a "+Placeholder+" b 3456789 c, api type anthropic, "+Placeholder {
		t.Errorf("short secrets -> %q", got)
	}
}

// TestRedactingWriterFragments: the Writer catches a key split across
// writes at every position even when the part before the split is long
// enough to be a fragment, and one broken over two lines, printing one
// placeholder for each.
func TestRedactingWriterFragments(t *testing.T) {
	const k = "sk-test-FRAGCANARY-0123456789abcdef"
	r := &Redactor{}
	r.Add(k)
	for _, msg := range []string{
		"a " + k + " b " + k[:20] + "\nc " + k[9:] + " d\n",
		"a sk-test-FRAG\nCANARY-0123456789abcdef b\n",
		strings.Repeat("x", 100) + k + strings.Repeat("y", 100),
	} {
		for step := 1; step <= len(msg); step++ {
			var buf bytes.Buffer
			w := r.Writer(&buf)
			for i := 0; i < len(msg); i += step {
				w.Write([]byte(msg[i:min(i+step, len(msg))]))
			}
			w.Flush()
			out := buf.String()
			want := r.Redact(msg)
			if out != want {
				t.Fatalf("step %d: %q, want %q", step, out, want)
			}
			if strings.Contains(out, "CANARY") || strings.Contains(out, "89ab") {
				t.Fatalf("step %d leaked: %q", step, out)
			}
		}
	}
}
