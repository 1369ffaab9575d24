package states_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/states/statestest"
)

// xorCodec stands in for age: what it stores reads as nothing.
type xorCodec struct{ decodes *atomic.Int32 }

func (xorCodec) Encode(b []byte) ([]byte, error) { return xor(b), nil }

func (c xorCodec) Decode(b []byte) ([]byte, error) {
	if c.decodes != nil {
		c.decodes.Add(1)
	}
	if len(b) == 0 || b[0] != '{'^0x5a {
		return nil, errors.New("not xor-encoded")
	}
	return xor(b), nil
}

func xor(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = c ^ 0x5a
	}
	return out
}

func TestDocStoreConformance(t *testing.T) {
	t.Run("plain", func(t *testing.T) {
		statestest.Run(t, func(*testing.T) states.Store { return &states.DocStore{Blob: &statestest.Memory{}} })
	})
	t.Run("encoded", func(t *testing.T) {
		statestest.Run(t, func(*testing.T) states.Store {
			return &states.DocStore{Blob: &statestest.Memory{}, Codec: xorCodec{}}
		})
	})
}

// TestDocStoreCodec: with a Codec, the Blob holds only what it encodes; a
// store without the codec cannot read it, and says where.
func TestDocStoreCodec(t *testing.T) {
	ctx := context.Background()
	blob := &statestest.Memory{Name: "x"}
	store := &states.DocStore{Blob: blob, Codec: xorCodec{}}
	st := states.New()
	st.Serial = 1
	if err := store.Save(ctx, st); err != nil {
		t.Fatal(err)
	}
	stored, _ := blob.Bytes()
	if bytes.Contains(stored, []byte(st.Lineage)) {
		t.Fatalf("the blob holds the state readable: %s", stored)
	}
	got, err := (&states.DocStore{Blob: blob, Codec: xorCodec{}}).Load(ctx)
	if err != nil || got.Lineage != st.Lineage || got.Serial != 1 {
		t.Fatalf("load through a fresh store = %+v, %v", got, err)
	}
	_, err = (&states.DocStore{Blob: blob}).Load(ctx)
	if err == nil || !strings.Contains(err.Error(), "memory://x: parse state") {
		t.Errorf("load without the codec: %v", err)
	}
	plain := &statestest.Memory{Name: "y"}
	if err := (&states.DocStore{Blob: plain}).Save(ctx, st); err != nil {
		t.Fatal(err)
	}
	_, err = (&states.DocStore{Blob: plain, Codec: xorCodec{}}).Load(ctx)
	if err == nil || !strings.Contains(err.Error(), "memory://y: decode: not xor-encoded") {
		t.Errorf("load of a plain document through the codec: %v", err)
	}
	// And a save over what it cannot read is refused, unless forced.
	next := st.Clone()
	next.Serial = 2
	if err := (&states.DocStore{Blob: plain, Codec: xorCodec{}}).Save(ctx, next); err == nil || !strings.Contains(err.Error(), "decode") {
		t.Errorf("save over an unreadable document: %v", err)
	}
	if err := (&states.DocStore{Blob: plain, Codec: xorCodec{}}).ForcePush(ctx, next); err != nil {
		t.Errorf("force push over an unreadable document: %v", err)
	}
}

// TestDocStoreSeen: the document a store last read or wrote is not decoded
// again (the codec is the costly part of a decode), and what it hands out
// is never shared.
func TestDocStoreSeen(t *testing.T) {
	ctx := context.Background()
	var decodes atomic.Int32
	blob := &statestest.Memory{}
	store := &states.DocStore{Blob: blob, Codec: xorCodec{&decodes}}
	st := states.New()
	st.Serial = 1
	if err := store.Save(ctx, st); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		got, err := store.Load(ctx)
		if err != nil || got.Serial != 1 {
			t.Fatalf("load = %+v, %v", got, err)
		}
		got.Serial = 99
	}
	next := st.Clone()
	next.Serial = 2
	if err := store.Save(ctx, next); err != nil {
		t.Fatal(err)
	}
	if n := decodes.Load(); n != 0 {
		t.Errorf("the store decoded its own document %d times", n)
	}
	// Another writer's document is decoded, once.
	other := &states.DocStore{Blob: blob, Codec: xorCodec{}}
	third := next.Clone()
	third.Serial = 3
	if err := other.Save(ctx, third); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if got, err := store.Load(ctx); err != nil || got.Serial != 3 {
			t.Fatalf("load after another save = %+v, %v", got, err)
		}
	}
	if n := decodes.Load(); n != 1 {
		t.Errorf("another writer's document was decoded %d times, want 1", n)
	}
}

// TestFileStoreCodec: the local file can be encrypted too.
func TestFileStoreCodec(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "state.json")
	st := states.New()
	st.Serial = 1
	if err := (&states.FileStore{Path: p, Codec: xorCodec{}}).Save(ctx, st); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil || bytes.Contains(b, []byte(st.Lineage)) {
		t.Fatalf("the file holds the state readable (%v): %s", err, b)
	}
	got, err := (&states.FileStore{Path: p, Codec: xorCodec{}}).Load(ctx)
	if err != nil || got.Lineage != st.Lineage {
		t.Fatalf("load = %+v, %v", got, err)
	}
	if _, err := (&states.FileStore{Path: p}).Load(ctx); err == nil || !strings.Contains(err.Error(), p+": parse state") {
		t.Errorf("load without the codec: %v", err)
	}
}

// TestFollows is the rule every store's save keeps.
func TestFollows(t *testing.T) {
	next := states.New()
	next.Serial = 4
	for _, tc := range []struct {
		lineage string
		serial  uint64
		ok      bool
	}{
		{"", 0, true},            // nothing stored
		{"other", 0, true},       // a state never saved
		{next.Lineage, 3, true},  // the predecessor
		{next.Lineage, 4, false}, // another run saved meanwhile
		{next.Lineage, 2, false}, // a save went missing
		{"other", 3, false},      // a different state
	} {
		err := states.Follows("where", tc.lineage, tc.serial, next)
		var ce *states.ConflictError
		if tc.ok != (err == nil) || !tc.ok && (!errors.As(err, &ce) || ce.Where != "where" || ce.HaveSerial != tc.serial || ce.WantSerialBelow != 3) {
			t.Errorf("Follows(%q, %d) = %v, want ok %v", tc.lineage, tc.serial, err, tc.ok)
		}
	}
}
