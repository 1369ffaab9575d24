package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/providers"
	"github.com/hubctl/hub/secret"
)

// Options bound a run over many credentials.
type Options struct {
	Client *providers.Client
	// Parallelism is how many credentials are worked on at once; 16 when zero.
	Parallelism int
	// Progress, when set, is called after each credential, from one
	// goroutine at a time.
	Progress func(done, total int, id string)
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// each runs fn over creds with at most o.Parallelism at once, in input order
// of results. It stops handing out work when ctx ends; fn sees ctx and should
// return promptly.
func each[R any](ctx context.Context, o *Options, creds []*credential.Credential, fn func(context.Context, *credential.Credential) R) []R {
	n := o.Parallelism
	if n <= 0 {
		n = 16
	}
	n = min(n, max(len(creds), 1))
	out := make([]R, len(creds))
	jobs := make(chan int)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				out[i] = fn(ctx, creds[i])
				if o.Progress != nil {
					mu.Lock()
					done++
					o.Progress(done, len(creds), creds[i].ID)
					mu.Unlock()
				}
			}
		}()
	}
feed:
	for i := range creds {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return out
}

// A Result is one credential's refresh.
type Result struct {
	ID        string
	Models    *providers.ModelList
	ModelsErr error
	Usage     *providers.Usage
	UsageErr  error
	// TodayErr is why today's figures could not be read (New API's log,
	// read after every balance); the record keeps the last ones of the day.
	TodayErr error
	// Skipped is set when the run was cancelled before this credential.
	Skipped  bool
	At       time.Time
	Duration time.Duration
	Requests int
}

// Refresh lists models and reads usage for each credential. Results come in
// the order of creds; a cancelled run marks the rest Skipped.
func Refresh(ctx context.Context, creds []*credential.Credential, o Options) []Result {
	res := each(ctx, &o, creds, func(ctx context.Context, c *credential.Credential) Result {
		r := Result{ID: c.ID, At: o.now()}
		if ctx.Err() != nil {
			r.Skipped = true
			return r
		}
		start := time.Now()
		defer func() { r.Duration = time.Since(start) }()
		fam, err := providers.Lookup(c.APIType)
		if err != nil {
			r.ModelsErr = err
			return r
		}
		r.Models, r.ModelsErr = fam.Models(ctx, o.Client, c)
		if r.Models != nil {
			r.Requests += r.Models.Requests
		}
		if ctx.Err() != nil {
			r.Skipped = r.Models == nil
			return r
		}
		if f, ok := providers.AsFailure(r.ModelsErr); ok && !f.Class.KeyWorks() && f.Class != providers.ClassWrongURL && f.Class != providers.ClassQuota {
			// A dead key or an unreachable site answers usage the same way:
			// spare the requests. An exhausted key still reads its balance,
			// and a key New API refused may say why where it still answers.
			if u, why, n := explain(ctx, o.Client, c, f); n > 0 {
				r.Requests += n
				if why != nil {
					r.ModelsErr = why
				}
				r.Usage = u
			}
			return r
		}
		if !readsUsage(c) {
			return r
		}
		reader, err := providers.LookupUsage(c.Usage.Method)
		if err != nil {
			r.UsageErr = err
			return r
		}
		r.Usage, r.UsageErr = reader.ReadUsage(ctx, o.Client, c)
		if r.Usage != nil {
			r.Requests += r.Usage.Requests + r.Usage.SiteRequests
		}
		return r
	})
	for i := range res {
		if res[i].ID == "" {
			res[i] = Result{ID: creds[i].ID, Skipped: true}
		}
	}
	readToday(ctx, &o, creds, res)
	return res
}

// explain asks the credential's usage source why a relay refused its key
// with 401 (New API refuses exhausted, expired and disabled keys alike):
// the usage read there (a balance of 0 included), the failure naming the
// reason, and the requests made (0 when it did not ask).
func explain(ctx context.Context, cl *providers.Client, c *credential.Credential, refused *providers.Failure) (*providers.Usage, *providers.Failure, int) {
	if refused.Class != providers.ClassInvalidKey || refused.Status != http.StatusUnauthorized || !readsUsage(c) ||
		!saysOnlyInvalid(refused.Message) {
		return nil, nil, 0
	}
	if m := c.Usage.Method; m != "" && m != "auto" && m != "newapi" {
		return nil, nil, 0
	}
	reader, err := providers.LookupUsage("newapi")
	if err != nil {
		return nil, nil, 0
	}
	ex, ok := reader.(providers.Explainer)
	if !ok {
		return nil, nil, 0
	}
	return ex.Explain(ctx, cl, c, refused)
}

