package providers

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// SiteLimits bound what one Client asks of one site (scheme://host:port),
// whatever the number of keys it holds there: relays limit per client IP,
// not per key. Zero fields mean no bound.
type SiteLimits struct {
	// Concurrent is how many requests are in flight at once per site.
	Concurrent int
	// PerMinute and Burst are a token bucket per site.
	PerMinute float64
	Burst     int
	// Critical is how many Request.Critical calls a site answers per
	// CriticalWindow: New API's CriticalRateLimit, 20 per 20 minutes per
	// IP, shared by /api/usage/token/ and /api/log/token (newapi-real.md).
	// Past it hub does not call: the server would only answer 429.
	Critical       int
	CriticalWindow time.Duration
}

// DefaultSiteLimits are the bounds hub's commands use: All API Hub's 2
// concurrent requests per site, and New API's critical budget. No steady
// rate: New API's relay routes (/v1/models, the billing pair) have no
// per-IP limit by default, and the endpoints that do are the critical ones;
// a rate (All API Hub uses 18 per minute) would make a refresh of 100 keys
// of one site take minutes for nothing.
var DefaultSiteLimits = SiteLimits{Concurrent: 2, Critical: 20, CriticalWindow: 20 * time.Minute}

// sites holds each origin's limiter.
type sites struct {
	limits SiteLimits
	now    func() time.Time
	mu     sync.Mutex
	by     map[string]*site
}

type site struct {
	sem      chan struct{}
	tokens   float64
	refilled time.Time
	critical []time.Time // the critical calls made in the window, oldest first
}

func (s *sites) get(origin string) *site {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.by[origin]
	if !ok {
		st = &site{tokens: float64(max(s.limits.Burst, 1)), refilled: s.now()}
		if s.limits.Concurrent > 0 {
			st.sem = make(chan struct{}, s.limits.Concurrent)
		}
		s.by[origin] = st
	}
	return st
}

// acquire waits for a slot and a token of origin's budget, or refuses a
// critical call whose budget is spent. release must be called when a slot
// was taken.
func (s *sites) acquire(ctx context.Context, origin, endpoint string, critical bool) (release func(), err error) {
	st := s.get(origin)
	if critical && s.limits.Critical > 0 {
		if err := s.spendCritical(st, origin, endpoint); err != nil {
			return nil, err
		}
	}
	if st.sem != nil {
		select {
		case st.sem <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	release = func() {
		if st.sem != nil {
			<-st.sem
		}
	}
	for s.limits.PerMinute > 0 {
		wait := s.take(st)
		if wait <= 0 {
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			release()
			return nil, ctx.Err()
		}
	}
	return release, nil
}

// take spends a token, or says how long until one is there.
func (s *sites) take(st *site) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	rate := s.limits.PerMinute / 60 // per second
	st.tokens = min(float64(max(s.limits.Burst, 1)), st.tokens+now.Sub(st.refilled).Seconds()*rate)
	st.refilled = now
	if st.tokens >= 1 {
		st.tokens--
		return 0
	}
	return time.Duration((1 - st.tokens) / rate * float64(time.Second))
}

// spendCritical counts a critical call against the window, or refuses it
// with a rate-limit Failure that says when the budget comes back.
func (s *sites) spendCritical(st *site, origin, endpoint string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	w := s.limits.CriticalWindow
	for len(st.critical) > 0 && now.Sub(st.critical[0]) >= w {
		st.critical = st.critical[1:]
	}
	if len(st.critical) >= s.limits.Critical {
		back := st.critical[0].Add(w).Sub(now).Round(time.Second)
		return &Failure{Class: ClassRateLimited, Status: 0, Endpoint: endpoint, Code: CodeBudget,
			Message: fmt.Sprintf("not called: hub's budget for %s's critical endpoints (%d per %s, New API's per-IP limit) is spent; it comes back in %s", origin, s.limits.Critical, w, back)}
	}
	st.critical = append(st.critical, now)
	return nil
}

// spent marks origin's critical budget as used up for a window: the server
// answered 429 there, so another process or host on this IP spent it.
func (s *sites) spent(origin string) {
	if s.limits.Critical <= 0 {
		return
	}
	st := s.get(origin)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for len(st.critical) < s.limits.Critical {
		st.critical = append(st.critical, now)
	}
	for i := range st.critical {
		st.critical[i] = now
	}
}

// CodeBudget is the Failure.Code of a call hub did not make because the
// site's critical budget was spent.
const CodeBudget = "hub_budget"

// isTooMany reports a 429.
func isTooMany(f *Failure) bool { return f != nil && f.Status == http.StatusTooManyRequests }
