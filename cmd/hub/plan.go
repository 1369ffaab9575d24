package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/views"
)

// planFlags are shared by plan, apply and destroy.
type planFlags struct {
	vars    varFlags
	targets []string
	json    bool
	lock    lockFlag // registered by the commands that take the lock
}

func (p *planFlags) register(c *cobra.Command) {
	p.vars.register(c.Flags())
	c.Flags().StringArrayVar(&p.targets, "target", nil, "limit to the target at `ADDR` (type.name, e.g. codex.default; repeatable)")
	c.Flags().BoolVar(&p.json, "json", false, "print machine-readable output: one JSON object per line")
}

func (a *app) planCommand() *cobra.Command {
	var f planFlags
	var out string
	var detailed, destroy bool
	refresh := true
	c := &cobra.Command{
		Use:   "plan",
		Short: "Show what apply would change, key by key",
		Long: `Show what hub apply would change in each target's files: every item hub
would create (+), update (~) or delete (-), with old and new values. Keys are
shown as (sensitive value). Items hub wrote that someone changed since are
listed first, as "changed outside hub". Nothing is written.

A target whose file cannot be read (for example invalid JSON) is reported as
an error with the file and position; the rest of the plan is still shown.

A target about to be written with a key that has expired, or expires within
the hub block's expiry_warning (7 days unless set), is warned about on
stderr, naming the credential and its expires date (target_warning in
--json); hub apply warns the same way before it asks.

Exit status: 0 no changes (or changes without --detailed-exitcode), 1 error,
2 changes present with --detailed-exitcode.`,
		Example: `  hub plan
  hub plan --target claude_code.default
  hub plan --out creds.plan && hub apply creds.plan
  hub plan --detailed-exitcode --json > plan.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			view := views.NewPlan(a.view(), f.json)
			cfg, err := a.load(f.vars, view)
			if err != nil {
				return err
			}
			sess, err := a.session(cfg, f.lock)
			if err != nil {
				return err
			}
			st, err := a.planState(sess, refresh)
			if err != nil {
				return err
			}
			planned, err := sess.Engine.Plan(a.ctx, cfg, st, engine.PlanOptions{Targets: f.targets, Destroy: destroy})
			if err != nil {
				return err
			}
			p := planned.Plan
			view.Plan(p, "plan")
			if p.Errored() {
				if out != "" {
					a.errorf("the plan has errors, so it was not saved to %s", out)
				}
				return reported(1)
			}
			if out != "" {
				if err := a.savePlan(out, engine.NewSaved(p, st)); err != nil {
					return err
				}
				view.Saved(out)
			}
			if detailed && p.HasChanges() {
				return reported(2)
			}
			return nil
		},
	}
	f.register(c)
	c.Flags().StringVarP(&out, "out", "o", "", "save the plan to `FILE` for hub apply FILE")
	c.Flags().BoolVar(&detailed, "detailed-exitcode", false, "exit 2 when there are changes, 0 when none, 1 on error")
	c.Flags().BoolVar(&destroy, "destroy", false, "plan the removal of everything hub owns")
	c.Flags().BoolVar(&refresh, "refresh", true, "read the remote state; --refresh=false plans offline from the local copy (which may be stale)")
	return c
}

func (a *app) savePlan(path string, s *engine.SavedPlan) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	if err := (system.OS{}).WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	return nil
}
