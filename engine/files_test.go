package engine_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/plans"
)

// Files is what apply's output and hub watch's rounds both read: written
// and failed files in the order applied, unchanged ones left out, with the
// item count from the plan.
func TestApplyResultFiles(t *testing.T) {
	p := &plans.Plan{Targets: []plans.TargetPlan{
		{Address: "a.x", Files: []plans.FileChange{{Path: "/a", Changes: make([]plans.ItemChange, 2)}, {Path: "/same"}}},
		{Address: "b.y", Files: []plans.FileChange{{Path: "/b", Changes: make([]plans.ItemChange, 1)}}},
	}}
	boom := errors.New("boom")
	res := &engine.ApplyResult{Targets: []engine.TargetResult{
		{Address: "a.x", Files: []engine.FileResult{{Path: "/a", Written: true, Backup: "/a.bak"}, {Path: "/same"}}},
		{Address: "b.y", Files: []engine.FileResult{{Path: "/b", Err: boom}}},
	}}
	want := []engine.FileOutcome{
		{Target: "a.x", Path: "/a", Backup: "/a.bak", Items: 2},
		{Target: "b.y", Path: "/b", Err: boom},
	}
	if got := res.Files(p); !reflect.DeepEqual(got, want) {
		t.Errorf("Files = %+v\nwant %+v", got, want)
	}
}
