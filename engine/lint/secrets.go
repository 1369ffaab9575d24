package lint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/engine/vault"
)

// gitFiles may sit in secrets/ beside the secrets.
var gitFiles = map[string]bool{".gitkeep": true, ".gitignore": true, ".gitattributes": true}

// checkSecrets checks secrets/: every file is the recipients file or an age
// file, each age file is whole and encrypted to the current recipients,
// and every secret("NAME") has its file. Nothing is decrypted.
func checkSecrets(opts Options, files map[string]*hcl.File) hcl.Diagnostics {
	repo := vault.Repo{Root: opts.Dir}
	var diags hcl.Diagnostics
	entries, err := os.ReadDir(repo.SecretsDir())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read the secrets directory",
			Detail: fmt.Sprintf("List %s: %v.", display(repo.SecretsDir()), err)})
	}
	recipients, rerr := repo.Recipients()
	haveRecipients := true
	if _, err := os.Stat(repo.RecipientsPath()); errors.Is(err, fs.ErrNotExist) {
		haveRecipients = false
	}
	recipientsName := display(repo.RecipientsPath())
	if rerr != nil {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid recipients file",
			Detail: rerr.Error() + ". Fix that line: each line is one public key (age1..., ssh-ed25519 AAAA...) or a # comment.", Subject: fileRange(recipientsName)})
	}
	ageFiles := 0
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(repo.SecretsDir(), name)
		shown := display(path)
		if e.IsDir() || name == vault.RecipientsFile || gitFiles[name] {
			continue
		}
		if !e.Type().IsRegular() {
			if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
				continue
			}
		}
		if !strings.HasSuffix(name, vault.Ext) {
			diags = append(diags, notEncrypted(shown))
			continue
		}
		ageFiles++
		data, err := system.ReadFile(context.Background(), path)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read a secret",
				Detail: fmt.Sprintf("Read %s: %v.", shown, err), Subject: fileRange(shown)})
			continue
		}
		secretName := strings.TrimSuffix(name, vault.Ext)
		info, err := vault.Inspect(data)
		switch {
		case err != nil && !looksLikeAge(data):
			diags = append(diags, notEncrypted(shown))
			continue
		case err != nil:
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Damaged secret",
				Detail: fmt.Sprintf("%s cannot be read as an age file: %v. Restore it from git (git checkout -- %s), or set it again: hub secret set %s.",
					shown, err, shown, secretName), Subject: fileRange(shown)})
			continue
		}
		if err := vault.CheckName(secretName); err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Secret file with an invalid name",
				Detail: fmt.Sprintf("%s: %v; secret() cannot read it. Rename the file.", shown, err), Subject: fileRange(shown)})
		}
		switch {
		case !info.Marked():
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Secret not written by hub",
				Detail: fmt.Sprintf("%s was not encrypted by hub (by the age tool, perhaps), so hub cannot tell who can decrypt it. Run hub secret rekey to re-encrypt it to the current recipients in %s.",
					shown, recipientsName), Subject: fileRange(shown)})
		case rerr == nil && haveRecipients && !info.SameRecipients(recipients):
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Secret encrypted to other recipients",
				Detail: fmt.Sprintf("%s is encrypted to a different set of recipients than %s (%s). Run hub secret rekey.",
					shown, recipientsName, recipientsDiff(info.Recipients, recipients)), Subject: fileRange(shown)})
		}
	}
	if ageFiles > 0 && !haveRecipients {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Secrets without a recipients file",
			Detail: fmt.Sprintf("%s holds secrets but there is no %s, so no one knows whom to encrypt to. Add the public keys that should decrypt them: hub secret recipients add KEY..., then hub secret rekey.",
				display(repo.SecretsDir()), recipientsName)})
	}
	if !opts.Evaluated {
		diags = append(diags, checkSecretRefs(repo, files)...)
	}
	return diags
}

func notEncrypted(shown string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unencrypted file among the secrets",
		Detail: fmt.Sprintf("%s is not encrypted; only recipients.txt and NAME.age files (written by hub secret set) belong in secrets/. Delete it (and remove it from git history if it was committed, then rotate the key); to keep its key, hub secret set NAME --from-file %s first.",
			shown, shown), Subject: fileRange(shown)}
}

// looksLikeAge reports data that starts like an age file (armored or not),
// so that a damaged secret is told from a plaintext file.
func looksLikeAge(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n")
	return len(t) == 0 || bytes.HasPrefix(t, []byte("-----BEGIN AGE ENCRYPTED FILE-----")) || bytes.HasPrefix(t, []byte("age-encryption.org/"))
}

// recipientsDiff says how a file's recipients (fingerprints) differ from
// the current ones: "added: laptop (age1…, 1a2b3c4d); removed: 9f8e7d6c".
func recipientsDiff(file []string, current []vault.Recipient) string {
	in := map[string]bool{}
	for _, fp := range file {
		in[fp] = true
	}
	cur := map[string]bool{}
	var added, removed []string
	for _, r := range current {
		cur[r.Fingerprint()] = true
		if !in[r.Fingerprint()] {
			added = append(added, r.Label())
		}
	}
	for _, fp := range file {
		if !cur[fp] {
			removed = append(removed, fp)
		}
	}
	var parts []string
	if len(added) > 0 {
		parts = append(parts, "added since: "+strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		sort.Strings(removed)
		parts = append(parts, "removed since: "+strings.Join(removed, ", "))
	}
	return strings.Join(parts, "; ")
}

// checkSecretRefs flags secret("NAME") calls with no file.
func checkSecretRefs(repo vault.Repo, files map[string]*hcl.File) hcl.Diagnostics {
	var diags hcl.Diagnostics
	names, _ := repo.Names()
	for _, ref := range config.SecretRefs(files) {
		rng := ref.Range
		if err := vault.CheckName(ref.Name); err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid secret name",
				Detail: fmt.Sprintf("secret(%q) in %s: %v.", ref.Name, ref.User, err), Subject: &rng})
			continue
		}
		if _, err := os.Stat(repo.Path(ref.Name)); !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		hint := ""
		if s := config.Suggestion(ref.Name, names); s != "" {
			hint = fmt.Sprintf(" Did you mean %q?", s)
		}
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Secret with no file",
			Detail: fmt.Sprintf("secret(%q) in %s reads %s, which does not exist.%s Create it with: hub secret set %s.",
				ref.Name, ref.User, display(repo.Path(ref.Name)), hint, ref.Name), Subject: &rng})
	}
	return diags
}
