package cliproxyapi_test

// Golden cases for management mode, run through the real engine against
// fakeAPI. Each testdata/management/*.txtar holds:
//
//	-- target.hcl --               the block; SERVER stands for the fake's URL
//	-- server.json --              the server's lists before the first step
//	-- stepN/credentials.json --   the credentials of step N (1, 2, ...)
//	-- stepN/want/plan.txt --      the plan shown (the fake's URL shown as
//	                               http://127.0.0.1:8317)
//	-- stepN/want/puts.txt --      the lists apply PUT, in order
//	-- stepN/want/server.json --   the server's lists after apply
//	-- stepN/want/error.txt --     instead: a substring of the plan's error
//
// Each step plans and applies from the state the step before left; a second
// plan must then be empty, and no key (of a credential or the management
// key) may be shown. go test -update rewrites the want sections.

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/cliproxyapi"
	"github.com/hubctl/hub/targets/targettest"
	"github.com/hubctl/hub/views"
)

// mgmtKey is the management key of every fake server.
const mgmtKey = "sk-test-mgmt-key-0001"

// updating reports whether go test runs with -update (the flag the golden
// harness of targettest defines).
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func TestManagementGolden(t *testing.T) {
	cases, _ := filepath.Glob(filepath.Join("testdata", "management", "*.txtar"))
	if len(cases) == 0 {
		t.Fatal("no testdata/management/*.txtar cases")
	}
	for _, path := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) { runManagementCase(t, path) })
	}
}

func txtarSection(ar *txtar.Archive, name string) ([]byte, bool) {
	for _, f := range ar.Files {
		if f.Name == name {
			return f.Data, true
		}
	}
	return nil, false
}

func runManagementCase(t *testing.T, path string) {
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lists map[string][]map[string]any
	if b, ok := txtarSection(ar, "server.json"); ok {
		if err := json.Unmarshal(b, &lists); err != nil {
			t.Fatalf("server.json: %v", err)
		}
	}
	fake, srv := newFakeAPI(t, mgmtKey, lists)
	shown := func(s string) string { return strings.ReplaceAll(s, srv.URL, "http://127.0.0.1:8317") }

	src, _ := txtarSection(ar, "target.hcl")
	src = bytes.ReplaceAll(src, []byte("SERVER"), []byte(srv.URL))
	mem := system.NewMem(nil)
	eng := &engine.Engine{Sys: mem, Env: targets.Env{Vars: map[string]string{"HOME": "/home/user"}, Dir: "/home/user/creds"}, Host: "test",
		SkipReload: true, Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
	st := states.New()
	got := map[string][]byte{}
	for step := 1; ; step++ {
		prefix := fmt.Sprintf("step%d/", step)
		b, ok := txtarSection(ar, prefix+"credentials.json")
		if !ok {
			if step == 1 {
				t.Fatal("no step1/credentials.json")
			}
			break
		}
		// Loaded as hub loads a configuration: the management key reaches
		// the secrets hub redacts through SecretHolder.
		cfg, tg, invalid := targettest.Load(t, cliproxyapi.Type, src, targettest.ReadCreds(t, b), nil)
		if invalid != nil {
			got[prefix+"want/error.txt"] = []byte(fmt.Sprint(invalid) + "\n")
			continue
		}
		if key := tg.Impl.(*cliproxyapi.Target).Management.Key; !slices.Contains(cfg.Secrets, key) {
			t.Fatalf("step %d: the management key is not among the secrets hub redacts", step)
		}
		secrets := append([]string{mgmtKey}, cfg.Secrets...)
		planned, err := eng.Plan(context.Background(), cfg, st, engine.PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		views.WritePlan(&out, planned.Plan, views.Style{})
		for _, s := range secrets {
			if strings.Contains(out.String(), s) {
				t.Errorf("step %d: the plan shows a key:\n%s", step, out.String())
			}
		}
		if errs := views.TargetErrors(planned.Plan); len(errs) > 0 {
			got[prefix+"want/error.txt"] = []byte(shown(strings.Join(errs, "\n")) + "\n")
			continue
		}
		got[prefix+"want/plan.txt"] = []byte(shown(out.String()))
		fake.requests()
		res, err := eng.Apply(context.Background(), planned, st)
		if err != nil {
			t.Fatal(err)
		}
		if err := res.Err(); err != nil {
			t.Fatalf("step %d: apply: %v", step, err)
		}
		got[prefix+"want/puts.txt"] = []byte(strings.Join(append(fake.puts(), ""), "\n"))
		got[prefix+"want/server.json"] = []byte(fake.state())
		st = res.State
		if names := mem.Names(); len(names) != 0 {
			t.Errorf("step %d: files written in management mode: %v", step, names)
		}
		// Applying again changes nothing.
		again, err := eng.Plan(context.Background(), cfg, st, engine.PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if again.Plan.HasChanges() || again.Plan.HasDrift() || len(views.TargetErrors(again.Plan)) > 0 {
			var b strings.Builder
			views.WritePlan(&b, again.Plan, views.Style{})
			t.Errorf("step %d: second plan is not empty:\n%s", step, b.String())
		}
		res2, err := eng.Apply(context.Background(), again, st)
		if err != nil || res2.Err() != nil {
			t.Fatalf("step %d: second apply: %v %v", step, err, res2.Err())
		}
		if p := fake.puts(); len(p) > 0 {
			t.Errorf("step %d: second apply PUT %v", step, p)
		}
	}
	compareSteps(t, ar, path, got)
}

// compareSteps checks got against the want sections, or rewrites them.
func compareSteps(t *testing.T, ar *txtar.Archive, path string, got map[string][]byte) {
	t.Helper()
	isWant := func(name string) bool { return strings.Contains(name, "/want/") }
	if updating() {
		var kept []txtar.File
		for _, f := range ar.Files {
			if !isWant(f.Name) {
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
		// Each step's sections together: credentials, then what it gives.
		sort.SliceStable(kept, func(i, j int) bool {
			si, sj := stepOf(kept[i].Name), stepOf(kept[j].Name)
			return si < sj
		})
		ar.Files = kept
		if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, f := range ar.Files {
		if !isWant(f.Name) {
			continue
		}
		g, ok := got[f.Name]
		if !ok {
			t.Errorf("%s: expected but not produced", f.Name)
			continue
		}
		if strings.HasSuffix(f.Name, "/error.txt") {
			if !strings.Contains(string(g), strings.TrimSpace(string(f.Data))) {
				t.Errorf("%s: error %q does not contain %q", f.Name, g, strings.TrimSpace(string(f.Data)))
			}
			continue
		}
		if !bytes.Equal(g, f.Data) {
			t.Errorf("%s differs (run go test -update to accept):\n--- want\n%s\n--- got\n%s", f.Name, f.Data, g)
		}
	}
	for n := range got {
		if _, ok := txtarSection(ar, n); !ok {
			t.Errorf("%s produced but not in the case; run go test -update", n)
		}
	}
}

// stepOf orders sections: those of no step first, then by step number.
func stepOf(name string) int {
	var n int
	if _, err := fmt.Sscanf(name, "step%d/", &n); err != nil {
		return 0
	}
	return n
}
