package main

import "testing"

func TestProgressOff(t *testing.T) {
	// Off when stderr is not a terminal, for JSON, and for one credential.
	a := &app{progress: false}
	if a.newProgress("x", 10, false) != nil {
		t.Error("bar without a terminal")
	}
	a.progress = true
	if a.newProgress("x", 10, true) != nil || a.newProgress("x", 1, false) != nil {
		t.Error("bar with --json or for one credential")
	}
}
