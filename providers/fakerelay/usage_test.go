package fakerelay

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// get calls the fake with an Authorization header (none when auth is "")
// and returns the status and the decoded JSON body.
func get(t *testing.T, s *Server, path, auth string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("GET %s: %d %q is not JSON", path, resp.StatusCode, b)
	}
	return resp.StatusCode, m
}

func message(m map[string]any) string {
	if e, ok := m["error"].(map[string]any); ok {
		s, _ := e["message"].(string)
		return s
	}
	s, _ := m["message"].(string)
	return s
}

func TestStatusRoute(t *testing.T) {
	for _, f := range []Flavor{NewAPI, OldNewAPI, OneAPI} {
		s := New(f)
		s.QuotaPerUnit = 1000000
		code, m := get(t, s, "/api/status", "")
		data, _ := m["data"].(map[string]any)
		if code != 200 || m["success"] != true || data["quota_per_unit"] != 1000000.0 || data["display_in_currency"] != true {
			t.Errorf("%s: %d %v", f, code, m)
		}
		if _, has := data["quota_display_type"]; has != (f == NewAPI) {
			t.Errorf("%s: quota_display_type present = %v", f, has)
		}
		s.StatusOmitted = true
		if code, _ := get(t, s, "/api/status", ""); code != 404 {
			t.Errorf("%s omitted: %d", f, code)
		}
		s.Close()
	}
}

func TestTokenUsageRoute(t *testing.T) {
	s := New(NewAPI,
		&Key{Value: "sk-test-a", QuotaUsed: 10, QuotaRemain: 30, ExpiresAt: 2000000000},
		&Key{Value: "sk-test-empty", Fault: FaultExhausted, QuotaUsed: 40},
		&Key{Value: "sk-test-off", Fault: FaultDisabled},
	)
	defer s.Close()
	for _, tc := range []struct {
		auth string
		code int
		msg  string
	}{
		{"Bearer sk-test-a", 200, "ok"},
		{"bearer sk-test-empty", 200, "ok"},
		{"sk-test-a", 401, "Invalid Bearer token"},
		{"Bearer sk-test-a extra", 401, "Invalid token"},
		{"Bearer sk-test-nope", 401, "Invalid token"},
		{"Bearer sk-test-off", 401, "This token status is unavailable"},
	} {
		code, m := get(t, s, "/api/usage/token/", tc.auth)
		if code != tc.code || message(m) != tc.msg {
			t.Errorf("%q: %d %v", tc.auth, code, m)
		}
		if code != 200 && m["success"] != false {
			t.Errorf("%q: error body %v", tc.auth, m)
		}
	}
	_, m := get(t, s, "/api/usage/token/", "Bearer sk-test-a")
	data, _ := m["data"].(map[string]any)
	if m["code"] != true || data["total_granted"] != 40.0 || data["total_used"] != 10.0 || data["total_available"] != 30.0 ||
		data["unlimited_quota"] != false || data["expires_at"] != 2000000000.0 || data["object"] != "token_usage" {
		t.Errorf("body %v", m)
	}
	for _, f := range []Flavor{OldNewAPI, OneAPI} {
		old := New(f, &Key{Value: "sk-test-a"})
		code, m := get(t, old, "/api/usage/token/", "Bearer sk-test-a")
		if code != 404 || !strings.HasPrefix(message(m), "Invalid URL (GET /api/usage/token/)") {
			t.Errorf("%s: %d %v", f, code, m)
		}
		old.Close()
	}
}

