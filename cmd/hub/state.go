package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine/render"
	"github.com/hubctl/hub/engine/states"
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
			if asJSON {
				return a.printJSON(map[string]any{"lineage": st.Lineage, "serial": st.Serial, "host": a.hostOr(host), "targets": h.Targets})
			}
			if len(h.Targets) == 0 {
				fmt.Fprintln(a.out, a.nothingOwned(st, host))
				return nil
			}
			tw := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TARGET\tITEMS\tSINCE\tFILE")
			for _, addr := range h.Addresses() {
				t := h.Targets[addr]
				for _, path := range slices.Sorted(maps.Keys(t.Files)) {
					f := t.Files[path]
					fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", addr, len(f.Items), since(f).Format(time.DateTime), path)
				}
			}
			return tw.Flush()
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
			if asJSON {
				return a.printJSON(map[string]any{"address": args[0], "target": t})
			}
			fmt.Fprintf(a.out, "# %s (%s)\n", args[0], t.Type)
			for _, path := range slices.Sorted(maps.Keys(t.Files)) {
				f := t.Files[path]
				fmt.Fprintf(a.out, "\nfile:   %s\n", path)
				if f.Backup != "" {
					fmt.Fprintf(a.out, "backup: %s\n", f.Backup)
				}
				keys := slices.Sorted(maps.Keys(f.Items))
				tw := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "  ITEM\tVALUE\tSINCE\tUPDATED")
				for _, k := range keys {
					it := f.Items[k]
					fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", k, render.Value(it.Value, it.Sensitive), it.Since.Local().Format(time.DateTime), it.Updated.Local().Format(time.DateTime))
				}
				tw.Flush()
			}
			return nil
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

func (a *app) printJSON(v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(a.out, string(b))
	return err
}

// since is when hub first owned an item of the file.
func since(f *states.File) time.Time {
	var t time.Time
	for _, it := range f.Items {
		if t.IsZero() || it.Since.Before(t) {
			t = it.Since
		}
	}
	return t.Local()
}
