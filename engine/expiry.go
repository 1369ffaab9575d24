package engine

import (
	"fmt"
	"time"

	"github.com/hubctl/hub/targets"
)

// expiryWarnings names the credentials of a target about to be written
// whose key has expired, or expires within window (the hub block's
// expiry_warning), as their expires says: the tool would be handed a key
// that stops working.
func expiryWarnings(addr string, in *targets.Input, now time.Time, window time.Duration) []string {
	var out []string
	for _, c := range in.Credentials {
		e := c.Expires
		if !e.Soon(now, window) {
			continue
		}
		what := "which " + e.Describe(now)
		if e.Expired(now) {
			what += "; renew it, or point the target at another credential"
		}
		out = append(out, fmt.Sprintf("%s is about to be written with the key of credential.%s, %s (expires = %q)", addr, c.ID, what, e.String()))
	}
	return out
}
