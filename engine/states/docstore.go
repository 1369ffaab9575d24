package states

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
)

// A Blob keeps the bytes of one state document: a local file, a WebDAV
// document. It knows nothing of states: DocStore turns it into a Store,
// with the encoding, the optional encryption (Codec) and the rule that
// orders saves, so that every place state lives keeps them alike.
//
// A Blob that can keep other hub processes out while one applies also
// implements Locker, and ForceUnlocker if a stale lock can be broken.
type Blob interface {
	// Describe names where the document lives, for messages.
	Describe() string
	// Read returns the stored document (Found false when there is none).
	Read(ctx context.Context) (Stored, error)
	// Write replaces the document with data. It reads the stored document
	// and passes it to g.Check first: when Check fails, nothing is written
	// and Write returns Check's error. A Blob that writers can reach without
	// holding its lock (a server that several hosts share) keeps them out
	// between the read and the write (WebDAV: its write mutex).
	Write(ctx context.Context, data []byte, g *Guard) error
}

// Stored is a state document as a Blob holds it.
type Stored struct {
	// Found is false when nothing is stored.
	Found bool
	// Data is the document as stored: encoded by the store's Codec, if any.
	Data []byte
	// Unreadable, if set, gives the error to report for a document that
	// does not decode (err says why), such as one with a hint on what to do;
	// nil prefixes err with where the document lives.
	Unreadable func(err error) error
}

// DocStore is a Store over a Blob. It decodes and encodes the document,
// applies Codec (such as age encryption) to it, keeps the rule that a save
// follows the stored state (same lineage, next serial), and does not decode
// again the document it last read or wrote while the Blob still holds it
// (hub watch keeps its store from one round to the next).
//
// Lock and ForceUnlock are the Blob's, when it has them; without, Lock
// keeps nobody out and ForceUnlock fails.
type DocStore struct {
	Blob  Blob
	Codec Codec // nil: the document is stored as it is encoded

	// seen is the document this store last read or wrote, and the state it
	// holds: while the Blob holds exactly these bytes, they are not decoded
	// again. mu guards it.
	mu   sync.Mutex
	seen *seenDoc
}

var (
	_ Store         = (*DocStore)(nil)
	_ Locker        = (*DocStore)(nil)
	_ ForceUnlocker = (*DocStore)(nil)
	_ ForcePusher   = (*DocStore)(nil)
)

type seenDoc struct {
	data []byte
	st   *State // never handed out: callers get clones
}

// known returns the state b holds if it is the document last seen.
func (d *DocStore) known(b []byte) *State {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seen != nil && bytes.Equal(b, d.seen.data) {
		return d.seen.st
	}
	return nil
}

func (d *DocStore) see(s *seenDoc) {
	d.mu.Lock()
	d.seen = s
	d.mu.Unlock()
}

// Describe implements Store.
func (d *DocStore) Describe() string { return d.Blob.Describe() }

// Load implements Store: a document that is not a hub state hub can read
// is an error, never an empty state.
func (d *DocStore) Load(ctx context.Context) (*State, error) {
	cur, err := d.Blob.Read(ctx)
	if err != nil {
		return nil, err
	}
	if !cur.Found {
		return New(), nil
	}
	if st := d.known(cur.Data); st != nil {
		return st.Clone(), nil
	}
	b, err := d.plain(cur)
	if err != nil {
		return nil, err
	}
	s, err := Decode(b)
	if err != nil {
		return nil, d.unreadable(cur, err)
	}
	d.see(&seenDoc{data: cur.Data, st: s.Clone()})
	return s, nil
}

// Save implements Store: it fails with a *ConflictError unless the stored
// state is s's predecessor (or there is none).
func (d *DocStore) Save(ctx context.Context, s *State) error { return d.write(ctx, s, false) }

// ForcePush implements ForcePusher: it replaces whatever the Blob holds
// (another lineage, another serial, an unreadable document) with s.
func (d *DocStore) ForcePush(ctx context.Context, s *State) error { return d.write(ctx, s, true) }

func (d *DocStore) write(ctx context.Context, s *State, force bool) error {
	b, err := Encode(s)
	if err != nil {
		return err
	}
	data := b
	if d.Codec != nil {
		if data, err = d.Codec.Encode(b); err != nil {
			return fmt.Errorf("encode state for %s: %w", d.Describe(), err)
		}
	}
	if err := d.Blob.Write(ctx, data, &Guard{Force: force, next: s, d: d}); err != nil {
		d.see(nil)
		return err
	}
	var seen *seenDoc
	if (header{Version: s.Version, Lineage: s.Lineage}).check() == nil {
		c := s.Clone() // what decoding data gives
		if c.Hosts == nil {
			c.Hosts = map[string]*Host{}
		}
		seen = &seenDoc{data: data, st: c}
	}
	d.see(seen)
	return nil
}

