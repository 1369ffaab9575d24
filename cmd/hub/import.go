package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/importer"
	"github.com/hubctl/hub/engine/plans"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/engine/vault"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/views"
)

// importFlags are the flags every hub import source takes.
type importFlags struct {
	out, keys        string
	dryRun, json     bool
	tag, typ, search string
	lock             lockFlag
}

const importLong = `Adopt what you already have. hub import reads the credentials in your
tools' own files (Claude Code, Codex with its auth.json, Gemini CLI, opencode,
Kilo, Claude Code Router, CLIProxyAPI, ...), or in CC Switch (hub import
cc-switch), or in an All API Hub backup (hub import all-api-hub), and writes
them as credential and target blocks into a new file, imported.hcl.

It is exact: the same key found in three tools becomes one credential used by
three targets (credentials are the same when their API type, base URL and key
are), each target block is checked to reproduce the tool's file as it is, and
the state adopts what the tools hold, so the next hub plan says "No changes"
and hub apply writes nothing. A block that would change a file is left out,
with the reason.

Keys never go into the HCL: by default each becomes an age-encrypted secret
(secrets/ID.age, see hub secret; the repository needs recipients), or with
--keys env an env("HUB_KEY_ID") reference, the values written to a 0600 file
outside the repository for you to source.

Running it again finds nothing new; credentials already in the configuration
are recognised and named, never duplicated.`

func (a *app) importCommand() *cobra.Command {
	var f importFlags
	c := &cobra.Command{
		Use:   "import",
		Short: "Adopt the credentials your tools, CC Switch or All API Hub already hold",
		Long:  importLong,
		Example: `  hub import --dry-run                 # what your tools hold, as HCL; nothing written
  hub import                           # imported.hcl, secrets/, the state adopts; then hub plan: no changes
  hub import --keys env --out tools.hcl
  hub import cc-switch
  hub import all-api-hub ~/Downloads/all-api-hub-backup.json --tag work`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return a.importRun(f, a.importTools())
		},
	}
	pf := c.PersistentFlags()
	pf.StringVar(&f.out, "out", "imported.hcl", "write the new blocks to `FILE` (a new file in the configuration directory)")
	pf.BoolVar(&f.dryRun, "dry-run", false, "print the HCL and the summary; write nothing")
	pf.StringVar(&f.keys, "keys", "secret", "where keys go: secret (age-encrypted secrets/ID.age) or env (env() references, values in a 0600 file outside the repository)")
	pf.StringVar(&f.tag, "tag", "", "import only credentials with this `TAG`")
	pf.StringVar(&f.typ, "type", "", "import only credentials of this API `TYPE`")
	pf.StringVar(&f.search, "search", "", "import only credentials whose name or base URL contains `TEXT`")
	pf.BoolVar(&f.json, "json", false, "print the summary as JSON lines")
	f.lock.register(c)
	c.AddCommand(a.importCCSwitchCommand(&f), a.importAllAPIHubCommand(&f))
	return c
}

// importTools reads every tool hub writes, through each target type's
// Importer.
func (a *app) importTools() func() ([]importer.Result, error) {
	return func() ([]importer.Result, error) {
		dir, _ := filepath.Abs(a.dir())
		env := targets.Env{Vars: a.env, Dir: dir}
		read := func(p string) ([]byte, error) { return system.ReadFile(a.ctx, p) }
		var out []importer.Result
		for _, typ := range targets.Types() {
			info, _ := targets.Lookup(typ)
			imp, ok := info.New().(targets.Importer)
			if !ok {
				continue
			}
			r := importer.Result{Source: typ}
			blocks, err := imp.Import(env, read)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				r.Warnings = append(r.Warnings, err.Error())
			}
			if len(blocks) == 0 && len(r.Warnings) == 0 {
				continue
			}
			for _, b := range blocks {
				if !b.NoBlock {
					r.Targets = append(r.Targets, importer.Target{Type: typ, Imported: b})
					continue
				}
				// No block reproduces the files: the credentials alone.
				r.Warnings = append(r.Warnings, b.Warnings...)
				for _, c := range b.Credentials {
					r.Found = append(r.Found, importer.Found{Source: typ + " " + strings.Join(b.Files, ", "), Credential: c})
				}
			}
			out = append(out, r)
		}
		return out, nil
	}
}

