package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/plans"
	"github.com/hubctl/hub/engine/render"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/watch"
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

// watcher is one hub watch invocation's memory between rounds.
type watcher struct {
	a   *app
	f   watchFlags
	j   *render.JSON
	src watchSource
	// cycled, if set, is called after each round (tests).
	cycled func()

	mu      sync.Mutex
	cfgDir  string
	inputs  map[string]bool   // configuration files and files it reads
	managed map[string]string // managed file → the sum hub last wrote ("" if none)
	dirs    map[string]bool   // directories watched
	drifted map[string]bool   // path + "\x00" + sum, reported already

	parsed  *config.ParseCache // blocks parsed in earlier rounds
	secrets map[string]bool    // given to the redactor already
	local   *states.FileStore  // the local state store, kept between rounds

	// stateMu keeps a round and a telemetry refresh from contending for the
	// state lock inside this process.
	stateMu sync.Mutex
	lastCfg *config.Config    // the last configuration planned, for refreshes
	health  map[string]string // credential → health at the last refresh
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
	dir := w.cfgDir
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
	w.info("watch_start", fmt.Sprintf("hub: watching %s (Ctrl-C to stop)", dir), map[string]any{"dir": dir})
	var src watch.Source = w.src
	if f.refreshEvery > 0 {
		ps := newPokeSource(a.ctx, w.src)
		src = ps
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.refreshLoop(a.ctx, f.refreshEvery, ps.poke)
		}()
		defer wg.Wait()
	}
	err := watch.Run(a.ctx, watch.Options{
		Source:   src,
		Debounce: f.debounce,
		Initial:  true,
		Filter:   w.filter,
		Cycle:    w.cycle,
		Log: func(err error) {
			if w.j != nil {
				w.j.Emit("error", "watch_error", err.Error(), nil)
			} else {
				a.errorf("%v", err)
			}
			a.flush()
		},
	})
	w.info("watch_stop", "hub: watch stopped", nil)
	return err
}

// init sets the watcher up for a run of a with flags f.
func (w *watcher) init(a *app, f watchFlags) error {
	w.a, w.f, w.j = a, f, a.jsonView(f.json)
	dir, err := filepath.Abs(a.dir())
	if err != nil {
		return err
	}
	w.cfgDir = dir
	w.inputs, w.managed, w.dirs, w.drifted = map[string]bool{}, map[string]string{}, map[string]bool{}, map[string]bool{}
	w.parsed, w.secrets, w.health = config.NewParseCache(), map[string]bool{}, map[string]string{}
	return nil
}

func (a *app) flush() {
	a.out.Flush()
	a.errw.Flush()
}

// info prints a line on stdout, or a JSON message.
func (w *watcher) info(typ, msg string, fields map[string]any) {
	if w.j != nil {
		w.j.Emit("info", typ, msg, fields)
	} else {
		fmt.Fprintln(w.a.out, msg)
	}
	w.a.flush()
}

func (w *watcher) warn(typ, msg string, fields map[string]any) {
	if w.j != nil {
		w.j.Emit("warn", typ, msg, fields)
	} else {
		w.a.warnf("%s", msg)
	}
	w.a.flush()
}

// filter keeps the changes that matter: configuration files, a watched
// directory that (re)appeared, and managed files whose contents are not what
// hub last wrote. hub's own writes are dropped here.
func (w *watcher) filter(paths []string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, p := range paths {
		switch sum, managed := w.managed[p]; {
		case p == refreshedModels, w.dirs[p], w.inputs[p]:
		case filepath.Dir(p) == w.cfgDir && strings.HasSuffix(p, ".hcl"):
		case managed:
			if b, err := os.ReadFile(p); err == nil && sum != "" && engine.Sum(b) == sum {
				continue
			}
		default:
			continue
		}
		out = append(out, p)
	}
	return out
}

