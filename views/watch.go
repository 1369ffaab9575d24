package views

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/engine/watch"
)

// Watch is hub watch's view. Every message is flushed at once: a watch runs
// for hours and its output is read as it comes.
type Watch interface {
	Diagnoser
	Started(dir string)
	Stopped()
	// Failed reports an error that ended a round (the watch goes on).
	Failed(err error)
	// ConfigErrors says the round wrote nothing because the configuration
	// has errors (shown by Diagnostics before).
	ConfigErrors()
	// Event shows one thing a round did or found.
	Event(ev watch.Event)
	// Refreshed shows what a scheduled refresh found: each credential whose
	// health changed, then the counts.
	Refreshed(r *watch.Refreshed)
	RefreshFailed(err error)
	// Flush writes out what the streams hold: the end of a round.
	Flush()
}

// NewWatch returns hub watch's view: JSON lines with asJSON, else text.
func NewWatch(v *View, asJSON bool) Watch {
	if asJSON {
		return watchView{View: v, msg: jsonMessages{newJSON(v)}}
	}
	return watchView{View: v, msg: humanMessages{v}}
}

// messages is how hub watch's lines are written: a line on stdout (info) or
// a warning on stderr for people, JSON lines of a type for machines.
type messages interface {
	Diagnoser
	info(typ, msg string, fields map[string]any)
	warn(typ, msg string, fields map[string]any)
	err(typ string, err error)
}

type humanMessages struct{ *View }

func (v humanMessages) info(_, msg string, _ map[string]any) { fmt.Fprintln(v.Out, msg) }
func (v humanMessages) warn(_, msg string, _ map[string]any) { v.Warnf("%s", msg) }
func (v humanMessages) err(_ string, err error)              { v.Errorf("%v", err) }

type jsonMessages struct{ jsonView }

func (v jsonMessages) info(typ, msg string, fields map[string]any) {
	v.j.Emit("info", typ, msg, fields)
}
func (v jsonMessages) warn(typ, msg string, fields map[string]any) {
	v.j.Emit("warn", typ, msg, fields)
}
func (v jsonMessages) err(typ string, err error) { v.j.Emit("error", typ, err.Error(), nil) }

// watchView is both forms of Watch: what to say is the same, messages says
// it in the chosen form.
type watchView struct {
	*View
	msg messages
}

func (v watchView) Diagnostics(diags hcl.Diagnostics, files map[string]*hcl.File) {
	v.msg.Diagnostics(diags, files)
}

func (v watchView) info(typ, msg string, fields map[string]any) {
	v.msg.info(typ, msg, fields)
	v.Flush()
}

func (v watchView) warn(typ, msg string, fields map[string]any) {
	v.msg.warn(typ, msg, fields)
	v.Flush()
}

func (v watchView) Started(dir string) {
	v.info("watch_start", fmt.Sprintf("hub: watching %s (Ctrl-C to stop)", dir), map[string]any{"dir": dir})
}

func (v watchView) Stopped() { v.info("watch_stop", "hub: watch stopped", nil) }

func (v watchView) Failed(err error) {
	v.msg.err("watch_error", err)
	v.Flush()
}

func (v watchView) ConfigErrors() {
	v.warn("watch_config_error", "the configuration has errors; nothing written, waiting for a fix", nil)
}

func (v watchView) RefreshFailed(err error) {
	v.warn("watch_refresh_error", "refresh: "+err.Error(), nil)
}

func (v watchView) Event(ev watch.Event) {
	fields := map[string]any{"target": ev.Target}
	if ev.Path != "" {
		fields["path"] = ev.Path
	}
	switch ev.Kind {
	case watch.PlanFailed:
		v.warn("watch_plan_error", fmt.Sprintf("%s: %s", ev.Target, ev.Message), fields)
	case watch.Drifted:
		msg := fmt.Sprintf("%s: %s: changed outside hub: %s", ev.Target, ev.Path, strings.Join(ev.Keys, ", "))
		if ev.Action == watch.DriftWarn {
			msg += "; left alone (hub apply, or hub watch --on-drift revert, puts hub's values back)"
		} else {
			msg += "; putting hub's values back"
		}
		fields["keys"], fields["action"] = ev.Keys, ev.Action
		v.warn("watch_drift", msg, fields)
	case watch.Wrote:
		msg := fmt.Sprintf("%s: wrote %s (%d %s)", ev.Target, ev.Path, ev.Items, map[bool]string{true: "item", false: "items"}[ev.Items == 1])
		fields["backup"], fields["items"] = ev.Backup, ev.Items
		v.info("watch_apply", msg, fields)
	case watch.Reloaded:
		v.info("watch_reload", fmt.Sprintf("%s: reloaded", ev.Target), fields)
	}
}

func (v watchView) Refreshed(r *watch.Refreshed) {
	for _, c := range r.Changes {
		msg := fmt.Sprintf("%s: %s", c.Credential, c.Health.Status)
		if c.Health.Reason != "" {
			msg += ": " + c.Health.Reason
		}
		fields := map[string]any{"credential": c.Credential, "health": c.Health}
		if c.Health.Status == telemetry.Healthy {
			v.info("watch_health", "hub: "+msg, fields)
		} else {
			v.warn("watch_health", msg, fields)
		}
	}
	var parts []string
	for _, h := range []string{telemetry.Healthy, telemetry.Warning, telemetry.Error} {
		if r.Counts[h] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", r.Counts[h], h))
		}
	}
	v.info("watch_refresh", fmt.Sprintf("hub: refreshed %s: %s", plural(r.Credentials, "credential"), strings.Join(parts, ", ")),
		map[string]any{"credentials": r.Credentials, "healthy": r.Counts[telemetry.Healthy], "warning": r.Counts[telemetry.Warning], "error": r.Counts[telemetry.Error]})
}
