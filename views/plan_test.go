package views

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/plans"
)

// buffer is a Stream for tests.
type buffer struct{ bytes.Buffer }

func (*buffer) Flush() error { return nil }

func testView() (*View, *buffer, *buffer) {
	out, errb := &buffer{}, &buffer{}
	return &View{Out: out, Err: errb, Now: func() time.Time { return time.Unix(0, 0) }}, out, errb
}

func appliedSample() (*plans.Plan, *engine.ApplyResult) {
	p := &plans.Plan{Targets: []plans.TargetPlan{{Address: "codex.default", Files: []plans.FileChange{
		{Path: "/c/config.toml", Changes: []plans.ItemChange{{Key: "model", Action: plans.Create, After: "m"}}},
		{Path: "/c/auth.json", Changes: []plans.ItemChange{{Key: "key", Action: plans.Update}}},
	}}}}
	res := &engine.ApplyResult{Targets: []engine.TargetResult{{Address: "codex.default", Files: []engine.FileResult{
		{Path: "/c/config.toml", Written: true, Backup: "/c/config.toml.hub-backup-1"},
		{Path: "/c/auth.json", Err: errors.New("/c/auth.json: permission denied")},
	}}}}
	return p, res
}

func TestApplyHuman(t *testing.T) {
	v, out, errb := testView()
	p, res := appliedSample()
	NewApply(v, false).Applied("apply", p, res)
	want := "codex.default: wrote /c/config.toml (backup of the previous file: /c/config.toml.hub-backup-1)\n\nApply finished with errors; see below.\n"
	if out.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}
	if errb.Len() != 0 {
		t.Errorf("stderr: %q", errb)
	}
	out.Reset()
	res.Targets[0].Files = res.Targets[0].Files[:1]
	NewApply(v, false).Applied("destroy", &plans.Plan{Targets: []plans.TargetPlan{{Files: []plans.FileChange{{Changes: []plans.ItemChange{{Action: plans.Delete}}}}}}}, res)
	if !strings.HasSuffix(out.String(), "\nDestroy complete! Items: 1 deleted.\n") {
		t.Errorf("destroy summary: %q", out)
	}
}

func TestApplyJSON(t *testing.T) {
	v, out, _ := testView()
	p, res := appliedSample()
	NewApply(v, true).Applied("apply", p, res)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	var types []string
	for _, l := range lines {
		i := strings.Index(l, `"type":"`)
		types = append(types, strings.SplitN(l[i+8:], `"`, 2)[0])
	}
	if got := strings.Join(types, " "); got != "apply_complete apply_errored apply_summary" {
		t.Errorf("types = %s\n%s", got, out)
	}
	if !strings.Contains(lines[0], `"backup":"/c/config.toml.hub-backup-1"`) {
		t.Errorf("apply_complete without its backup: %s", lines[0])
	}
}

// The plan's target errors are error lines on stderr for people, and
// target_error messages in JSON (nothing on stderr).
func TestPlanTargetErrors(t *testing.T) {
	v, out, errb := testView()
	NewPlan(v, false).Plan(samplePlan(), "plan")
	if !strings.HasPrefix(errb.String(), "hub: error: codex.default: line 2, column 3: bad\n") {
		t.Errorf("stderr: %q", errb)
	}
	if !strings.HasSuffix(out.String(), "Plan: 1 to create, 1 to update, 1 to delete.\n") {
		t.Errorf("stdout: %q", out)
	}
	v, out, errb = testView()
	NewPlan(v, true).Plan(samplePlan(), "plan")
	if errb.Len() != 0 || !strings.Contains(out.String(), `"type":"target_error"`) {
		t.Errorf("stdout %q\nstderr %q", out, errb)
	}
}
