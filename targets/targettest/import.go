package targettest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/hubctl/hub/engine/importer"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/targets"
)

// Import runs the Importer of target type typ over the files under home
// (HOME=home, plus env), writes what it found as hub import would (the
// keys as env() references), loads that configuration and plans it
// against the real files with an empty state, and fails the test unless
// every imported block plans to adopts only: the first plan after an import
// must change nothing. An Imported with NoBlock gives credentials only. It returns the generated HCL (no key in it; the
// test fails if a key is) and what Import returned.
func Import(t *testing.T, typ, home string, env map[string]string) (string, []targets.Imported) {
	t.Helper()
	info, err := targets.Lookup(typ)
	if err != nil {
		t.Fatal(err)
	}
	imp, ok := info.New().(targets.Importer)
	if !ok {
		t.Fatalf("%s does not implement targets.Importer", typ)
	}
	vars := map[string]string{"HOME": home}
	for k, v := range env {
		vars[k] = v
	}
	read := func(p string) ([]byte, error) { return system.ReadFile(context.Background(), p) }
	found, err := imp.Import(targets.Env{Vars: vars, Dir: home}, read)
	if err != nil && len(found) == 0 && !errors.Is(err, fs.ErrNotExist) {
		t.Logf("Import: %v", err)
	}
	var creds []importer.Cred
	var blocks []importer.Block
	var keys []string
	for i, b := range found {
		if len(b.Credentials) == 0 {
			continue // warnings only: no block
		}
		blk := importer.Block{Type: typ, Name: b.Name, Multi: info.Multi, Attrs: b.Attrs}
		for _, c := range b.Credentials {
			id := c.ID // the tool's own name for it, where its file uses one
			if id == "" {
				id = fmt.Sprintf("c%d", len(creds)+1)
			}
			v := fmt.Sprintf("HUB_TEST_KEY_%d", len(creds)+1)
			vars[v] = c.Key.Reveal()
			keys = append(keys, c.Key.Reveal())
			cc := *c
			creds = append(creds, importer.Cred{ID: id, C: &cc, KeyExpr: fmt.Sprintf("env(%q)", v)})
			blk.Creds = append(blk.Creds, id)
		}
		if b.NoBlock {
			continue
		}
		if b.Name == "" {
			t.Fatalf("imported block %d has no name", i)
		}
		blocks = append(blocks, blk)
	}
	src, err := importer.WriteHCL(creds, blocks)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k != "" && strings.Contains(string(src), k) {
			t.Fatalf("a key is in the generated HCL")
		}
	}
	if len(blocks) == 0 {
		return string(src), found
	}
	// The check hub import itself makes: the blocks, planned against the
	// files with an empty state, only adopt.
	inexact, err := importer.Verify(context.Background(), system.OS{}, targets.Env{Vars: vars, Dir: home},
		&importer.Outcome{Creds: creds, Blocks: blocks})
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	for addr, why := range inexact {
		t.Errorf("%s would not be adopted as it is: %s\n%s", addr, why, src)
	}
	return string(src), found
}
