// Package targettest runs golden cases for target adapters through the real
// engine, against an in-memory filesystem: each case is a txtar archive in the
// adapter's testdata directory holding the target block, the credentials, the
// files as the user has them, and the expected files and item changes.
//
// Sections of a case:
//
//	-- target.hcl --          the target block's attributes (no credential)
//	-- credentials.json --    [{"id","name","api_type","base_url","key","models"}]
//	-- env.json --            optional environment; default {"HOME": "/home/user"}
//	-- owned.txt --           optional keys hub already owns (one per line), as
//	                          if it had written their current values
//	-- current/NAME --        a file as it is before apply (NAME = base name)
//	-- want/NAME --           the file after apply
//	-- want/changes.txt --    the plan's item changes, one per line
//	-- want/error.txt --      instead of want/: a substring of the plan error
//
// The target block and the credentials are loaded as a configuration, by
// config.Load (see Load): base URLs are normalized, and the keys and the
// block's own secrets are collected, as for a real one.
//
// Run go test with -update to rewrite the want/ sections from the results.
package targettest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/views"
)

var update = flag.Bool("update", false, "rewrite the want/ sections of golden cases")

// Golden runs every testdata/*.txtar case of a target type.
func Golden(t *testing.T, typ string) {
	t.Helper()
	info, err := targets.Lookup(typ)
	if err != nil {
		t.Fatal(err)
	}
	cases, _ := filepath.Glob(filepath.Join("testdata", "*.txtar"))
	if len(cases) == 0 {
		t.Fatal("no testdata/*.txtar golden cases")
	}
	for _, path := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			runCase(t, info, path)
		})
	}
}

func section(ar *txtar.Archive, name string) ([]byte, bool) {
	for _, f := range ar.Files {
		if f.Name == name {
			return f.Data, true
		}
	}
	return nil, false
}