// cycle is one round: load, plan, apply what changed.
func (w *watcher) cycle(ctx context.Context, _ []string) error {
	a, f := w.a, w.f
	defer func() {
		if w.cycled != nil {
			w.cycled()
		}
	}()
	defer a.flush()
	if _, err := w.src.Sync(); err != nil {
		a.warnf("%v", err)
	}
	cfg, err := w.load()
	w.mu.Lock()
	clear(w.inputs)
	for _, n := range cfg.FileNames {
		if abs, err := filepath.Abs(n); err == nil {
			w.inputs[abs] = true
		}
	}
	w.mu.Unlock()
	if err != nil {
		w.watchDirs()
		w.warn("watch_config_error", "the configuration has errors; nothing written, waiting for a fix", nil)
		return watch.ErrReported
	}
	store, err := w.store(cfg.Backend)
	if err != nil {
		return err
	}
	var timeout time.Duration
	if cfg.Backend != nil {
		timeout = cfg.Backend.LockTimeout
	}
	w.stateMu.Lock()
	defer w.stateMu.Unlock()
	unlock, err := a.lock(store, "watch", timeout)
	if err != nil {
		return lockErr(err)
	}
	defer unlock()
	st, err := a.loadState(store)
	if err != nil {
		return err
	}
	eng := a.engine()
	planned, err := eng.Plan(ctx, cfg, st, engine.PlanOptions{Targets: f.targets})
	if err != nil {
		return err
	}
	w.mu.Lock()
	w.lastCfg = cfg
	w.mu.Unlock()
	w.remember(planned.Plan, st, eng.Host, true)
	w.watchDirs()

	// Leave out targets that cannot be applied now: those whose plan failed,
	// and under --on-drift warn those with drift.
	var keep []string
	skipped := false
	for _, t := range planned.Plan.Targets {
		skip := false
		for _, fc := range t.Files {
			if fc.Error != "" {
				w.warn("watch_plan_error", fmt.Sprintf("%s: %s", t.Address, fc.Error), map[string]any{"target": t.Address, "path": fc.Path})
				skip = true
			}
			if len(fc.Drift) > 0 {
				w.reportDrift(t.Address, fc)
				skip = skip || f.onDrift == "warn"
			}
		}
		if t.Error != "" {
			w.warn("watch_plan_error", fmt.Sprintf("%s: %s", t.Address, t.Error), map[string]any{"target": t.Address})
			skip = true
		}
		if skip {
			skipped = true
		} else {
			keep = append(keep, t.Address)
		}
	}
	if skipped {
		if len(keep) == 0 {
			return nil
		}
		if planned, err = eng.Plan(ctx, cfg, st, engine.PlanOptions{Targets: keep}); err != nil {
			return err
		}
		if planned.Plan.Errored() {
			return errors.New("the plan changed while watching; trying again on the next change")
		}
	}
	if !planned.Plan.HasChanges() {
		return nil
	}
	res, err := eng.Apply(ctx, planned, st)
	if err != nil {
		return err
	}
	var saveErr error
	if res.Changed {
		saveErr = a.saveState(store, st, res.State)
		w.remember(planned.Plan, res.State, eng.Host, false)
	}
	w.showWritten(planned.Plan, res)
	if err := res.Err(); err != nil {
		return err
	}
	if saveErr != nil {
		return fmt.Errorf("the files above were written but the state could not be saved: %w", saveErr)
	}
	return nil
}

// load is app.load with the watcher's parse cache: only the blocks that
// changed since the last round are parsed again. Secrets seen in earlier
// rounds are not handed to the redactor again.
func (w *watcher) load() (*config.Config, error) {
	a := w.a
	cfg, diags := config.Load(config.Options{Dir: a.dir(), Env: a.env, Vars: w.f.vars.vars, VarFiles: w.f.vars.files, Cache: w.parsed})
	var fresh []string
	for _, s := range cfg.Secrets {
		if !w.secrets[s] {
			w.secrets[s] = true
			fresh = append(fresh, s)
		}
	}
	a.redactor.Add(fresh...)
	a.printDiags(diags, cfg.Files, w.j)
	if diags.HasErrors() {
		return cfg, reported(1)
	}
	return cfg, nil
}

