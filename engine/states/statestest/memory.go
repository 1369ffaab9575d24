package statestest

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/states/backend"
)

// Memory is a states.Blob kept in memory, with a lock that can be broken:
// the smallest place state can live, for tests of states.DocStore and of
// the backend registry. Its zero value holds no document.
type Memory struct {
	Name string // for Describe

	mu     sync.Mutex
	data   []byte // nil: no document
	holder *states.LockInfo
	writes int
}

var (
	_ states.Blob          = (*Memory)(nil)
	_ states.Locker        = (*Memory)(nil)
	_ states.ForceUnlocker = (*Memory)(nil)
)

// Describe implements states.Blob.
func (m *Memory) Describe() string { return "memory://" + m.Name }

// Read implements states.Blob.
func (m *Memory) Read(context.Context) (states.Stored, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stored(), nil
}

func (m *Memory) stored() states.Stored {
	if m.data == nil {
		return states.Stored{}
	}
	return states.Stored{Found: true, Data: bytes.Clone(m.data)}
}

// Write implements states.Blob: the mutex is its write exclusion.
func (m *Memory) Write(_ context.Context, data []byte, g *states.Guard) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := g.Check(m.stored()); err != nil {
		return err
	}
	m.data = bytes.Clone(data)
	if m.data == nil {
		m.data = []byte{}
	}
	m.writes++
	return nil
}

// Bytes returns the document as stored (nil if none), and how many writes
// stored one.
func (m *Memory) Bytes() ([]byte, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return bytes.Clone(m.data), m.writes
}

// Lock implements states.Locker.
func (m *Memory) Lock(_ context.Context, info states.LockInfo) (func() error, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.holder != nil {
		h := *m.holder
		return nil, &states.LockedError{Where: m.Describe(), Holder: &h}
	}
	m.holder = &info
	return func() error {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.holder != nil && m.holder.ID == info.ID {
			m.holder = nil
		}
		return nil
	}, nil
}

// ForceUnlock implements states.ForceUnlocker.
func (m *Memory) ForceUnlock(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.holder == nil:
		return fmt.Errorf("%s is not locked", m.Describe())
	case m.holder.ID != id:
		return fmt.Errorf("%s is locked by %s, not %s", m.Describe(), m.holder.ID, id)
	}
	m.holder = nil
	return nil
}

// The "memory" state backend keeps state in a Memory per name, shared by
// every store opened with that name:
//
//	hub { state "memory" { name = "x" } }
//
// It exists only in the tests that call RegisterMemoryBackend: it shows
// that adding a backend takes its own code and one registry line.
var memories = struct {
	sync.Mutex
	once sync.Once
	m    map[string]*Memory
}{m: map[string]*Memory{}}

// RegisterMemoryBackend registers the "memory" backend (once per process).
func RegisterMemoryBackend() {
	memories.once.Do(func() {
		backend.Register(backend.Info{Type: "memory", Doc: "process memory, for tests",
			New: func() backend.Settings { return &memorySettings{} }})
	})
}

// MemoryNamed returns the Memory the memory backend keeps as name.
func MemoryNamed(name string) *Memory {
	memories.Lock()
	defer memories.Unlock()
	m := memories.m[name]
	if m == nil {
		m = &Memory{Name: name}
		memories.m[name] = m
	}
	return m
}

type memorySettings struct {
	Name string `hcl:"name"`
}

func (s *memorySettings) Check(block hcl.Range) hcl.Diagnostics {
	if s.Name == "" {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Missing memory name", Detail: "The memory state backend needs a name.", Subject: block.Ptr()}}
	}
	return nil
}

func (s *memorySettings) Secrets() []string { return nil }

func (s *memorySettings) Open() (states.Blob, error) { return MemoryNamed(s.Name), nil }
