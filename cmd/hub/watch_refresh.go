package main

import (
	"context"
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
			w.view.RefreshFailed(err)
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
	w.view.Refreshed(r)
	if r.NewModels {
		poke()
	}
	return nil
}
