package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/views"
)

// varFlags are --var and --var-file, shared by the commands that evaluate.
type varFlags struct {
	vars, files []string
}

func (v *varFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&v.vars, "var", nil, "set a variable: `NAME=VALUE` (repeatable; wins over --var-file, HUB_VAR_NAME and defaults)")
	fs.StringArrayVar(&v.files, "var-file", nil, "read variables from an HCL `FILE` of NAME = value lines (repeatable)")
}

// load reads the configuration and shows its diagnostics in the command's
// view. Secrets it finds are registered with the redactor before anything
// else is printed. It fails with an already-reported error on any error.
func (a *app) load(v varFlags, view views.Diagnoser) (*config.Config, error) {
	keys := a.keyring()
	cfg, diags := config.Load(config.Options{Dir: a.dir(), Env: a.env, Vars: v.vars, VarFiles: v.files, Context: a.ctx, Keyring: keys})
	a.redactor.Add(cfg.Secrets...)
	// Only time is lost if the cache cannot be written (a read-only
	// checkout): the secrets are decrypted again next time.
	_ = keys.SaveCache()
	view.Diagnostics(diags, cfg.Files)
	if diags.HasErrors() {
		return cfg, reported(1)
	}
	return cfg, nil
}

// engine builds the engine for this invocation.
func (a *app) engine() *engine.Engine {
	dir, err := filepath.Abs(a.dir())
	if err != nil {
		dir = a.dir()
	}
	return &engine.Engine{Sys: system.OS{}, Env: targets.Env{Vars: a.env, Dir: dir}, Host: a.host(),
		Journal: filepath.Join(dir, ".hub", "journal.json")}
}

// cachePath is where a remote state's local copy lives.
func (a *app) cachePath() string { return filepath.Join(a.dir(), ".hub", "state-cache.json") }

// lockFlag is --lock-timeout, for the commands that take the state lock.
type lockFlag struct {
	timeout time.Duration
	set     bool
}

// localLockTimeout is how long a command waits for another run's lock on
// the local state: a hub watch round or another apply takes a moment.
const localLockTimeout = 5 * time.Second

func (l *lockFlag) register(c *cobra.Command) {
	c.Flags().Var(&durationFlag{&l.timeout, &l.set}, "lock-timeout",
		"wait up to `DURATION` for another hub run's state lock (default 5s for local state, lock_timeout of a remote one)")
}

// wait is how long to wait for the lock of the state be names.
func (l lockFlag) wait(be *config.Backend) time.Duration {
	switch {
	case l.set:
		return l.timeout
	case be != nil:
		return be.LockTimeout
	}
	return localLockTimeout
}

// durationFlag is a duration flag that knows whether it was given.
type durationFlag struct {
	d   *time.Duration
	set *bool
}

func (f *durationFlag) String() string {
	if f.d == nil {
		return ""
	}
	return f.d.String()
}

func (f *durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return fmt.Errorf("%q is not a duration like 10s or 1m", s)
	}
	*f.d, *f.set = d, true
	return nil
}

func (*durationFlag) Type() string { return "duration" }

// session is the operation layer for cfg: its state store, how long to wait
// for its lock, and who this run is.
func (a *app) session(cfg *config.Config, lock lockFlag) (*engine.Session, error) {
	store, err := a.store(cfg.Backend)
	if err != nil {
		return nil, err
	}
	sess := a.sessionFor(store)
	sess.LockTimeout = lock.wait(cfg.Backend)
	return sess, nil
}

// sessionFor is a session over a store already open, for reading.
func (a *app) sessionFor(store states.Store) *engine.Session {
	return &engine.Session{Engine: a.engine(), Store: store, Who: a.env["USER"] + "@" + a.host(), History: a.historyPath()}
}

// historyPath is the directory of the credentials' series (this machine's,
// beside the state; a plan never reads it).
func (a *app) historyPath() string { return filepath.Join(a.dir(), ".hub", "history") }

// lockFailed reports a lock that stayed held, with what to do; other
// errors pass through.
func (a *app) lockFailed(err error) error {
	var le *states.LockedError
	if !errors.As(err, &le) {
		return err
	}
	a.errorf("%v", err)
	if !le.Breakable {
		a.hint("wait for the other hub run to finish; a lock held by a process that died is released by the OS")
	} else {
		a.hint("wait for the other hub run to finish (or raise lock_timeout); if its holder died, run hub state unlock ID with the lock ID above")
	}
	return reported(1)
}

// loadState reads the state without the lock (state show, status).
func (a *app) loadState(store states.Store) (*states.State, error) {
	return a.sessionFor(store).Load(a.ctx)
}

// planState is the state a plan starts from: the store's, or with
// refresh=false the local copy of a remote state, said to be possibly stale.
func (a *app) planState(sess *engine.Session, refresh bool) (*states.State, error) {
	st, stale, err := sess.PlanState(a.ctx, refresh)
	if err != nil {
		return nil, err
	}
	if stale {
		a.warnf("planning from the local copy of the state (serial %d): it may be stale", st.Serial)
	}
	return st, nil
}
