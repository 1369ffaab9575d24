package views

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/hubctl/hub/engine/states"
)

// State is the view of hub state list and hub state show.
type State interface {
	// List shows the targets host owns items in; nothing is what to say
	// when there are none.
	List(st *states.State, host string, h *states.Host, nothing string) error
	// Show shows the items hub owns for the target at addr.
	Show(addr string, t *states.Target) error
}

// NewState returns the view of hub state list and show: one indented JSON
// document with asJSON, else tables.
func NewState(v *View, asJSON bool) State {
	if asJSON {
		return stateJSON{v}
	}
	return stateHuman{v}
}

type stateJSON struct{ *View }

func (v stateJSON) List(st *states.State, host string, h *states.Host, _ string) error {
	return v.document(map[string]any{"lineage": st.Lineage, "serial": st.Serial, "host": host, "targets": h.Targets})
}

func (v stateJSON) Show(addr string, t *states.Target) error {
	return v.document(map[string]any{"address": addr, "target": t})
}

func (v stateJSON) document(doc any) error {
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(v.Out, string(b))
	return err
}

type stateHuman struct{ *View }

func (v stateHuman) List(_ *states.State, _ string, h *states.Host, nothing string) error {
	if len(h.Targets) == 0 {
		fmt.Fprintln(v.Out, nothing)
		return nil
	}
	tw := tabwriter.NewWriter(v.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tITEMS\tSINCE\tFILE")
	for _, addr := range h.Addresses() {
		t := h.Targets[addr]
		for _, path := range slices.Sorted(maps.Keys(t.Files)) {
			f := t.Files[path]
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", addr, len(f.Items), since(f).Format(time.DateTime), path)
		}
	}
	return tw.Flush()
}

func (v stateHuman) Show(addr string, t *states.Target) error {
	fmt.Fprintf(v.Out, "# %s (%s)\n", addr, t.Type)
	for _, path := range slices.Sorted(maps.Keys(t.Files)) {
		f := t.Files[path]
		fmt.Fprintf(v.Out, "\nfile:   %s\n", path)
		if f.Backup != "" {
			fmt.Fprintf(v.Out, "backup: %s\n", f.Backup)
		}
		keys := slices.Sorted(maps.Keys(f.Items))
		tw := tabwriter.NewWriter(v.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  ITEM\tVALUE\tSINCE\tUPDATED")
		for _, k := range keys {
			it := f.Items[k]
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", k, Value(it.Value, it.Sensitive), it.Since.Local().Format(time.DateTime), it.Updated.Local().Format(time.DateTime))
		}
		tw.Flush()
	}
	return nil
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

// StateSync is the view of the commands that move a state between this
// machine and a remote: pull, push, unlock and migrate. They have no JSON
// form.
type StateSync struct{ *View }

// NewStateSync returns the view of pull, push, unlock and migrate.
func NewStateSync(v *View) StateSync { return StateSync{v} }

// Describe names a state by lineage and serial ("no state" for none).
func Describe(st *states.State) string {
	if st == nil || st.Serial == 0 {
		return "no state"
	}
	return fmt.Sprintf("lineage %s, serial %d", st.Lineage, st.Serial)
}

// Pulled says the remote's state replaced this machine's copy, before.
func (v StateSync) Pulled(remote string, st, before *states.State) {
	fmt.Fprintf(v.Out, "Pulled the state from %s (%s); this machine had %s.\n", remote, Describe(st), Describe(before))
}

// Pushing shows what a push would replace, before asking.
func (v StateSync) Pushing(remote string, remoteSt, local *states.State) {
	fmt.Fprintf(v.Out, "The remote %s holds %s; this machine's copy is %s.\n", remote, Describe(remoteSt), Describe(local))
}

// Pushed says this machine's copy replaced the remote's.
func (v StateSync) Pushed(remote string, local *states.State) {
	fmt.Fprintf(v.Out, "Pushed %s to %s.\n", Describe(local), remote)
}

// Unlocked says the lock id was removed from the store.
func (v StateSync) Unlocked(id, store string) {
	fmt.Fprintf(v.Out, "Removed lock %s from %s.\n", id, store)
}

// MigratedUp says the local state went to the remote and where the old
// file is kept.
func (v StateSync) MigratedUp(st *states.State, remote, moved string) {
	fmt.Fprintf(v.Out, "Migrated the state (%s) to %s; the old file is %s.\n", Describe(st), remote, moved)
}

// MigratedDown says the remote state's copy became the local state file.
func (v StateSync) MigratedDown(st *states.State, path string) {
	fmt.Fprintf(v.Out, "Migrated the state (%s) to %s. The remote copy stays on the server.\n", Describe(st), path)
}
