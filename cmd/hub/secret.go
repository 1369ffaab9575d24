package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"

	"filippo.io/age"
	"github.com/agext/levenshtein"
	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/engine/vault"
	"github.com/hubctl/hub/views"
)

const secretLong = `Keep API keys in the repository itself, encrypted with age, so that a
clone on a machine holding one of the identities can hub apply with no key
exported by hand.

Each secret is one file, secrets/NAME.age, encrypted to the public keys in
secrets/recipients.txt (your laptop, your server, a colleague). HCL uses it
with api_key = secret("NAME"). The story:

  hub secret keygen                      # this machine's key (or use ~/.ssh/id_ed25519)
  hub secret recipients add age1... "ssh-ed25519 AAAA... server"
  hub secret set relay                   # asks without echo; or --from-env VAR, --from-file F, stdin
  git add . && git commit && git push
  # on another machine holding one of the identities:
  git clone ... && cd creds && hub apply

Rotation: hub secret set relay with the new key, then hub plan shows every
tool that changes, and hub apply writes them all; git diff shows which
secret changed (hub init sets up the diff driver, hub secret textconv).

After adding or removing a recipient, hub secret rekey encrypts every secret
to the new set. Removing a recipient does not revoke what they already saw:
rotate those keys at the provider.

Moving from env(): hub secret migrate encrypts every key a credential reads
with env("VAR") into secrets/ID.age and rewrites api_key = secret("ID"), in
one step; hub plan then shows no changes.

Identities (secret keys) are looked for in --identity FILE, HUB_AGE_IDENTITY,
~/.config/hub/identity.txt, ~/.ssh/id_ed25519 and ~/.ssh/id_rsa. A protected
one asks for its passphrase on a terminal, or reads HUB_AGE_PASSPHRASE.`

func (a *app) secretCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "secret",
		Short: "Manage age-encrypted secrets kept in the repository",
		Long:  secretLong,
		Args:  cobra.NoArgs,
		RunE:  func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	c.AddCommand(a.secretSetCommand(), a.secretGetCommand(), a.secretListCommand(), a.secretRmCommand(),
		a.secretRekeyCommand(), a.secretRecipientsCommand(), a.secretKeygenCommand(), a.secretTextconvCommand(),
		a.secretMigrateCommand())
	return c
}

func (a *app) secretRepo() vault.Repo { return vault.Repo{Root: a.dir()} }

// secretUsers maps each secret's name to the blocks that call
// secret("NAME") in the configuration, read without evaluating it.
func (a *app) secretUsers() map[string][]string {
	files, _ := config.ParseFiles(a.dir())
	users := map[string][]string{}
	for _, r := range config.SecretRefs(files) {
		if !contains(users[r.Name], r.User) {
			users[r.Name] = append(users[r.Name], r.User)
		}
	}
	return users
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// recipientsOrFail returns the current recipients, or an error saying how
// to add the first one.
func (a *app) recipientsOrFail() ([]vault.Recipient, error) {
	repo := a.secretRepo()
	rs, err := repo.Recipients()
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("no recipients in %s: nobody could decrypt the secret. Add who may: hub secret recipients add age1... (hub secret keygen makes a key for this machine, and prints it)", repo.RecipientsPath())
	}
	return rs, nil
}

// recipientNames names recipients for a one-line message: their names,
// else their abbreviated keys.
func recipientNames(rs []vault.Recipient) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Name
		if r.Name == "" {
			out[i] = vault.Abbrev(r.Key)
		}
	}
	return out
}

// readSecretFile reads a secret's file; a missing one is an error that
// says how to create it, with a "did you mean".
func (a *app) readSecretFile(name string) ([]byte, error) {
	repo := a.secretRepo()
	data, err := system.ReadFile(a.ctx, repo.Path(name))
	if errors.Is(err, fs.ErrNotExist) {
		msg := fmt.Sprintf("no secret %s: %s does not exist", name, repo.Path(name))
		names, _ := repo.Names()
		if s := closest(name, names); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
		return nil, errors.New(msg + "; hub secret list shows the secrets, hub secret set " + name + " creates it")
	}
	if err != nil {
		return nil, fmt.Errorf("read secret %s: %w", name, err)
	}
	return data, nil
}

