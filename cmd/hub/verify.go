package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/providers"
	"github.com/hubctl/hub/views"
)

func (a *app) verifyCommand() *cobra.Command {
	var f credFlags
	var opts telemetry.VerifyOptions
	var channels bool
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

--channels tests the channels hub keeps on self-hosted panels instead: each
newapi_channels block's panel tests its channel for the credential (New
API's channel test sends a request through the channel to its upstream).

--as anthropic|openai|openai-compatible|google probes each key as that API
type instead of its own (its model list, --deep probes and their model): to
find out what a key also speaks, or whether a credential has the wrong type.
It is temporary: every line of the output says "as TYPE", and the
configuration keeps the saved type. To change it, edit api_type.

A credential with expires = "..." gets an expiry check, after the others: it
says how long is left, and fails once the day has come (an upstream's
refusal of such a key is named "key expired").

Nothing is written, with or without --as: the configuration and the state
stay as they are. Use hub refresh to keep models, balance and health in the
state. Exit status: 0 when every check passed, 1 otherwise.`,
		Example: `  hub verify                         # every credential, model list only
  hub verify relay --deep            # one credential, with completion probes
  hub verify --tag work --cli claude # does each work key speak Claude Code's wire?
  hub verify relay --as anthropic    # does the relay's key speak Anthropic's API?
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
			if opts.As != "" && !credential.ValidAPIType(opts.As) {
				return fmt.Errorf("--as %q is not an API type; use one of %s", opts.As, strings.Join(credential.APITypes, ", "))
			}
			if opts.As != "" && channels {
				return fmt.Errorf("--as cannot be used with --channels: a panel tests its channel with the channel's own type; drop --as, or verify the keys directly")
			}
			view := views.NewVerify(a.view(), f.json, opts.As)
			cfg, sel, err := a.loadSelected(&f, names, view)
			if err != nil {
				return err
			}
			if channels {
				return a.verifyChannels(cfg, sel, f.json)
			}
			bar := a.newProgress("verifying", len(sel), f.json)
			res := telemetry.Verify(a.ctx, sel, opts, telemetry.Options{Client: a.client(&f), Parallelism: f.parallelism, Progress: bar.Update})
			bar.Done()
			failed, skipped := 0, 0
			for i, v := range res {
				if v.Skipped {
					skipped++
					continue
				}
				if !v.OK() {
					failed++
				}
				view.Verified(sel[i], &v)
			}
			if a.ctx.Err() != nil {
				a.errorf("interrupted: %d of %d credentials not verified", skipped, len(sel))
				return reported(1)
			}
			view.Verifications(len(sel), failed)
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
	c.Flags().StringVar(&opts.As, "as", "", "probe the keys as API type `TYPE` (anthropic, openai, openai-compatible, google) for this run only; the saved type is unchanged")
	c.Flags().BoolVar(&channels, "channels", false, "instead, have each self-hosted panel test the channels hub keeps there for these credentials (newapi_channels)")
	return c
}
