package system

import (
	"bytes"
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
	// BeforeReplace, if set, runs in WriteFileIf after the file was found
	// as expected and before it is replaced: a test's concurrent writer.
	BeforeReplace func(name string)
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

// WriteFileIf implements System: the file is checked when the write
// starts and again after BeforeReplace, as OS checks it before its rename.
func (m *Mem) WriteFileIf(name string, data []byte, perm fs.FileMode, c Cond) error {
	if m.FailWrite != nil {
		if err := m.FailWrite(name); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	cur, err := m.check(name, c)
	if err != nil {
		return err
	}
	if c.Before != nil {
		if err := c.Before(cur); err != nil {
			return err
		}
	}
	if m.BeforeReplace != nil {
		m.BeforeReplace(name)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.checkLocked(name, c); err != nil {
		return err
	}
	if !c.Exists {
		m.modes[name] = perm
	}
	m.files[name] = append([]byte(nil), data...)
	if c.InPlace {
		if m.inPlace == nil {
			m.inPlace = map[string]bool{}
		}
		m.inPlace[name] = true
	} else {
		delete(m.inPlace, name)
	}
	return nil
}

func (m *Mem) check(name string, c Cond) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.checkLocked(name, c)
}

func (m *Mem) checkLocked(name string, c Cond) ([]byte, error) {
	b, ok := m.files[name]
	if ok != c.Exists || (ok && !bytes.Equal(b, c.Data)) {
		return nil, fmt.Errorf("write %s: %w", name, ErrChanged)
	}
	if ok && m.modes[name]&0o200 == 0 && !c.ReplaceReadOnly {
		return nil, &ReadOnlyFileError{Path: name, Mode: m.modes[name]}
	}
	return append([]byte(nil), b...), nil
}

// Remove implements System.
func (m *Mem) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.files, name)
	delete(m.modes, name)
	return nil
}

// CleanTemps implements System: a Mem write leaves no temporary file.
func (m *Mem) CleanTemps(string) error { return nil }

// Chmod sets a file's mode, as a user's chmod would.
func (m *Mem) Chmod(name string, mode fs.FileMode) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.modes[name] = mode
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
