package main

import (
	"errors"
	"os"
	"path/filepath"

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

func (a *app) store() *states.FileStore { return &states.FileStore{Path: a.statePath()} }

// lock takes the state lock for a writing operation.
func (a *app) lock(op string) (func() error, error) {
	unlock, err := a.store().Lock(a.ctx, states.LockInfo{
		ID: uuid.NewString(), Operation: op, Who: a.env["USER"] + "@" + a.host(), PID: os.Getpid(),
	})
	var le *states.LockedError
	if errors.As(err, &le) {
		a.errorf("%v", err)
		a.hint("wait for the other hub run to finish; a lock held by a process that died is released by the OS")
		return nil, reported(1)
	}
	return unlock, err
}