// saysOnlyInvalid reports New API's undifferentiated refusal, "Invalid
// token" (zh "无效的令牌"): older versions named the reason (exhausted,
// expired), which needs no second call.
func saysOnlyInvalid(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "invalid token") || strings.Contains(m, "无效的令牌")
}

// readToday is a refresh's second pass: today's figures of the credentials
// whose usage source reads them apart (New API's /api/log/token). It runs
// after every balance was read, so that on a site with a small per-IP
// budget for both, balances come first.
func readToday(ctx context.Context, o *Options, creds []*credential.Credential, res []Result) {
	var todo []int
	readers := map[int]providers.TodayReader{}
	for i := range res {
		r := &res[i]
		if r.Skipped || r.Usage == nil || r.UsageErr != nil {
			continue
		}
		reader, err := providers.LookupUsage(r.Usage.Source)
		if err != nil {
			continue
		}
		if tr, ok := reader.(providers.TodayReader); ok {
			todo = append(todo, i)
			readers[i] = tr
		}
	}
	if len(todo) == 0 || ctx.Err() != nil {
		return
	}
	sub := make([]*credential.Credential, len(todo))
	for j, i := range todo {
		sub[j] = creds[i]
	}
	at := make(map[*credential.Credential]int, len(todo))
	for j, i := range todo {
		at[sub[j]] = i
	}
	quiet := *o
	quiet.Progress = nil
	each(ctx, &quiet, sub, func(ctx context.Context, c *credential.Credential) struct{} {
		i := at[c]
		r := &res[i]
		if ctx.Err() != nil {
			return struct{}{}
		}
		start, before := time.Now(), r.Usage.Requests
		r.TodayErr = readers[i].ReadToday(ctx, o.Client, c, r.Usage)
		r.Requests += r.Usage.Requests - before
		r.Duration += time.Since(start)
		return struct{}{}
	})
}

// readsUsage says whether a refresh asks for usage: not when disabled, and
// not by default for the official APIs, which have no key-level balance
// (OpenAI's billing endpoints refuse secret keys; Anthropic and Google have
// none), so auto would only spend three requests to learn that.
func readsUsage(c *credential.Credential) bool {
	switch c.Usage.Method {
	case "disabled":
		return false
	case "", "auto":
		return c.APIType == credential.OpenAICompatible
	}
	return true
}

// Record folds a refresh result into the credential's record (nil for
// none yet) and returns the new record. Models and usage that failed this
// time keep their last good values, with the error in LastError.
func (r *Result) Record(prev *Record, c *credential.Credential, salt []byte) *Record {
	rec := &Record{}
	if prev != nil && prev.Matches(c, salt) {
		*rec = *prev
		rec.History = append([]Sample(nil), prev.History...)
	}
	rec.APIType, rec.BaseURL, rec.KeyHash = c.APIType, c.BaseURL, KeyHash(salt, c.Key)
	rec.LastRefresh = r.At.UTC()
	if r.Models != nil {
		rec.Models = r.Models.IDs()
		rec.ModelsEndpoint = r.Models.Endpoint
		rec.ModelsAt = r.At.UTC()
	}
	if r.Usage != nil && r.UsageErr == nil {
		rec.Usage = keepToday(r.Usage, r.TodayErr, rec.Usage, rec.UsageAt, r.At)
		rec.UsageAt = r.At.UTC()
	}
	rec.Health = r.Health()
	rec.LastError = ""
	for _, err := range []error{r.ModelsErr, r.UsageErr, r.TodayErr} {
		if err != nil && !unsupported(err) {
			rec.LastError = err.Error()
			if err == r.TodayErr {
				rec.LastError = "today's figures: " + rec.LastError
			}
			break
		}
	}
	if rec.Health.Status != Error {
		rec.LastSuccess = r.At.UTC()
	}
	s := Sample{At: r.At.UTC(), Health: rec.Health.Status, Class: rec.Health.Class, Models: len(rec.Models)}
	if u := r.Usage; u != nil && r.UsageErr == nil {
		s.Balance, s.Unlimited, s.TodayCost, s.TodayRequests, s.TodayTokens = u.Balance, u.Unlimited, u.TodayCost, u.TodayRequests, u.TodayTokens
	}
	if n := len(rec.History); n > 0 && rec.History[n-1].same(s) {
		// Nothing changed since the last sample: stretch it rather than
		// repeat it, so a key refreshed every 15 minutes by hub watch keeps
		// a history of changes, not of ticks.
		rec.History[n-1].Until = s.At
	} else {
		rec.History = append(rec.History, s)
	}
	if len(rec.History) > HistoryLen {
		rec.History = rec.History[len(rec.History)-HistoryLen:]
	}
	scrub(rec, c)
	return rec
}