// importRun is every source's import: read, de-duplicate against the
// configuration, check each block, then write the secrets (or the env
// file), the HCL, and have the state adopt the blocks.
func (a *app) importRun(f importFlags, read func() ([]importer.Result, error)) error {
	view := views.NewImport(a.view(), f.json)
	if f.keys != "secret" && f.keys != "env" {
		return fmt.Errorf("--keys is secret or env, not %q", f.keys)
	}
	if f.typ != "" && !credential.ValidAPIType(f.typ) {
		return fmt.Errorf("--type %q is not one of %q", f.typ, credential.APITypes)
	}
	results, err := read()
	if err != nil {
		return err
	}
	// Every key found is known to the redactor before anything prints.
	for _, r := range results {
		for _, fd := range r.Found {
			a.redactor.Add(fd.Credential.Key.Reveal(), fd.Credential.Usage.Token.Reveal())
		}
		for _, t := range r.Targets {
			for _, c := range t.Credentials {
				a.redactor.Add(c.Key.Reveal())
			}
		}
	}
	dir := a.dir()
	absDir, _ := filepath.Abs(dir)
	ex, err := a.importExisting(view)
	if err != nil {
		return err
	}
	keyExpr := func(id string) string { return fmt.Sprintf("secret(%q)", id) }
	if f.keys == "env" {
		keyExpr = func(id string) string { return fmt.Sprintf("env(%q)", importVar(id)) }
	}
	out := importer.Build(results, ex, importer.Filter{Tag: f.tag, Type: f.typ, Search: f.search}, keyExpr)
	for i := range out.Creds {
		if !out.Creds[i].C.Usage.Token.IsZero() {
			if f.keys == "env" {
				out.Creds[i].UsageTokenExpr = fmt.Sprintf("env(%q)", importVar(out.Creds[i].ID)+"_USAGE_TOKEN")
			} else {
				out.Creds[i].UsageTokenExpr = fmt.Sprintf("secret(%q)", out.Creds[i].ID+"-usage-token")
			}
		}
	}
	inexact, err := importer.Verify(a.ctx, system.OS{}, targets.Env{Vars: a.env, Dir: absDir}, out)
	if err != nil {
		return err
	}
	out.Drop(inexact)
	src, err := importer.WriteHCL(out.Creds, out.Blocks)
	if err != nil {
		return err
	}
	src = append([]byte(fmt.Sprintf("# Written by hub import on %s. Keys are not here: %s.\n\n", time.Now().Format("2006-01-02"), keysWhere(f.keys))), src...)
	view.Summaries(out.Summaries)
	if len(out.Creds) == 0 && len(out.Blocks) == 0 {
		view.Nothing()
		return nil
	}
	if f.dryRun {
		view.HCL(src)
		return nil
	}
	outPath := f.out
	if !filepath.IsAbs(outPath) && !strings.Contains(outPath, string(filepath.Separator)) {
		outPath = filepath.Join(dir, outPath)
	}
	if !strings.HasSuffix(outPath, ".hcl") {
		return fmt.Errorf("--out %s: give a file name ending in .hcl, so hub reads it with the rest of the configuration", f.out)
	}
	if _, err := os.Lstat(outPath); err == nil {
		return fmt.Errorf("%s already exists; hub import writes a new file: give another with --out NAME.hcl", outPath)
	}
	keysNote, err := a.importKeys(f.keys, out)
	if err != nil {
		return err
	}
	if err := (system.OS{}).WriteFile(outPath, src, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", outPath, err)
	}
	if len(out.Blocks) > 0 {
		if err := a.importAdopt(out, f); err != nil {
			return fmt.Errorf("%s was written, but the state could not adopt the tools' items (run hub apply: it adopts them without writing the files): %w", outPath, err)
		}
	}
	view.Wrote(outPath, len(out.Creds), len(out.Blocks), keysNote)
	return nil
}

// importExisting is what the configuration already has (nothing if there
// is no configuration yet). Its keys are needed to recognise a duplicate.
func (a *app) importExisting(view views.Diagnoser) (importer.Existing, error) {
	ex := importer.Existing{Credentials: map[string]*credential.Credential{}, Targets: map[string][]string{}}
	names, _ := filepath.Glob(filepath.Join(a.dir(), "*.hcl"))
	if len(names) == 0 {
		return ex, nil
	}
	cfg, err := a.load(varFlags{}, view)
	if err != nil {
		a.hint("hub import adds to a configuration that loads: fix the errors above first")
		return ex, err
	}
	dir, _ := filepath.Abs(a.dir())
	env := targets.Env{Vars: a.env, Dir: dir}
	for id, c := range cfg.Credentials {
		ex.Credentials[id] = c
	}
	for _, t := range cfg.Targets {
		files, err := t.Impl.Files(env)
		if err == nil {
			ex.Targets[t.Address()] = files
		}
	}
	return ex, nil
}

// kv is one key to keep: a secret's name or a variable's, and the value.
type kv struct{ name, value string }

// importVar is the variable of credential id's key with --keys env.
func importVar(id string) string {
	return "HUB_KEY_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(id))
}

func keysWhere(mode string) string {
	if mode == "env" {
		return "each api_key reads a variable (the values were written to a file outside this repository)"
	}
	return "each api_key reads an age-encrypted secret in secrets/"
}

