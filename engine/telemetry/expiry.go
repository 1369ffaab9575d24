package telemetry

import (
	"fmt"
	"time"

	"github.com/hubctl/hub/credential"
)

// UpstreamExpiry is when the upstream said the key expires, at the last
// usage read (New API's /api/usage/token/ expires_at, Sub2API's
// expires_at); zero when it said nothing or that the key never expires.
func (r *Record) UpstreamExpiry() credential.Expiry {
	if r == nil || r.Usage == nil || r.Usage.ExpiresAt == nil {
		return credential.Expiry{}
	}
	return credential.Expiry{At: *r.Usage.ExpiresAt}
}

// ExpiryDisagreement says how the upstream's expiry differs from the one
// the configuration gives (expires), or "" when they agree or either is
// unknown: a key renewed upstream, or a date copied wrong. Days are
// compared in loc.
func ExpiryDisagreement(c *credential.Credential, r *Record, loc *time.Location) string {
	up := r.UpstreamExpiry()
	if up.IsZero() || c.Expires.IsZero() || c.Expires.Agrees(up, loc) {
		return ""
	}
	when := up.At.In(loc).Format("2006-01-02 15:04")
	if c.Expires.DateOnly {
		when = up.Day(loc)
	}
	return fmt.Sprintf("the upstream says the key expires on %s (%s), the configuration says %s (expires = %q); update expires if the upstream is right",
		when, r.Usage.Source, c.Expires.Day(loc), c.Expires)
}
