package importer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/targets"
)

// Verify plans o's new blocks, with the credentials they use, against the
// tools' files as they are now (read through sys, read-only, against an
// empty state), and returns each block that would do more than adopt, with
// why. It writes only a temporary configuration (keys as env()
// references to variables it sets in memory), removed before it returns.
// env.Dir resolves the blocks' relative paths as the real configuration
// would.
func Verify(ctx context.Context, sys system.System, env targets.Env, o *Outcome) (map[string]string, error) {
	if len(o.Blocks) == 0 {
		return nil, nil
	}
	vars := map[string]string{}
	for k, v := range env.Vars {
		vars[k] = v
	}
	var creds []Cred
	add := func(c Cred) {
		v := fmt.Sprintf("HUB_IMPORT_CHECK_%d", len(creds))
		vars[v] = c.C.Key.Reveal()
		c.KeyExpr, c.UsageTokenExpr = fmt.Sprintf("env(%q)", v), ""
		if !c.C.Usage.Token.IsZero() {
			t := fmt.Sprintf("HUB_IMPORT_CHECK_%d_TOKEN", len(creds))
			vars[t] = c.C.Usage.Token.Reveal()
			c.UsageTokenExpr = fmt.Sprintf("env(%q)", t)
		}
		c.Sources, c.Expires = nil, ""
		creds = append(creds, c)
	}
	for _, c := range o.Creds {
		add(c)
	}
	for id, c := range o.Used {
		add(Cred{ID: id, C: c})
	}
	src, err := WriteHCL(creds, o.Blocks)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "hub-import-check-")
	if err != nil {
		return nil, fmt.Errorf("check the import: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "imported.hcl"), src, 0o600); err != nil {
		return nil, fmt.Errorf("check the import: %w", err)
	}
	cfg, diags := config.Load(config.Options{Dir: dir, Env: vars, Context: ctx})
	if diags.HasErrors() {
		return nil, fmt.Errorf("the imported configuration does not load (a bug in hub import; please report it): %s", diags.Error())
	}
	eng := &engine.Engine{Sys: system.ReadOnly{System: sys}, Env: targets.Env{Vars: vars, Dir: env.Dir}, Host: "import-check"}
	var addrs []string
	for _, b := range o.Blocks {
		addrs = append(addrs, b.Type+"."+b.Name)
	}
	p, err := eng.Plan(ctx, cfg, states.New(), engine.PlanOptions{Targets: addrs})
	if err != nil {
		return nil, fmt.Errorf("check the import: %w", err)
	}
	return Inexact(p.Plan, addrs), nil
}

// Drop removes the blocks named by addrs (those Verify found inexact),
// saying why in their source's summary. Their credentials stay: they were
// found all the same.
func (o *Outcome) Drop(addrs map[string]string) {
	o.Blocks = slices.DeleteFunc(o.Blocks, func(b Block) bool {
		why, drop := addrs[b.Type+"."+b.Name]
		if drop && b.summary < len(o.Summaries) {
			s := &o.Summaries[b.summary]
			s.Targets--
			s.Warnings = append(s.Warnings, fmt.Sprintf("target %s.%s left out: hub would not write the files exactly as they are (%s)", b.Type, b.Name, why))
		}
		return drop
	})
}
