package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/views"
)

func (a *app) stateCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "state",
		Short: "Inspect what hub owns",
		Long: `Inspect hub's state: which items hub owns in which files, on this host and
others, and since when. The state never holds a key: sensitive values are kept
only as salted hashes, and are shown as (sensitive value).`,
	}
	var host string
	var asJSON bool
	list := &cobra.Command{
		Use:     "list",
		Short:   "List the targets hub owns items in",
		Example: "  hub state list\n  hub state list --host laptop",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			st, h, err := a.stateHost(host)
			if err != nil {
				return err
			}
			return views.NewState(a.view(), asJSON).List(st, a.hostOr(host), h, a.nothingOwned(st, host))
		},
	}
	show := &cobra.Command{
		Use:     "show ADDR",
		Short:   "Show the items hub owns for one target",
		Example: "  hub state show claude_code.default",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			st, h, err := a.stateHost(host)
			if err != nil {
				return err
			}
			t := h.Targets[args[0]]
			if t == nil {
				if len(h.Targets) == 0 {
					return fmt.Errorf("hub owns nothing for %s: %s", args[0], a.nothingOwned(st, host))
				}
				return fmt.Errorf("hub owns nothing for %s on host %s; hub state list shows what it owns", args[0], a.hostOr(host))
			}
			return views.NewState(a.view(), asJSON).Show(args[0], t)
		},
	}
	for _, sub := range []*cobra.Command{list, show} {
		sub.Flags().StringVar(&host, "host", "", "show another host's section (default: this host, HUB_HOST or the hostname)")
		sub.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	}
	c.AddCommand(list, show, a.statePullCommand(), a.statePushCommand(), a.stateUnlockCommand(), a.stateMigrateCommand())
	return c
}

func (a *app) hostOr(h string) string {
	if h != "" {
		return h
	}
	return a.host()
}

// stateHost loads the state and the host's section (empty if none).
func (a *app) stateHost(host string) (*states.State, *states.Host, error) {
	store, _, err := a.stateStore()
	if err != nil {
		return nil, nil, err
	}
	st, err := a.loadState(store)
	if err != nil {
		return nil, nil, err
	}
	h := st.Hosts[a.hostOr(host)]
	if h == nil {
		h = &states.Host{Targets: map[string]*states.Target{}}
	}
	return st, h, nil
}

// nothingOwned says that hub owns nothing on the host, and which hosts it
// owns something on.
func (a *app) nothingOwned(st *states.State, host string) string {
	var others []string
	for name, oh := range st.Hosts {
		if name != a.hostOr(host) && len(oh.Targets) > 0 {
			others = append(others, name)
		}
	}
	sort.Strings(others)
	msg := fmt.Sprintf("hub owns nothing on host %s (state %s).", a.hostOr(host), a.statePath())
	if len(others) > 0 {
		msg += fmt.Sprintf(" Hosts in the state: %s; pick one with --host.", strings.Join(others, ", "))
	}
	return msg
}