func closest(name string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if d := levenshtein.Distance(name, n, nil); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func (a *app) secretSetCommand() *cobra.Command {
	var fromEnv, fromFile string
	c := &cobra.Command{
		Use:   "set NAME",
		Short: "Encrypt a secret's value into secrets/NAME.age",
		Long: `Encrypt a value to the recipients in secrets/recipients.txt into
secrets/NAME.age. The value comes from --from-env VAR, --from-file FILE (one
final newline dropped), standard input when it is not a terminal, or else a
prompt that does not echo. It is never printed.

Setting the value a secret already has, to the same recipients, leaves the
file as it is (no noise in git). Otherwise hub prints the value's old and new
fingerprints; hub plan then shows every tool that the change rotates, and
hub apply writes them.

To move a key you export today into the repository:
  hub secret set relay --from-env RELAY_API_KEY
then write api_key = secret("relay") in place of env("RELAY_API_KEY").`,
		Example: `  hub secret set relay
  hub secret set relay --from-env RELAY_API_KEY
  pass show relay | hub secret set relay`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if fromEnv != "" && fromFile != "" {
				return errors.New("give --from-env or --from-file, not both")
			}
			return a.secretSet(args[0], fromEnv, fromFile)
		},
	}
	c.Flags().StringVar(&fromEnv, "from-env", "", "read the value from the environment variable `VAR`")
	c.Flags().StringVar(&fromFile, "from-file", "", "read the value from `FILE` (one final newline dropped)")
	return c
}

func (a *app) secretSet(name, fromEnv, fromFile string) error {
	if err := vault.CheckName(name); err != nil {
		return err
	}
	rs, err := a.recipientsOrFail()
	if err != nil {
		return err
	}
	value, err := a.secretValue(name, fromEnv, fromFile)
	if err != nil {
		return err
	}
	a.redactor.Add(value)
	repo := a.secretRepo()
	path := repo.Path(name)
	status, oldFP := "new", ""
	old, err := system.ReadFile(a.ctx, path)
	switch {
	case err == nil:
		status = "replaced"
		v, derr := a.keyring().Decrypt(path, old)
		if derr != nil {
			a.warnf("the old value of %s cannot be decrypted here (%s); it is replaced", name, decryptProblem(derr))
		} else {
			a.redactor.Add(v)
			status, oldFP = "changed", vault.ValueFingerprint(v)
			if v == value {
				status = "rekeyed"
				if info, ierr := vault.Inspect(old); ierr == nil && info.SameRecipients(rs) {
					status = "unchanged"
				}
			}
		}
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("read secret %s: %w", name, err)
	}
	if status != "unchanged" {
		if err := repo.Write(name, value, rs); err != nil {
			return err
		}
	}
	view := views.NewSecret(a.view())
	view.Set(name, status, oldFP, vault.ValueFingerprint(value), recipientNames(rs))
	if users := a.secretUsers()[name]; len(users) > 0 {
		if status != "unchanged" && status != "rekeyed" {
			a.hint("hub plan shows what changes; hub apply rotates it in every tool that uses it (%s)", strings.Join(users, ", "))
		}
	} else {
		a.hint("use it in HCL as api_key = secret(%q), then commit %s", name, path)
	}
	return nil
}

