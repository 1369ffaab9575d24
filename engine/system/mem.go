package system

import (
	"fmt"
	"io/fs"
	"sort"
	"sync"
)

// Mem is an in-memory System for tests of the layers above: golden tests of
// targets run the real engine against it, with no disk.
type Mem struct {
	mu    sync.Mutex
	files map[string][]byte
	modes map[string]fs.FileMode
	// inPlace records files whose last write kept the file (WriteFileInPlace).
	inPlace map[string]bool
	// FailWrite, if set, is called before each write; an error fails it.
	FailWrite func(name string) error
}

var _ System = (*Mem)(nil)

// NewMem returns a Mem holding files.
func NewMem(files map[string][]byte) *Mem {
	m := &Mem{files: map[string][]byte{}, modes: map[string]fs.FileMode{}}
	for k, v := range files {
		m.files[k] = append([]byte(nil), v...)
		m.modes[k] = 0o644
	}
	return m
}

// ReadFile implements System.
func (m *Mem) ReadFile(name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.files[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return append([]byte(nil), b...), nil
}

// WriteFile implements System.
func (m *Mem) WriteFile(name string, data []byte, perm fs.FileMode) error {
	if m.FailWrite != nil {
		if err := m.FailWrite(name); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.files[name]; !ok {
		m.modes[name] = perm
	}
	m.files[name] = append([]byte(nil), data...)
	delete(m.inPlace, name)
	return nil
}

// WriteFileInPlace implements System; in memory it is WriteFile, but it
// records that the file was written in place.
func (m *Mem) WriteFileInPlace(name string, data []byte, perm fs.FileMode) error {
	if err := m.WriteFile(name, data, perm); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.inPlace == nil {
		m.inPlace = map[string]bool{}
	}
	m.inPlace[name] = true
	return nil
}

// InPlace reports whether the last write to name was in place.
func (m *Mem) InPlace(name string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.inPlace[name]
}

// Mode returns the mode a file was created with.
func (m *Mem) Mode(name string) fs.FileMode {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.modes[name]
}

// Names lists the files, sorted.
func (m *Mem) Names() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.files))
	for k := range m.files {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
