package backend_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/states/backend"
	"github.com/hubctl/hub/engine/states/crypt"
	"github.com/hubctl/hub/engine/states/statestest"
)

// The registry line a new backend takes, here for the test-only one.
func init() { statestest.RegisterMemoryBackend() }

const passphrase = "correct-horse-battery-staple-memory"

func loadConfig(t *testing.T, hcl string) (*config.Config, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hub.hcl"), []byte(hcl), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := config.Load(config.Options{Dir: dir, Env: map[string]string{"HOME": dir, "PASS": passphrase}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return cfg, dir
}

func open(t *testing.T, be *config.Backend, dir string) states.Store {
	t.Helper()
	s, err := backend.Open(be, backend.Env{State: filepath.Join(dir, ".hub", "state.json"), Cache: filepath.Join(dir, ".hub", "state-cache.json")})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMemoryBackend: a backend registered outside config and cmd is picked
// by config.Load, with the settings every backend takes (encrypt,
// lock_timeout), and opens a store that locks, saves and loads, encrypted,
// with the local copy a remote state has.
func TestMemoryBackend(t *testing.T) {
	ctx := context.Background()
	cfg, dir := loadConfig(t, `
hub {
  state "memory" {
    name         = "TestMemoryBackend"
    lock_timeout = "5s"
    encrypt {
      passphrase = env("PASS")
    }
  }
}
`)
	be := cfg.Backend
	if be == nil || be.Type != "memory" || be.LockTimeout.String() != "5s" || be.Encrypt == nil {
		t.Fatalf("backend = %+v", be)
	}
	if !slices.Contains(cfg.Secrets, passphrase) {
		t.Error("the passphrase is not a secret")
	}
	a, b := open(t, be, dir), open(t, be, dir)
	if _, ok := a.(*states.Synced); !ok {
		t.Fatalf("the store is a %T, not a remote with a local copy", a)
	}
	if got := a.Describe(); got != "memory://TestMemoryBackend" {
		t.Errorf("Describe = %q", got)
	}

	// Lock: the second store is kept out, naming the holder.
	unlock, err := a.(states.Locker).Lock(ctx, states.LockInfo{ID: "lock-a", Who: "alice@laptop"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.(states.Locker).Lock(ctx, states.LockInfo{ID: "lock-b", Who: "bob@desktop"})
	var le *states.LockedError
	if !errors.As(err, &le) || le.Holder == nil || le.Holder.ID != "lock-a" {
		t.Fatalf("second lock: %v", err)
	}

	// Save and load round trip, through another store.
	st, err := a.Load(ctx)
	if err != nil || st.Serial != 0 {
		t.Fatalf("load empty = %+v, %v", st, err)
	}
	st.Serial++
	st.Host("laptop").Targets["codex.x"] = &states.Target{Type: "codex", Files: map[string]*states.File{}}
	if err := a.Save(ctx, st); err != nil {
		t.Fatal(err)
	}
	got, err := b.Load(ctx)
	if err != nil || got.Lineage != st.Lineage || got.Serial != 1 || got.Hosts["laptop"].Targets["codex.x"] == nil {
		t.Fatalf("load after save = %+v, %v", got, err)
	}
	if err := b.Save(ctx, st); !errors.As(err, new(*states.ConflictError)) {
		t.Errorf("a save of the same serial again: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.(states.Locker).Lock(ctx, states.LockInfo{ID: "lock-b"}); err != nil {
		t.Errorf("lock after unlock: %v", err)
	}
	if err := a.(states.ForceUnlocker).ForceUnlock(ctx, "lock-b"); err != nil {
		t.Errorf("force unlock: %v", err)
	}

	// The backend holds only ciphertext; the local copy is plain.
	stored, writes := statestest.MemoryNamed("TestMemoryBackend").Bytes()
	if writes != 1 || !crypt.LooksEncrypted(stored) || strings.Contains(string(stored), st.Lineage) {
		t.Errorf("the backend holds (%d writes): %.80s", writes, stored)
	}
	cached, err := a.(*states.Synced).Cached()
	if err != nil || cached.Serial != 1 {
		t.Errorf("local copy = %+v, %v", cached, err)
	}
}

// TestMemoryBackendDiagnostics: a backend's own checks and the shared ones
// report on its block.
func TestMemoryBackendDiagnostics(t *testing.T) {
	dir := t.TempDir()
	src := `hub {
  state "memory" {
    lock_timeout = "soon"
  }
}
`
	if err := os.WriteFile(filepath.Join(dir, "hub.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	be, _, diags := config.LoadBackend(config.Options{Dir: dir})
	var got []string
	for _, d := range diags {
		got = append(got, d.Summary+": "+d.Detail)
	}
	want := []string{`Missing required argument: The argument "name" is required, but no definition was found.`}
	if !slices.Equal(got, want) {
		t.Errorf("diagnostics = %q, want %q", got, want)
	}
	if be == nil || be.Type != "memory" || be.LockTimeout != backend.DefaultLockTimeout {
		t.Errorf("backend = %+v", be)
	}
}

func TestOpenLocal(t *testing.T) {
	dir := t.TempDir()
	s := open(t, nil, dir)
	fs, ok := s.(*states.FileStore)
	if !ok || fs.Path != filepath.Join(dir, ".hub", "state.json") {
		t.Fatalf("the local store is %#v", s)
	}
}

func TestTypes(t *testing.T) {
	if got := backend.Types(); !slices.Equal(got, []string{"local", "memory"}) {
		t.Errorf("Types = %q", got)
	}
	if info, ok := backend.Lookup("local"); !ok || info.New != nil {
		t.Errorf("local = %+v, %v", info, ok)
	}
}

type reserving struct {
	Encrypt string `hcl:"encrypt,optional"`
}

func (*reserving) Check(hcl.Range) hcl.Diagnostics { return nil }
func (*reserving) Secrets() []string               { return nil }
func (*reserving) Open() (states.Blob, error)      { return nil, nil }

func TestRegisterRefuses(t *testing.T) {
	for name, info := range map[string]backend.Info{
		"duplicate": {Type: "memory", New: func() backend.Settings { return &reserving{} }},
		"reserved":  {Type: "reserving", New: func() backend.Settings { return &reserving{} }},
		"no New":    {Type: "nothing"},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("Register did not panic")
				}
			}()
			backend.Register(info)
		})
	}
}