// secretValue reads the value to set, from where the flags say.
func (a *app) secretValue(name, fromEnv, fromFile string) (string, error) {
	var value, from string
	switch {
	case fromEnv != "":
		v, ok := a.env[fromEnv]
		if !ok {
			return "", fmt.Errorf("the environment variable %s is not set", fromEnv)
		}
		value, from = v, "the environment variable "+fromEnv
	case fromFile != "":
		data, err := system.ReadFile(a.ctx, fromFile)
		if err != nil {
			return "", fmt.Errorf("read the value of %s: %w", name, err)
		}
		value, from = trimNewline(string(data)), fromFile
	case a.inTerminal:
		v, err := a.askHidden(fmt.Sprintf("Value for secret %s (not shown): ", name))
		if err != nil {
			return "", fmt.Errorf("read the value of %s: %w", name, err)
		}
		value, from = v, "the prompt"
	default:
		data, err := io.ReadAll(io.LimitReader(a.in, vault.MaxValueLen+1))
		if err != nil {
			return "", fmt.Errorf("read the value of %s from standard input: %w", name, err)
		}
		value, from = trimNewline(string(data)), "standard input"
	}
	switch {
	case value == "":
		return "", fmt.Errorf("the value of %s from %s is empty; nothing written", name, from)
	case len(value) > vault.MaxValueLen:
		return "", fmt.Errorf("the value of %s from %s is larger than %d bytes; a secret is an API key (is it the right file?)", name, from, vault.MaxValueLen)
	case strings.IndexFunc(value, unicode.IsControl) >= 0:
		return "", fmt.Errorf("the value of %s from %s contains control characters (a line break, a tab, an escape); an API key is one line of printable text. Nothing written", name, from)
	}
	return value, nil
}

// trimNewline drops one final line ending, as echo and editors leave.
func trimNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		s = strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r")
	}
	return s
}

func (a *app) secretGetCommand() *cobra.Command {
	var reveal bool
	c := &cobra.Command{
		Use:   "get NAME",
		Short: "Print a secret's value (for a pipe)",
		Long: `Decrypt secrets/NAME.age and print its value, followed by a newline, on
standard output. It is the one command that prints a value: it refuses to
write to a terminal, where the key would stay in the scrollback, unless
--reveal is given.`,
		Example: `  hub secret get relay | pbcopy
  hub secret get relay --reveal`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			name := args[0]
			if err := vault.CheckName(name); err != nil {
				return err
			}
			if a.outTerminal && !reveal {
				return fmt.Errorf("refusing to print the secret %s on a terminal, where it would stay on screen and in the scrollback; give --reveal to show it anyway, or pipe it: hub secret get %s | pbcopy", name, name)
			}
			data, err := a.readSecretFile(name)
			if err != nil {
				return err
			}
			v, err := a.keyring().Decrypt(a.secretRepo().Path(name), data)
			if err != nil {
				return err
			}
			// Registered, so that no other output shows it; then written
			// past the redactor, on purpose, once.
			a.redactor.Add(v)
			a.out.Flush()
			_, err = fmt.Fprintln(a.rawOut, v)
			return err
		},
	}
	c.Flags().BoolVar(&reveal, "reveal", false, "print the value even on a terminal")
	return c
}

func (a *app) secretListCommand() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "list",
		Short: "List the secrets, who uses them, and whether this machine can decrypt them",
		Long: `List the secrets in secrets/: the blocks that use each one, when it last
changed (its last git commit, else the file's time), whether this machine can
decrypt it (yes, not a recipient, no identity, damaged) and whether it is
encrypted to the current recipients (current, or stale: run hub secret
rekey). Secrets the configuration uses that have no file are listed as
missing. Values are never shown.`,
		Example: "  hub secret list\n  hub secret list --json",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			rows, err := a.secretRows()
			if err != nil {
				return err
			}
			return views.NewSecretList(a.view(), asJSON).List(rows)
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return c
}

