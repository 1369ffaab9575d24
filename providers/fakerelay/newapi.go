package fakerelay

import (
	"net/http"
	"strings"
	"time"
)

// The New API family's key-readable balance endpoints (provider-apis.md
// §1.2, §1.3, §2): /api/status (no auth), /api/usage/token/ (recent New API
// only; read-only auth, so exhausted and expired keys still answer), and the
// OpenAI-compatible billing pair with normal token auth. The official OpenAI
// flavor answers the billing pair with its "session key" refusal (§4).
func init() {
	addRoutes(func(s *Server, mux *http.ServeMux) {
		switch s.Flavor {
		case NewAPI, OldNewAPI, OneAPI:
			mux.HandleFunc("GET /api/status", s.status)
			for _, p := range []string{"/v1/dashboard/billing/subscription", "/dashboard/billing/subscription"} {
				mux.HandleFunc("GET "+p, s.billingSubscription)
			}
			for _, p := range []string{"/v1/dashboard/billing/usage", "/dashboard/billing/usage"} {
				mux.HandleFunc("GET "+p, s.billingUsage)
			}
		case OpenAI:
			for _, p := range []string{"/v1/dashboard/billing/subscription", "/dashboard/billing/subscription", "/v1/dashboard/billing/usage", "/dashboard/billing/usage"} {
				mux.HandleFunc("GET "+p, s.sessionKeyOnly)
			}
		}
		if s.Flavor == NewAPI {
			// The subtree pattern makes ServeMux redirect /api/usage/token to
			// the slash form, as Gin does.
			mux.HandleFunc("GET /api/usage/token/", s.tokenUsage)
			mux.HandleFunc("GET /api/log/token", s.tokenLog)
		}
	})
}

// status is GET /api/status: site settings, quota_per_unit above all.
func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	omitted, qpu, display, rate := s.StatusOmitted, s.QuotaPerUnit, s.displayType(), s.USDExchangeRate
	s.mu.Unlock()
	if omitted {
		s.openAIError(w, http.StatusNotFound, "Invalid URL (GET /api/status)", "invalid_request_error", "")
		return
	}
	data := map[string]any{"quota_per_unit": qpu, "display_in_currency": true}
	if s.Flavor == NewAPI {
		data["version"] = "v0.9.0-fake"
		data["system_name"] = "New API"
		data["quota_display_type"] = display
		data["usd_exchange_rate"] = rate
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "message": "", "data": data})
}

// tokenUsage is GET /api/usage/token/ (controller/token.go GetTokenUsage
// behind TokenAuthReadOnly): the key must exist and not be disabled; the
// handler then insists on "Bearer <key>".
func (s *Server) tokenUsage(w http.ResponseWriter, r *http.Request) {
	if s.criticalLimited(w) {
		return
	}
	if r.URL.Path != "/api/usage/token/" {
		s.openAIError(w, http.StatusNotFound, "Invalid URL (GET "+r.URL.Path+")", "invalid_request_error", "")
		return
	}
	k := s.readOnlyKey(w, r)
	if k == nil {
		return
	}
	parts := strings.Fields(r.Header.Get("Authorization"))
	if len(parts) != 2 || !strings.EqualFold(parts[0], "bearer") {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"success": false, "message": "Invalid Bearer token"})
		return
	}
	s.mu.Lock()
	used, remain, unlimited, expires := k.QuotaUsed, k.QuotaRemain, k.Unlimited, k.ExpiresAt
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"code": true, "message": "ok", "data": map[string]any{
		"object":               "token_usage",
		"name":                 "hub",
		"total_granted":        remain + used,
		"total_used":           used,
		"total_available":      remain,
		"unlimited_quota":      unlimited,
		"model_limits":         map[string]bool{},
		"model_limits_enabled": false,
		"expires_at":           expires,
	}})
}

// criticalLimited counts a call against New API's CriticalRateLimit and
// answers its bare 429 past the limit; it reports whether it did.
func (s *Server) criticalLimited(w http.ResponseWriter) bool {
	s.mu.Lock()
	s.critical++
	limited := s.CriticalLimit > 0 && s.critical > s.CriticalLimit
	s.mu.Unlock()
	if limited {
		w.WriteHeader(http.StatusTooManyRequests) // the IP limiter's bare 429
	}
	return limited
}

