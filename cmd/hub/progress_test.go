package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{w: &buf, flush: func() error { return nil }, verb: "refreshing", start: time.Now(), width: 10}
	p.update(1, 4, "relay")
	p.update(2, 4, "skipped: within 50 ms of the last redraw")
	p.update(4, 4, "a-very-long-credential-identifier-indeed")
	p.done()
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
	// Off when stderr is not a terminal, for JSON, and for one credential.
	a := &app{progress: false}
	if a.newProgress("x", 10, false) != nil {
		t.Error("bar without a terminal")
	}
	a.progress = true
	if a.newProgress("x", 10, true) != nil || a.newProgress("x", 1, false) != nil {
		t.Error("bar with --json or for one credential")
	}
	var nilBar *progress
	nilBar.update(1, 2, "x") // a nil bar is a no-op
	nilBar.done()
}
