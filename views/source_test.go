package views

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// userSource is a configuration holding keys hub never registered as
// secrets: a misspelt api_key, a password not shaped like a key, a
// sensitive variable's default of the wrong type, a heredoc token and a key
// pasted where no key belongs.
const userSource = `variable "relay_key" {
  type      = number
  sensitive = true
  default   = "pw-NOTAKEYSHAPE"
}

credential "relay" {
  api_type = "openai-compatible"
  apikey   = "sk-test-SNIPCANARY-0a1b2c3d"
  api_key  = env("RELAY_API_KEY")
}

backend "webdav" {
  password = "hunter2hunter2"
  token    = <<EOT
tok-HEREDOCSECRET
EOT
}

locals {
  note = "call with Xk29fLq0ZpR7mT4vB8nW3yH6 please"
  model = "claude-sonnet-4-5-20250929"
}
`

var userSecrets = []string{"SNIPCANARY", "NOTAKEYSHAPE", "hunter2", "HEREDOCSECRET", "Xk29fLq0ZpR7mT4vB8nW3yH6"}

// TestSnippetHidesKeys: a diagnostic's source snippet shows the
// expression of a key position but not a literal value, nor a sensitive
// variable's default, nor anything shaped like a key; other lines are
// shown as written.
func TestSnippetHidesKeys(t *testing.T) {
	f := &hcl.File{Bytes: []byte(userSource)}
	var diags hcl.Diagnostics
	for line := 1; line <= strings.Count(userSource, "\n"); line++ {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Something",
			Subject: &hcl.Range{Filename: "hub.hcl", Start: hcl.Pos{Line: line, Column: 3}, End: hcl.Pos{Line: line, Column: 9}}})
	}
	var b strings.Builder
	WriteDiagnostics(&b, diags, map[string]*hcl.File{"hub.hcl": f}, Style{})
	out := b.String()
	for _, s := range userSecrets {
		if strings.Contains(out, s) {
			t.Errorf("LEAK: %q in:\n%s", s, out)
		}
	}
	for _, s := range []string{`api_key  = env("RELAY_API_KEY")`, `model = "claude-sonnet-4-5-20250929"`, `apikey   = (sensitive value)`, `sensitive = true`} {
		if !strings.Contains(out, s) {
			t.Errorf("snippet lacks %q:\n%s", s, out)
		}
	}
}

// TestDiffHidesKeys: hub fmt --diff shows no key of hub.hcl or of a
// variables file, and still shows the lines that changed.
func TestDiffHidesKeys(t *testing.T) {
	formatted := strings.ReplaceAll(userSource, "  ", "    ")
	d := NewFmt
	_ = d
	v, out, _ := testView()
	NewFmt(v).Diff("hub.hcl", userSource, formatted)
	NewFmt(v).Diff("secret.hcl", "relay_key=\"pw-VARFILEVALUE\"\nother_token = \"abc-VARFILETOKEN\"\n", "relay_key   = \"pw-VARFILEVALUE\"\nother_token = \"abc-VARFILETOKEN\"\n")
	got := out.String()
	for _, s := range append(userSecrets, "VARFILEVALUE", "VARFILETOKEN") {
		if strings.Contains(got, s) {
			t.Errorf("LEAK: %q in:\n%s", s, got)
		}
	}
	if !strings.Contains(got, `+    model = "claude-sonnet-4-5-20250929"`) || !strings.Contains(got, "+relay_key   = (sensitive value)") {
		t.Errorf("diff lost its lines:\n%s", got)
	}
}

// TestSnippetHidesInlineKeys: a key position inside a one-line object is
// hidden too, even when its value is not shaped like a key (a random
// password with symbols); the other values on the line stay.
func TestSnippetHidesInlineKeys(t *testing.T) {
	src := `locals {
  auth    = { token = "fake-Q7#mZ2!pL9$wR4&xK8", user = "me" }
  headers = merge(local.base, { "x-api-key" = "fake-\"Q7#mZ2", accept = "json" })
}
`
	got := redactSource(src)
	for _, s := range []string{"Q7#mZ2"} {
		if strings.Contains(got, s) {
			t.Errorf("LEAK: %q in:\n%s", s, got)
		}
	}
	for _, s := range []string{`{ token = (sensitive value), user = "me" }`, `{ "x-api-key" = (sensitive value), accept = "json" })`} {
		if !strings.Contains(got, s) {
			t.Errorf("lacks %q:\n%s", s, got)
		}
	}
}

// TestSnippetCaretHidesKeyLength: under a hidden key the caret line
// underlines the placeholder, not the key's own width.
func TestSnippetCaretHidesKeyLength(t *testing.T) {
	for _, keyLen := range []int{20, 60} {
		var b strings.Builder
		src := `  api_key  = (sensitive value)` + "\n"
		rng := hcl.Range{Start: hcl.Pos{Line: 1, Column: 14}, End: hcl.Pos{Line: 1, Column: 14 + keyLen + 2}}
		snippet(&b, src, rng, Style{})
		want := "       |              " + strings.Repeat("^", len("(sensitive value)")) + "\n"
		if !strings.HasSuffix(b.String(), want) {
			t.Errorf("key of %d characters: caret line\n%q\nwant\n%q", keyLen, b.String(), want)
		}
	}
}
