package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hubctl/hub/engine/telemetry"
)

// refreshLoop refreshes the telemetry of every credential of the last
// configuration planned, every interval, until ctx ends, and shows what
// each refresh found.
func (w *watcher) refreshLoop(ctx context.Context, every time.Duration, poke func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := w.refreshOnce(ctx, poke); err != nil && ctx.Err() == nil {
			w.warn("watch_refresh_error", "refresh: "+err.Error(), nil)
		}
	}
}

// refreshOnce is one scheduled refresh, with the commands' default
// parallelism and timeout.
func (w *watcher) refreshOnce(ctx context.Context, poke func()) error {
	f := credFlags{parallelism: defaultParallelism, timeout: defaultTimeout}
	r, err := w.rec.Refresh(ctx, telemetry.Options{Client: w.a.client(&f), Parallelism: f.parallelism})
	if err != nil || r == nil {
		return err
	}
	for _, c := range r.Changes {
		msg := fmt.Sprintf("%s: %s", c.Credential, c.Health.Status)
		if c.Health.Reason != "" {
			msg += ": " + c.Health.Reason
		}
		fields := map[string]any{"credential": c.Credential, "health": c.Health}
		if c.Health.Status == telemetry.Healthy {
			w.info("watch_health", "hub: "+msg, fields)
		} else {
			w.warn("watch_health", msg, fields)
		}
	}
	var parts []string
	for _, h := range []string{telemetry.Healthy, telemetry.Warning, telemetry.Error} {
		if r.Counts[h] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", r.Counts[h], h))
		}
	}
	w.info("watch_refresh", fmt.Sprintf("hub: refreshed %s: %s", plural(r.Credentials, "credential"), strings.Join(parts, ", ")),
		map[string]any{"credentials": r.Credentials, "healthy": r.Counts[telemetry.Healthy], "warning": r.Counts[telemetry.Warning], "error": r.Counts[telemetry.Error]})
	if r.NewModels {
		poke()
	}
	return nil
}
