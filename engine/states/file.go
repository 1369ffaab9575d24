package states

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/hubctl/hub/engine/system"
)

// FileStore keeps state in a local JSON file (by default .hub/state.json
// beside the configuration), written atomically with mode 0600, and locks it
// with an OS file lock so two applies never interleave. It is a DocStore
// over the file, so it does not parse again the document it last read or
// wrote while the file holds it.
type FileStore struct {
	Path  string
	Sys   system.System // nil means system.OS
	Codec Codec         // nil: the file holds the state as JSON

	once sync.Once
	doc  *DocStore
}

var (
	_ Store  = (*FileStore)(nil)
	_ Locker = (*FileStore)(nil)
)

func (f *FileStore) store() *DocStore {
	f.once.Do(func() { f.doc = &DocStore{Blob: fileBlob{f}, Codec: f.Codec} })
	return f.doc
}

func (f *FileStore) sys() system.System {
	if f.Sys == nil {
		return system.OS{}
	}
	return f.Sys
}

// Describe implements Store.
func (f *FileStore) Describe() string { return f.Path }

// Load implements Store.
func (f *FileStore) Load(ctx context.Context) (*State, error) { return f.store().Load(ctx) }

// Save implements Store.
func (f *FileStore) Save(ctx context.Context, s *State) error { return f.store().Save(ctx, s) }

// fileBlob is the file as a Blob.
type fileBlob struct{ f *FileStore }

func (b fileBlob) Describe() string { return b.f.Path }

func (b fileBlob) Read(ctx context.Context) (Stored, error) {
	data, err := system.Read(ctx, b.f.sys(), b.f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return Stored{}, nil
	}
	if err != nil {
		return Stored{}, fmt.Errorf("read state: %w", err)
	}
	return Stored{Found: true, Data: data}, nil
}

// Write checks the stored document and replaces it atomically. The file
// has no write exclusion of its own: the OS lock (Lock), which hub's
// writing commands hold around load, change and save, keeps other hub runs
// out.
func (b fileBlob) Write(ctx context.Context, data []byte, g *Guard) error {
	cur, err := b.Read(ctx)
	if err != nil {
		return err
	}
	if err := g.Check(cur); err != nil {
		return err
	}
	// Saves run under the state lock: a temporary file beside the state is
	// what a killed save left, never another run's.
	_ = b.f.sys().CleanTemps(b.f.Path)
	if err := b.f.sys().WriteFile(b.f.Path, data, 0o600); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}

// Lock implements Locker with flock on <state>.lock; the holder's details are
// written into the lock file for the message another process shows.
func (f *FileStore) Lock(ctx context.Context, info LockInfo) (func() error, error) {
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
		if b, err := system.ReadFile(ctx, lockPath); err == nil {
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
