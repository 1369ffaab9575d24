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
	resp, err := r.get(ctx, MethodNewAPI, rawURL, providers.AuthBearer, false)
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

// statusFor is what /api/status said of a site, as a reading uses it.
type statusFor struct {
	quotaPerUnit float64
	// note says where quota_per_unit came from when it was not read.
	note string
	// requests is 1 when this reading fetched the status, 0 when cached.
	requests int
}

// statusQuota reads quota_per_unit from GET <base>/api/status (no auth).
// ok is false when the site gave no usable figure; cacheable is false when
// the reason may pass (network, timeout, server error, rate limit), so the
// next reading asks again.
func statusQuota(ctx context.Context, cl *providers.Client, c *credential.Credential) (qpu float64, note string, cacheable bool, err error) {
	rawURL := strings.TrimRight(c.BaseURL, "/") + "/api/status"
	fallback := func(why string) string {
		return fmt.Sprintf("quota_per_unit taken as %d: %s", defaultQuotaPerUnit, why)
	}
	resp, err := cl.Do(ctx, c, providers.Request{URL: rawURL, Auth: providers.AuthNone})
	if err != nil {
		if ctx.Err() != nil {
			return 0, "", false, ctx.Err()
		}
		f, ok := providers.AsFailure(err)
		cacheable = ok && (f.Unsupported() || f.Class == providers.ClassBadAnswer || f.Class == providers.ClassPermission)
		return defaultQuotaPerUnit, fallback("GET /api/status failed: " + err.Error()), cacheable, nil
	}
	m, ok := decodeObject(resp.Body)
	if !ok {
		return defaultQuotaPerUnit, fallback("/api/status is not JSON"), true, nil
	}
	data, _ := payload(m, "quota_per_unit")
	if q, ok := field(data, "quota_per_unit"); ok && q > 0 {
		return q, "", true, nil
	}
	return defaultQuotaPerUnit, fallback("/api/status has no quota_per_unit"), true, nil
}
