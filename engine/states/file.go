package states

import (
	"bytes"
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
// with an OS file lock so two applies never interleave.
type FileStore struct {
	Path string
	Sys  system.System // nil means system.OS

	// seen is the document this store last read or wrote, and the state it
	// holds: while the file has exactly these bytes, it is not parsed again
	// (hub watch keeps its store from one round to the next). mu guards it.
	mu   sync.Mutex
	seen *seenDoc
}

type seenDoc struct {
	data []byte
	st   *State // never handed out: callers get clones
}

// known returns the state b holds if it is the document last seen.
func (f *FileStore) known(b []byte) *State {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.seen != nil && bytes.Equal(b, f.seen.data) {
		return f.seen.st
	}
	return nil
}

func (f *FileStore) see(d *seenDoc) {
	f.mu.Lock()
	f.seen = d
	f.mu.Unlock()
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
	if st := f.known(b); st != nil {
		return st.Clone(), nil
	}
	s, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	f.see(&seenDoc{data: b, st: s.Clone()})
	return s, nil
}

// header reads the stored state's header, as Load would read the state
// (serial 0 when there is none).
func (f *FileStore) header() (header, error) {
	b, err := f.sys().ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return header{}, nil
	}
	if err != nil {
		return header{}, fmt.Errorf("read state: %w", err)
	}
	if st := f.known(b); st != nil {
		return header{Version: st.Version, Lineage: st.Lineage, Serial: st.Serial}, nil
	}
	h, err := decodeHeader(b)
	if err != nil {
		return header{}, fmt.Errorf("%s: %w", f.Path, err)
	}
	return h, nil
}

// Save implements Store.
func (f *FileStore) Save(_ context.Context, s *State) error {
	cur, err := f.header()
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
		f.see(nil)
		return fmt.Errorf("save state: %w", err)
	}
	var seen *seenDoc
	if (header{Version: s.Version, Lineage: s.Lineage}).check() == nil {
		c := s.Clone() // what decoding b gives
		if c.Hosts == nil {
			c.Hosts = map[string]*Host{}
		}
		seen = &seenDoc{data: b, st: c}
	}
	f.see(seen)
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
