package states

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"github.com/hubctl/hub/engine/system"
)

// FileStore keeps state in a local JSON file (by default .hub/state.json
// beside the configuration), written atomically with mode 0600, and locks it
// with an OS file lock so two applies never interleave.
type FileStore struct {
	Path string
	Sys  system.System // nil means system.OS
}

var (
	_ Store  = (*FileStore)(nil)
	_ Locker = (*FileStore)(nil)
)

func (f *FileStore) sys() system.System {
	if f.Sys == nil {
		return system.OS{}
	}
	return f.Sys
}

// Describe implements Store.
func (f *FileStore) Describe() string { return f.Path }

// Load implements Store.
func (f *FileStore) Load(context.Context) (*State, error) {
	b, err := f.sys().ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return New(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	s, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	return s, nil
}

// Save implements Store.
func (f *FileStore) Save(ctx context.Context, s *State) error {
	cur, err := f.Load(ctx)
	if err != nil {
		return err
	}
	stored := cur.Serial > 0
	if stored && (cur.Lineage != s.Lineage || cur.Serial != s.Serial-1) {
		return &ConflictError{Where: f.Path, WantLineage: s.Lineage, HaveLineage: cur.Lineage, WantSerialBelow: s.Serial - 1, HaveSerial: cur.Serial}
	}
	b, err := Encode(s)
	if err != nil {
		return err
	}
	if err := f.sys().WriteFile(f.Path, b, 0o600); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}

// Lock implements Locker with flock on <state>.lock; the holder's details are
// written into the lock file for the message another process shows.
func (f *FileStore) Lock(_ context.Context, info LockInfo) (func() error, error) {
	lockPath := f.Path + ".lock"
	if err := os.MkdirAll(filepath.Dir(lockPath), 0o700); err != nil {
		return nil, fmt.Errorf("lock state: %w", err)
	}
	fl := flock.New(lockPath, flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock state %s: %w", lockPath, err)
	}
	if !ok {
		le := &LockedError{Where: f.Path}
		if b, err := os.ReadFile(lockPath); err == nil {
			var h LockInfo
			if json.Unmarshal(b, &h) == nil && h.ID != "" {
				le.Holder = &h
			}
		}
		return nil, le
	}
	if info.Created.IsZero() {
		info.Created = time.Now()
	}
	if b, err := json.Marshal(info); err == nil {
		// Written in place: the lock is on this inode, so it must not be replaced.
		_ = os.WriteFile(lockPath, b, 0o600)
	}
	return func() error {
		_ = os.Truncate(lockPath, 0)
		return fl.Unlock()
	}, nil
}
