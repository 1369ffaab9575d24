package usage

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/providers"
)

// defaultQuotaPerUnit is New API's and One API's built-in quota per USD,
// used when /api/status does not say (provider-apis.md §1.3).
const defaultQuotaPerUnit = 500000

// readNewAPI reads New API's GET /api/usage/token/ (provider-apis.md
// §1.2a). Its read-only auth answers exhausted and expired keys too, so it
// shows an empty key's figures where the billing pair only says 401. The
// figures are raw quota units, turned into USD with the site's
// quota_per_unit from /api/status. The endpoint has no today figures.
//
// New API serves it at the site root; the base URL is used as given, so a
// relay mounted under a path prefix is reached under that prefix.
func readNewAPI(ctx context.Context, r *run) error {
	rawURL := strings.TrimRight(r.c.BaseURL, "/") + "/api/usage/token/"
	resp, err := r.do(ctx, MethodNewAPI, providers.Request{URL: rawURL, Auth: providers.AuthBearer, Critical: true})
	if err != nil {
		return err
	}
	data, err := r.shaped(MethodNewAPI, resp, "New API token usage (no total_available)", "total_available", "unlimited_quota")
	if err != nil {
		return err
	}
	st, err := statuses.get(ctx, r.cl, r.c)
	if err != nil {
		r.fail(MethodNewAPI, resp.Endpoint, err)
		return err
	}
	r.u.Requests += st.requests
	qpu := st.quotaPerUnit
	usd := func(key string) *float64 {
		f, ok := field(data, key)
		if !ok {
			return nil
		}
		return ptr(math.Max(0, f) / qpu)
	}
	granted, _ := field(data, "total_granted")
	if b, _ := data["unlimited_quota"].(bool); b || granted < 0 {
		r.u.Unlimited = true
	} else {
		r.u.Balance = usd("total_available")
		r.u.TotalGranted = usd("total_granted")
	}
	r.u.TotalUsed = usd("total_used")
	r.u.ExpiresAt = expiry(data["expires_at"])
	r.done(MethodNewAPI, resp, st.note)
	return nil
}

// siteStatus is what /api/status said of a site, as readings use it.
type siteStatus struct {
	quotaPerUnit float64
	// note says where quota_per_unit came from when it was not read.
	note string
	// display is the unit the billing pair answers in: USD, CNY, TOKENS
	// or CUSTOM; "" when the site did not say (not New API, or no status).
	display string
	// rate is display units per USD for CNY (usd_exchange_rate) and
	// CUSTOM (custom_currency_exchange_rate); 0 when not given.
	rate float64
}

// statusFor is a site's status as one reading got it.
type statusFor struct {
	siteStatus
	// requests is 1 when this reading fetched the status, 0 when cached.
	requests int
}

// statusQuota reads GET <base>/api/status (no auth): quota_per_unit, and
// the display unit of the billing pair (quota_display_type,
// usd_exchange_rate; old versions only display_in_currency). The quota
// falls back to the default when the site gives no usable figure;
// cacheable is false when the reason may pass (network, timeout, server
// error, rate limit), so the next reading asks again.
func statusQuota(ctx context.Context, cl *providers.Client, c *credential.Credential) (st siteStatus, cacheable bool, err error) {
	rawURL := strings.TrimRight(c.BaseURL, "/") + "/api/status"
	fallback := func(why string) siteStatus {
		return siteStatus{quotaPerUnit: defaultQuotaPerUnit, note: fmt.Sprintf("quota_per_unit taken as %d: %s", defaultQuotaPerUnit, why)}
	}
	resp, err := cl.Do(ctx, c, providers.Request{URL: rawURL, Auth: providers.AuthNone})
	if err != nil {
		if ctx.Err() != nil {
			return siteStatus{}, false, ctx.Err()
		}
		f, ok := providers.AsFailure(err)
		cacheable = ok && (f.Unsupported() || f.Class == providers.ClassBadAnswer || f.Class == providers.ClassPermission)
		return fallback("GET /api/status failed: " + err.Error()), cacheable, nil
	}
	m, ok := decodeObject(resp.Body)
	if !ok {
		return fallback("/api/status is not JSON"), true, nil
	}
	data, _ := payload(m, "quota_per_unit", "quota_display_type")
	st = fallback("/api/status has no quota_per_unit")
	if q, ok := field(data, "quota_per_unit"); ok && q > 0 {
		st = siteStatus{quotaPerUnit: q}
	}
	if d, ok := data["quota_display_type"].(string); ok {
		st.display = strings.ToUpper(strings.TrimSpace(d))
	} else if b, ok := data["display_in_currency"].(bool); ok {
		st.display = "USD"
		if !b {
			st.display = "TOKENS"
		}
	}
	switch st.display {
	case "CNY":
		st.rate, _ = field(data, "usd_exchange_rate")
	case "CUSTOM":
		st.rate, _ = field(data, "custom_currency_exchange_rate")
	}
	return st, true, nil
}