// secretRows is what hub secret list shows.
func (a *app) secretRows() ([]views.SecretRow, error) {
	repo := a.secretRepo()
	names, err := repo.Names()
	if err != nil {
		return nil, err
	}
	rs, err := repo.Recipients()
	if err != nil {
		return nil, err
	}
	users := a.secretUsers()
	var rows []views.SecretRow
	for _, n := range names {
		row := views.SecretRow{Name: n, UsedBy: users[n]}
		path := repo.Path(n)
		row.Changed, row.ChangedFrom = a.lastChange(path)
		data, err := system.ReadFile(a.ctx, path)
		if err != nil {
			return nil, fmt.Errorf("read secret %s: %w", n, err)
		}
		row.Decrypt = "yes"
		if v, err := a.keyring().Decrypt(path, data); err != nil {
			row.Decrypt = decryptProblem(err)
		} else {
			a.redactor.Add(v)
		}
		info, err := vault.Inspect(data)
		switch {
		case err != nil:
			row.Recipients = "unknown"
		case !info.Marked():
			row.Recipients = "unknown"
		case info.SameRecipients(rs):
			row.Recipients = "current"
		default:
			row.Recipients = "stale"
		}
		rows = append(rows, row)
	}
	var missing []string
	for n := range users {
		if !contains(names, n) && vault.CheckName(n) == nil {
			missing = append(missing, n)
		}
	}
	sort.Strings(missing)
	for _, n := range missing {
		rows = append(rows, views.SecretRow{Name: n, UsedBy: users[n], Decrypt: "-", Recipients: "-", Missing: true})
	}
	return rows, nil
}

// decryptProblem names why a file cannot be decrypted here, in a few words.
func decryptProblem(err error) string {
	var (
		noID *vault.NoIdentityError
		notR *vault.NotRecipientError
		pass *vault.PassphraseError
	)
	switch {
	case errors.As(err, &noID):
		return "no identity"
	case errors.As(err, &notR):
		return "not a recipient"
	case errors.As(err, &pass) && pass.Wrong:
		return "wrong passphrase"
	case errors.As(err, &pass):
		return "passphrase needed"
	case errors.Is(err, vault.ErrDamaged):
		return "damaged"
	}
	return "error"
}

// lastChange is when the file last changed: the date of the last commit
// touching it when it is in a git repository, else its modification time.
func (a *app) lastChange(path string) (time.Time, string) {
	abs, err := filepath.Abs(path)
	if err == nil {
		cmd := exec.CommandContext(a.ctx, "git", "log", "-1", "--format=%cI", "--", filepath.Base(abs))
		cmd.Dir = filepath.Dir(abs)
		if out, err := cmd.Output(); err == nil {
			if t, err := time.Parse(time.RFC3339, strings.TrimSpace(string(out))); err == nil {
				return t, "git"
			}
		}
	}
	if fi, err := os.Stat(path); err == nil {
		return fi.ModTime(), "file"
	}
	return time.Time{}, ""
}

func (a *app) secretRmCommand() *cobra.Command {
	var force bool
	c := &cobra.Command{
		Use:   "rm NAME",
		Short: "Remove a secret's file",
		Long: `Remove secrets/NAME.age. A secret the configuration still uses is kept
unless --force is given (hub plan would then fail until the uses are gone).
The value stays in git history: if it must no longer work, revoke it at the
provider.`,
		Example: "  hub secret rm old-relay",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			name := args[0]
			if err := vault.CheckName(name); err != nil {
				return err
			}
			path := a.secretRepo().Path(name)
			if _, err := a.readSecretFile(name); err != nil {
				return err
			}
			users := a.secretUsers()[name]
			if len(users) > 0 && !force {
				return fmt.Errorf("the secret %s is used by %s; remove those uses first, or give --force", name, strings.Join(users, ", "))
			}
			if err := (system.OS{}).Remove(path); err != nil {
				return fmt.Errorf("remove secret %s: %w", name, err)
			}
			views.NewSecret(a.view()).Removed(name, path)
			if len(users) > 0 {
				a.warnf("%s still use secret(%q): hub plan fails until they no longer do", strings.Join(users, ", "), name)
			}
			a.hint("the value stays in git history; if it must stop working, revoke it at the provider")
			return nil
		},
	}
	c.Flags().BoolVar(&force, "force", false, "remove the secret even if the configuration uses it")
	return c
}

