package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine/export"
	"github.com/hubctl/hub/engine/system"
)

const exportLong = `Write credentials in another tool's own import format: a deep link CC
Switch or Cherry Studio opens, a Kilo Code settings file, a Cursor++
provider, an All API Hub backup, or export lines for a shell.

Every format holds the key, so hub writes it only where it cannot linger on
a screen: a new file created 0600 (--out FILE), a pipe (hub export env relay
| ...), or the operating system's URL opener for a deep link (--open). To a
terminal only with --reveal. Nothing is logged.`

// exportFlags are every export format's flags; each format offers the
// ones it reads.
type exportFlags struct {
	creds        credFlags
	out          string
	open, reveal bool
	force        bool
	opts         export.Options
	passwordFile string
}

func (a *app) exportCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "export FORMAT CREDENTIAL...",
		Short: "Write credentials in another tool's import format (deep links, settings files, backups)",
		Long:  exportLong,
		Example: `  hub export cc-switch relay --app codex --model gpt-5 --open
  hub export cherry-studio relay --open
  hub export kilo relay work --out kilo-settings.json
  hub export all-api-hub --tag work --encrypt --out backup.json
  eval "$(hub export env relay)"`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	for _, f := range export.All() {
		c.AddCommand(a.exportFormatCommand(f))
	}
	return c
}

func (a *app) exportFormatCommand(f export.Format) *cobra.Command {
	var fl exportFlags
	use := f.Name + " CREDENTIAL"
	if f.Multi {
		use += "... (or --tag, --type, --search)"
	}
	c := &cobra.Command{
		Use:     use,
		Short:   f.Short,
		Long:    f.Long + "\n\n" + exportSafety(f),
		Example: f.Example,
		RunE: func(c *cobra.Command, names []string) error {
			return a.exportRun(f, names, &fl)
		},
	}
	fl.creds.register(c, false)
	c.Flags().Lookup("json").Hidden = true
	c.Flags().StringVar(&fl.out, "out", "", "write to `FILE`, created 0600 (an existing file is refused without --force)")
	c.Flags().BoolVar(&fl.force, "force", false, "with --out, replace an existing file")
	c.Flags().BoolVar(&fl.reveal, "reveal", false, "print to the terminal even though the output holds a key")
	if f.Link {
		c.Flags().BoolVar(&fl.open, "open", false, "hand the link to the operating system's URL opener (xdg-open, open, start), which starts the tool")
	}
	for _, name := range f.Flags {
		switch name {
		case "app":
			c.Flags().StringVar(&fl.opts.App, "app", "", "the tool the link is for (see above)")
		case "model":
			c.Flags().StringVar(&fl.opts.Model, "model", "", "the model to set (default: see above)")
		case "enable":
			c.Flags().BoolVar(&fl.opts.Enable, "enable", false, "ask the tool to switch to the provider at once")
		case "legacy":
			c.Flags().BoolVar(&fl.opts.Legacy, "legacy", false, "the older format (see above)")
		case "encrypt":
			c.Flags().BoolVar(&fl.opts.Encrypt, "encrypt", false, "encrypt with a password (asked on a terminal, or --password-file)")
			c.Flags().StringVar(&fl.passwordFile, "password-file", "", "read the password from `FILE`")
		}
	}
	return c
}

func exportSafety(f export.Format) string {
	s := "The output holds keys: it goes to --out FILE (created 0600), to a pipe, "
	if f.Link {
		s += "to the OS's URL opener with --open, "
	}
	return s + "or to a terminal only with --reveal."
}

func (a *app) exportRun(f export.Format, names []string, fl *exportFlags) error {
	if !f.Multi && len(names) != 1 {
		return fmt.Errorf("hub export %s takes one credential; give its id (hub status lists them)", f.Name)
	}
	// Where the bytes go is settled before anything is read or decrypted.
	if fl.open && (fl.out != "" || fl.reveal) {
		return errors.New("give one of --open, --out and --reveal")
	}
	if fl.out == "" && !fl.open && a.outTerminal && !fl.reveal {
		where := "--out FILE (created 0600) or a pipe"
		if f.Link {
			where = "--open (the OS's URL opener), --out FILE (created 0600) or a pipe"
		}
		return fmt.Errorf("refusing to print a key to the terminal, where it stays on screen and in the scrollback; use %s, or --reveal to show it anyway", where)
	}
	if fl.out != "" && !fl.force {
		if _, err := os.Lstat(fl.out); err == nil {
			return fmt.Errorf("%s already exists; give another --out, or --force to replace it", fl.out)
		}
	}
	_, sel, err := a.loadSelected(&fl.creds, names, a.view())
	if err != nil {
		return err
	}
	opts := fl.opts
	if opts.Encrypt {
		opts.Password = a.exportPassword(fl.passwordFile)
	}
	data, err := f.Write(sel, opts)
	if err != nil {
		return fmt.Errorf("hub export %s: %w", f.Name, err)
	}
	switch {
	case fl.open:
		return a.openLink(strings.TrimSpace(string(data)))
	case fl.out != "":
		if err := writePrivate(fl.out, data, fl.force); err != nil {
			return err
		}
		a.hint("wrote %s (0600): it holds %d key(s); keep it out of git and delete it once imported", fl.out, len(sel))
		return nil
	}
	a.out.Flush()
	_, err = a.rawOut.Write(data)
	return err
}

// writePrivate writes data to a new file created 0600 (or replaces one
// with force, keeping it 0600).
func writePrivate(name string, data []byte, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("replace %s: %w", name, err)
		}
	}
	fd, err := os.OpenFile(name, flags, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := fd.Write(data); err != nil {
		fd.Close()
		os.Remove(name)
		return fmt.Errorf("write %s: %w", name, err)
	}
	return fd.Close()
}

// openLink hands a deep link to the OS's URL opener, without a shell.
// HUB_URL_OPENER names another program (tests; a desktop without
// xdg-open).
func (a *app) openLink(link string) error {
	var prog string
	var args []string
	switch {
	case a.env["HUB_URL_OPENER"] != "":
		prog = a.env["HUB_URL_OPENER"]
	case runtime.GOOS == "darwin":
		prog = "open"
	case runtime.GOOS == "windows":
		prog, args = "rundll32", []string{"url.dll,FileProtocolHandler"}
	default:
		prog = "xdg-open"
	}
	ctx, cancel := context.WithTimeout(a.ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, append(args, link)...)
	for k, v := range a.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s could not open the link (%v): %s; give --out FILE instead and open it yourself", prog, err, strings.TrimSpace(a.redactor.Redact(string(out))))
	}
	a.hint("handed the link to %s; the tool should now ask to import the provider", prog)
	return nil
}

// exportPassword reads an encrypted export's password.
func (a *app) exportPassword(file string) func() (string, error) {
	return func() (string, error) {
		if file != "" {
			b, err := system.ReadFile(a.ctx, file)
			if err != nil {
				return "", fmt.Errorf("read the password: %w", err)
			}
			p := strings.TrimRight(string(b), "\r\n")
			a.redactor.Add(p)
			return p, nil
		}
		if !a.inTerminal {
			return "", errors.New("--encrypt needs a password, and hub cannot ask here (not a terminal); give --password-file FILE")
		}
		p, err := a.askHidden("Password for the backup: ")
		if err != nil {
			return "", err
		}
		again, err := a.askHidden("The same again: ")
		if err != nil {
			return "", err
		}
		if p != again {
			return "", errors.New("the two passwords differ; nothing written")
		}
		return p, nil
	}
}
