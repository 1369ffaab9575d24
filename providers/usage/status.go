package usage

import (
	"context"
	"strings"
	"sync"
	"time"
	"weak"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/providers"
)

// statusCache keeps each site's /api/status answer, so a refresh over many
// credentials of one relay (the benchmark has 1,000 on one) asks once: the
// first reading fetches, concurrent ones wait for it, later ones reuse it.
// Entries are per Client (weakly held, so a dropped Client frees nothing
// here but its entries' keys) and per status URL, bounded in number, and
// kept for statusTTL: quota_per_unit is a site setting that rarely changes.
type statusCache struct {
	mu      sync.Mutex
	entries map[statusKey]*statusEntry
}

type statusKey struct {
	client weak.Pointer[providers.Client]
	url    string
}

type statusEntry struct {
	done  chan struct{} // closed when the fetch ended
	site  siteStatus
	at    time.Time
	keep  bool // cacheable; false entries are dropped once done
	ended bool // the fetcher's context ended: waiters fetch themselves
}

const (
	statusTTL        = time.Hour
	maxStatusEntries = 512
)

var statuses = &statusCache{entries: map[statusKey]*statusEntry{}}

// get returns the site's quota_per_unit, fetching /api/status at most once
// per site at a time.
func (sc *statusCache) get(ctx context.Context, cl *providers.Client, c *credential.Credential) (statusFor, error) {
	key := statusKey{weak.Make(cl), strings.TrimRight(c.BaseURL, "/") + "/api/status"}
	for {
		sc.mu.Lock()
		e, ok := sc.entries[key]
		if ok && e.isDone() && (!e.keep || time.Since(e.at) > statusTTL) {
			delete(sc.entries, key)
			ok = false
		}
		if !ok {
			e = &statusEntry{done: make(chan struct{})}
			sc.evictLocked()
			sc.entries[key] = e
			sc.mu.Unlock()
			return sc.fetch(ctx, cl, c, key, e)
		}
		sc.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return statusFor{}, ctx.Err()
		}
		if e.ended {
			continue
		}
		return statusFor{siteStatus: e.site}, nil
	}
}

func (sc *statusCache) fetch(ctx context.Context, cl *providers.Client, c *credential.Credential, key statusKey, e *statusEntry) (statusFor, error) {
	site, keep, err := statusQuota(ctx, cl, c)
	sc.mu.Lock()
	e.site, e.keep, e.at, e.ended = site, keep && err == nil, time.Now(), err != nil
	if !e.keep && sc.entries[key] == e {
		delete(sc.entries, key)
	}
	close(e.done)
	sc.mu.Unlock()
	if err != nil {
		return statusFor{}, err
	}
	return statusFor{siteStatus: site, requests: 1}, nil
}

func (e *statusEntry) isDone() bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

// evictLocked makes room for one entry: first entries whose Client is gone
// or that expired, then any finished one.
func (sc *statusCache) evictLocked() {
	if len(sc.entries) < maxStatusEntries {
		return
	}
	for k, e := range sc.entries {
		if e.isDone() && (k.client.Value() == nil || time.Since(e.at) > statusTTL) {
			delete(sc.entries, k)
		}
	}
	for k, e := range sc.entries {
		if len(sc.entries) < maxStatusEntries {
			return
		}
		if e.isDone() {
			delete(sc.entries, k)
		}
	}
}
