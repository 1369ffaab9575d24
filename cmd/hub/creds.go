package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/providers"
	"github.com/hubctl/hub/views"
)

// credFlags select credentials and bound network work; shared by verify,
// refresh and status.
type credFlags struct {
	vars        varFlags
	tags, types []string
	search      string
	json        bool
	parallelism int
	timeout     time.Duration
	lock        lockFlag // hub refresh's, to record its results
}

// The defaults of --parallelism and --timeout, also used by hub watch's
// scheduled refreshes.
const (
	defaultParallelism = 16
	defaultTimeout     = 30 * time.Second
)

func (f *credFlags) register(c *cobra.Command, network bool) {
	f.vars.register(c.Flags())
	c.Flags().StringSliceVar(&f.tags, "tag", nil, "only credentials with this `TAG` (repeatable; any of them matches)")
	c.Flags().StringSliceVar(&f.types, "type", nil, "only credentials of this API `TYPE`: "+strings.Join(credential.APITypes, ", ")+" (repeatable)")
	c.Flags().StringVar(&f.search, "search", "", "only credentials whose id, name, base URL, tags or notes contain `TEXT` (case-insensitive)")
	c.Flags().BoolVar(&f.json, "json", false, "print one JSON object per credential, one per line")
	if network {
		c.Flags().IntVar(&f.parallelism, "parallelism", defaultParallelism, "work on at most `N` credentials at once")
		c.Flags().DurationVar(&f.timeout, "timeout", defaultTimeout, "give up on one HTTP request after `DURATION`")
	}
}

// selectCreds returns the credentials named (all when none) that pass the
// filters, sorted by id. An unknown name is an error with a suggestion.
func (a *app) selectCreds(cfg *config.Config, names []string, f *credFlags) ([]*config.Credential, error) {
	ids := make([]string, 0, len(cfg.Credentials))
	for id := range cfg.Credentials {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, t := range f.types {
		if !credential.ValidAPIType(t) {
			return nil, fmt.Errorf("--type %q is not an API type; use one of %s", t, strings.Join(credential.APITypes, ", "))
		}
	}
	if len(names) > 0 {
		for _, n := range names {
			n = strings.TrimPrefix(n, "credential.")
			if cfg.Credentials[n] == nil {
				msg := fmt.Sprintf("no credential %q in the configuration", n)
				if s := config.Suggestion(n, ids); s != "" {
					msg += fmt.Sprintf("; did you mean %q?", s)
				} else if len(ids) > 0 {
					msg += "; it has " + strings.Join(ids, ", ")
				}
				return nil, fmt.Errorf("%s", msg)
			}
		}
		ids = ids[:0]
		for _, n := range names {
			n = strings.TrimPrefix(n, "credential.")
			if !slices.Contains(ids, n) {
				ids = append(ids, n)
			}
		}
		sort.Strings(ids)
	}
	var out []*config.Credential
	for _, id := range ids {
		c := cfg.Credentials[id]
		if f.matches(c) {
			out = append(out, c)
		}
	}
	return out, nil
}

func (f *credFlags) matches(c *config.Credential) bool {
	if len(f.types) > 0 && !slices.Contains(f.types, c.APIType) {
		return false
	}
	if len(f.tags) > 0 && !slices.ContainsFunc(f.tags, func(t string) bool { return slices.Contains(c.Tags, t) }) {
		return false
	}
	if f.search != "" {
		q := strings.ToLower(f.search)
		hay := strings.ToLower(strings.Join(append([]string{c.ID, c.Name, c.BaseURL, c.Notes}, c.Tags...), "\n"))
		if !strings.Contains(hay, q) {
			return false
		}
	}
	return true
}

// loadSelected loads the configuration, its diagnostics shown in view, and
// selects credentials: the start of every command that works per credential.
func (a *app) loadSelected(f *credFlags, names []string, view views.Diagnoser) (cfg *config.Config, sel []*config.Credential, err error) {
	if cfg, err = a.load(f.vars, view); err != nil {
		return nil, nil, err
	}
	if sel, err = a.selectCreds(cfg, names, f); err != nil {
		return nil, nil, err
	}
	if len(sel) == 0 {
		return nil, nil, a.noneSelected(cfg, f)
	}
	return cfg, sel, nil
}

// noneSelected explains an empty selection.
func (a *app) noneSelected(cfg *config.Config, f *credFlags) error {
	if len(cfg.Credentials) == 0 {
		return fmt.Errorf("the configuration has no credential blocks; add one (see hub init's example)")
	}
	return fmt.Errorf("no credential matches the filters (%d in the configuration); loosen --tag, --type or --search", len(cfg.Credentials))
}

// client builds the upstream HTTP client for this invocation.
func (a *app) client(f *credFlags) *providers.Client {
	return providers.NewClient(providers.ClientOptions{Timeout: f.timeout, MaxConnsPerHost: max(f.parallelism, 2), UserAgent: "hub/" + versionString(),
		Sites: providers.DefaultSiteLimits})
}

// checkParallelism refuses a useless --parallelism.
func (f *credFlags) check() error {
	if f.parallelism < 1 {
		return fmt.Errorf("--parallelism must be at least 1, not %d", f.parallelism)
	}
	if f.timeout <= 0 {
		return fmt.Errorf("--timeout must be positive, not %s", f.timeout)
	}
	return nil
}
