package views

import (
	"fmt"

	"github.com/hubctl/hub/targets"
)

// ChannelTests is hub verify --channels's view: each credential tested
// where a target keeps it (a panel's channel), then a count.
type ChannelTests interface {
	Tested(target string, r targets.TestResult)
	Done(total, failed int)
}

// NewChannelTests returns the view: JSON lines with asJSON, else a line
// per test.
func NewChannelTests(v *View, asJSON bool) ChannelTests {
	if asJSON {
		return channelTestsJSON{newJSON(v)}
	}
	return channelTestsHuman{v}
}

type channelTestsHuman struct{ *View }

func (v channelTestsHuman) Tested(target string, r targets.TestResult) {
	if r.OK {
		took := ""
		if r.Seconds > 0 {
			took = fmt.Sprintf(", %.2f s", r.Seconds)
		}
		fmt.Fprintf(v.Out, "%s: %s: %s (%s%s)\n", target, r.Credential, v.Style.Paint("32", "ok"), printable(r.Where), took)
		return
	}
	fmt.Fprintf(v.Out, "%s: %s: %s (%s): %s\n", target, r.Credential, v.Style.Paint("31", "FAILED"), printable(r.Where), printable(r.Message))
}

func (v channelTestsHuman) Done(total, failed int) {
	fmt.Fprintf(v.Out, "\n%d channels tested, %d failed.\n", total, failed)
}

type channelTestsJSON struct{ jsonView }

func (v channelTestsJSON) Tested(target string, r targets.TestResult) {
	level, msg := "info", fmt.Sprintf("%s: %s: ok", target, r.Credential)
	if !r.OK {
		level, msg = "error", fmt.Sprintf("%s: %s: %s", target, r.Credential, printable(r.Message))
	}
	v.j.Emit(level, "channel_test", msg, map[string]any{"target": target, "credential": r.Credential, "where": printable(r.Where),
		"ok": r.OK, "seconds": r.Seconds, "error": printable(r.Message)})
}

func (v channelTestsJSON) Done(total, failed int) {
	v.j.Emit("info", "channel_test_summary", fmt.Sprintf("%d channels tested, %d failed", total, failed), map[string]any{"total": total, "failed": failed})
}
