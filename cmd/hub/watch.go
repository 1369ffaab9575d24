package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/watch"
	"github.com/hubctl/hub/views"
)

// watchFlags are hub watch's flags.
type watchFlags struct {
	planFlags
	debounce     time.Duration
	onDrift      string
	refreshEvery time.Duration
}

func (a *app) watchCommand() *cobra.Command {
	var f watchFlags
	c := &cobra.Command{
		Use:   "watch",
		Short: "Keep the tools' files in step with the configuration, continuously",
		Long: `Apply once, then watch the configuration (*.hcl, --var-file files, files
read through file()) and every file hub manages, and apply again whenever
they change: no confirmation is asked. Each file written is shown on one
line; a configuration with errors is reported and nothing is written until
it is fixed.

hub's own writes do not start another round. A value hub owns that someone
else changes is drift: with --on-drift warn (the default) it is reported
once and that target is left alone; with --on-drift revert hub puts its
items back, keeping the other edits.

The state lock is taken for each round only, so other hub runs can apply in
between. Stop with Ctrl-C (or SIGTERM): the current round finishes or is
abandoned cleanly, and hub exits 0.

With --refresh-every, hub also refreshes every credential's telemetry on
that schedule, as hub refresh does (models, balance, usage, health into the
state), and reports credentials whose health changed. When a refresh finds
other models for a credential that lists none, targets that pick their model
from it are applied again.`,
		Example: `  hub watch
  hub watch --on-drift revert --debounce 500ms
  hub watch --json --target codex.default
  hub watch --refresh-every 15m`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if f.onDrift != "warn" && f.onDrift != "revert" {
				return fmt.Errorf("--on-drift must be warn or revert, not %q", f.onDrift)
			}
			if f.debounce < 0 {
				return errors.New("--debounce must not be negative")
			}
			if f.refreshEvery < 0 {
				return errors.New("--refresh-every must not be negative (0, the default, turns it off)")
			}
			return a.watchRun(f, nil)
		},
	}
	f.register(c)
	f.lock.register(c)
	c.Flags().DurationVar(&f.debounce, "debounce", 200*time.Millisecond, "wait this `DURATION` after the last change before applying")
	c.Flags().StringVar(&f.onDrift, "on-drift", "warn", "what to do when a value hub owns is changed outside hub: `warn` or revert")
	c.Flags().DurationVar(&f.refreshEvery, "refresh-every", 0, "also refresh every credential's models, balance and health each `DURATION` (e.g. 15m; 0: never)")
	return c
}

// watchSource is what watchRun needs of the file watcher.
type watchSource interface {
	watch.Source
	Want(dirs []string) error
	Sync() ([]string, error)
}

// watcher is one hub watch invocation: the reconciler that does the work,
// and how its rounds are shown.
type watcher struct {
	a    *app
	f    watchFlags
	view views.Watch
	src  watchSource
	// cycled, if set, is called after each round (tests).
	cycled func()
	rec    *watch.Reconciler
}

// watchRun runs hub watch until a.ctx is cancelled, then returns nil. w may
// carry a file watcher (src) and a hook (cycled) for tests; nil means the
// defaults (fsnotify).
func (a *app) watchRun(f watchFlags, w *watcher) error {
	if w == nil {
		w = &watcher{}
	}
	if err := w.init(a, f); err != nil {
		return err
	}
	dir := w.rec.Dir
	if w.src == nil {
		fs, err := watch.NewFS()
		if err != nil {
			return err
		}
		w.src = fs
	}
	defer w.src.Close()
	if err := w.src.Want([]string{dir}); err != nil {
		return err
	}
	w.view.Started(dir)
	var src watch.Source = w.src
	if f.refreshEvery > 0 {
		p := watch.NewPoker(a.ctx, w.src)
		src = p
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.refreshLoop(a.ctx, f.refreshEvery, p.Poke)
		}()
		defer wg.Wait()
	}
	err := watch.Run(a.ctx, watch.Options{
		Source:   src,
		Debounce: f.debounce,
		Initial:  true,
		Filter:   w.rec.Filter,
		Cycle:    w.cycle,
		Log:      w.view.Failed,
	})
	w.view.Stopped()
	return err
}

// init sets the watcher up for a run of a with flags f.
func (w *watcher) init(a *app, f watchFlags) error {
	w.a, w.f, w.view = a, f, views.NewWatch(a.view(), f.json)
	dir, err := filepath.Abs(a.dir())
	if err != nil {
		return err
	}
	w.rec = watch.NewReconciler(dir)
	w.rec.Load = config.Options{Env: a.env, Vars: f.vars.vars, VarFiles: f.vars.files, Context: a.ctx, Keyring: a.keyring()}
	w.rec.Session = func(cfg *config.Config) (*engine.Session, error) { return a.session(cfg, f.lock) }
	w.rec.Targets = f.targets
	w.rec.OnDrift = f.onDrift
	return nil
}

// cycle is one round: the reconciler's, then what it did, shown.
func (w *watcher) cycle(ctx context.Context, _ []string) error {
	a := w.a
	defer func() {
		if w.cycled != nil {
			w.cycled()
		}
	}()
	defer w.view.Flush()
	if _, err := w.src.Sync(); err != nil {
		a.warnf("%v", err)
	}
	round, err := w.rec.Round(ctx, w.src.Want)
	a.redactor.Add(round.Secrets...)
	w.view.Diagnostics(round.Diags, round.Files)
	for _, e := range round.Warnings {
		a.warnf("%v", e)
	}
	if round.ConfigErr {
		w.view.ConfigErrors()
		return watch.ErrReported
	}
	for _, ev := range round.Events {
		w.view.Event(ev)
	}
	var le *states.LockedError
	if errors.As(err, &le) {
		_ = a.lockFailed(err) // shown; reported(1) is for commands
		return watch.ErrReported
	}
	return err
}
