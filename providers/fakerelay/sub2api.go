package fakerelay

import (
	"net/http"
	"time"
)

// sub2RateMultiplier is the fake's group rate: Sub2API bills actual_cost =
// cost × the group's rate multiplier, and the wallet balance falls by
// actual_cost. Key.TodayCost is what the user paid (actual_cost); 0.5 keeps
// cost = actual_cost / 0.5 exact in binary.
const sub2RateMultiplier = 0.5

// Sub2API's GET /v1/usage (provider-apis.md §3.2), the newer body. The route
// skips the billing checks, so an exhausted key still reads it.
func init() {
	addRoutes(func(s *Server, mux *http.ServeMux) {
		if s.Flavor != Sub2API {
			return
		}
		mux.HandleFunc("GET /v1/usage", s.sub2Usage)
	})
}

func (s *Server) sub2Usage(w http.ResponseWriter, r *http.Request) {
	k, present := s.lookup(r)
	if s.keyError(w, r, k, present) {
		return
	}
	s.mu.Lock()
	kc := *k
	s.mu.Unlock()
	figures := func() map[string]any {
		return map[string]any{
			"requests":              kc.TodayRequests,
			"input_tokens":          kc.TodayInput,
			"output_tokens":         kc.TodayOutput,
			"cache_creation_tokens": 0,
			"cache_read_tokens":     0,
			"total_tokens":          kc.TodayInput + kc.TodayOutput,
			"cost":                  kc.TodayCost / sub2RateMultiplier,
			"actual_cost":           kc.TodayCost,
		}
	}
	body := map[string]any{
		"isValid":  true,
		"status":   "active",
		"planName": "钱包余额",
		"unit":     "USD",
		"usage": map[string]any{
			"today":               figures(),
			"total":               figures(),
			"average_duration_ms": 1234,
			"rpm":                 0,
			"tpm":                 0,
		},
	}
	if kc.Unlimited {
		body["mode"] = "unrestricted"
		body["planName"] = "default"
		body["remaining"] = -1
	} else {
		body["mode"] = "quota_limited"
		body["remaining"] = kc.Balance
		body["balance"] = kc.Balance
	}
	if kc.ExpiresAt > 0 {
		t := time.Unix(kc.ExpiresAt, 0).UTC()
		body["expires_at"] = t.Format(time.RFC3339)
		body["days_until_expiry"] = int(time.Until(t).Hours() / 24)
	}
	writeJSON(w, http.StatusOK, body)
}