func TestBillingRoutes(t *testing.T) {
	for _, f := range []Flavor{NewAPI, OldNewAPI, OneAPI} {
		s := New(f, &Key{Value: "sk-test-a", QuotaUsed: 250000, QuotaRemain: 750000},
			&Key{Value: "sk-test-u", Unlimited: true}, &Key{Value: "sk-test-empty", Fault: FaultExhausted})
		for _, prefix := range []string{"/v1", ""} {
			code, m := get(t, s, prefix+"/dashboard/billing/subscription", "Bearer sk-test-a")
			if code != 200 || m["hard_limit_usd"] != 2.0 || m["soft_limit_usd"] != 2.0 || m["object"] != "billing_subscription" {
				t.Errorf("%s%s subscription: %d %v", f, prefix, code, m)
			}
			code, m = get(t, s, prefix+"/dashboard/billing/usage?start_date=2026-01-01&end_date=2026-02-01", "Bearer sk-test-a")
			if code != 200 || m["total_usage"] != 50.0 {
				t.Errorf("%s%s usage: %d %v", f, prefix, code, m)
			}
		}
		if _, m := get(t, s, "/v1/dashboard/billing/subscription", "Bearer sk-test-u"); m["hard_limit_usd"] != 1e8 {
			t.Errorf("%s unlimited: %v", f, m)
		}
		if code, m := get(t, s, "/v1/dashboard/billing/usage", "Bearer sk-test-empty"); code != 401 || !strings.Contains(message(m), "额度已用尽") && !strings.Contains(message(m), "exhausted") {
			t.Errorf("%s exhausted: %d %v", f, code, m)
		}
		s.Close()
	}
	s := New(OpenAI, &Key{Value: "sk-test-a"})
	defer s.Close()
	for _, p := range []string{"/v1/dashboard/billing/subscription", "/v1/dashboard/billing/usage"} {
		code, m := get(t, s, p, "Bearer sk-test-a")
		e, _ := m["error"].(map[string]any)
		if code != 401 || e["type"] != "server_error" || !strings.Contains(message(m), "must be made with a session key") {
			t.Errorf("OpenAI %s: %d %v", p, code, m)
		}
	}
}

func TestSub2UsageRoute(t *testing.T) {
	s := New(Sub2API,
		&Key{Value: "sk-test-a", Balance: 3.5, TodayCost: 0.75, TodayRequests: 4, TodayInput: 10, TodayOutput: 5},
		&Key{Value: "sk-test-empty", Fault: FaultExhausted},
		&Key{Value: "sk-test-u", Unlimited: true},
	)
	defer s.Close()
	code, m := get(t, s, "/v1/usage", "Bearer sk-test-a")
	today, _ := m["usage"].(map[string]any)["today"].(map[string]any)
	if code != 200 || m["balance"] != 3.5 || m["remaining"] != 3.5 || m["unit"] != "USD" || m["isValid"] != true ||
		today["actual_cost"] != 0.75 || today["cost"] != 1.5 || today["requests"] != 4.0 || today["total_tokens"] != 15.0 {
		t.Errorf("body %d %v", code, m)
	}
	if code, m := get(t, s, "/v1/usage", "Bearer sk-test-empty"); code != 200 || m["balance"] != 0.0 {
		t.Errorf("exhausted: %d %v", code, m)
	}
	if _, m := get(t, s, "/v1/usage", "Bearer sk-test-u"); m["remaining"] != -1.0 || m["balance"] != nil {
		t.Errorf("unlimited: %v", m)
	}
	if code, m := get(t, s, "/v1/usage", "Bearer sk-test-nope"); code != 401 || m["code"] != "INVALID_API_KEY" {
		t.Errorf("unknown: %d %v", code, m)
	}
}

func TestCustomUsageRoute(t *testing.T) {
	for _, f := range []Flavor{NewAPI, OneAPI, Sub2API, OpenAI, Anthropic, Gemini} {
		s := New(f, &Key{Value: "sk-test-a", Custom: map[string]any{"balance": 1.5}})
		s.AddUsageToken("tok-usage-1", map[string]any{"balance": 2.5})
		if code, m := get(t, s, "/custom/usage", "Bearer sk-test-a"); code != 200 || m["balance"] != 1.5 {
			t.Errorf("%s key: %d %v", f, code, m)
		}
		if code, m := get(t, s, "/custom/usage", "Bearer tok-usage-1"); code != 200 || m["balance"] != 2.5 {
			t.Errorf("%s token: %d %v", f, code, m)
		}
		if code, _ := get(t, s, "/custom/usage", ""); code < 400 {
			t.Errorf("%s without auth: %d", f, code)
		}
		s.Close()
	}
}
