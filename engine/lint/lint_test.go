package lint

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/hashicorp/hcl/v2"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/vault"
)

// Test keys: fake, and shaped to trip one rule each. randomPW has no known
// prefix and no long run of letters and digits (so secret.LooksLikeKey does
// not match it), but is random: only the entropy rule finds it.
const (
	fakeKey  = "sk-test-LINTCANARY-5e8c1d2a"
	randomPW = "fake-Q7#mZ2!pL9$wR4&xK8"
)

// write creates files (path → content) under a new directory and returns it.
func write(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// lint parses dir's files and checks them.
func lint(t *testing.T, dir string) hcl.Diagnostics {
	t.Helper()
	files, diags := config.ParseFiles(dir)
	if diags.HasErrors() {
		t.Fatalf("parse: %v", diags)
	}
	return Check(Options{Dir: dir, Home: filepath.Join(dir, "home")}, files)
}

// lines renders diagnostics one per line: "error hub.hcl:3: Summary: Detail".
func lines(diags hcl.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		sev := "error"
		if d.Severity == hcl.DiagWarning {
			sev = "warning"
		}
		loc := ""
		if d.Subject != nil {
			loc = filepath.Base(d.Subject.Filename) + ":" + fmt.Sprintf("%03d", d.Subject.Start.Line) + ": "
		}
		b.WriteString(sev + " " + loc + d.Summary + ": " + d.Detail + "\n")
	}
	return b.String()
}

func noLeak(t *testing.T, diags hcl.Diagnostics, secrets ...string) {
	t.Helper()
	out := lines(diags)
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("LEAK: a diagnostic quotes %q:\n%s", s, out)
		}
	}
}

func TestLiteralKeys(t *testing.T) {
	dir := write(t, map[string]string{"hub.hcl": `
variable "relay_key" {
  sensitive = true
  default   = "` + randomPW + `"
}

variable "plain" {
  default = "` + fakeKey + `"
}

locals {
  key     = "` + fakeKey + `"
  headers = { "x-api-key" = "` + randomPW + `", accept = "application/json" }
  nested  = [{ token = "` + randomPW + `" }]
  doc     = <<EOT
Authorization: Bearer ` + fakeKey + `
EOT
}

credential "relay" {
  api_type = "openai-compatible"
  base_url = "https://relay.example.com/v1"
  api_key  = "` + fakeKey + `"
}

credential "other" {
  api_type = "anthropic"
  api_key  = "` + randomPW + `"
}

hub {
  state "webdav" {
    encrypt {
      passphrase = "` + randomPW + `"
    }
  }
}
`})
	diags := lint(t, dir)
	out := lines(diags)
	for _, want := range []string{
		"error hub.hcl:004: Key written in the configuration: The value of the default of var.relay_key is a literal",
		"error hub.hcl:008: API key written in the configuration: The value of the default of var.plain looks like an API key",
		"error hub.hcl:012: API key written in the configuration: The value of local.key",
		"error hub.hcl:013: Key written in the configuration: The value of local.headers.x-api-key",
		"error hub.hcl:014: Key written in the configuration: The value of local.nested.token",
		"error hub.hcl:016: API key written in the configuration: The value of local.doc",
		"error hub.hcl:023: API key written in the configuration: The value of api_key of credential.relay looks like an API key, and git would commit it with this file. Move it into an encrypted secret: hub secret set relay, then api_key = secret(\"relay\"); or read it from the environment: api_key = env(\"VAR\").",
		"error hub.hcl:028: Key written in the configuration: The value of api_key of credential.other",
		"error hub.hcl:034: Key written in the configuration: The value of passphrase of hub.state.webdav.encrypt",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if n := len(diags); n != 9 {
		t.Errorf("%d diagnostics, want 9:\n%s", n, out)
	}
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			t.Errorf("not an error: %s", d.Summary)
		}
	}
	noLeak(t, diags, fakeKey, randomPW, "LINTCANARY", "Q7#mZ2")
}

