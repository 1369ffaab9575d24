package views

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/hubctl/hub/engine/plans"
)

func samplePlan() *plans.Plan {
	return &plans.Plan{Targets: []plans.TargetPlan{{
		Address: "claude_code.default", Type: "claude_code",
		Files: []plans.FileChange{{
			Path: "/home/u/.claude/settings.json", Exists: true,
			Changes: []plans.ItemChange{
				{Key: "env.ANTHROPIC_BASE_URL", Action: plans.Update, Before: "https://old", After: "https://new"},
				{Key: "env.ANTHROPIC_AUTH_TOKEN", Action: plans.Create, Sensitive: true, AfterHash: "abc"},
				{Key: "env.ANTHROPIC_MODEL", Action: plans.Delete, Before: "m"},
			},
			Drift: []plans.Drift{{Key: "env.ANTHROPIC_BASE_URL", Actual: "https://old"}},
		}},
		Notes: []string{"restart it"},
	}, {
		Address: "codex.default", Type: "codex",
		Files: []plans.FileChange{{Path: "/home/u/.codex/config.toml", Error: "line 2, column 3: bad"}},
	}}}
}

func TestHumanPlan(t *testing.T) {
	var b strings.Builder
	WritePlan(&b, samplePlan(), Style{})
	want := `Note: items hub owns have changed outside hub

  # claude_code.default: /home/u/.claude/settings.json
  ~ env.ANTHROPIC_BASE_URL: changed outside hub, now "https://old"

The plan below puts back what hub wrote, where the configuration still wants it.

Symbols: + create   ~ update   - delete

hub will perform the following actions:

  # claude_code.default: /home/u/.claude/settings.json
  ~ env.ANTHROPIC_BASE_URL   = "https://old" -> "https://new"
  + env.ANTHROPIC_AUTH_TOKEN = (sensitive value)
  - env.ANTHROPIC_MODEL      = "m" -> (removed)

  note: restart it

Plan: 1 to create, 1 to update, 1 to delete.
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	if errs := TargetErrors(samplePlan()); len(errs) != 1 || !strings.HasPrefix(errs[0], "codex.default: line 2") {
		t.Errorf("target errors = %v", errs)
	}
}

func TestNoChanges(t *testing.T) {
	var b strings.Builder
	WritePlan(&b, &plans.Plan{}, Style{})
	if b.String() != "No changes. Every target matches the configuration.\n" {
		t.Errorf("got %q", b.String())
	}
}

func TestJSONPlan(t *testing.T) {
	var b strings.Builder
	j := &JSON{W: &b, Now: func() time.Time { return time.Unix(0, 0) }}
	j.Diagnostics(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Bad", Detail: "d",
		Subject: &hcl.Range{Filename: "hub.hcl", Start: hcl.Pos{Line: 2, Column: 3, Byte: 9}, End: hcl.Pos{Line: 2, Column: 5, Byte: 11}}}})
	j.Plan(samplePlan(), "plan")
	var types []string
	sc := bufio.NewScanner(strings.NewReader(b.String()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		for _, k := range []string{"@level", "@message", "@timestamp", "type"} {
			if _, ok := m[k]; !ok {
				t.Errorf("line without %s: %s", k, sc.Text())
			}
		}
		types = append(types, m["type"].(string))
		if m["type"] == "change_summary" {
			c := m["changes"].(map[string]any)
			if c["create"] != 1.0 || c["update"] != 1.0 || c["delete"] != 1.0 || c["operation"] != "plan" {
				t.Errorf("summary = %v", c)
			}
		}
		if m["type"] == "diagnostic" {
			r := m["diagnostic"].(map[string]any)["range"].(map[string]any)
			if r["filename"] != "hub.hcl" || r["start"].(map[string]any)["line"] != 2.0 {
				t.Errorf("diagnostic range = %v", r)
			}
		}
	}
	want := "diagnostic resource_drift planned_change planned_change planned_change target_note target_error change_summary"
	if got := strings.Join(types, " "); got != want {
		t.Errorf("types = %s\nwant    %s", got, want)
	}
}

func TestDiagnosticSnippet(t *testing.T) {
	src := "credential \"x\" {\n  api_key = var.nope\n}\n"
	f := &hcl.File{Bytes: []byte(src)}
	var b strings.Builder
	WriteDiagnostics(&b, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Reference to undeclared input variable", Detail: "No input variable named \"nope\" is declared.",
		Subject: &hcl.Range{Filename: "hub.hcl", Start: hcl.Pos{Line: 2, Column: 13, Byte: 29}, End: hcl.Pos{Line: 2, Column: 21, Byte: 37}}}},
		map[string]*hcl.File{"hub.hcl": f}, Style{})
	want := `hub: error: hub.hcl:2:13: Reference to undeclared input variable
     2 |   api_key = var.nope
       |             ^^^^^^^^
  No input variable named "nope" is declared.

`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
