package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/engine/watch"
)

// refreshedModels is the path of the synthetic change a telemetry refresh
// sends into the watch loop when it found other models: targets that pick
// their model from a credential must be planned again.
const refreshedModels = "\x00hub:refreshed-models"

// pokeSource is a watch source that also carries pokes from hub itself.
type pokeSource struct {
	watchSource
	ctx    context.Context
	events chan string
}

func newPokeSource(ctx context.Context, src watchSource) *pokeSource {
	p := &pokeSource{watchSource: src, ctx: ctx, events: make(chan string)}
	go func() {
		defer close(p.events)
		for e := range src.Events() {
			select {
			case p.events <- e:
			case <-ctx.Done():
				return
			}
		}
	}()
	return p
}

// Events implements watch.Source.
func (p *pokeSource) Events() <-chan string { return p.events }

// poke sends the refreshed-models change into the loop.
func (p *pokeSource) poke() {
	select {
	case p.events <- refreshedModels:
	case <-p.ctx.Done():
	}
}

var _ watch.Source = (*pokeSource)(nil)

// refreshLoop refreshes the telemetry of every credential of the last
// configuration planned, every interval, until ctx ends.
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

// refreshOnce is one scheduled refresh: the network work outside any lock,
// then the records saved as hub refresh saves them, in step with rounds.
func (w *watcher) refreshOnce(ctx context.Context, poke func()) error {
	w.mu.Lock()
	cfg := w.lastCfg
	w.mu.Unlock()
	if cfg == nil || len(cfg.Credentials) == 0 {
		return nil
	}
	f := credFlags{parallelism: defaultParallelism, timeout: defaultTimeout}
	sel, err := w.a.selectCreds(cfg, nil, &f)
	if err != nil {
		return err
	}
	res := telemetry.Refresh(ctx, sel, telemetry.Options{Client: w.a.client(&f), Parallelism: f.parallelism})
	if ctx.Err() != nil {
		return nil // stopping: a watch ends without recording a cut-off refresh
	}
	store, err := w.a.store(cfg.Backend)
	if err != nil {
		return err
	}
	w.stateMu.Lock()
	recs, err := w.a.recordTelemetry(cfg, store, sel, res)
	w.stateMu.Unlock()
	if err != nil {
		return err
	}
	counts := map[string]int{}
	newModels := false
	for _, c := range sel {
		rec := recs[c.ID]
		if rec == nil {
			continue
		}
		counts[rec.Health.Status]++
		if prev, seen := w.health[c.ID]; seen && prev != rec.Health.Status || !seen && rec.Health.Status != telemetry.Healthy {
			msg := fmt.Sprintf("%s: %s", c.ID, rec.Health.Status)
			if rec.Health.Reason != "" {
				msg += ": " + rec.Health.Reason
			}
			fields := map[string]any{"credential": c.ID, "health": rec.Health}
			if rec.Health.Status == telemetry.Healthy {
				w.info("watch_health", "hub: "+msg, fields)
			} else {
				w.warn("watch_health", msg, fields)
			}
		}
		w.health[c.ID] = rec.Health.Status
		// A credential that lists its own models is not affected by what the
		// refresh found; one that does not may now give targets another model.
		if len(c.Models) == 0 && !slices.Equal(c.Discovered, rec.Models) {
			newModels = true
		}
	}
	var parts []string
	for _, h := range []string{telemetry.Healthy, telemetry.Warning, telemetry.Error} {
		if counts[h] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[h], h))
		}
	}
	w.info("watch_refresh", fmt.Sprintf("hub: refreshed %s: %s", plural(len(recs), "credential"), strings.Join(parts, ", ")),
		map[string]any{"credentials": len(recs), "healthy": counts[telemetry.Healthy], "warning": counts[telemetry.Warning], "error": counts[telemetry.Error]})
	if newModels {
		poke()
	}
	return nil
}