// TestHarmlessLiterals: what a configuration holds besides keys is not
// flagged, in key positions or not.
func TestHarmlessLiterals(t *testing.T) {
	dir := write(t, map[string]string{"hub.hcl": `
variable "relay_key" {
  sensitive = true
}

variable "region" {
  default = "eu-west-1"
}

locals {
  models = ["claude-sonnet-4-5-20250929", "gpt-5-codex", "gemini-2.5-pro"]
  tag    = "123e4567-e89b-12d3-a456-426614174000"
  note   = "Read-only key; ask #platform for a new one"
}

credential "relay" {
  api_type = "openai-compatible"
  base_url = "https://relay.example.com/v1/chat/completions"
  api_key  = env("RELAY_API_KEY")
  tags     = ["work", "123e4567-e89b-12d3-a456-426614174000"]
  models   = local.models
}

credential "vault" {
  api_type = "anthropic"
  api_key  = secret("anthropic")
}

credential "var" {
  api_type = "anthropic"
  api_key  = var.relay_key
}

credential "fallback" {
  api_type = "openai"
  api_key  = env("OPENAI_API_KEY", "none")
}

credential "local" {
  api_type = "openai-compatible"
  base_url = "http://localhost:11434/v1"
  api_key  = "ollama"
}

credential "placeholder" {
  api_type = "openai"
  api_key  = "sk-your-key-here-0000000000"
}

target "claude_code" "default" {
  credential = credential.relay
  key_mode   = "env"
  key_env    = "ANTHROPIC_AUTH_TOKEN"
  token_url  = "https://auth.example.com/v2/oauth/token"
  password   = "short"
}

hub {
  state "webdav" {
    url = "https://dav.example.com/remote.php/dav/files/me/hub"
    encrypt {
      recipients    = ["age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsIMhR7z6lBLTeBYl2ARJVJmc4hrc7pYnWhC6QW0B7i me@laptop"]
      identity_file = "~/.config/hub/key.txt"
      passphrase    = env("HUB_STATE_PASSPHRASE")
    }
  }
}
`})
	// secrets/anthropic.age does not exist, which is another check: leave
	// it out here.
	var got hcl.Diagnostics
	for _, d := range lint(t, dir) {
		if d.Summary != "Secret with no file" {
			got = append(got, d)
		}
	}
	if len(got) > 0 {
		t.Errorf("harmless literals flagged:\n%s", lines(got))
	}
}

func TestRandom(t *testing.T) {
	for _, s := range []string{randomPW, "Q7mZ2pL9wR4xK8vN", "0f3a9c2e7b1d4f6a8c0e", "hunter2-Xq9!vL3#pZ7m"} {
		if !random(s) {
			t.Errorf("random(%q) = false (entropy %.2f)", s, entropy(s))
		}
	}
	for _, s := range []string{"ollama", "not-needed-for-local", "OPENAI_API_KEY", "claude-sonnet-4-5-20250929", "gpt-4o-mini-2024-07-18", "aaaaaaaaaaaaaaaa1", "https://relay.example.com/v1/x", "correct horse battery staple", "~/.config/hub/key.txt1", "passwordpassword1"} {
		if random(s) {
			t.Errorf("random(%q) = true (entropy %.2f)", s, entropy(s))
		}
	}
}