// keepToday returns u with today's figures kept from the last record when
// none were read this time (the log's budget was spent: todayErr, or auto
// fell back to the billing pair, which has none) and that record's were of
// the same local day as now, marked with when they were read (TodayAt): a
// figure of the day, older, rather than none, and never one of another day.
func keepToday(u *providers.Usage, todayErr error, prev *providers.Usage, prevAt, now time.Time) *providers.Usage {
	if u.TodayCost != nil || u.TodayRequests != nil || prev == nil || prev.Day == "" ||
		prev.Day != now.Format(time.DateOnly) || prev.TodayCost == nil && prev.TodayRequests == nil ||
		todayErr == nil && u.Source == prev.Source {
		return u
	}
	cp := *u
	cp.TodayCost, cp.TodayRequests, cp.TodayTokens, cp.Day = prev.TodayCost, prev.TodayRequests, prev.TodayTokens, prev.Day
	at := prevAt
	if prev.TodayAt != nil {
		at = *prev.TodayAt
	}
	cp.TodayAt = &at
	return &cp
}

// scrub removes the key and usage token from everything an upstream said
// that a record keeps, and makes it printable: a hostile or careless relay
// may echo them (whole, cut short or respaced) in model ids, messages or
// endpoints, and state must never hold a secret.
func scrub(rec *Record, c *credential.Credential) {
	red := &secret.Redactor{}
	red.Add(c.Key.Reveal(), c.Usage.Token.Reveal())
	clean := func(s string) string { return secret.Printable(red.Redact(s)) }
	for i, m := range rec.Models {
		rec.Models[i] = clean(m)
	}
	rec.ModelsEndpoint, rec.LastError, rec.Health.Reason = clean(rec.ModelsEndpoint), clean(rec.LastError), clean(rec.Health.Reason)
	if u := rec.Usage; u != nil {
		cp := *u
		cp.Attempts = append([]providers.Attempt(nil), u.Attempts...)
		for i := range cp.Attempts {
			cp.Attempts[i].Endpoint, cp.Attempts[i].Message = clean(cp.Attempts[i].Endpoint), clean(cp.Attempts[i].Message)
		}
		rec.Usage = &cp
	}
}

// Health judges a result: error when the key does not work or the site
// cannot be reached, warning when the key works but something is off (rate
// limited, usage unreadable, no balance left), healthy otherwise.
func (r *Result) Health() Health {
	if r.ModelsErr != nil {
		f, ok := providers.AsFailure(r.ModelsErr)
		if !ok {
			return Health{Status: Error, Reason: r.ModelsErr.Error()}
		}
		st := Error
		if f.Class.KeyWorks() {
			st = Warning
		}
		return Health{Status: st, Class: f.Class, Reason: f.Error()}
	}
	if r.UsageErr != nil && !unsupported(r.UsageErr) {
		h := Health{Status: Warning, Reason: "usage: " + r.UsageErr.Error()}
		if f, ok := providers.AsFailure(r.UsageErr); ok {
			h.Class = f.Class
			if f.Class == providers.ClassQuota || f.Class == providers.ClassInvalidKey {
				h.Status = Error
			}
		}
		return h
	}
	if u := r.Usage; u != nil && !u.Unlimited && u.Balance != nil && *u.Balance <= 0 {
		return Health{Status: Warning, Class: providers.ClassQuota, Reason: "no balance left"}
	}
	if r.Models != nil && len(r.Models.Models) == 0 {
		return Health{Status: Warning, Reason: "the key works but lists no models"}
	}
	return Health{Status: Healthy}
}

