package webdav_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/states/backend"
	"github.com/hubctl/hub/engine/states/webdav"
)

// openBlock decodes a webdav state block, as the configuration would, and
// opens its store.
func openBlock(t *testing.T, body string) (*backend.Config, states.Store) {
	t.Helper()
	f, diags := hclparse.NewParser().ParseHCL([]byte("state \"webdav\" {\n"+body+"\n}\n"), "hub.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	content, _ := f.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "state", LabelNames: []string{"type"}}}})
	info, ok := backend.Lookup("webdav")
	if !ok {
		t.Fatal("webdav is not registered")
	}
	c, secrets, diags := backend.Decode(info, content.Blocks[0], nil, func(p string) (string, error) { return p, nil })
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if len(secrets) != 1 || secrets[0] != password {
		t.Errorf("secrets = %d values, want the password", len(secrets))
	}
	dir := t.TempDir()
	st, err := backend.Open(c, backend.Env{State: filepath.Join(dir, "state.json"), Cache: filepath.Join(dir, "state-cache.json")})
	if err != nil {
		t.Fatal(err)
	}
	return c, st
}

// TestBackendBlock: the block's settings reach the store, with New's
// defaults where it gives none.
func TestBackendBlock(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		path       string
		history    int
	}{
		{"defaults", ``, "/hub", webdav.DefaultHistory},
		{"none kept", `history = 0`, "/hub", 0},
		{"set", "history = 2\npath = \"/a/b/state.json\"", "/a/b", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t)
			c, store := openBlock(t, fmt.Sprintf("url = %q\nusername = %q\npassword = %q\n%s", s.url()+"/", user, password, tc.body))
			if c.LockTimeout != backend.DefaultLockTimeout {
				t.Errorf("lock timeout %s", c.LockTimeout)
			}
			want := s.url() + "/hub/state.json"
			if tc.path != "/hub" {
				want = s.url() + tc.path + "/state.json"
			}
			if got := store.Describe(); got != want {
				t.Errorf("Describe = %q, want %q", got, want)
			}
			ctx := context.Background()
			cur, err := store.Load(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for i := range webdav.DefaultHistory + 3 {
				cur = next(cur, "h", fmt.Sprint(i))
				if err := store.Save(ctx, cur); err != nil {
					t.Fatal(err)
				}
			}
			n := 0
			for _, name := range s.ls(tc.path + "/history") {
				if strings.HasPrefix(name, "state-") {
					n++
				}
			}
			if n != tc.history {
				t.Errorf("history holds %d versions, want %d", n, tc.history)
			}
		})
	}
}