// git runs git in dir for a test.
func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(gitEnv(os.Environ()), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestKeyFileGitWouldCommit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	hclText := `
variable "relay_key" {
  sensitive = true
  default   = file("keys/var.key")
}

credential "relay" {
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = file("keys/relay.key")
}

credential "home" {
  api_type = "openai"
  api_key  = file("~/keys/home.key")
}

locals {
  readme = file("README.md")
}
`
	dir := write(t, map[string]string{
		"hub.hcl":            hclText,
		"keys/relay.key":     fakeKey + "\n",
		"keys/var.key":       fakeKey + "\n",
		"home/keys/home.key": fakeKey + "\n",
		"README.md":          "notes\n",
	})

	// Not a repository: nothing to say.
	if diags := lint(t, dir); len(diags) > 0 {
		t.Fatalf("outside git:\n%s", lines(diags))
	}

	git(t, dir, "init", "-q")
	diags := lint(t, dir)
	// Paths are shown relative to the working directory, which is not dir.
	out := strings.ReplaceAll(lines(diags), filepath.ToSlash(dir)+"/", "")
	for _, want := range []string{
		`error hub.hcl:004: Key file git would commit: file("keys/var.key") in the default of var.relay_key reads a key from keys/var.key, which git would commit: add it to .gitignore, or move the key into an encrypted secret (hub secret set relay_key --from-file keys/var.key).`,
		`error hub.hcl:010: Key file git would commit: file("keys/relay.key") in api_key of credential.relay reads a key from keys/relay.key`,
		// The home directory is inside this work tree in the test.
		`error hub.hcl:015: Key file git would commit: file("~/keys/home.key")`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if len(diags) != 3 {
		t.Errorf("%d diagnostics, want 3 (README.md is no key):\n%s", len(diags), out)
	}
	noLeak(t, diags, fakeKey)

	// Ignored: nothing to say.
	if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("keys/\nhome/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if diags := lint(t, dir); len(diags) > 0 {
		t.Errorf("ignored key files flagged:\n%s", lines(diags))
	}

	// Tracked although ignored: committed already.
	git(t, dir, "add", "-f", "keys/relay.key")
	diags = lint(t, dir)
	if out := strings.ReplaceAll(lines(diags), filepath.ToSlash(dir)+"/", ""); len(diags) != 1 || !strings.Contains(out, "error hub.hcl:010: Key file committed to git: ") || !strings.Contains(out, "git rm --cached keys/relay.key") {
		t.Errorf("a tracked key file:\n%s", out)
	}

	// A placeholder key file is meant to be committed (examples ship one).
	if err := os.WriteFile(filepath.Join(dir, "keys/relay.key"), []byte("sk-example-relay-key\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if diags := lint(t, dir); len(diags) > 0 {
		t.Errorf("a placeholder key file flagged:\n%s", lines(diags))
	}

	// Without git on the PATH, nothing either.
	files, _ := config.ParseFiles(dir)
	if diags := Check(Options{Dir: dir, Git: filepath.Join(dir, "no-such-git")}, files); len(diags) > 0 {
		t.Errorf("with a missing git:\n%s", lines(diags))
	}
}

// TestHookEnvironment: inside a git hook, GIT_DIR is relative to the
// work tree's top, not to the configuration directory; it is not passed on.
func TestHookEnvironment(t *testing.T) {
	env := gitEnv([]string{"GIT_DIR=.git", "GIT_INDEX_FILE=.git/index", "PATH=/bin", "GIT_WORK_TREE=.", "GIT_INDEX_FILE=/abs/index.lock"})
	got := strings.Join(env, " ")
	if strings.Contains(got, "GIT_DIR") || strings.Contains(got, "GIT_WORK_TREE") || strings.Contains(got, ".git/index") ||
		!strings.Contains(got, "GIT_INDEX_FILE=/abs/index.lock") || !strings.Contains(got, "PATH=/bin") || !strings.Contains(got, "GIT_TERMINAL_PROMPT=0") {
		t.Errorf("gitEnv = %v", env)
	}
}

// recipients makes n age recipients.
func recipients(t *testing.T, n int) ([]vault.Recipient, []string) {
	t.Helper()
	var rs []vault.Recipient
	var keys []string
	for range n {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		r, err := vault.ParseRecipient(id.Recipient().String())
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
		keys = append(keys, r.Key)
	}
	return rs, keys
}

func encrypt(t *testing.T, value string, rs []vault.Recipient) string {
	t.Helper()
	data, err := vault.Encrypt(value, rs)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestSecrets(t *testing.T) {
	rs, keys := recipients(t, 3)
	plainAge := func() string {
		// A file age wrote (no hub stanza).
		id, _ := age.GenerateX25519Identity()
		var b strings.Builder
		w, err := age.Encrypt(&b, id.Recipient())
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(fakeKey))
		w.Close()
		return b.String()
	}()
	good := encrypt(t, fakeKey, rs[:2])
	dir := write(t, map[string]string{
		"hub.hcl": `
credential "relay" {
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = secret("relay")
}

credential "other" {
  api_type = "anthropic"
  api_key  = secret("rlay")
}
`,
		"secrets/recipients.txt": "# laptop\n" + keys[0] + "\n\n# server\n" + keys[2] + "\n",
		"secrets/relay.age":      good,
		"secrets/damaged.age":    good[:len(good)/2],
		"secrets/byage.age":      plainAge,
		"secrets/relay.txt":      fakeKey + "\n",
		"secrets/leaked.age":     fakeKey + "\n",
		"secrets/.gitkeep":       "",
	})
	diags := lint(t, dir)
	out := lines(diags)
	for _, want := range []string{
		`warning byage.age:001: Secret not written by hub: secrets/byage.age was not encrypted by hub (by the age tool, perhaps), so hub cannot tell who can decrypt it. Run hub secret rekey`,
		`error damaged.age:001: Damaged secret: secrets/damaged.age cannot be read as an age file: `,
		`Restore it from git (git checkout -- secrets/damaged.age), or set it again: hub secret set damaged.`,
		`error leaked.age:001: Unencrypted file among the secrets: secrets/leaked.age is not encrypted;`,
		`warning relay.age:001: Secret encrypted to other recipients: secrets/relay.age is encrypted to a different set of recipients than secrets/recipients.txt (added since: server (` + vault.Abbrev(keys[2]) + `, ` + rs[2].Fingerprint() + `); removed since: ` + rs[1].Fingerprint() + `). Run hub secret rekey.`,
		`error relay.txt:001: Unencrypted file among the secrets: secrets/relay.txt is not encrypted; only recipients.txt and NAME.age files (written by hub secret set) belong in secrets/. Delete it (and remove it from git history`,
		`error hub.hcl:010: Secret with no file: secret("rlay") in credential.other reads secrets/rlay.age, which does not exist. Did you mean "relay"? Create it with: hub secret set rlay.`,
	} {
		// Diagnostics name files relative to the working directory,
		// which is not dir: compare from "secrets/".
		got := strings.ReplaceAll(out, filepath.ToSlash(dir)+"/", "")
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if len(diags) != 6 {
		t.Errorf("%d diagnostics, want 6:\n%s", len(diags), out)
	}
	noLeak(t, diags, fakeKey, "LINTCANARY")

	// With config.Load's evaluation (hub validate), the missing secret is
	// reported there.
	files, _ := config.ParseFiles(dir)
	for _, d := range Check(Options{Dir: dir, Evaluated: true}, files) {
		if strings.Contains(d.Detail, "rlay") {
			t.Errorf("Evaluated: reported again: %s", d.Detail)
		}
	}

	// Current recipients, and no stray files: nothing to say.
	clean := write(t, map[string]string{
		"hub.hcl":                `credential "relay" { api_key = secret("relay") }` + "\n",
		"secrets/recipients.txt": keys[1] + "\n" + keys[0] + "\n",
		"secrets/relay.age":      good,
	})
	if diags := lint(t, clean); len(diags) > 0 {
		t.Errorf("clean secrets flagged:\n%s", lines(diags))
	}

	// Secrets without a recipients file.
	norec := write(t, map[string]string{"hub.hcl": "", "secrets/relay.age": good})
	if out := lines(lint(t, norec)); !strings.Contains(out, "warning Secrets without a recipients file: ") {
		t.Errorf("no recipients file:\n%s", out)
	}

	// A broken recipients file.
	bad := write(t, map[string]string{"hub.hcl": "", "secrets/recipients.txt": "not a key\n"})
	if out := lines(lint(t, bad)); !strings.Contains(out, "error recipients.txt:001: Invalid recipients file: ") || !strings.Contains(out, "line 1") {
		t.Errorf("bad recipients file:\n%s", out)
	}
}
