// Package states holds hub's state: what hub owns in each target's files, per
// host, with a lineage and serial so two snapshots can be ordered or found
// unrelated. State never holds a secret: sensitive values are kept only as
// salted hashes, enough to notice that a key changed.
package states

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Version is the state format this build reads and writes.
const Version = 1

// State is one snapshot.
type State struct {
	Version int    `json:"version"`
	Lineage string `json:"lineage"`
	Serial  uint64 `json:"serial"`
	// Salt keys the hashes of values, so equal keys in two states do not hash
	// alike. Hex encoded.
	Salt  string           `json:"salt"`
	Hosts map[string]*Host `json:"hosts"`
	// Shared holds sections shared by all hosts (credential telemetry, remote
	// targets) written by other parts of hub; kept as they are.
	Shared map[string]json.RawMessage `json:"shared,omitempty"`
}

// Host is one machine's section: files are per machine.
type Host struct {
	Targets map[string]*Target `json:"targets"`
}

// Target is what hub owns for one target block on one host.
type Target struct {
	Type  string           `json:"type"`
	Files map[string]*File `json:"files"`
}

// File is what hub owns in one file.
type File struct {
	// Sum is the sha256 of the file as hub last wrote it.
	Sum string `json:"sum"`
	// Backup is the copy made before hub first changed the file, if any.
	Backup string `json:"backup,omitempty"`
	// Created is set when the file did not exist before hub wrote it, so
	// there was nothing to back up.
	Created bool             `json:"created,omitempty"`
	Items   map[string]*Item `json:"items"`
}

// Item is one owned value.
type Item struct {
	// Hash is the salted hash of the value hub last wrote.
	Hash string `json:"hash"`
	// Value is the value hub last wrote, absent when sensitive.
	Value     any       `json:"value,omitempty"`
	Sensitive bool      `json:"sensitive,omitempty"`
	Since     time.Time `json:"since"`
	Updated   time.Time `json:"updated"`
}

// New returns an empty state with a fresh lineage and salt.
func New() *State {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return &State{Version: Version, Lineage: uuid.NewString(), Salt: hex.EncodeToString(salt), Hosts: map[string]*Host{}}
}

// SaltBytes returns the decoded salt.
func (s *State) SaltBytes() []byte {
	b, _ := hex.DecodeString(s.Salt)
	return b
}

// Host returns the section for host, creating it.
func (s *State) Host(name string) *Host {
	if s.Hosts == nil {
		s.Hosts = map[string]*Host{}
	}
	h := s.Hosts[name]
	if h == nil {
		h = &Host{Targets: map[string]*Target{}}
		s.Hosts[name] = h
	}
	return h
}

// Addresses returns the host's target addresses, sorted.
func (h *Host) Addresses() []string { return slices.Sorted(maps.Keys(h.Targets)) }

// Clone returns a deep copy: what encoding s and decoding it again gives,
// without the JSON round trip (it runs on every apply).
func (s *State) Clone() *State {
	c := &State{Version: s.Version, Lineage: s.Lineage, Serial: s.Serial, Salt: s.Salt}
	if s.Hosts != nil {
		c.Hosts = make(map[string]*Host, len(s.Hosts))
		for k, h := range s.Hosts {
			if h != nil {
				c.Hosts[k] = h.Clone()
			} else {
				c.Hosts[k] = nil
			}
		}
	}
	if len(s.Shared) > 0 { // omitempty: an empty map decodes as nil
		c.Shared = make(map[string]json.RawMessage, len(s.Shared))
		for k, v := range s.Shared {
			c.Shared[k] = cloneRaw(v)
		}
	}
	return c
}

// Clone returns a deep copy of the host section (an empty one for nil).
func (h *Host) Clone() *Host {
	c := &Host{}
	if h == nil {
		return c
	}
	if h.Targets != nil {
		c.Targets = make(map[string]*Target, len(h.Targets))
		for k, t := range h.Targets {
			c.Targets[k] = t.clone()
		}
	}
	return c
}

func (t *Target) clone() *Target {
	if t == nil {
		return nil
	}
	c := &Target{Type: t.Type}
	if t.Files != nil {
		c.Files = make(map[string]*File, len(t.Files))
		for k, f := range t.Files {
			c.Files[k] = f.clone()
		}
	}
	return c
}

