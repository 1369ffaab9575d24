package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/render"
	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/providers"
)

func (a *app) verifyCommand() *cobra.Command {
	var f credFlags
	var opts telemetry.VerifyOptions
	c := &cobra.Command{
		Use:   "verify [CREDENTIAL...]",
		Short: "Check that keys work: models, and with --deep real completions",
		Long: `Check each credential's key against its upstream. The first check is the
cheapest authenticated call, the model list (GET /v1/models, or the API
family's own): it proves the key and the base URL, and says how many models
the key can use.

--deep adds probes that cost a few tokens: a one-token completion, a forced
tool call and a structured (JSON schema) answer, in the credential's API
family. --cli claude|codex|gemini checks the wire a coding CLI speaks,
whatever the credential's type: Anthropic messages streamed (Claude Code),
the Responses API streamed (Codex), Gemini generateContent (Gemini CLI).

Probes need a model: --model, else the credential's models, else one
suggested from the model list (gpt/o-series, claude-*, gemini-* first, as
All API Hub does); the output says which. Failures are named: invalid key,
quota exhausted, model not found, rate limited, wrong base URL, blocked by
bot protection, TLS problem, network unreachable, timeout.

Nothing is written. Use hub refresh to keep models, balance and health in
the state. Exit status: 0 when every check passed, 1 otherwise.`,
		Example: `  hub verify                         # every credential, model list only
  hub verify relay --deep            # one credential, with completion probes
  hub verify --tag work --cli claude # does each work key speak Claude Code's wire?
  hub verify --json | jq .           # one JSON object per credential`,
		RunE: func(c *cobra.Command, names []string) error {
			if err := f.check(); err != nil {
				return err
			}
			for _, cli := range opts.CLIs {
				if _, ok := providers.CLIProbes[cli]; !ok {
					return fmt.Errorf("--cli %q is not known; use claude, codex or gemini", cli)
				}
			}
			_, sel, j, err := a.loadSelected(&f, names)
			if err != nil {
				return err
			}
			bar := a.newProgress("verifying", len(sel), f.json)
			res := telemetry.Verify(a.ctx, sel, opts, telemetry.Options{Client: a.client(&f), Parallelism: f.parallelism, Progress: bar.update})
			bar.done()
			failed, skipped := 0, 0
			for i, v := range res {
				if v.Skipped {
					skipped++
					continue
				}
				if !v.OK() {
					failed++
				}
				if f.json {
					a.verifyJSON(j, sel[i], &v)
				} else {
					a.verifyHuman(sel[i], &v)
				}
			}
			if a.ctx.Err() != nil {
				a.errorf("interrupted: %d of %d credentials not verified", skipped, len(sel))
				return reported(1)
			}
			if !f.json {
				fmt.Fprintf(a.out, "\n%s verified: %d ok, %d failing.\n", plural(len(sel), "credential"), len(sel)-failed, failed)
			}
			if failed > 0 {
				return reported(1)
			}
			return nil
		},
	}
	f.register(c, true)
	c.Flags().BoolVar(&opts.Deep, "deep", false, "also run a one-token completion, a tool call and a structured-output probe (costs a few tokens)")
	c.Flags().StringSliceVar(&opts.CLIs, "cli", nil, "also check the wire of `CLI`: claude, codex or gemini (repeatable, or comma-separated)")
	c.Flags().StringVar(&opts.Model, "model", "", "probe with `MODEL` instead of the credential's or a suggested one")
	return c
}

func (a *app) verifyHuman(c *config.Credential, v *telemetry.Verification) {
	st := a.style()
	mark := st.Paint("32", "✓")
	if !v.OK() {
		mark = st.Paint("31", "✗")
	}
	fmt.Fprintf(a.out, "%s %s  %s  %s\n", mark, st.Bold(c.ID), c.APIType, c.BaseURL)
	for i, ck := range v.Checks {
		if i == 1 {
			a.modelLine(v)
		}
		if ck.OK() {
			detail := ck.Detail
			if ck.Name == "models" && v.Models != nil && v.Models.Endpoint != "" {
				detail += " from " + v.Models.Endpoint
			}
			fmt.Fprintf(a.out, "    %s %-10s %s%s\n", st.Paint("32", "✓"), ck.Name, detail, ms(ck.Duration))
			continue
		}
		fmt.Fprintf(a.out, "    %s %-10s %s%s\n", st.Paint("31", "✗"), ck.Name, ck.Err, ms(ck.Duration))
	}
}

func (a *app) modelLine(v *telemetry.Verification) {
	if v.Model == "" {
		return
	}
	fmt.Fprintf(a.out, "    model for probes: %s (%s)\n", v.Model, v.ModelFrom)
}

func ms(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return fmt.Sprintf("  %d ms", d.Milliseconds())
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// checkJSON is one check in verify's JSON view.
type checkJSON struct {
	Name       string          `json:"name"`
	OK         bool            `json:"ok"`
	Class      providers.Class `json:"class,omitempty"`
	Error      string          `json:"error,omitempty"`
	Detail     string          `json:"detail,omitempty"`
	DurationMS int64           `json:"duration_ms"`
}

func (a *app) verifyJSON(j *render.JSON, c *config.Credential, v *telemetry.Verification) {
	fields := map[string]any{"credential": c.ID, "api_type": c.APIType, "base_url": c.BaseURL, "ok": v.OK()}
	if v.Models != nil {
		fields["models"], fields["models_endpoint"] = v.Models.IDs(), v.Models.Endpoint
	}
	if v.Model != "" {
		fields["model"], fields["model_from"] = v.Model, v.ModelFrom
	}
	var checks []checkJSON
	for _, ck := range v.Checks {
		cj := checkJSON{Name: ck.Name, OK: ck.OK(), Detail: ck.Detail, DurationMS: ck.Duration.Milliseconds()}
		if ck.Err != nil {
			cj.Error = ck.Err.Error()
			if f, ok := providers.AsFailure(ck.Err); ok {
				cj.Class = f.Class
			}
		}
		checks = append(checks, cj)
	}
	fields["checks"] = checks
	level, msg := "info", c.ID+": every check passed"
	if !v.OK() {
		level, msg = "error", c.ID+": "+firstError(v)
	}
	j.Emit(level, "verify", msg, fields)
}

func firstError(v *telemetry.Verification) string {
	for _, ck := range v.Checks {
		if ck.Err != nil {
			return ck.Name + ": " + ck.Err.Error()
		}
	}
	return "not verified"
}