// store opens the state store the configuration names. The local store is
// kept from one round to the next: it does not parse the state again while
// the file holds what it last read or wrote.
func (w *watcher) store(be *config.Backend) (states.Store, error) {
	s, err := w.a.store(be)
	if fs, ok := s.(*states.FileStore); ok && err == nil {
		if w.local != nil && w.local.Path == fs.Path {
			return w.local, nil
		}
		w.local = fs
	}
	return s, err
}

// lockErr keeps an already-reported lock failure from being logged twice.
func lockErr(err error) error {
	var ee *exitError
	if errors.As(err, &ee) && ee.silent {
		return watch.ErrReported
	}
	return err
}

// remember records the managed files of p and the sums hub last wrote to
// them according to st; reset forgets the files of earlier rounds first.
func (w *watcher) remember(p *plans.Plan, st *states.State, host string, reset bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if reset {
		clear(w.managed)
	}
	var h *states.Host
	if st != nil {
		h = st.Hosts[host]
	}
	for _, t := range p.Targets {
		for _, fc := range t.Files {
			sum := ""
			if h != nil {
				if ts := h.Targets[t.Address]; ts != nil {
					if sf := ts.Files[fc.Path]; sf != nil {
						sum = sf.Sum
					}
				}
			}
			w.managed[fc.Path] = sum
		}
	}
}

// watchDirs watches the configuration directory and the directories of the
// configuration's inputs and of the managed files.
func (w *watcher) watchDirs() {
	w.mu.Lock()
	set := map[string]bool{w.cfgDir: true}
	for p := range w.inputs {
		set[filepath.Dir(p)] = true
	}
	for p := range w.managed {
		set[filepath.Dir(p)] = true
	}
	clear(w.dirs)
	var dirs []string
	for d := range set {
		w.dirs[d] = true
		dirs = append(dirs, d)
	}
	w.mu.Unlock()
	sort.Strings(dirs)
	if err := w.src.Want(dirs); err != nil {
		w.a.warnf("%v", err)
	}
}

// reportDrift reports a file's drift once per contents.
func (w *watcher) reportDrift(addr string, fc plans.FileChange) {
	key := fc.Path + "\x00" + fc.BeforeSum
	w.mu.Lock()
	seen := w.drifted[key]
	w.drifted[key] = true
	w.mu.Unlock()
	if seen {
		return
	}
	var keys []string
	for _, d := range fc.Drift {
		keys = append(keys, d.Key)
	}
	slices.Sort(keys)
	msg := fmt.Sprintf("%s: %s: changed outside hub: %s", addr, fc.Path, strings.Join(keys, ", "))
	if w.f.onDrift == "warn" {
		msg += "; left alone (hub apply, or hub watch --on-drift revert, puts hub's values back)"
	} else {
		msg += "; putting hub's values back"
	}
	w.warn("watch_drift", msg, map[string]any{"target": addr, "path": fc.Path, "keys": keys, "action": w.f.onDrift})
}

// showWritten prints one line per file written.
func (w *watcher) showWritten(p *plans.Plan, res *engine.ApplyResult) {
	changes := map[string]int{}
	for _, t := range p.Targets {
		for _, fc := range t.Files {
			changes[fc.Path] = len(fc.Changes)
		}
	}
	for _, t := range res.Targets {
		for _, fr := range t.Files {
			switch {
			case fr.Err != nil:
				// reported through res.Err
			case fr.Written:
				n := changes[fr.Path]
				msg := fmt.Sprintf("%s: wrote %s (%d %s)", t.Address, fr.Path, n, map[bool]string{true: "item", false: "items"}[n == 1])
				w.info("watch_apply", msg, map[string]any{"target": t.Address, "path": fr.Path, "backup": fr.Backup, "items": changes[fr.Path]})
			}
		}
		if t.ReloadErr == nil && t.Reloaded {
			w.info("watch_reload", fmt.Sprintf("%s: reloaded", t.Address), map[string]any{"target": t.Address})
		}
	}
}
