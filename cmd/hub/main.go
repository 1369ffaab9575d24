// Command hub manages AI API credentials as code: credentials and the tools
// that use them are described in HCL, and hub plan / hub apply write exactly
// the keys hub owns into each tool's own config file.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/agext/levenshtein"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	_ "github.com/hubctl/hub/providers/all"
	"github.com/hubctl/hub/secret"
	_ "github.com/hubctl/hub/targets/all"
)

func main() {
	// hub runs briefly and allocates mostly while parsing HCL: collecting
	// garbage less often cuts a large configuration's plan time by a third for
	// a few MiB more (see README, Performance). GOGC still wins if set.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(300)
	}
	os.Exit(run(os.Args[1:], streams{
		in: os.Stdin, out: os.Stdout, err: os.Stderr,
		terminal:    term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd())),
		inTerminal:  term.IsTerminal(int(os.Stdin.Fd())),
		outTerminal: term.IsTerminal(int(os.Stdout.Fd())),
		width:       terminalWidth(),
		color:       term.IsTerminal(int(os.Stdout.Fd())) && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb",
		progress:    term.IsTerminal(int(os.Stderr.Fd())) && os.Getenv("TERM") != "dumb",
	}, os.Environ()))
}

// streams are the process's standard streams and what is known about them.
type streams struct {
	in       io.Reader
	out, err io.Writer
	terminal bool // stdin and stdout are a terminal: hub may prompt
	// inTerminal: stdin is a terminal (hub secret set prompts rather than
	// reading it); outTerminal: stdout is one (hub secret get refuses to
	// print a value there without --reveal).
	inTerminal, outTerminal bool
	width                   int // stdout's columns, 0 when not a terminal
	color                   bool
	progress                bool // stderr is a terminal: long network work may draw a progress bar
}

// exitError carries an exit code other than 1 (or 1 after output was shown).
type exitError struct {
	code   int
	silent bool // the error has been reported already
	err    error
}

func (e *exitError) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return fmt.Sprintf("exit %d", e.code)
}

func (e *exitError) Unwrap() error { return e.err }

// reported is an error whose message has already been printed.
func reported(code int) error { return &exitError{code: code, silent: true} }

// run is the whole program, returning the exit code; tests call it directly.
func run(args []string, s streams, environ []string) (code int) {
	red := &secret.Redactor{}
	out := red.Writer(s.out)
	errw := red.Writer(s.err)
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(errw, "hub: internal error: %v\nhub: hint: this is a bug in hub; please report it with the command you ran (no key is shown above)\n", r)
			if os.Getenv("HUB_DEBUG") != "" {
				errw.Write(debug.Stack())
			}
			code = 1
		}
		out.Flush()
		errw.Flush()
	}()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	app := &app{
		ctx: ctx, in: s.in, out: out, errw: errw, rawOut: s.out, terminal: s.terminal, color: s.color, progress: s.progress,
		inTerminal: s.inTerminal, outTerminal: s.outTerminal, width: s.width,
		env: envMap(environ), redactor: red,
	}
	root := app.rootCommand()
	long, short := flagNames(root)
	root.SetArgs(normalizeArgs(args, long, short))
	root.SetIn(s.in)
	root.SetOut(out)
	root.SetErr(errw)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if !ee.silent && ee.err != nil {
			app.errorf("%v", ee.err)
		}
		if ee.code == 0 {
			return 1
		}
		return ee.code
	}
	app.errorf("%v", err)
	msg := err.Error()
	if _, name, ok := strings.Cut(msg, "unknown flag: --"); ok {
		if s := suggestFlag(name, long); s != "" {
			app.hint("did you mean --%s?", s)
		}
	}
	if strings.Contains(msg, "unknown flag") || strings.Contains(msg, "unknown shorthand flag") || strings.Contains(msg, "unknown command") {
		app.hint("run hub --help, or hub COMMAND --help, to see what is accepted")
	}
	return 1
}

func envMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// flagNames returns every long flag name and shorthand letter of the tree.
func flagNames(root *cobra.Command) (long, short map[string]bool) {
	long, short = map[string]bool{}, map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		visit := func(f *pflag.Flag) {
			long[f.Name] = true
			if f.Shorthand != "" {
				short[f.Shorthand] = true
			}
		}
		c.Flags().VisitAll(visit)
		c.PersistentFlags().VisitAll(visit)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	short["h"] = true
	return long, short
}

// normalizeArgs accepts Terraform's single-dash long flags (-auto-approve,
// -chdir=DIR) by rewriting them to the GNU spelling. A single-dash word that
// does not start with a shorthand letter is taken as a long flag too, so a
// misspelled one is reported by its name rather than as a bad shorthand.
// Everything after "--" is left alone.
func normalizeArgs(args []string, long, short map[string]bool) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' {
			name, _, _ := strings.Cut(a[1:], "=")
			if len(name) > 1 && (long[name] || !short[name[:1]]) {
				a = "-" + a
			}
		}
		out = append(out, a)
	}
	return out
}

// suggestFlag returns the known long flag closest to name, if it is close.
func suggestFlag(name string, long map[string]bool) string {
	name, _, _ = strings.Cut(name, "=")
	best, bestD := "", 3
	for f := range long {
		if d := levenshtein.Distance(name, f, nil); d < bestD || (d == bestD && best != "" && f < best) {
			best, bestD = f, d
		}
	}
	return best
}

// terminalWidth is stdout's width in columns, 0 when it is not a terminal.
func terminalWidth() int {
	if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
		return w
	}
	return 0
}
