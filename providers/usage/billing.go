package usage

import (
	"context"
	"fmt"
	"math"
	"strconv"
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
// Figures are in the site's display unit (provider-apis.md §1.2b): a New
// API site set to show CNY answers USD times usd_exchange_rate, one set to
// TOKENS raw quota. /api/status says which (read once per site); hub turns
// them into USD and says so in Converted, and refuses a CNY or custom
// figure it cannot convert rather than label it "$".
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
	st, err := statuses.get(ctx, r.cl, r.c)
	if err != nil {
		return err
	}
	r.u.SiteRequests += st.requests
	perUSD, sentinel, err := displayUnit(st.siteStatus)
	if err != nil {
		f := &providers.Failure{Class: providers.ClassBadAnswer, Status: resp.Status, Endpoint: resp.Endpoint, Message: err.Error()}
		r.fail(MethodOpenAIBilling, resp.Endpoint, f)
		return f
	}
	if perUSD != 1 {
		r.u.Converted = st.converted()
	}
	// Some gateways put the balance right in the subscription; All API Hub
	// stops there, and so does hub.
	if b, ok := field(sub, "balance"); ok {
		r.u.Balance = ptr(math.Max(0, b) / perUSD)
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
			if sentinel(limit) {
				r.u.Unlimited = true
			} else {
				r.u.TotalGranted = ptr(limit / perUSD)
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
	r.done(MethodOpenAIBilling, uresp, r.u.Converted)
	r.u.TotalUsed = ptr(*used / perUSD)
	if sentinel(limit) {
		r.u.Unlimited = true
		return nil
	}
	r.u.TotalGranted = ptr(limit / perUSD)
	r.u.Balance = ptr(math.Max(0, limit-*used) / perUSD)
	return nil
}

// displayUnit says how many of the site's display units make one USD, and
// how an unlimited token's limit looks in them (New API reports 100000000
// whatever the unit; All API Hub reads anything from 1,000,000 up as such,
// which raw quota units reach for $2).
func displayUnit(st siteStatus) (perUSD float64, sentinel func(float64) bool, err error) {
	usual := func(limit float64) bool { return limit >= unlimitedLimit }
	switch st.display {
	case "", "USD":
		return 1, usual, nil
	case "TOKENS":
		return st.quotaPerUnit, func(limit float64) bool { return limit == 1e8 }, nil
	case "CNY", "CUSTOM":
		if st.rate <= 0 {
			return 0, nil, fmt.Errorf("the site shows its figures in %s and /api/status gives no exchange rate, so they cannot be turned into USD", st.display)
		}
		return st.rate, usual, nil
	}
	return 0, nil, fmt.Errorf("the site shows its figures in %q, a unit hub does not know", st.display)
}

// converted says how the figures were turned into USD.
func (st siteStatus) converted() string {
	switch st.display {
	case "TOKENS":
		return fmt.Sprintf("quota units at %s per USD (the site shows TOKENS)", strconv.FormatFloat(st.quotaPerUnit, 'f', -1, 64))
	case "CNY":
		return fmt.Sprintf("CNY at %s per USD (the site's usd_exchange_rate)", strconv.FormatFloat(st.rate, 'f', -1, 64))
	}
	return fmt.Sprintf("%s at %s per USD", st.display, strconv.FormatFloat(st.rate, 'f', -1, 64))
}