func runCase(t *testing.T, info targets.Info, path string) {
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var creds []Cred
	if b, ok := section(ar, "credentials.json"); ok {
		creds = ReadCreds(t, b)
	}
	vars := map[string]string{"HOME": "/home/user"}
	if b, ok := section(ar, "env.json"); ok {
		if err := json.Unmarshal(b, &vars); err != nil {
			t.Fatalf("env.json: %v", err)
		}
	}
	src, _ := section(ar, "target.hcl")
	cfg, tg, invalid := Load(t, info.Type, src, creds, vars)
	if invalid != nil {
		checkError(t, ar, path, fmt.Sprint(invalid))
		return
	}
	impl, in := tg.Impl, tg.Input
	env := targets.Env{Vars: vars, Dir: "/home/user/creds"}
	paths, err := impl.Files(env)
	if err != nil {
		checkError(t, ar, path, err.Error())
		return
	}
	files := map[string][]byte{}
	byBase := map[string]string{}
	for _, p := range paths {
		byBase[filepath.Base(p)] = p
	}
	for _, f := range ar.Files {
		if name, ok := strings.CutPrefix(f.Name, "current/"); ok {
			p, known := byBase[name]
			if !known {
				t.Fatalf("current/%s is not a file of this target (%v)", name, paths)
			}
			files[p] = f.Data
		}
	}
	sys := system.NewMem(files)
	st := states.New()
	if b, ok := section(ar, "owned.txt"); ok {
		var keys []string
		for _, line := range strings.Split(string(b), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				keys = append(keys, line)
			}
		}
		st = ownedState(t, impl, in, paths, sys, st, keys)
	}
	eng := &engine.Engine{Sys: sys, Env: env, Host: "test", SkipReload: true, Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
	planned, err := eng.Plan(context.Background(), cfg, st, engine.PlanOptions{})
	if err != nil {
		checkError(t, ar, path, err.Error())
		return
	}
	if errs := views.TargetErrors(planned.Plan); len(errs) > 0 {
		checkError(t, ar, path, strings.Join(errs, "\n"))
		return
	}
	var changes strings.Builder
	views.WritePlan(&changes, planned.Plan, views.Style{})
	res, err := eng.Apply(context.Background(), planned, st)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	got := map[string][]byte{"want/changes.txt": []byte(changes.String())}
	for _, p := range paths {
		if b, err := sys.ReadFile(p); err == nil {
			got["want/"+filepath.Base(p)] = b
			if fresh := files[p] == nil; fresh && sys.Mode(p) != 0o600 {
				t.Errorf("%s created with mode %v, want 0600", p, sys.Mode(p))
			}
		}
	}
	// Keys, and the secrets of the block itself (SecretHolder), appear only
	// in the files, never in what is shown.
	for _, k := range cfg.Secrets {
		if k != "" && strings.Contains(changes.String(), k) {
			t.Errorf("plan output contains a secret")
		}
	}
	// Applying again changes nothing: Render is idempotent and state is right.
	again, err := eng.Plan(context.Background(), cfg, res.State, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Plan.HasChanges() || again.Plan.HasDrift() {
		var b strings.Builder
		views.WritePlan(&b, again.Plan, views.Style{})
		t.Errorf("second plan is not empty:\n%s", b.String())
	}
	compare(t, ar, path, got)
}

// ownedState builds a state in which hub owns keys with their current values.
func ownedState(t *testing.T, impl targets.Target, in *targets.Input, paths []string, sys system.System, st *states.State, keys []string) *states.State {
	t.Helper()
	host := st.Host("test")
	ts := &states.Target{Type: "", Files: map[string]*states.File{}}
	host.Targets[in.Address] = ts
	for _, p := range paths {
		data, _ := sys.ReadFile(p)
		doc, err := impl.Open(p, data)
		if err != nil {
			t.Fatalf("owned.txt: open %s: %v", p, err)
		}
		f := &states.File{Sum: engine.Sum(data), Items: map[string]*states.Item{}}
		for _, k := range keys {
			key, err := targets.ParseKey(k)
			if err != nil {
				t.Fatal(err)
			}
			if v, ok := doc.Get(key); ok {
				f.Items[k] = &states.Item{Hash: engine.HashValue(st.SaltBytes(), v)}
			}
		}
		if len(f.Items) > 0 {
			ts.Files[p] = f
		}
	}
	st.Serial = 1
	return st
}

func checkError(t *testing.T, ar *txtar.Archive, path, msg string) {
	t.Helper()
	want, ok := section(ar, "want/error.txt")
	if *update {
		compare(t, ar, path, map[string][]byte{"want/error.txt": []byte(msg + "\n")})
		return
	}
	if !ok {
		t.Fatalf("unexpected error: %s", msg)
	}
	if !strings.Contains(msg, strings.TrimSpace(string(want))) {
		t.Errorf("error %q does not contain %q", msg, strings.TrimSpace(string(want)))
	}
}

// compare checks got against the want/ sections, or rewrites them.
func compare(t *testing.T, ar *txtar.Archive, path string, got map[string][]byte) {
	t.Helper()
	if *update {
		var kept []txtar.File
		for _, f := range ar.Files {
			if !strings.HasPrefix(f.Name, "want/") {
				kept = append(kept, f)
			}
		}
		names := make([]string, 0, len(got))
		for n := range got {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			kept = append(kept, txtar.File{Name: n, Data: got[n]})
		}
		ar.Files = kept
		if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, f := range ar.Files {
		if !strings.HasPrefix(f.Name, "want/") {
			continue
		}
		g, ok := got[f.Name]
		if !ok {
			t.Errorf("%s: expected but not produced", f.Name)
			continue
		}
		if !bytes.Equal(g, f.Data) {
			t.Errorf("%s differs (run go test -update to accept):\n--- want\n%s\n--- got\n%s", f.Name, f.Data, g)
		}
	}
	for n := range got {
		if _, ok := section(ar, n); !ok && n != "want/changes.txt" {
			t.Errorf("%s produced but not in the case; run go test -update", n)
		}
	}
}
