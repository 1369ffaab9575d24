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
