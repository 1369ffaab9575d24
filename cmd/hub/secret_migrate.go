package main

import (
	"fmt"
	"os"
	"slices"
	"sort"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/engine/vault"
	"github.com/hubctl/hub/views"
)

// secretMigrateCommand moves keys read with env("VAR") into secrets, in
// one step: the secrets are written first, then each api_key expression is
// replaced in its file, the rest of the file kept byte for byte.
func (a *app) secretMigrateCommand() *cobra.Command {
	var dryRun bool
	c := &cobra.Command{
		Use:   "migrate [CREDENTIAL...]",
		Short: "Move keys read with env() into encrypted secrets, and rewrite api_key",
		Long: `For each credential whose api_key is env("VAR") (all, or those named),
encrypt the variable's value from this environment into secrets/ID.age (ID
is the credential's id; credentials sharing a variable share one secret) and
replace the expression with secret("ID") in its file, leaving every other
byte of the file as it was. The keys are the same, so hub plan shows no
changes afterwards. Every variable must be set; nothing is written
otherwise. An existing secret of that name is reused only if it holds the
same value.`,
		Example: `  export RELAY_API_KEY=... OPENAI_KEY=...
  hub secret migrate --dry-run
  hub secret migrate && hub plan && git add -A && git commit -m "keys into secrets"`,
		RunE: func(c *cobra.Command, names []string) error {
			return a.secretMigrate(names, dryRun)
		},
	}
	c.Flags().BoolVar(&dryRun, "dry-run", false, "say what would move, write nothing")
	return c
}

func (a *app) secretMigrate(names []string, dryRun bool) error {
	view := views.NewSecretMigrate(a.view())
	dir := a.dir()
	files, diags := config.ParseFiles(dir)
	if diags.HasErrors() {
		views.NewValidate(a.view(), false).Diagnostics(diags, files)
		return reported(1)
	}
	keys := config.EnvKeys(files)
	if len(names) > 0 {
		var known []string
		for _, k := range keys {
			known = append(known, k.Credential)
		}
		for _, n := range names {
			if !slices.Contains(known, n) {
				return fmt.Errorf("credential %q does not read its key with env(\"VAR\") (those that do: %v)", n, known)
			}
		}
		keys = slices.DeleteFunc(keys, func(k config.EnvKey) bool { return !slices.Contains(names, k.Credential) })
	}
	if len(keys) == 0 {
		view.Nothing()
		return nil
	}
	// Every value first: a missing variable stops everything.
	secretOf := map[string]string{} // variable → secret name
	var missing []string
	for _, k := range keys {
		if a.env[k.Var] == "" && !slices.Contains(missing, k.Var) {
			missing = append(missing, k.Var)
		}
		if _, ok := secretOf[k.Var]; !ok {
			secretOf[k.Var] = k.Credential
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("these variables are not set, so their keys cannot be moved: %v; export them, or name only the credentials to move", missing)
	}
	repo := vault.Repo{Root: dir}
	recipients, err := repo.Recipients()
	if err != nil {
		return err
	}
	if len(recipients) == 0 {
		return fmt.Errorf("there are no recipients in %s to encrypt to; add yours first: hub secret recipients add $(hub secret keygen)", repo.RecipientsPath())
	}
	for v, name := range secretOf {
		if err := vault.CheckName(name); err != nil {
			return fmt.Errorf("credential %s: %w", name, err)
		}
		data, err := system.ReadFile(a.ctx, repo.Path(name))
		if err == nil {
			got, derr := a.keyring().Decrypt(repo.Path(name), data)
			if derr != nil || got != a.env[v] {
				return fmt.Errorf("%s already exists and holds another value (or cannot be decrypted here); move that key with hub secret set %s --from-env %s, or remove the file", repo.Path(name), name, v)
			}
		}
	}
	for _, k := range keys {
		view.Moved(k.Credential, k.Var, secretOf[k.Var], dryRun)
	}
	if dryRun {
		view.Done(len(keys), true)
		return nil
	}
	for v, name := range secretOf {
		if _, err := os.Stat(repo.Path(name)); err == nil {
			continue // the same value, checked above
		}
		if err := repo.Write(name, a.env[v], recipients); err != nil {
			return err
		}
	}
	// Then the files, each expression replaced from the last to the first
	// so earlier offsets stay right.
	byFile := map[string][]config.EnvKey{}
	for _, k := range keys {
		byFile[k.Range.Filename] = append(byFile[k.Range.Filename], k)
	}
	for name, ks := range byFile {
		src, err := system.ReadFile(a.ctx, name)
		if err != nil {
			return err
		}
		sort.Slice(ks, func(i, j int) bool { return ks[i].Range.Start.Byte > ks[j].Range.Start.Byte })
		out := src
		for _, k := range ks {
			repl := fmt.Sprintf("secret(%q)", secretOf[k.Var])
			out = append(append(append([]byte{}, out[:k.Range.Start.Byte]...), repl...), out[k.Range.End.Byte:]...)
		}
		if err := (system.OS{}).WriteFile(name, out, 0o644); err != nil {
			return fmt.Errorf("rewrite %s: %w", name, err)
		}
	}
	view.Done(len(keys), false)
	return nil
}
