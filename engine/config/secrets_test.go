package config_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/vault"
)

// secretFiles returns an identity file and secrets/NAME.age files for
// values, encrypted to that identity.
func secretFiles(t *testing.T, values map[string]string) (idFile string, files map[string]string) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	idFile = filepath.Join(t.TempDir(), "identity.txt")
	if err := os.WriteFile(idFile, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := vault.ParseRecipient(id.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	files = map[string]string{"secrets/recipients.txt": "# me\n" + r.Key + "\n"}
	for name, v := range values {
		data, err := vault.Encrypt(v, []vault.Recipient{r})
		if err != nil {
			t.Fatal(err)
		}
		files["secrets/"+name+".age"] = string(data)
	}
	return idFile, files
}

func TestSecretFunction(t *testing.T) {
	idFile, files := secretFiles(t, map[string]string{"relay": "sk-test-config-secret-0123456789", "webdav": "hunter2-test-pass"})
	files["hub.hcl"] = `
locals { header = "Bearer ${secret("webdav")}" }
credential "relay" {
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = secret("relay")
  notes    = local.header
}
`
	cfg, diags := load(t, files, config.Options{Keyring: &vault.Keyring{Files: []string{idFile}}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if got := cfg.Credentials["relay"].Key.Reveal(); got != "sk-test-config-secret-0123456789" {
		t.Fatalf("key = %q", got)
	}
	// Wherever a secret is used, the redactor knows it.
	for _, want := range []string{"sk-test-config-secret-0123456789", "hunter2-test-pass"} {
		if !slices.Contains(cfg.Secrets, want) {
			t.Errorf("Secrets lacks a secret's value")
		}
	}
	// hub watch watches the files secret() read.
	var read []string
	for _, n := range cfg.FileNames {
		read = append(read, filepath.ToSlash(n))
	}
	for _, want := range []string{"secrets/relay.age", "secrets/webdav.age"} {
		if !slices.ContainsFunc(read, func(n string) bool { return strings.HasSuffix(n, want) }) {
			t.Errorf("FileNames lacks %s: %v", want, read)
		}
	}
	refs := config.SecretRefs(cfg.Files)
	if len(refs) != 2 || refs[0].Name != "webdav" || refs[0].User != "locals" || refs[1].Name != "relay" || refs[1].User != "credential.relay" {
		t.Errorf("SecretRefs = %+v", refs)
	}
}

func TestSecretFunctionErrors(t *testing.T) {
	idFile, files := secretFiles(t, map[string]string{"relay": "sk-test-config-secret-0123456789"})
	cred := func(expr string) string {
		return `credential "relay" {
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = ` + expr + `
}
`
	}
	other := t.TempDir() + "/other.txt"
	id, _ := age.GenerateX25519Identity()
	os.WriteFile(other, []byte(id.String()+"\n"), 0o600)
	cases := []struct {
		expr string
		keys *vault.Keyring
		want []string
	}{
		{`secret("realy")`, &vault.Keyring{Files: []string{idFile}}, []string{`the secret "realy" has no file`, `Did you mean "relay"?`, "hub secret set realy"}},
		{`secret("../hub")`, &vault.Keyring{Files: []string{idFile}}, []string{"must start with a letter or digit"}},
		{`secret("relay")`, nil, []string{"no keyring"}},
		{`secret("relay")`, &vault.Keyring{Files: []string{other}}, []string{"relay.age: this machine is not among its recipients", "me (age1"}},
		{`secret("relay")`, &vault.Keyring{Home: t.TempDir()}, []string{"no age identity found", "identity.txt (none)"}},
	}
	for _, c := range cases {
		f := map[string]string{"hub.hcl": cred(c.expr)}
		for k, v := range files {
			f[k] = v
		}
		_, diags := load(t, f, config.Options{Keyring: c.keys})
		if !diags.HasErrors() {
			t.Errorf("%s: no error", c.expr)
			continue
		}
		for _, want := range c.want {
			if !strings.Contains(diags.Error(), want) {
				t.Errorf("%s: %q lacks %q", c.expr, diags.Error(), want)
			}
		}
		if strings.Contains(diags.Error(), "sk-test-config") {
			t.Errorf("%s: the value is in an error", c.expr)
		}
	}
}
