package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// runStreams runs hub with the given streams' terminal flags.
func (h *hubEnv) runStreams(s streams, stdin string, args ...string) runResult {
	h.t.Helper()
	var out, errb bytes.Buffer
	s.in, s.out, s.err = strings.NewReader(stdin), &out, &errb
	code := run(args, s, h.environ())
	return runResult{args: args, code: code, stdout: out.String(), stderr: errb.String()}
}

// hub secret get refuses to print a value on a terminal unless --reveal,
// and the value it prints deliberately is not scrubbed by the redactor.
func TestSecretGetRefusesTerminal(t *testing.T) {
	const value = "sk-test-get-terminal-0123456789"
	h := newHubEnv(t)
	r := h.run("secret", "keygen")
	r.want(t, 0)
	pub := strings.TrimSpace(r.stdout)
	h.run("secret", "recipients", "add", pub, "--name", "laptop").want(t, 0, "Added laptop")
	r = h.runIn(value+"\n", false, "secret", "set", "relay")
	r.want(t, 0, "Secret relay set: new")
	if strings.Contains(r.stdout+r.stderr, value) {
		t.Fatalf("set printed the value:\n%s", r)
	}

	r = h.runStreams(streams{outTerminal: true}, "", "secret", "get", "relay")
	r.want(t, 1, "refusing to print the secret relay on a terminal", "--reveal", "hub secret get relay | pbcopy")
	if r.stdout != "" || strings.Contains(r.stderr, value) {
		t.Fatalf("the refusal printed something:\n%s", r)
	}

	r = h.runStreams(streams{outTerminal: true}, "", "secret", "get", "relay", "--reveal")
	r.want(t, 0)
	if r.stdout != value+"\n" {
		t.Fatalf("get --reveal printed %q, want the value and a newline", r.stdout)
	}

	// Piped: printed whole, though get gave the value to the redactor
	// first (so no other output could show it).
	r = h.run("secret", "get", "relay")
	if r.code != 0 || r.stdout != value+"\n" {
		t.Fatalf("get through a pipe:\n%s", r)
	}
}

func TestJoinSSHArgs(t *testing.T) {
	got := joinSSHArgs([]string{"age1abc", "ssh-ed25519", "AAAAC3Nza", "ssh-rsa AAAAB3 me@host", "ssh-ed25519"})
	want := []string{"age1abc", "ssh-ed25519 AAAAC3Nza", "ssh-rsa AAAAB3 me@host", "ssh-ed25519"}
	if !slices.Equal(got, want) {
		t.Fatalf("joinSSHArgs = %q, want %q", got, want)
	}
}