func (f *File) clone() *File {
	if f == nil {
		return nil
	}
	c := &File{Sum: f.Sum, Backup: f.Backup, Created: f.Created}
	if f.Items != nil {
		c.Items = make(map[string]*Item, len(f.Items))
		for k, it := range f.Items {
			if it == nil {
				c.Items[k] = nil
				continue
			}
			ci := *it
			ci.Value = cloneValue(it.Value)
			ci.Since, ci.Updated = cloneTime(it.Since), cloneTime(it.Updated)
			c.Items[k] = &ci
		}
	}
	return c
}

// cloneValue deep-copies a value as decoded JSON holds it; anything else
// (a value a target set, such as []string) takes the JSON round trip, so it
// comes out as decoding would give it.
func cloneValue(v any) any {
	switch v := v.(type) {
	case nil, string, float64, bool:
		return v
	case []any:
		if v == nil {
			return nil
		}
		c := make([]any, len(v))
		for i, e := range v {
			c[i] = cloneValue(e)
		}
		return c
	case map[string]any:
		if v == nil {
			return nil
		}
		c := make(map[string]any, len(v))
		for k, e := range v {
			c[k] = cloneValue(e)
		}
		return c
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("states: clone: %v", err))
	}
	var c any
	if err := json.Unmarshal(b, &c); err != nil {
		panic(fmt.Sprintf("states: clone: %v", err))
	}
	return c
}

// cloneTime gives t as decoding its RFC 3339 text would.
func cloneTime(t time.Time) time.Time {
	if t.Location() == time.UTC && t == t.Round(0) { // no monotonic reading
		return t
	}
	b, err := t.MarshalText()
	if err != nil {
		panic(fmt.Sprintf("states: clone: %v", err))
	}
	var c time.Time
	if err := c.UnmarshalText(b); err != nil {
		panic(fmt.Sprintf("states: clone: %v", err))
	}
	return c
}

// cloneRaw copies m compacted, as encoding it does.
func cloneRaw(m json.RawMessage) json.RawMessage {
	if m == nil {
		return json.RawMessage("null")
	}
	var b bytes.Buffer
	if err := json.Compact(&b, m); err != nil {
		panic(fmt.Sprintf("states: clone: %v", err))
	}
	return b.Bytes()
}

// Decode parses a state document, refusing formats from a newer hub.
func Decode(b []byte) (*State, error) {
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("parse state: %w", err)
	}
	if err := (header{Version: s.Version, Lineage: s.Lineage}).check(); err != nil {
		return nil, err
	}
	s.repair()
	return &s, nil
}

// repair makes a decoded state whole: JSON null where a section, a target,
// a file or an item should be is dropped, and a missing map is made empty,
// so that nothing planning or applying reads or writes is nil. A state
// edited by hand (or by a broken tool) loads instead of crashing apply.
func (s *State) repair() {
	if s.Hosts == nil {
		s.Hosts = map[string]*Host{}
	}
	for name, h := range s.Hosts {
		if h == nil {
			delete(s.Hosts, name)
			continue
		}
		if h.Targets == nil {
			h.Targets = map[string]*Target{}
		}
		for addr, t := range h.Targets {
			if t == nil {
				delete(h.Targets, addr)
				continue
			}
			if t.Files == nil {
				t.Files = map[string]*File{}
			}
			for path, f := range t.Files {
				if f == nil {
					delete(t.Files, path)
					continue
				}
				if f.Items == nil {
					f.Items = map[string]*Item{}
				}
				for k, it := range f.Items {
					if it == nil {
						delete(f.Items, k)
					}
				}
			}
		}
	}
}

// header is the part of a state document that orders it: enough to check a
// save against the stored state without decoding all of it.
type header struct {
	Version int    `json:"version"`
	Lineage string `json:"lineage"`
	Serial  uint64 `json:"serial"`
}

// decodeHeader parses a state document's header, with Decode's errors.
func decodeHeader(b []byte) (header, error) {
	var h header
	if err := json.Unmarshal(b, &h); err != nil {
		return h, fmt.Errorf("parse state: %w", err)
	}
	return h, h.check()
}