func unsupported(err error) bool {
	f, ok := providers.AsFailure(err)
	return ok && f.Unsupported()
}

// A Check is one verification step.
type Check struct {
	// Name is models, or a probe kind (text, tools, structured, claude, ...).
	Name     string
	Err      error
	Duration time.Duration
	// Detail is what passed ("42 models"), shown beside a pass.
	Detail string
}

// OK reports whether the check passed.
func (c Check) OK() bool { return c.Err == nil }

// VerifyOptions choose the probes.
type VerifyOptions struct {
	// Deep adds the family's completion probes (text, tools, structured).
	Deep bool
	// CLIs adds the wire checks of these CLIs (claude, codex, gemini).
	CLIs []string
	// Model overrides the model used for probes.
	Model string
	// As probes every key as this API type instead of its own (hub verify
	// --as): a temporary override, on a copy; the credential keeps its type.
	As string
}

// A Verification is one credential's verify run.
type Verification struct {
	ID     string
	Models *providers.ModelList
	// Model is the model the probes used, and ModelFrom where it came from.
	Model, ModelFrom string
	Checks           []Check
	Skipped          bool
	// As is the API type the key was probed as when it is not the
	// credential's own (VerifyOptions.As), and SavedType that own type.
	As, SavedType string
}

// OK reports whether every check passed.
func (v *Verification) OK() bool {
	if v.Skipped {
		return false
	}
	for _, c := range v.Checks {
		if !c.OK() {
			return false
		}
	}
	return true
}

// ErrNoModel fails probes when no model could be chosen.
var ErrNoModel = errors.New("no model to probe with: the key lists none; name one with --model or models = [...] on the credential")

// Verify checks each credential: the cheapest authenticated call (the model
// list), then the probes opts asks for, with one model chosen per API family
// as All API Hub does: --model, else the credential's own models, else a
// suggestion from the list.
func Verify(ctx context.Context, creds []*credential.Credential, opts VerifyOptions, o Options) []Verification {
	res := each(ctx, &o, creds, func(ctx context.Context, c *credential.Credential) (v Verification) {
		v = Verification{ID: c.ID}
		if ctx.Err() != nil {
			v.Skipped = true
			return v
		}
		if opts.As != "" && opts.As != c.APIType {
			v.As, v.SavedType = opts.As, c.APIType
			c = probedAs(c, opts.As)
		}
		fam, err := providers.Lookup(c.APIType)
		if err != nil {
			v.Checks = append(v.Checks, Check{Name: "models", Err: err})
			return v
		}
		start := time.Now()
		list, err := fam.Models(ctx, o.Client, c)
		ck := Check{Name: "models", Err: err, Duration: time.Since(start)}
		if f, ok := providers.AsFailure(err); ok {
			if u, why, _ := explain(ctx, o.Client, c, f); why != nil {
				ck.Err = why
				if u != nil && u.Balance != nil {
					ck.Detail = fmt.Sprintf("balance $%.2f", *u.Balance)
				}
			}
		}
		if list != nil {
			v.Models = list
			ck.Detail = fmt.Sprintf("%d model", len(list.Models))
			if len(list.Models) != 1 {
				ck.Detail += "s"
			}
		}
		now := o.now()
		if f, ok := providers.AsFailure(ck.Err); ok && c.Expires.Expired(now) && (f.Class == providers.ClassInvalidKey || f.Class == providers.ClassDisabled) {
			// Refused, and the configuration says the key has expired: that
			// is the likelier reason, so the check says it first.
			cp := *f
			cp.Class = providers.ClassExpired
			cp.Message = fmt.Sprintf("expires = %q (%s); the upstream answered: %s", c.Expires, c.Expires.Describe(now), f.Message)
			ck.Err = &cp
		}
		v.Checks = append(v.Checks, ck)
		accepted := err == nil
		if f, ok := providers.AsFailure(err); ok && f.Class.KeyWorks() {
			accepted = true
		}
		// The expiry goes last, after the probes.
		defer func() {
			if ck, ok := expiryCheck(c.Expires, now, accepted); ok {
				v.Checks = append(v.Checks, ck)
			}
		}()
		if err != nil {
			if f, ok := providers.AsFailure(err); !ok || !f.Class.KeyWorks() {
				return v
			}
		}
		var ids []string
		if list != nil {
			ids = list.IDs()
		}
		v.Model, v.ModelFrom = chooseModel(fam, c, ids, opts.Model)
		run := func(name string, f providers.Family, model string) {
			if ctx.Err() != nil {
				return
			}
			ck := Check{Name: name}
			if model == "" {
				ck.Err = ErrNoModel
			} else {
				start := time.Now()
				ck.Err = f.Probe(ctx, o.Client, c, providers.ProbeKind(name), model)
				ck.Duration = time.Since(start)
				if model != v.Model {
					ck.Detail = "model " + model
				}
			}
			v.Checks = append(v.Checks, ck)
		}
		if opts.Deep {
			for _, k := range fam.Probes() {
				run(string(k), fam, v.Model)
			}
		}
		for _, cli := range opts.CLIs {
			p := providers.CLIProbes[cli]
			cf, err := providers.Lookup(p.Family)
			if err != nil {
				v.Checks = append(v.Checks, Check{Name: string(p.Probe), Err: err})
				continue
			}
			m, _ := chooseModel(cf, c, ids, opts.Model)
			run(string(p.Probe), cf, m)
		}
		return v
	})
	for i := range res {
		if res[i].ID == "" {
			res[i] = Verification{ID: creds[i].ID, Skipped: true}
		}
	}
	return res
}

