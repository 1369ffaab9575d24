package usage

import (
	"context"
	"math"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/providers"
)

// unlimitedLimit is where a hard limit stops being a balance: New API and
// One API report an unlimited token as 100000000, and All API Hub treats
// anything from 1,000,000 up as such a sentinel.
const unlimitedLimit = 1e6

// readBilling reads the OpenAI-compatible billing pair New API, old New API
// and One API serve with a relay key (provider-apis.md §1.2b, §2):
// subscription gives the limit, usage the amount used in cents, and the
// balance is their difference, as New API computes it for its own upstream
// channels. The official OpenAI API refuses secret keys here ("must be made
// with a session key"), which the client classifies as unsupported.
// Figures are in the site's display unit, USD unless it shows CNY.
func readBilling(ctx context.Context, r *run) error {
	root := credential.APIRoot(r.c.BaseURL, "v1")
	resp, err := r.get(ctx, MethodOpenAIBilling, root+"/dashboard/billing/subscription", providers.AuthBearer, false)
	if err != nil {
		return err
	}
	sub, err := r.shaped(MethodOpenAIBilling, resp, "an OpenAI billing subscription (no hard_limit_usd)", "hard_limit_usd", "balance")
	if err != nil {
		return err
	}
	r.u.ExpiresAt = expiry(sub["access_until"])
	// Some gateways put the balance right in the subscription; All API Hub
	// stops there, and so does hub.
	if b, ok := field(sub, "balance"); ok {
		r.u.Balance = ptr(math.Max(0, b))
		r.done(MethodOpenAIBilling, resp, "")
		return nil
	}
	limit, ok := field(sub, "hard_limit_usd")
	if !ok {
		return r.wrongShape(MethodOpenAIBilling, resp, "an OpenAI billing subscription (hard_limit_usd is not a number)")
	}
	r.done(MethodOpenAIBilling, resp, "")

	// The dates matter only to the retired OpenAI endpoint; New API and One
	// API ignore them and report the token's whole use.
	now := time.Now()
	q := "?start_date=" + now.Format("2006") + "-01-01&end_date=" + now.AddDate(0, 0, 1).Format(time.DateOnly)
	uresp, err := r.get(ctx, MethodOpenAIBilling, root+"/dashboard/billing/usage"+q, providers.AuthBearer, false)
	if err != nil {
		if f, ok := providers.AsFailure(err); ok && f.Unsupported() {
			// The limit alone is still worth showing.
			if limit >= unlimitedLimit {
				r.u.Unlimited = true
			} else {
				r.u.TotalGranted = ptr(limit)
			}
			return nil
		}
		return err
	}
	const noUsage = "an OpenAI billing usage (no total_usage)"
	use, err := r.shaped(MethodOpenAIBilling, uresp, noUsage, "total_usage", "used_usd")
	if err != nil {
		return err
	}
	var used *float64
	if cents, ok := field(use, "total_usage"); ok {
		used = ptr(math.Max(0, cents) / 100)
	} else if usd, ok := field(use, "used_usd"); ok {
		used = ptr(math.Max(0, usd))
	}
	if used == nil {
		return r.wrongShape(MethodOpenAIBilling, uresp, noUsage)
	}
	r.done(MethodOpenAIBilling, uresp, "")
	r.u.TotalUsed = used
	if limit >= unlimitedLimit {
		r.u.Unlimited = true
		return nil
	}
	r.u.TotalGranted = ptr(limit)
	r.u.Balance = ptr(math.Max(0, limit-*used))
	return nil
}