// readOnlyKey is TokenAuthReadOnly: the key must exist and not be
// disabled; exhausted and expired keys pass. It returns nil after
// answering.
func (s *Server) readOnlyKey(w http.ResponseWriter, r *http.Request) *Key {
	fail := func(msg string) {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"success": false, "message": msg})
	}
	k, present := s.lookup(r)
	switch {
	case k != nil && k.Fault == FaultChallenge:
		writeChallenge(w)
		return nil
	case !present:
		fail("未提供令牌")
		return nil
	case k == nil:
		fail("Invalid token")
		return nil
	case !s.delay(r, k):
		return nil
	case k.Fault == FaultDisabled:
		fail("This token status is unavailable")
		return nil
	case k.Fault == FaultSuccessFalse:
		writeJSON(w, http.StatusOK, map[string]any{"success": false, "message": "无权进行此操作，access token 无效"})
		return nil
	}
	return k
}

// tokenLog is GET /api/log/token (controller/log.go GetLogByKey behind
// TokenAuthReadOnly and CriticalRateLimit): the key's newest log rows, at
// most 100.
func (s *Server) tokenLog(w http.ResponseWriter, r *http.Request) {
	if s.criticalLimited(w) {
		return
	}
	k := s.readOnlyKey(w, r)
	if k == nil {
		return
	}
	now := time.Now()
	s.mu.Lock()
	rows := make([]map[string]any, 0, len(k.Logs))
	for i, l := range k.Logs {
		if i == 100 {
			break
		}
		at := l.At
		if at.IsZero() {
			at = now.Add(-l.Ago)
		}
		model := l.Model
		if model == "" {
			model = "gpt-4o-mini"
		}
		rows = append(rows, map[string]any{"id": len(k.Logs) - i, "created_at": at.Unix(), "type": l.Type, "content": "",
			"token_name": "hub", "model_name": model, "quota": l.Quota, "prompt_tokens": l.PromptTokens,
			"completion_tokens": l.Completion, "use_time": 1, "is_stream": false, "group": "default", "other": ""})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "message": "", "data": rows})
}

// displayType is the billing pair's unit; call with s.mu held.
func (s *Server) displayType() string {
	if s.DisplayType == "" {
		return "USD"
	}
	return s.DisplayType
}

// display turns USD into the site's display unit (quota units for TOKENS);
// call with s.mu held.
func (s *Server) display(usd float64) float64 {
	switch s.displayType() {
	case "CNY":
		return usd * s.USDExchangeRate
	case "TOKENS":
		return usd * s.QuotaPerUnit
	}
	return usd
}

// billingKey authenticates a billing request the way TokenAuth does (an
// exhausted key is refused) and returns the key, or nil after answering.
func (s *Server) billingKey(w http.ResponseWriter, r *http.Request) *Key {
	k, present := s.lookup(r)
	if s.keyError(w, r, k, present) || s.exhausted(w, k) {
		return nil
	}
	return k
}

// unlimitedUSD is the limit New API and One API report for an unlimited token.
const unlimitedUSD = 100000000

// billingSubscription is GET /v1/dashboard/billing/subscription: the
// token's total (remain + used) in display units as all three limits.
func (s *Server) billingSubscription(w http.ResponseWriter, r *http.Request) {
	k := s.billingKey(w, r)
	if k == nil {
		return
	}
	s.mu.Lock()
	limit := s.display(float64(k.QuotaRemain+k.QuotaUsed) / s.QuotaPerUnit)
	if k.Unlimited {
		limit = unlimitedUSD
	}
	expires := k.ExpiresAt
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"object":                "billing_subscription",
		"has_payment_method":    true,
		"soft_limit_usd":        limit,
		"hard_limit_usd":        limit,
		"system_hard_limit_usd": limit,
		"access_until":          expires,
	})
}

// billingUsage is GET /v1/dashboard/billing/usage: the token's used quota
// in cents of the display unit; start_date and end_date are ignored.
func (s *Server) billingUsage(w http.ResponseWriter, r *http.Request) {
	k := s.billingKey(w, r)
	if k == nil {
		return
	}
	s.mu.Lock()
	cents := s.display(float64(k.QuotaUsed)/s.QuotaPerUnit) * 100
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "total_usage": cents})
}

// sessionKeyOnly is the official OpenAI answer to the legacy billing
// endpoints since mid-2023: secret keys are refused.
func (s *Server) sessionKeyOnly(w http.ResponseWriter, r *http.Request) {
	s.openAIError(w, http.StatusUnauthorized, "Your request to GET "+r.URL.Path+" must be made with a session key (that is, it can only be made from the browser). You made it with the following key type: secret.", "server_error", "")
}
