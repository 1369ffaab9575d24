package fakerelay

import (
	"net/http"
	"testing"
	"time"
)

// TestCurrentNewAPI: as newapi-real.md says of a running New API, every
// unusable key gets 401 "Invalid token" on the relay routes and the billing
// pair, while /api/usage/token/ still answers the exhausted and expired
// ones and calls the disabled one unavailable.
func TestCurrentNewAPI(t *testing.T) {
	past := time.Now().Add(-48 * time.Hour).Unix()
	s := New(NewAPI,
		&Key{Value: "sk-test-spent", Fault: FaultExhausted, QuotaUsed: 10},
		&Key{Value: "sk-test-old", QuotaRemain: 10, ExpiresAt: past},
		&Key{Value: "sk-test-off", Fault: FaultDisabled},
	)
	defer s.Close()
	s.Set(func(s *Server) { s.InvalidTokenOnly = true })
	for _, k := range []string{"sk-test-spent", "sk-test-old", "sk-test-off"} {
		for _, p := range []string{"/v1/models", "/v1/dashboard/billing/subscription"} {
			if code, m := get(t, s, p, "Bearer "+k); code != http.StatusUnauthorized || message(m) != "Invalid token (request id: 20261130000000000000001)" {
				t.Errorf("%s %s: %d %q", k, p, code, message(m))
			}
		}
	}
	if code, m := get(t, s, "/api/usage/token/", "Bearer sk-test-spent"); code != 200 || m["data"].(map[string]any)["total_available"] != 0.0 {
		t.Errorf("exhausted usage: %d %v", code, m)
	}
	if code, m := get(t, s, "/api/usage/token/", "Bearer sk-test-old"); code != 200 || m["data"].(map[string]any)["expires_at"] != float64(past) {
		t.Errorf("expired usage: %d %v", code, m)
	}
	if code, m := get(t, s, "/api/usage/token/", "Bearer sk-test-off"); code != 401 || message(m) != "This token status is unavailable" {
		t.Errorf("disabled usage: %d %v", code, m)
	}
	// Older versions name the reason on the relay routes.
	s.Set(func(s *Server) { s.InvalidTokenOnly = false })
	if code, m := get(t, s, "/v1/models", "Bearer sk-test-old"); code != 401 || message(m) == "Invalid token (request id: 20261130000000000000001)" {
		t.Errorf("legacy expired: %d %q", code, message(m))
	}
}

// TestTokenLogAndCriticalLimit: /api/log/token answers the key's rows, and
// shares the critical limit with /api/usage/token/ (a bare 429 past it).
func TestTokenLogAndCriticalLimit(t *testing.T) {
	s := New(NewAPI, &Key{Value: "sk-test-log", Logs: []Log{{Ago: time.Minute, Type: 2, Quota: 7, PromptTokens: 3, Completion: 4}}})
	defer s.Close()
	s.Set(func(s *Server) { s.CriticalLimit = 2 })
	code, m := get(t, s, "/api/log/token", "Bearer sk-test-log")
	rows, _ := m["data"].([]any)
	if code != 200 || m["success"] != true || len(rows) != 1 {
		t.Fatalf("log: %d %v", code, m)
	}
	row := rows[0].(map[string]any)
	if row["type"] != 2.0 || row["quota"] != 7.0 || row["prompt_tokens"] != 3.0 || row["completion_tokens"] != 4.0 ||
		time.Since(time.Unix(int64(row["created_at"].(float64)), 0)) > 2*time.Minute {
		t.Errorf("row %v", row)
	}
	if code, _ := get(t, s, "/api/usage/token/", "Bearer sk-test-log"); code != 200 {
		t.Errorf("second critical call: %d", code)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/log/token", nil)
	req.Header.Set("Authorization", "Bearer sk-test-log")
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("third critical call: %d, want 429", resp.StatusCode)
	}
}

// TestBillingDisplayUnit: the billing pair answers in the display unit
// /api/status names.
func TestBillingDisplayUnit(t *testing.T) {
	s := New(NewAPI, &Key{Value: "sk-test-cny", QuotaUsed: 500000, QuotaRemain: 500000})
	defer s.Close()
	s.Set(func(s *Server) { s.DisplayType = "CNY" })
	_, st := get(t, s, "/api/status", "")
	data := st["data"].(map[string]any)
	if data["quota_display_type"] != "CNY" || data["usd_exchange_rate"] != 7.3 {
		t.Errorf("status %v", data)
	}
	if _, m := get(t, s, "/v1/dashboard/billing/subscription", "Bearer sk-test-cny"); m["hard_limit_usd"] != 14.6 {
		t.Errorf("subscription %v", m)
	}
	if _, m := get(t, s, "/v1/dashboard/billing/usage", "Bearer sk-test-cny"); m["total_usage"] != 730.0 {
		t.Errorf("usage %v", m)
	}
	s.Set(func(s *Server) { s.DisplayType = "TOKENS" })
	if _, m := get(t, s, "/v1/dashboard/billing/subscription", "Bearer sk-test-cny"); m["hard_limit_usd"] != 1000000.0 {
		t.Errorf("TOKENS subscription %v", m)
	}
}
