package views

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	p := &Progress{w: &buf, flush: func() error { return nil }, verb: "refreshing", start: time.Now(), width: 10}
	p.Update(1, 4, "relay")
	p.Update(2, 4, "skipped: within 50 ms of the last redraw")
	p.Update(4, 4, "a-very-long-credential-identifier-indeed")
	p.Done()
	out := buf.String()
	for _, want := range []string{
		"\r\x1b[Krefreshing [==>       ] 1/4",
		"relay",
		"refreshing [==========] 4/4",
		"a-very-long-credential-…",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("progress output lacks %q:\n%q", want, out)
		}
	}
	if strings.Contains(out, "skipped") {
		t.Errorf("redrew within 50 ms: %q", out)
	}
	if !strings.HasSuffix(out, "\r\x1b[K") {
		t.Errorf("bar not erased at the end: %q", out)
	}
	var nilBar *Progress
	nilBar.Update(1, 2, "x") // a nil bar is a no-op
	nilBar.Done()
}