func (a *app) secretRekeyCommand() *cobra.Command {
	var all bool
	c := &cobra.Command{
		Use:   "rekey",
		Short: "Encrypt the secrets again to the current recipients",
		Long: `Encrypt again, to the recipients now in secrets/recipients.txt, every
secret that was encrypted to another set (every secret with --all). Values do
not change. This machine must be able to decrypt each of them; nothing is
written unless all of them decrypt.

Removing a recipient does not revoke what they already saw, or what they can
still decrypt from git history: rotate those keys at the provider, then
hub secret set them.`,
		Example: "  hub secret recipients rm old-laptop && hub secret rekey",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			rs, err := a.recipientsOrFail()
			if err != nil {
				return err
			}
			repo := a.secretRepo()
			names, err := repo.Names()
			if err != nil {
				return err
			}
			type pending struct{ name, value string }
			var todo []pending
			for _, n := range names {
				path := repo.Path(n)
				data, err := system.ReadFile(a.ctx, path)
				if err != nil {
					return fmt.Errorf("read secret %s: %w", n, err)
				}
				if info, err := vault.Inspect(data); !all && err == nil && info.SameRecipients(rs) {
					continue
				}
				v, err := a.keyring().Decrypt(path, data)
				if err != nil {
					return fmt.Errorf("nothing rekeyed: %w", err)
				}
				a.redactor.Add(v)
				todo = append(todo, pending{n, v})
			}
			view := views.NewSecret(a.view())
			var done []string
			for _, p := range todo {
				if err := repo.Write(p.name, p.value, rs); err != nil {
					if len(done) > 0 {
						view.Rekeyed(done, recipientNames(rs))
					}
					return err
				}
				done = append(done, p.name)
			}
			view.Rekeyed(done, recipientNames(rs))
			view.RevocationNote()
			return nil
		},
	}
	c.Flags().BoolVar(&all, "all", false, "rekey every secret, even those encrypted to the current recipients")
	return c
}

func (a *app) secretRecipientsCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "recipients",
		Short: "List, add or remove who can decrypt the secrets",
		Long: `The public keys in secrets/recipients.txt can decrypt the secrets: age
keys (age1..., from hub secret keygen or age-keygen) and SSH keys
(ssh-ed25519 AAAA..., ssh-rsa AAAA...: the line of ~/.ssh/id_ed25519.pub).
After adding or removing one, run hub secret rekey.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List the recipients",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			repo := a.secretRepo()
			rs, err := repo.Recipients()
			if err != nil {
				return err
			}
			rows := make([]views.RecipientRow, len(rs))
			for i, r := range rs {
				rows[i] = views.RecipientRow{Name: r.Name, Key: r.Key, Fingerprint: r.Fingerprint(), Line: r.Line}
			}
			return views.NewRecipientList(a.view(), asJSON).List(repo.RecipientsPath(), rows)
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")

	var name string
	add := &cobra.Command{
		Use:   "add KEY...",
		Short: "Add public keys to the recipients",
		Long: `Add public keys to secrets/recipients.txt, under a "# NAME" comment with