// expiryCheck is the check of a key's configured expiry, if it has one: it
// fails once the day has come, and says how long is left before.
// accepted is whether the upstream accepted the key.
func expiryCheck(e credential.Expiry, now time.Time, accepted bool) (Check, bool) {
	if e.IsZero() {
		return Check{}, false
	}
	ck := Check{Name: "expiry"}
	if !e.Expired(now) {
		ck.Detail = fmt.Sprintf("%s (expires = %q)", e.Describe(now), e)
		return ck, true
	}
	msg := fmt.Sprintf("expires = %q (%s)", e, e.Describe(now))
	if accepted {
		msg += ", though the upstream still accepts the key; if it was renewed, update expires"
	}
	ck.Err = &providers.Failure{Class: providers.ClassExpired, Message: msg}
	return ck, true
}

// probedAs returns a copy of c with API type as, for hub verify --as: the
// base URL cut again for that type (Google's /v1beta), c itself untouched.
func probedAs(c *credential.Credential, as string) *credential.Credential {
	cp := *c
	cp.APIType = as
	if u, err := credential.NormalizeBaseURL(as, c.BaseURL, c.Insecure); err == nil {
		cp.BaseURL = u
	}
	return &cp
}

func chooseModel(f providers.Family, c *credential.Credential, listed []string, override string) (model, from string) {
	switch {
	case override != "":
		return override, "--model"
	case len(c.Models) > 0:
		if m := f.SuggestModel(c.Models); m != "" {
			return m, "the credential's models"
		}
	}
	if m := f.SuggestModel(listed); m != "" {
		return m, "suggested from the model list"
	}
	return "", ""
}

// Fold records the results of a refresh of creds (results in the same order)
// into st, and returns the new records by credential id. Skipped results
// (cut off by Ctrl-C) are left out; when none is left, st is unchanged and
// Fold returns states.ErrUnchanged.
func Fold(st *states.State, creds []*credential.Credential, res []Result) (map[string]*Record, error) {
	salt := st.SaltBytes()
	recs := map[string]*Record{}
	for i, r := range res {
		if r.Skipped {
			continue
		}
		c := creds[i]
		prev, err := Load(st, c.ID)
		if err != nil {
			return nil, err
		}
		rec := r.Record(prev, c, salt)
		if err := Store(st, c.ID, rec); err != nil {
			return nil, err
		}
		recs[c.ID] = rec
	}
	if len(recs) == 0 {
		return recs, states.ErrUnchanged
	}
	return recs, nil
}
