package usage

import (
	"context"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/providers"
)

// readSub2API reads Sub2API's GET /v1/usage (provider-apis.md §3.2), made
// for CC Switch. Newer versions skip the billing checks there, so an
// exhausted key still reads it. Money is USD.
//
// Balance is balance (wallet mode), else remaining (-1 = no limit), as All
// API Hub reads it. Today's cost is usage.today.actual_cost when given, else
// cost: cost is the list price, actual_cost what was charged after the
// group's rate multiplier, and only the latter is what left the balance, so
// it is the figure that adds up with Balance.
func readSub2API(ctx context.Context, r *run) error {
	resp, err := r.get(ctx, MethodSub2API, credential.APIRoot(r.c.BaseURL, "v1")+"/usage", providers.AuthBearer, false)
	if err != nil {
		return err
	}
	body, err := r.shaped(MethodSub2API, resp, "Sub2API usage (no remaining or balance)", "remaining", "balance", "isValid")
	if err != nil {
		return err
	}
	if b, ok := field(body, "balance"); ok {
		r.u.Balance = ptr(b)
	} else if rem, ok := field(body, "remaining"); ok {
		if rem < 0 {
			r.u.Unlimited = true
		} else {
			r.u.Balance = ptr(rem)
		}
	}
	use := object(body, "usage")
	today, total := object(use, "today"), object(use, "total")
	r.u.TodayCost = cost(today)
	r.u.TotalUsed = cost(total)
	if n, ok := field(today, "requests"); ok {
		r.u.TodayRequests = ptr(int64(n))
	}
	r.u.TodayTokens = tokens(today)
	r.u.ExpiresAt = expiry(body["expires_at"])
	r.done(MethodSub2API, resp, "")
	return nil
}

// cost reads a Sub2API usage window's charged cost.
func cost(w map[string]any) *float64 {
	if f, ok := field(w, "actual_cost"); ok {
		return ptr(f)
	}
	if f, ok := field(w, "cost"); ok {
		return ptr(f)
	}
	return nil
}

// tokens reads a usage window's token count: total_tokens, else the sum of
// the parts given (older bodies name them prompt/completion).
func tokens(w map[string]any) *int64 {
	if f, ok := field(w, "total_tokens"); ok {
		return ptr(int64(f))
	}
	var sum float64
	found := false
	for _, k := range []string{"input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens", "prompt_tokens", "completion_tokens"} {
		if f, ok := field(w, k); ok {
			sum += f
			found = true
		}
	}
	if !found {
		return nil
	}
	return ptr(int64(sum))
}
