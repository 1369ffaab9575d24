package main

import (
	"errors"
	"path/filepath"
	"time"

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
	cfg, diags := config.Load(config.Options{Dir: a.dir(), Env: a.env, Vars: v.vars, VarFiles: v.files, Context: a.ctx})
	a.redactor.Add(cfg.Secrets...)
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
	return &engine.Engine{Sys: system.OS{}, Env: targets.Env{Vars: a.env, Dir: dir}, Host: a.host()}
}

// cachePath is where a remote state's local copy lives.
func (a *app) cachePath() string { return filepath.Join(a.dir(), ".hub", "state-cache.json") }

// session is the operation layer for cfg: its state store, how long to wait
// for its lock, and who this run is.
func (a *app) session(cfg *config.Config) (*engine.Session, error) {
	store, err := a.store(cfg.Backend)
	if err != nil {
		return nil, err
	}
	return a.sessionFor(cfg.Backend, store), nil
}

// sessionFor is session with a store already open.
func (a *app) sessionFor(be *config.Backend, store states.Store) *engine.Session {
	var timeout time.Duration
	if be != nil {
		timeout = be.LockTimeout
	}
	return &engine.Session{Engine: a.engine(), Store: store, LockTimeout: timeout, Who: a.env["USER"] + "@" + a.host()}
}

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
	return a.sessionFor(nil, store).Load(a.ctx)
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