--name. Each argument is one key; quote an SSH key with its comment
("ssh-ed25519 AAAA... me@laptop"), though ssh-ed25519 AAAA... as two words
works too. Then run hub secret rekey so that the secrets are encrypted to
them.`,
		Example: `  hub secret recipients add $(hub secret keygen) --name laptop
  hub secret recipients add "$(cat ~/.ssh/id_ed25519.pub)" --name server`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			repo := a.secretRepo()
			added, err := repo.AddRecipients(joinSSHArgs(args), name)
			if err != nil {
				return fmt.Errorf("%s: %w", repo.RecipientsPath(), err)
			}
			view := views.NewSecret(a.view())
			view.RecipientsAdded(repo.RecipientsPath(), labels(added))
			if len(added) > 0 {
				view.Stale(a.staleSecrets())
			}
			return nil
		},
	}
	add.Flags().StringVar(&name, "name", "", "name the keys with `NAME` (a comment above them: laptop, server, alice)")

	rm := &cobra.Command{
		Use:   "rm KEY|NAME|FINGERPRINT...",
		Short: "Remove recipients",
		Long: `Remove recipients from secrets/recipients.txt, by public key, by name or
by fingerprint (hub secret recipients list shows them). Then run hub secret
rekey. Removing a recipient does not revoke what they already saw, or what
they can still decrypt from git history: rotate those keys at the provider.`,
		Example: "  hub secret recipients rm old-laptop && hub secret rekey",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			repo := a.secretRepo()
			removed, err := repo.RemoveRecipients(joinSSHArgs(args))
			if err != nil {
				return err
			}
			view := views.NewSecret(a.view())
			view.RecipientsRemoved(repo.RecipientsPath(), labels(removed))
			view.Stale(a.staleSecrets())
			view.RevocationNote()
			return nil
		},
	}
	c.AddCommand(list, add, rm)
	return c
}

func labels(rs []vault.Recipient) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Label()
	}
	return out
}

var sshBlob = regexp.MustCompile(`^AAAA[A-Za-z0-9+/=]+$`)

// joinSSHArgs joins an SSH key given as two words (ssh-ed25519 AAAA...)
// into one argument, so an unquoted key works.
func joinSSHArgs(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		if (args[i] == "ssh-ed25519" || args[i] == "ssh-rsa") && i+1 < len(args) && sshBlob.MatchString(args[i+1]) {
			out = append(out, args[i]+" "+args[i+1])
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

// staleSecrets counts the secrets not encrypted to the current recipients.
func (a *app) staleSecrets() int {
	repo := a.secretRepo()
	rs, err := repo.Recipients()
	if err != nil {
		return 0
	}
	names, _ := repo.Names()
	n := 0
	for _, name := range names {
		data, err := system.ReadFile(a.ctx, repo.Path(name))
		if err != nil {
			continue
		}
		if info, err := vault.Inspect(data); err != nil || !info.SameRecipients(rs) {
			n++
		}
	}
	return n
}

func (a *app) secretKeygenCommand() *cobra.Command {
	var out string
	var force bool
	c := &cobra.Command{
		Use:   "keygen",
		Short: "Make this machine's age identity",
		Long: `Generate an age identity (an X25519 key) into ~/.config/hub/identity.txt
($XDG_CONFIG_HOME/hub/identity.txt), or --out FILE, readable by you alone, in
age-keygen's format. It prints the public key, alone, on standard output: add
it to the recipients. An existing file is never overwritten without --force
(losing an identity loses access to what only it can decrypt).`,
		Example: "  hub secret recipients add $(hub secret keygen) --name laptop",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			path := out
			if path == "" {
				paths := a.keyring().DefaultIdentityPaths()
				if len(paths) == 0 {
					return errors.New("no home directory (HOME is not set): give the identity's file with --out FILE")
				}
				path = paths[0]
			}
			if _, err := os.Lstat(path); err == nil && !force {
				return fmt.Errorf("%s already exists; hub secret keygen never overwrites an identity (what only it can decrypt would be lost). Its public key: age-keygen -y %s. Give --force to replace it anyway", path, path)
			}
			id, err := age.GenerateX25519Identity()
			if err != nil {
				return fmt.Errorf("generate an identity: %w", err)
			}
			pub := id.Recipient().String()
			body := fmt.Sprintf("# created: %s\n# public key: %s\n%s\n", time.Now().Format(time.RFC3339), pub, id.String())
			if err := writeIdentity(path, []byte(body), force); err != nil {
				return err
			}
			views.NewSecret(a.view()).PublicKey(pub)
			a.hint("wrote the identity to %s (keep it secret, and back it up); add its public key to the recipients: hub secret recipients add %s --name NAME", path, pub)
			return nil
		},
	}
	c.Flags().StringVar(&out, "out", "", "write the identity to `FILE` (default ~/.config/hub/identity.txt)")
	c.Flags().BoolVar(&force, "force", false, "replace an existing identity file")
	return c
}

// writeIdentity writes a secret key file, 0600 in a 0700 directory.
func writeIdentity(path string, data []byte, force bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	if force {
		if err := (system.OS{}).WriteFile(path, data, 0o600); err != nil {
			return fmt.Errorf("write identity %s: %w", path, err)
		}
		return os.Chmod(path, 0o600)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create identity %s: %w", path, err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write identity %s: %w", path, err)
	}
	return nil
}

func (a *app) secretTextconvCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "textconv FILE",
		Short: "Describe a secret's file for git diff (a textconv driver)",
		Long: `Print what a secret's file holds, for git diff: its name, its value's
