package main

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/plans"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/views"
)

func (a *app) applyCommand() *cobra.Command {
	var f planFlags
	var auto bool
	c := &cobra.Command{
		Use:   "apply [PLANFILE]",
		Short: "Write the planned changes into the tools' files",
		Long: `Write what hub plan shows into each target's files, and record in the state
what hub now owns.

Without PLANFILE, hub plans, shows the plan and asks for "yes" (only on a
terminal; elsewhere pass --auto-approve). With PLANFILE (from hub plan --out),
hub applies exactly that plan, and refuses it if the state or any target file
changed since it was made.

Each file is backed up the first time hub changes it (FILE.hub-backup-TIME),
then replaced atomically: readers see the old or the new file, never a mix.
Everything in the file that hub does not own is kept as it was.`,
		Example: `  hub apply
  hub apply --auto-approve --target codex.default
  hub plan --out creds.plan && hub apply creds.plan`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			planFile := ""
			if len(args) == 1 {
				planFile = args[0]
				if len(f.targets) > 0 {
					return errors.New("--target cannot be combined with a plan file: the plan file already says what to apply")
				}
			}
			return a.applyRun(f, auto, planFile, false)
		},
	}
	f.register(c)
	f.lock.register(c)
	c.Flags().BoolVar(&auto, "auto-approve", false, "apply without asking for confirmation")
	return c
}

func (a *app) destroyCommand() *cobra.Command {
	var f planFlags
	var auto bool
	c := &cobra.Command{
		Use:   "destroy",
		Short: "Remove every item hub owns from the tools' files",
		Long: `Remove every item hub owns (the keys it wrote into each tool's files) and
nothing else: the user's own settings stay. Shows the plan and asks for "yes"
first, as apply does.`,
		Example: `  hub destroy
  hub destroy --target codex.default --auto-approve`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return a.applyRun(f, auto, "", true)
		},
	}
	f.register(c)
	f.lock.register(c)
	c.Flags().BoolVar(&auto, "auto-approve", false, "destroy without asking for confirmation")
	return c
}

func (a *app) applyRun(f planFlags, auto bool, planFile string, destroy bool) error {
	view := views.NewApply(a.view(), f.json)
	op := "apply"
	if destroy {
		op = "destroy"
	}
	cfg, err := a.load(f.vars, view)
	if err != nil {
		return err
	}
	opts := engine.ApplyOptions{Op: op, Plan: engine.PlanOptions{Targets: f.targets, Destroy: destroy}}
	if planFile != "" {
		b, err := system.ReadFile(a.ctx, planFile)
		if err != nil {
			return fmt.Errorf("read plan: %w", err)
		}
		if opts.Saved, err = engine.DecodeSaved(b); err != nil {
			return fmt.Errorf("%s: %w", planFile, err)
		}
	}
	opts.Review = func(p *plans.Plan) error {
		view.Plan(p, op)
		if p.Errored() {
			a.hint("hub writes nothing while the plan has errors; fix them, or leave those targets out with --target")
			return reported(1)
		}
		if !p.HasChanges() || auto {
			return nil
		}
		return a.confirm(op)
	}
	sess, err := a.session(cfg, f.lock)
	if err != nil {
		return err
	}
	done, err := sess.Apply(a.ctx, cfg, opts)
	if err != nil {
		return a.lockFailed(err)
	}
	res := done.Result
	if res == nil {
		return nil
	}
	if opts.Saved != nil {
		// A saved plan skips the review, where its warnings show.
		for _, t := range done.Plan.Targets {
			for _, w := range t.Warnings {
				a.warnf("%s", w)
			}
		}
	}
	view.Applied(op, done.Plan, res)
	if err := res.Err(); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			a.errorf("%s", line)
		}
		if res.SaveErr == nil {
			a.hint("the state records only the files that were written; fix the cause and run hub apply again")
		}
	}
	if res.SaveErr != nil {
		a.errorf("the files above were written but the state could not be saved: %v", res.SaveErr)
		a.hint("the next plan will find the written items and adopt them")
		return reported(1)
	}
	if res.Err() != nil {
		return reported(1)
	}
	return nil
}

// confirm asks for "yes" on a terminal; without one it refuses.
func (a *app) confirm(op string) error {
	if !a.terminal {
		return fmt.Errorf("hub %s needs confirmation, and there is no terminal to ask on; pass --auto-approve, or apply a saved plan (hub plan --out FILE, then hub apply FILE)", op)
	}
	what := map[string]string{"destroy": "remove the items above", "push": "replace the remote state with this machine's copy"}[op]
	if what == "" {
		what = "write the changes above"
	}
	fmt.Fprintf(a.out, "\nDo you want to perform these actions?\n  hub will %s.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ", what)
	a.out.Flush()
	line, _ := bufio.NewReader(a.in).ReadString('\n')
	if strings.TrimSpace(line) != "yes" {
		fmt.Fprintf(a.out, "\n%s cancelled.\n", strings.ToUpper(op[:1])+op[1:])
		return reported(1)
	}
	fmt.Fprintln(a.out)
	return nil
}
