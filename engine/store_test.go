package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/targets"
)

type pushRecorder struct {
	targets.Target
	pushes int
}

func (p *pushRecorder) Fetch(context.Context, string) ([]byte, error) { return nil, nil }
func (p *pushRecorder) Push(context.Context, string, []byte, []byte) error {
	p.pushes++
	return nil
}

// A plan's documents are read-only, a remote target's included.
func TestPlanDocumentsReadOnly(t *testing.T) {
	r := &pushRecorder{}
	ro := documentsOf(system.ReadOnly{System: system.NewMem(nil)}, r, "http://127.0.0.1:1/x")
	if err := ro.write(context.Background(), "http://127.0.0.1:1/x", []byte("{}"), system.Cond{}); !errors.Is(err, system.ErrReadOnly) || r.pushes != 0 {
		t.Fatalf("read-only remote write: err = %v, pushes = %d", err, r.pushes)
	}
	rw := documentsOf(system.NewMem(nil), r, "http://127.0.0.1:1/x")
	if err := rw.write(context.Background(), "http://127.0.0.1:1/x", []byte("{}"), system.Cond{}); err != nil || r.pushes != 1 {
		t.Fatalf("apply's remote write: err = %v, pushes = %d", err, r.pushes)
	}
}
