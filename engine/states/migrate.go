package states

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/hubctl/hub/engine/system"
)

// ErrRemoteHolds is wrapped when a migration to a remote finds a state
// there already.
var ErrRemoteHolds = errors.New("the remote holds a state already")

// MigrateUp moves the state from the local file to s, a remote that holds
// none: it uploads it with its lineage, keeps the local copy in step, and
// renames the file to <file>.migrated-TIME (returned) so that nothing reads
// it again by mistake.
func (s *Synced) MigrateUp(ctx context.Context, local *FileStore, now time.Time) (st *State, moved string, err error) {
	if st, err = local.Load(ctx); err != nil {
		return nil, "", err
	}
	if st.Serial == 0 {
		return nil, "", fmt.Errorf("there is no local state in %s to migrate", local.Path)
	}
	remote, err := s.Remote.Load(ctx)
	if err != nil {
		return nil, "", err
	}
	if remote.Serial > 0 {
		return remote, "", fmt.Errorf("%s: %w", s.Describe(), ErrRemoteHolds)
	}
	fp, ok := s.Remote.(ForcePusher)
	if !ok {
		return nil, "", fmt.Errorf("%s cannot be written", s.Describe())
	}
	if err := fp.ForcePush(ctx, st); err != nil {
		return nil, "", err
	}
	if err := s.remember(st); err != nil {
		return nil, "", err
	}
	moved = fmt.Sprintf("%s.migrated-%s", local.Path, now.UTC().Format("20060102T150405Z"))
	if err := os.Rename(local.Path, moved); err != nil {
		return nil, "", err
	}
	return st, moved, nil
}

// ErrNoCopy is wrapped when a migration back to the local file finds no
// local copy of the remote state.
var ErrNoCopy = errors.New("there is no copy of a remote state")

// MigrateDown writes the local state file from cache, the local copy of a
// remote state, keeping its lineage. The file must not exist yet.
func MigrateDown(ctx context.Context, cache string, local *FileStore) (*State, error) {
	if _, err := os.Stat(local.Path); err == nil {
		return nil, fmt.Errorf("%s already exists: the state is local already", local.Path)
	}
	b, err := system.ReadFile(ctx, cache)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w (%s)", ErrNoCopy, cache)
	}
	if err != nil {
		return nil, err
	}
	st, err := Decode(b)
	if err != nil {
		return nil, err
	}
	if err := local.Save(ctx, st); err != nil {
		return nil, err
	}
	return st, nil
}