// importKeys puts the new credentials' keys where keyExpr said: age
// secrets, or an export file outside the repository. Everything is checked
// before the first write.
func (a *app) importKeys(mode string, out *importer.Outcome) (string, error) {
	var items []kv
	for _, c := range out.Creds {
		if mode == "env" {
			items = append(items, kv{importVar(c.ID), c.C.Key.Reveal()})
			if !c.C.Usage.Token.IsZero() {
				items = append(items, kv{importVar(c.ID) + "_USAGE_TOKEN", c.C.Usage.Token.Reveal()})
			}
			continue
		}
		items = append(items, kv{c.ID, c.C.Key.Reveal()})
		if !c.C.Usage.Token.IsZero() {
			items = append(items, kv{c.ID + "-usage-token", c.C.Usage.Token.Reveal()})
		}
	}
	if mode == "env" {
		return a.importEnvFile(items)
	}
	repo := vault.Repo{Root: a.dir()}
	rs, err := repo.Recipients()
	if err != nil {
		return "", err
	}
	if len(rs) == 0 {
		return "", fmt.Errorf("the keys go into age secrets, and %s lists no recipients; add yours first (hub secret recipients add $(hub secret keygen)), or import with --keys env", repo.RecipientsPath())
	}
	if err := a.canDecrypt(rs); err != nil {
		return "", err
	}
	for _, it := range items {
		if err := vault.CheckName(it.name); err != nil {
			return "", err
		}
		if _, err := os.Lstat(repo.Path(it.name)); err == nil {
			return "", fmt.Errorf("%s already exists; hub import does not replace a secret (remove it, or rename the credential it would belong to)", repo.Path(it.name))
		}
	}
	for _, it := range items {
		if err := repo.Write(it.name, it.value, rs); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%d keys encrypted into %s/ (commit them with the file).", len(items), vault.Dir), nil
}

// canDecrypt refuses an import this machine could not read back: none of
// its identities is among the recipients.
func (a *app) canDecrypt(rs []vault.Recipient) error {
	mine, err := a.keyring().PublicKeys()
	if err != nil {
		return fmt.Errorf("%w (hub import encrypts the keys and then reads them back to adopt the tools' items)", err)
	}
	for _, m := range mine {
		for _, r := range rs {
			if vault.Fingerprint(m) == r.Fingerprint() {
				return nil
			}
		}
	}
	if len(mine) == 0 {
		return nil // a protected identity: its key is known once opened
	}
	return fmt.Errorf("this machine's identity (%s) is not among the recipients in secrets/recipients.txt, so it could not read back what it imports; add it: hub secret recipients add %s", vault.Abbrev(mine[0]), mine[0])
}

// importEnvFile writes the keys as export lines to a new 0600 file outside
// the repository, and gives them to this process so the adoption loads.
func (a *app) importEnvFile(items []kv) (string, error) {
	base := a.env["XDG_CONFIG_HOME"]
	if base == "" {
		if a.env["HOME"] == "" {
			return "", errors.New("HOME is not set: nowhere outside the repository to write the keys to")
		}
		base = filepath.Join(a.env["HOME"], ".config")
	}
	abs, _ := filepath.Abs(a.dir())
	p := filepath.Join(base, "hub", fmt.Sprintf("import-%s-%s.env", filepath.Base(abs), time.Now().Format("20060102-150405")))
	var b strings.Builder
	b.WriteString("# Keys imported by hub import; source this file (. FILE) before hub runs.\n")
	sort.Slice(items, func(i, j int) bool { return items[i].name < items[j].name })
	for _, it := range items {
		fmt.Fprintf(&b, "export %s='%s'\n", it.name, strings.ReplaceAll(it.value, "'", `'\''`))
		a.env[it.name] = it.value
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return "", err
	}
	fd, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("write the keys: %w", err)
	}
	if _, err := fd.WriteString(b.String()); err != nil {
		fd.Close()
		return "", fmt.Errorf("write the keys: %w", err)
	}
	if err := fd.Close(); err != nil {
		return "", fmt.Errorf("write the keys: %w", err)
	}
	return fmt.Sprintf("The keys are in %s (0600): source it before hub runs (. %s).", p, p), nil
}

// importAdopt has the state adopt the new blocks' items, which the tools'
// files already hold: an apply limited to those blocks that may only adopt.
func (a *app) importAdopt(out *importer.Outcome, f importFlags) error {
	var addrs []string
	for _, b := range out.Blocks {
		addrs = append(addrs, b.Type+"."+b.Name)
	}
	cfg, err := a.load(varFlags{}, a.view())
	if err != nil {
		return err
	}
	sess, err := a.session(cfg, f.lock)
	if err != nil {
		return err
	}
	_, err = sess.Apply(a.ctx, cfg, engine.ApplyOptions{Op: "import", Plan: engine.PlanOptions{Targets: addrs},
		Review: func(p *plans.Plan) error {
			if bad := importer.Inexact(p, addrs); len(bad) > 0 {
				for addr, why := range bad {
					return fmt.Errorf("%s would change a file (%s); nothing adopted", addr, why)
				}
			}
			return nil
		}})
	return err
}