fingerprint (never the value) and its recipients. With
.gitattributes saying secrets/*.age diff=hub-secret (hub init writes it) and
  git config diff.hub-secret.textconv "hub secret textconv"
git diff shows which secret changed as a changed fingerprint, not ciphertext.
It never fails: a file it cannot read is described as such.`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			a.noSecretsCache = true
			a.textconv(args[0])
			return nil
		},
	}
}

// gitTempName is how git names the temporary file of an old blob it gives
// a textconv driver: six random characters, '_', the file's base name.
var gitTempName = regexp.MustCompile(`^[A-Za-z0-9]{6}_(.+)$`)

func (a *app) textconv(file string) {
	base := filepath.Base(file)
	parent := filepath.Dir(file)
	if m := gitTempName.FindStringSubmatch(base); m != nil && filepath.Base(parent) != vault.Dir {
		base = m[1]
	}
	name := strings.TrimSuffix(base, vault.Ext)
	// Recipients' names come from the file's own directory when it is a
	// secrets directory, else from the configuration's.
	repo := a.secretRepo()
	if filepath.Base(parent) == vault.Dir {
		repo = vault.Repo{Root: filepath.Dir(parent)}
	}
	view := views.NewSecret(a.view())
	data, err := system.ReadFile(a.ctx, file)
	if err != nil {
		view.TextConv(name, "unreadable ("+shortReason(err)+")", nil)
		return
	}
	value := ""
	if v, err := a.keyring().Decrypt(file, data); err == nil {
		a.redactor.Add(v)
		value = "fingerprint " + vault.ValueFingerprint(v)
	} else {
		value = "cannot decrypt here (" + decryptProblem(err) + ")"
	}
	info, err := vault.Inspect(data)
	if err != nil {
		view.TextConv(name, value, []string{"unknown (damaged)"})
		return
	}
	if !info.Marked() {
		view.TextConv(name, value, []string{"unknown (not written by hub)"})
		return
	}
	// In the recipients file's order, then the fingerprints it no longer
	// lists.
	in := map[string]bool{}
	for _, fp := range info.Recipients {
		in[fp] = true
	}
	var who []string
	if rs, err := repo.Recipients(); err == nil {
		for _, r := range rs {
			if in[r.Fingerprint()] {
				who = append(who, r.Label())
				delete(in, r.Fingerprint())
			}
		}
	}
	for _, fp := range info.Recipients {
		if in[fp] {
			who = append(who, fp)
		}
	}
	view.TextConv(name, value, who)
}

// shortReason is an error's kind, for the one line textconv prints.
func shortReason(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.Is(err, system.ErrNotRegular):
		return "not a regular file"
	case errors.Is(err, system.ErrTooLarge):
		return "too large"
	}
	return "error"
}
