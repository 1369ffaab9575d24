package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/pflag"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/render"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/targets"
)

// varFlags are --var and --var-file, shared by the commands that evaluate.
type varFlags struct {
	vars, files []string
}

func (v *varFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&v.vars, "var", nil, "set a variable: `NAME=VALUE` (repeatable; wins over --var-file, HUB_VAR_NAME and defaults)")
	fs.StringArrayVar(&v.files, "var-file", nil, "read variables from an HCL `FILE` of NAME = value lines (repeatable)")
}

// load reads the configuration and prints its diagnostics (as JSON lines when
// j is set). Secrets it finds are registered with the redactor before anything
// else is printed. It fails with an already-reported error on any error.
func (a *app) load(v varFlags, j *render.JSON) (*config.Config, error) {
	cfg, diags := config.Load(config.Options{Dir: a.dir(), Env: a.env, Vars: v.vars, VarFiles: v.files})
	a.redactor.Add(cfg.Secrets...)
	a.printDiags(diags, cfg.Files, j)
	if diags.HasErrors() {
		return cfg, reported(1)
	}
	return cfg, nil
}

func (a *app) printDiags(diags hcl.Diagnostics, files map[string]*hcl.File, j *render.JSON) {
	if len(diags) == 0 {
		return
	}
	if j != nil {
		j.Diagnostics(diags)
		return
	}
	render.Diagnostics(a.errw, diags, files, a.style())
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

// lock takes the state lock for a writing operation, waiting up to timeout
// for another run to release it.
func (a *app) lock(store states.Store, op string, timeout time.Duration) (func() error, error) {
	return a.lockCtx(a.ctx, store, op, timeout)
}

// lockCtx is lock with its own context, for work that must finish after
// Ctrl-C (recording a refresh) or runs beside watch's rounds.
func (a *app) lockCtx(ctx context.Context, store states.Store, op string, timeout time.Duration) (func() error, error) {
	locker, ok := store.(states.Locker)
	if !ok {
		return func() error { return nil }, nil
	}
	info := states.LockInfo{ID: uuid.NewString(), Operation: op, Who: a.env["USER"] + "@" + a.host(), PID: os.Getpid()}
	deadline := time.Now().Add(timeout)
	for {
		unlock, err := locker.Lock(ctx, info)
		var le *states.LockedError
		if !errors.As(err, &le) {
			return unlock, err
		}
		if time.Now().Before(deadline) {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Second):
				continue
			}
		}
		a.errorf("%v", err)
		if _, local := store.(*states.FileStore); local {
			a.hint("wait for the other hub run to finish; a lock held by a process that died is released by the OS")
		} else {
			a.hint("wait for the other hub run to finish (or raise lock_timeout); if its holder died, run hub state unlock ID with the lock ID above")
		}
		return nil, reported(1)
	}
}

// saveState saves next. When another host saved meanwhile, its writes are
// in other sections, so hub re-reads, lays this host's section over them and
// tries again; a change to the same section is refused.
func (a *app) saveState(store states.Store, base, next *states.State) error {
	for attempt := 0; ; attempt++ {
		err := store.Save(a.ctx, next)
		var ce *states.ConflictError
		if err == nil || !errors.As(err, &ce) || ce.WantLineage != ce.HaveLineage || attempt == 3 {
			return err
		}
		remote, lerr := store.Load(a.ctx)
		if lerr != nil {
			return fmt.Errorf("%w; reading it again to merge: %v", err, lerr)
		}
		merged, merr := states.Merge(base, next, remote, a.host(), store.Describe())
		if merr != nil {
			return fmt.Errorf("%w; the files above were written, but hub could not record them: run hub plan to see where things stand", merr)
		}
		base, next = remote, merged
	}
}

// loadState loads the state, with a hint when a remote cannot be read.
func (a *app) loadState(store states.Store) (*states.State, error) {
	return a.loadStateCtx(a.ctx, store)
}

// loadStateCtx is loadState with its own context.
func (a *app) loadStateCtx(ctx context.Context, store states.Store) (*states.State, error) {
	st, err := store.Load(ctx)
	if err != nil {
		if _, remote := store.(*states.Synced); remote && !errors.Is(err, states.ErrRemoteEmpty) && !errors.Is(err, states.ErrForeignLineage) {
			return nil, fmt.Errorf("%w (hub plan --refresh=false works offline from the local copy)", err)
		}
		return nil, err
	}
	return st, nil
}

// planState is the state a plan starts from: the store's, or with
// refresh=false the local copy of a remote state, said to be possibly stale.
func (a *app) planState(store states.Store, refresh bool) (*states.State, error) {
	synced, remote := store.(*states.Synced)
	if refresh || !remote {
		return a.loadState(store)
	}
	st, err := synced.Cached()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("--refresh=false: there is no local copy of the state yet (%s); run hub plan once with the server reachable", a.cachePath())
	}
	if err != nil {
		return nil, err
	}
	a.warnf("planning from the local copy of the state (serial %d): it may be stale", st.Serial)
	return st, nil
}
