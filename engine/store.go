package engine

import (
	"context"

	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/targets"
)

// A docStore is where a target's documents live: files through the System,
// or a remote API through the target itself. Reads return an error wrapping
// fs.ErrNotExist for an absent file; a remote returns nil contents instead.
type docStore interface {
	read(ctx context.Context, name string) ([]byte, error)
	write(ctx context.Context, name string, before, after []byte) error
	// backups reports whether a copy is kept before hub first changes a document.
	backups() bool
}

// storeFor returns where impl's documents live.
func storeFor(sys system.System, impl targets.Target, name string) docStore {
	if r, ok := impl.(targets.Remote); ok {
		if d, ok := impl.(targets.RemoteDocs); !ok || d.IsRemote(name) {
			return remoteStore{r}
		}
	}
	inPlace := false
	if ip, ok := impl.(targets.InPlace); ok {
		inPlace = ip.WritesInPlace(name)
	}
	return fileStore{sys: sys, inPlace: inPlace}
}

type fileStore struct {
	sys     system.System
	inPlace bool
}

func (f fileStore) read(_ context.Context, name string) ([]byte, error) { return f.sys.ReadFile(name) }

func (f fileStore) write(_ context.Context, name string, _, after []byte) error {
	if f.inPlace {
		return f.sys.WriteFileInPlace(name, after, 0o600)
	}
	return f.sys.WriteFile(name, after, 0o600)
}

func (fileStore) backups() bool { return true }

type remoteStore struct{ r targets.Remote }

func (s remoteStore) read(ctx context.Context, name string) ([]byte, error) {
	return s.r.Fetch(ctx, name)
}

func (s remoteStore) write(ctx context.Context, name string, before, after []byte) error {
	return s.r.Push(ctx, name, before, after)
}

func (remoteStore) backups() bool { return false }
