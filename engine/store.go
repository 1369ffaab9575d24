package engine

import (
	"context"
	"fmt"

	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/targets"
)

// documents are where a target's documents live: files through the System,
// or a remote API through the target itself (not to be confused with the
// state's stores in engine/states). Reads return an error wrapping
// fs.ErrNotExist for an absent file; a remote returns nil contents instead.
type documents interface {
	read(ctx context.Context, name string) ([]byte, error)
	// write replaces the document with after only while it is as c expects
	// (c.Data: its contents at plan time).
	write(ctx context.Context, name string, after []byte, c system.Cond) error
	// clean removes what an interrupted write left beside the document.
	clean(name string) error
	// backups reports whether a copy is kept before hub first changes a document.
	backups() bool
}

// documentsOf returns where impl's document name lives, seen through sys: a
// read-only System (a plan's) gives read-only documents, remote ones
// included.
func documentsOf(sys system.System, impl targets.Target, name string) documents {
	if r, ok := impl.(targets.Remote); ok {
		if d, ok := impl.(targets.RemoteDocs); !ok || d.IsRemote(name) {
			_, ro := sys.(system.ReadOnly)
			return remoteDocs{r: r, readOnly: ro}
		}
	}
	inPlace := false
	if ip, ok := impl.(targets.InPlace); ok {
		inPlace = ip.WritesInPlace(name)
	}
	return fileDocs{sys: sys, inPlace: inPlace}
}

// fileDocs are local files.
type fileDocs struct {
	sys     system.System
	inPlace bool
}

func (f fileDocs) read(ctx context.Context, name string) ([]byte, error) {
	return system.Read(ctx, f.sys, name)
}

func (f fileDocs) write(_ context.Context, name string, after []byte, c system.Cond) error {
	c.InPlace = f.inPlace
	return f.sys.WriteFileIf(name, after, 0o600, c)
}

func (f fileDocs) clean(name string) error { return f.sys.CleanTemps(name) }

func (fileDocs) backups() bool { return true }

// remoteDocs are documents behind a remote target's API.
type remoteDocs struct {
	r        targets.Remote
	readOnly bool
}

func (s remoteDocs) read(ctx context.Context, name string) ([]byte, error) {
	return s.r.Fetch(ctx, name)
}

func (s remoteDocs) write(ctx context.Context, name string, after []byte, c system.Cond) error {
	if s.readOnly {
		return fmt.Errorf("%s: %w", name, system.ErrReadOnly)
	}
	return s.r.Push(ctx, name, c.Data, after)
}

func (remoteDocs) clean(string) error { return nil }

func (remoteDocs) backups() bool { return false }