func (h header) check() error {
	if h.Version > Version {
		return fmt.Errorf("state format %d is newer than this hub understands (%d); upgrade hub", h.Version, Version)
	}
	if h.Lineage == "" {
		return errors.New("state has no lineage; it was not written by hub")
	}
	return nil
}

// Encode renders a state document.
//
// The shared sections are written one compact line each: they hold
// telemetry with a history per credential, and indenting it would double
// the bytes every plan reads (a state of 1,000 refreshed credentials).
func Encode(s *State) ([]byte, error) {
	c := *s
	c.Shared = nil
	b, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	if len(s.Shared) == 0 {
		return append(b, '\n'), nil
	}
	var buf bytes.Buffer
	buf.Grow(len(b) + 64*len(s.Shared))
	buf.Write(bytes.TrimSuffix(b, []byte("\n}")))
	buf.WriteString(",\n  \"shared\": {")
	for i, k := range slices.Sorted(maps.Keys(s.Shared)) {
		if i > 0 {
			buf.WriteByte(',')
		}
		name, _ := json.Marshal(k)
		buf.WriteString("\n    ")
		buf.Write(name)
		buf.WriteString(": ")
		if err := json.Compact(&buf, s.Shared[k]); err != nil {
			return nil, fmt.Errorf("encode state: shared section %s: %w", k, err)
		}
	}
	buf.WriteString("\n  }\n}\n")
	return buf.Bytes(), nil
}

// A Store keeps state snapshots somewhere: a local file (FileStore), a
// server (a DocStore over its Blob; engine/states/backend opens them).
type Store interface {
	// Load returns the latest snapshot, or a new empty State with a fresh
	// lineage and serial 0 if none exists.
	Load(ctx context.Context) (*State, error)
	// Save stores s as the next snapshot. It fails with a *ConflictError if the
	// stored snapshot has another lineage or a serial other than s.Serial-1.
	Save(ctx context.Context, s *State) error
	// Describe names where the state lives, for messages.
	Describe() string
}

// Locker is implemented by stores that can keep other hub processes out while
// one applies.
type Locker interface {
	// Lock takes the lock or fails at once with a *LockedError.
	Lock(ctx context.Context, info LockInfo) (unlock func() error, err error)
}

// LockInfo says who holds a lock.
type LockInfo struct {
	ID        string    `json:"id"`
	Operation string    `json:"operation"`
	Who       string    `json:"who"`
	PID       int       `json:"pid"`
	Created   time.Time `json:"created"`
}

// LockedError is returned when another process holds the lock.
type LockedError struct {
	Where  string
	Holder *LockInfo // nil if unknown
	// Breakable is set when the lock can outlive its holder (a lock object
	// on a server, not an OS lock): hub state unlock ID removes it. DocStore
	// sets it for the stores that can break a lock (ForceUnlocker).
	Breakable bool
}

func (e *LockedError) Error() string {
	if e.Holder == nil {
		return fmt.Sprintf("state %s is locked by another hub process", e.Where)
	}
	return fmt.Sprintf("state %s is locked by another hub process: %s by %s (pid %d) since %s, lock ID %s",
		e.Where, e.Holder.Operation, e.Holder.Who, e.Holder.PID, e.Holder.Created.Format(time.RFC3339), e.Holder.ID)
}

// ConflictError is returned by Save when someone else saved meanwhile.
type ConflictError struct {
	Where                       string
	WantLineage, HaveLineage    string
	WantSerialBelow, HaveSerial uint64
	// Section is set when another run changed the same section (a host's or
	// a shared one), so the writes cannot be merged.
	Section string
}

func (e *ConflictError) Error() string {
	if e.WantLineage != e.HaveLineage {
		return fmt.Sprintf("state %s has lineage %s, not %s: it is a different state", e.Where, e.HaveLineage, e.WantLineage)
	}
	if e.Section != "" {
		return fmt.Sprintf("state %s: another hub run changed the %s section too (serial %d, this run started from %d)", e.Where, e.Section, e.HaveSerial, e.WantSerialBelow)
	}
	return fmt.Sprintf("state %s was changed by another hub run (serial %d, expected %d)", e.Where, e.HaveSerial, e.WantSerialBelow)
}
