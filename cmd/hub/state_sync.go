package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/views"
)

// stateStore opens the store the configuration's hub block names, reading
// only that block: state commands work without the credentials' keys.
func (a *app) stateStore() (states.Store, *config.Backend, error) {
	be, secrets, diags := config.LoadBackend(config.Options{Dir: a.dir(), Env: a.env, Context: a.ctx, Keyring: a.keyring()})
	a.redactor.Add(secrets...)
	a.view().Diagnostics(diags, nil)
	if diags.HasErrors() {
		return nil, nil, reported(1)
	}
	store, err := a.store(be)
	return store, be, err
}

// syncedStore is stateStore for the commands that need a remote.
func (a *app) syncedStore(cmd string) (*states.Synced, error) {
	store, _, err := a.stateStore()
	if err != nil {
		return nil, err
	}
	s, ok := store.(*states.Synced)
	if !ok {
		return nil, fmt.Errorf("hub state %s needs a remote state backend; this configuration keeps state in %s (add hub { state \"webdav\" { ... } })", cmd, a.statePath())
	}
	return s, nil
}

func (a *app) statePullCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "pull",
		Short: "Take the remote state as this machine's",
		Long: `Replace this machine's copy of the state with the remote one, whatever its
lineage: for when hub refuses a remote that holds a different state and the
remote is the one to keep.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			s, err := a.syncedStore("pull")
			if err != nil {
				return err
			}
			before, _ := s.Cached()
			st, err := s.Pull(a.ctx)
			if err != nil {
				return err
			}
			views.NewStateSync(a.view()).Pulled(s.Describe(), st, before)
			return nil
		},
	}
}

func (a *app) statePushCommand() *cobra.Command {
	var auto bool
	c := &cobra.Command{
		Use:   "push",
		Short: "Replace the remote state with this machine's copy",
		Long: `Upload this machine's copy of the state over whatever the remote holds: for
when the remote was wiped, or holds a state that must go. The remote keeps
its earlier versions in its history folder. Asks first, as apply does.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			s, err := a.syncedStore("push")
			if err != nil {
				return err
			}
			local, err := s.Cached()
			if err != nil {
				return fmt.Errorf("this machine has no copy of the state to push (%s)", a.cachePath())
			}
			remote, err := s.Remote.Load(a.ctx)
			if err != nil {
				return err
			}
			views.NewStateSync(a.view()).Pushing(s.Describe(), remote, local)
			if !auto {
				if err := a.confirm("push"); err != nil {
					return err
				}
			}
			if _, err := s.Push(a.ctx); err != nil {
				return err
			}
			views.NewStateSync(a.view()).Pushed(s.Describe(), local)
			return nil
		},
	}
	c.Flags().BoolVar(&auto, "auto-approve", false, "push without asking for confirmation")
	return c
}

func (a *app) stateUnlockCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "unlock ID",
		Short: "Break a stale lock on a remote state",
		Long: `Remove the lock with this ID from the remote state, when the hub run that
took it died. The ID is in the message of the run that found the lock; only
that lock is removed, never one taken since. Local locks need no unlocking:
the OS releases them when their process ends.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			store, _, err := a.stateStore()
			if err != nil {
				return err
			}
			u, ok := store.(states.ForceUnlocker)
			if !ok {
				return errors.New("the local state's lock is released by the OS when its process ends; there is nothing to unlock")
			}
			if err := u.ForceUnlock(a.ctx, args[0]); err != nil {
				return err
			}
			views.NewStateSync(a.view()).Unlocked(args[0], store.Describe())
			return nil
		},
	}
}

func (a *app) stateMigrateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Move the state to the backend the configuration now names",
		Long: `Move the state, keeping its lineage, to where the configuration now says it
lives. With a webdav backend: upload .hub/state.json to the server (which must
hold no state yet) and keep the file as .hub/state.json.migrated-TIME. With
the local backend again: write .hub/state.json from this machine's copy of the
remote state (run hub state pull first for the newest one).`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			store, _, err := a.stateStore()
			if err != nil {
				return err
			}
			local := &states.FileStore{Path: a.statePath()}
			if s, remote := store.(*states.Synced); remote {
				return a.migrateUp(local, s)
			}
			return a.migrateDown(local)
		},
	}
}

// migrateUp uploads the local state file to a remote that has none.
func (a *app) migrateUp(local *states.FileStore, s *states.Synced) error {
	st, moved, err := s.MigrateUp(a.ctx, local, time.Now())
	if errors.Is(err, states.ErrRemoteHolds) {
		return fmt.Errorf("%s already holds a state (%s); to replace it with this machine's, run hub state migrate only after removing it there, or use hub state pull to take it", s.Describe(), views.Describe(st))
	}
	if err != nil {
		return err
	}
	views.NewStateSync(a.view()).MigratedUp(st, s.Describe(), moved)
	return nil
}

// migrateDown writes the local state file from the copy of a remote state.
func (a *app) migrateDown(local *states.FileStore) error {
	st, err := states.MigrateDown(a.ctx, a.cachePath(), local)
	if errors.Is(err, states.ErrNoCopy) {
		return fmt.Errorf("there is no copy of a remote state (%s) to migrate from; put the webdav block back and run hub state pull first", a.cachePath())
	}
	if err != nil {
		return err
	}
	views.NewStateSync(a.view()).MigratedDown(st, a.statePath())
	return nil
}
