package main

import (
	"os"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// envfile VAR FILE: sets VAR to FILE's contents without the final newline
// (scripts have no command substitution: hub secret keygen's public key,
// ssh-keygen's .pub file).
func cmdEnvfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: envfile VAR FILE")
	}
	b, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	ts.Setenv(args[0], strings.TrimRight(string(b), "\r\n"))
}
