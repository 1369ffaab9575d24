package states

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/hubctl/hub/engine/system"
)

// Synced is a remote Store (WebDAV) with a local copy of the last state this
// machine saw or wrote. The copy lets plan run offline (Cached), and it is
// what makes an empty or foreign remote safe: hub never takes a remote that
// lost its state, or holds another lineage, as "delete everything", but
// stops and asks for hub state push or hub state pull.
type Synced struct {
	Remote Store
	// Cache is the local copy's path (.hub/state-cache.json); it never holds
	// a secret, since state does not.
	Cache string
	Sys   system.System
}

var _ Store = (*Synced)(nil)

// ErrRemoteEmpty is wrapped when the remote has no state but this machine
// has one: the server was wiped, or the URL or path is wrong.
var ErrRemoteEmpty = errors.New("the remote has no state, but this machine has")

// ErrForeignLineage is wrapped when the remote holds another state.
var ErrForeignLineage = errors.New("the remote holds a different state")

// Describe implements Store.
func (s *Synced) Describe() string { return s.Remote.Describe() }

// Load implements Store: the remote state, checked against the local copy.
func (s *Synced) Load(ctx context.Context) (*State, error) {
	remote, err := s.Remote.Load(ctx)
	if err != nil {
		return nil, err
	}
	local, err := s.Cached()
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if local != nil && local.Serial > 0 {
		switch {
		case remote.Serial == 0:
			return nil, fmt.Errorf("%s: %w (lineage %s, serial %d); if the remote was wiped, run hub state push to upload this machine's copy; if the url or path is wrong, fix it", s.Describe(), ErrRemoteEmpty, local.Lineage, local.Serial)
		case remote.Lineage != local.Lineage:
			return nil, fmt.Errorf("%s: %w (lineage %s; this machine has %s): run hub state pull to take the remote's, or hub state push to replace it with this machine's", s.Describe(), ErrForeignLineage, remote.Lineage, local.Lineage)
		}
	}
	if remote.Serial > 0 {
		if err := s.remember(remote); err != nil {
			return nil, err
		}
	}
	return remote, nil
}

// Save implements Store, and keeps the local copy in step.
func (s *Synced) Save(ctx context.Context, st *State) error {
	if err := s.Remote.Save(ctx, st); err != nil {
		return err
	}
	return s.remember(st)
}

// Cached returns the local copy (an error wrapping fs.ErrNotExist if none).
func (s *Synced) Cached() (*State, error) {
	b, err := s.Sys.ReadFile(s.Cache)
	if err != nil {
		return nil, err
	}
	st, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Cache, err)
	}
	return st, nil
}

// Pull replaces the local copy with the remote state, whatever its lineage.
func (s *Synced) Pull(ctx context.Context) (*State, error) {
	remote, err := s.Remote.Load(ctx)
	if err != nil {
		return nil, err
	}
	if remote.Serial == 0 {
		return nil, fmt.Errorf("%s has no state to pull", s.Describe())
	}
	return remote, s.remember(remote)
}

// Push replaces the remote state with the local copy, whatever it holds.
func (s *Synced) Push(ctx context.Context) (*State, error) {
	local, err := s.Cached()
	if err != nil {
		return nil, fmt.Errorf("no local copy of the state to push: %w", err)
	}
	fp, ok := s.Remote.(ForcePusher)
	if !ok {
		return nil, fmt.Errorf("%s cannot be overwritten", s.Describe())
	}
	return local, fp.ForcePush(ctx, local)
}

// Lock implements Locker when the remote does.
func (s *Synced) Lock(ctx context.Context, info LockInfo) (func() error, error) {
	if l, ok := s.Remote.(Locker); ok {
		return l.Lock(ctx, info)
	}
	return func() error { return nil }, nil
}

// ForceUnlock implements ForceUnlocker when the remote does.
func (s *Synced) ForceUnlock(ctx context.Context, id string) error {
	if u, ok := s.Remote.(ForceUnlocker); ok {
		return u.ForceUnlock(ctx, id)
	}
	return fmt.Errorf("%s has no lock to break", s.Describe())
}

func (s *Synced) remember(st *State) error {
	b, err := Encode(st)
	if err != nil {
		return err
	}
	if err := s.Sys.WriteFile(s.Cache, b, 0o600); err != nil {
		return fmt.Errorf("keep a local copy of the state: %w", err)
	}
	return nil
}