// Lock implements Locker with the Blob's lock; a Blob without one keeps
// nobody out.
func (d *DocStore) Lock(ctx context.Context, info LockInfo) (func() error, error) {
	l, ok := d.Blob.(Locker)
	if !ok {
		return func() error { return nil }, nil
	}
	unlock, err := l.Lock(ctx, info)
	var le *LockedError
	if _, breakable := d.Blob.(ForceUnlocker); breakable && errors.As(err, &le) {
		le.Breakable = true
	}
	return unlock, err
}

// ForceUnlock implements ForceUnlocker with the Blob's.
func (d *DocStore) ForceUnlock(ctx context.Context, id string) error {
	if u, ok := d.Blob.(ForceUnlocker); ok {
		return u.ForceUnlock(ctx, id)
	}
	return fmt.Errorf("%s has no lock to break", d.Describe())
}

// plain returns cur's document decoded by the Codec.
func (d *DocStore) plain(cur Stored) ([]byte, error) {
	if d.Codec == nil {
		return cur.Data, nil
	}
	b, err := d.Codec.Decode(cur.Data)
	if err != nil {
		return nil, d.unreadable(cur, fmt.Errorf("decode: %w", err))
	}
	return b, nil
}

func (d *DocStore) unreadable(cur Stored, err error) error {
	if cur.Unreadable != nil {
		return cur.Unreadable(err)
	}
	return fmt.Errorf("%s: %w", d.Describe(), err)
}

// header reads the header of a stored document, as Load would read the
// state, without decoding the rest.
func (d *DocStore) header(cur Stored) (header, error) {
	if st := d.known(cur.Data); st != nil {
		return header{Version: st.Version, Lineage: st.Lineage, Serial: st.Serial}, nil
	}
	b, err := d.plain(cur)
	if err != nil {
		return header{}, err
	}
	h, err := decodeHeader(b)
	if err != nil {
		return header{}, d.unreadable(cur, err)
	}
	return h, nil
}

// A Guard is what a DocStore hands its Blob for one write: it judges the
// documents the Blob finds stored while it writes.
type Guard struct {
	// Force is set by ForcePush: the write replaces whatever is stored, and
	// the Blob sends no conditional request that would refuse it.
	Force bool
	next  *State
	d     *DocStore
}

// Check says whether the stored document cur may be replaced: nil when
// nothing is stored, when Force is set, or when cur holds the state the
// written one follows; else a *ConflictError, or the error that says cur
// is not a state hub can read.
func (g *Guard) Check(cur Stored) error {
	if g.Force || !cur.Found {
		return nil
	}
	h, err := g.d.header(cur)
	if err != nil {
		return err
	}
	return Follows(g.d.Describe(), h.Lineage, h.Serial, g.next)
}

// Conflict returns the *ConflictError for cur, a document another writer
// stored while the Blob wrote this one, or nil if cur is not a state hub
// can read.
func (g *Guard) Conflict(cur Stored) error {
	if !cur.Found {
		return nil
	}
	h, err := g.d.header(cur)
	if err != nil {
		return nil
	}
	return conflict(g.d.Describe(), h.Lineage, h.Serial, g.next)
}

// Serial returns the serial cur holds, or false if it is not a state hub
// can read: for naming copies of it (the WebDAV history).
func (g *Guard) Serial(cur Stored) (uint64, bool) {
	if !cur.Found {
		return 0, false
	}
	h, err := g.d.header(cur)
	return h.Serial, err == nil
}

// Follows is the rule every save keeps: next may replace the stored state
// (lineage and serial as stored at where; serial 0 when none is) only if
// none is stored, or it has the same lineage and the next serial. Else it
// returns a *ConflictError.
func Follows(where, lineage string, serial uint64, next *State) error {
	if serial == 0 || lineage == next.Lineage && serial == next.Serial-1 {
		return nil
	}
	return conflict(where, lineage, serial, next)
}

func conflict(where, lineage string, serial uint64, next *State) error {
	return &ConflictError{Where: where, WantLineage: next.Lineage, HaveLineage: lineage,
		WantSerialBelow: next.Serial - 1, HaveSerial: serial}
}
