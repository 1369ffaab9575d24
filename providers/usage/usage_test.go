package usage_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/providers"
	"github.com/hubctl/hub/providers/fakerelay"
	_ "github.com/hubctl/hub/providers/usage"
	"github.com/hubctl/hub/secret"
)

const key = "sk-test-usage-0123456789abcdef"

func client() *providers.Client {
	return providers.NewClient(providers.ClientOptions{Timeout: 10 * time.Second, RetryDelay: time.Millisecond})
}

func credFor(s *fakerelay.Server, k string) *credential.Credential {
	return &credential.Credential{ID: "relay", APIType: credential.OpenAICompatible, BaseURL: s.URL, Key: secret.New(k)}
}

// read runs a method against a fake and checks what every reading must hold:
// no key in any error or attempt message.
func read(t *testing.T, cl *providers.Client, c *credential.Credential, method string) (*providers.Usage, error) {
	t.Helper()
	r, err := providers.LookupUsage(method)
	if err != nil {
		t.Fatal(err)
	}
	u, err := r.ReadUsage(context.Background(), cl, c)
	secrets := []string{c.Key.Reveal(), c.Usage.Token.Reveal()}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if err != nil && strings.Contains(err.Error(), s) {
			t.Errorf("error holds a secret: %v", err)
		}
		if u != nil {
			for _, a := range u.Attempts {
				if strings.Contains(a.Message, s) || strings.Contains(a.Endpoint, s) {
					t.Errorf("attempt holds a secret: %+v", a)
				}
			}
		}
	}
	if err != nil {
		if _, ok := providers.AsFailure(err); !ok && !errors.Is(err, context.Canceled) {
			t.Errorf("error %v (%T) is not a *providers.Failure", err, err)
		}
	}
	return u, err
}

func near(p *float64, want float64) bool { return p != nil && math.Abs(*p-want) < 1e-9 }

func show(p *float64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

func statuses(u *providers.Usage) string {
	var out []string
	for _, a := range u.Attempts {
		out = append(out, a.Source+":"+a.Status)
	}
	return strings.Join(out, " ")
}

func failureClass(t *testing.T, err error) providers.Class {
	t.Helper()
	f, ok := providers.AsFailure(err)
	if !ok {
		t.Fatalf("error %v is not a Failure", err)
	}
	return f.Class
}

func TestNewAPITokenUsage(t *testing.T) {
	expires := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name                   string
		qpu                    float64
		omitted                bool
		k                      fakerelay.Key
		balance, used, granted float64
		unlimited              bool
		note                   string
	}{
		{name: "custom quota per unit", qpu: 1000000, k: fakerelay.Key{QuotaUsed: 250000, QuotaRemain: 750000, ExpiresAt: expires.Unix()}, balance: 0.75, used: 0.25, granted: 1},
		{name: "default quota per unit", qpu: 500000, k: fakerelay.Key{QuotaUsed: 250000, QuotaRemain: 750000, ExpiresAt: expires.Unix()}, balance: 1.5, used: 0.5, granted: 2},
		{name: "status omitted", qpu: 1000000, omitted: true, k: fakerelay.Key{QuotaUsed: 500000, QuotaRemain: 1000000, ExpiresAt: expires.Unix()}, balance: 2, used: 1, granted: 3, note: "quota_per_unit taken as 500000"},
		{name: "exhausted still answers", qpu: 500000, k: fakerelay.Key{Fault: fakerelay.FaultExhausted, QuotaUsed: 1000000, ExpiresAt: expires.Unix()}, balance: 0, used: 2, granted: 2},
		{name: "unlimited", qpu: 500000, k: fakerelay.Key{Unlimited: true, QuotaUsed: 50000, ExpiresAt: expires.Unix()}, used: 0.1, unlimited: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := tc.k
			k.Value = key
			s := fakerelay.New(fakerelay.NewAPI, &k)
			defer s.Close()
			s.QuotaPerUnit, s.StatusOmitted = tc.qpu, tc.omitted
			u, err := read(t, client(), credFor(s, key), "newapi")
			if err != nil {
				t.Fatal(err)
			}
			if u.Source != "newapi" || u.Unlimited != tc.unlimited || !near(u.TotalUsed, tc.used) {
				t.Fatalf("usage = %+v, used %s", u, show(u.TotalUsed))
			}
			if tc.unlimited {
				if u.Balance != nil || u.TotalGranted != nil {
					t.Errorf("unlimited with balance %s granted %s", show(u.Balance), show(u.TotalGranted))
				}
			} else if !near(u.Balance, tc.balance) || !near(u.TotalGranted, tc.granted) {
				t.Errorf("balance %s granted %s, want %v %v", show(u.Balance), show(u.TotalGranted), tc.balance, tc.granted)
			}
			if u.ExpiresAt == nil || !u.ExpiresAt.Equal(expires) {
				t.Errorf("expires %v, want %v", u.ExpiresAt, expires)
			}
			if u.TodayCost != nil || u.TodayRequests != nil || u.TodayTokens != nil {
				t.Errorf("today figures filled: %+v", u)
			}
			if u.Requests != 2 || len(u.Attempts) != 1 || u.Attempts[0].Status != "success" || !strings.HasSuffix(u.Attempts[0].Endpoint, "/api/usage/token/") {
				t.Errorf("requests %d attempts %+v", u.Requests, u.Attempts)
			}
			if !strings.Contains(u.Attempts[0].Message, tc.note) {
				t.Errorf("attempt message %q, want %q", u.Attempts[0].Message, tc.note)
			}
			got := s.Requests()[0]
			if got.Path != "/api/usage/token/" || got.Header.Get("Authorization") != "Bearer "+key {
				t.Errorf("first request %s %v", got.Path, got.Header)
			}
		})
	}
}

func TestNewAPIFailures(t *testing.T) {
	s := fakerelay.New(fakerelay.NewAPI,
		&fakerelay.Key{Value: "sk-test-disabled-0001", Fault: fakerelay.FaultDisabled},
		&fakerelay.Key{Value: "sk-test-false-0002", Fault: fakerelay.FaultSuccessFalse},
		&fakerelay.Key{Value: "sk-test-challenge-0003", Fault: fakerelay.FaultChallenge},
	)
	defer s.Close()
	for _, tc := range []struct {
		key    string
		method string
		class  providers.Class
	}{
		{"sk-test-disabled-0001", "newapi", providers.ClassInvalidKey},
		{"sk-test-disabled-0001", "auto", providers.ClassInvalidKey},
		{"sk-test-unknown-0004", "newapi", providers.ClassInvalidKey},
		{"sk-test-false-0002", "newapi", providers.ClassInvalidKey},
		{"sk-test-false-0002", "auto", providers.ClassInvalidKey},
		{"sk-test-challenge-0003", "auto", providers.ClassBlocked},
	} {
		t.Run(tc.key+" "+tc.method, func(t *testing.T) {
			u, err := read(t, client(), credFor(s, tc.key), tc.method)
			if err == nil {
				t.Fatalf("no error; usage %+v", u)
			}
			if c := failureClass(t, err); c != tc.class {
				t.Errorf("class %s, want %s: %v", c, tc.class, err)
			}
			// An answer about the key stops auto at the first endpoint.
			if u == nil || len(u.Attempts) != 1 || u.Attempts[0].Status != "error" {
				t.Errorf("attempts %+v", u)
			}
		})
	}
}

func TestStatusFetchedOncePerSite(t *testing.T) {
	s := fakerelay.New(fakerelay.NewAPI)
	defer s.Close()
	s.QuotaPerUnit = 1000000
	const n = 300
	creds := make([]*credential.Credential, n)
	for i := range creds {
		v := fmt.Sprintf("sk-test-many-%04d", i)
		s.AddKey(&fakerelay.Key{Value: v, QuotaRemain: int64(i) * 1000})
		creds[i] = credFor(s, v)
	}
	cl := client()
	r, _ := providers.LookupUsage("newapi")
	var wg sync.WaitGroup
	errs := make(chan error, n)
	requests := make(chan int, n)
	for i, c := range creds {
		wg.Go(func() {
			u, err := r.ReadUsage(context.Background(), cl, c)
			if err != nil {
				errs <- err
				return
			}
			if !near(u.Balance, float64(i)*1000/1000000) {
				errs <- fmt.Errorf("credential %d: balance %s", i, show(u.Balance))
			}
			requests <- u.Requests
		})
	}
	wg.Wait()
	close(errs)
	close(requests)
	for err := range errs {
		t.Error(err)
	}
	total := 0
	for r := range requests {
		total += r
	}
	count := 0
	for _, p := range s.Paths() {
		if p == "GET /api/status" {
			count++
		}
	}
	if count != 1 || total != n+1 {
		t.Errorf("/api/status asked %d times, requests counted %d; want once and %d", count, total, n+1)
	}
	// A second client (another run) asks again.
	if _, err := r.ReadUsage(context.Background(), client(), creds[0]); err != nil {
		t.Fatal(err)
	}
	count = 0
	for _, p := range s.Paths() {
		if p == "GET /api/status" {
			count++
		}
	}
	if count != 2 {
		t.Errorf("/api/status asked %d times after a new client, want 2", count)
	}
}

func TestBilling(t *testing.T) {
	for _, tc := range []struct {
		name          string
		flavor        fakerelay.Flavor
		method        string
		k             fakerelay.Key
		balance, used float64
		unlimited     bool
		attempts      string
	}{
		{"old New API falls back in auto", fakerelay.OldNewAPI, "auto", fakerelay.Key{QuotaUsed: 250000, QuotaRemain: 1000000}, 2, 0.5, false,
			"newapi:unsupported sub2api:unsupported openai_billing:success openai_billing:success"},
		{"One API billing", fakerelay.OneAPI, "openai_billing", fakerelay.Key{QuotaUsed: 100000, QuotaRemain: 400000}, 0.8, 0.2, false,
			"openai_billing:success openai_billing:success"},
		{"One API in auto", fakerelay.OneAPI, "auto", fakerelay.Key{QuotaUsed: 100000, QuotaRemain: 400000}, 0.8, 0.2, false,
			"newapi:unsupported sub2api:unsupported openai_billing:success openai_billing:success"},
		{"unlimited", fakerelay.OneAPI, "openai_billing", fakerelay.Key{Unlimited: true, QuotaUsed: 100000}, 0, 0.2, true,
			"openai_billing:success openai_billing:success"},
		{"New API billing", fakerelay.NewAPI, "openai_billing", fakerelay.Key{QuotaUsed: 500000, QuotaRemain: 500000}, 1, 1, false,
			"openai_billing:success openai_billing:success"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := tc.k
			k.Value = key
			s := fakerelay.New(tc.flavor, &k)
			defer s.Close()
			u, err := read(t, client(), credFor(s, key), tc.method)
			if err != nil {
				t.Fatal(err)
			}
			if u.Source != "openai_billing" || statuses(u) != tc.attempts || u.Requests != len(u.Attempts) {
				t.Errorf("source %s attempts %s requests %d", u.Source, statuses(u), u.Requests)
			}
			if u.Unlimited != tc.unlimited || !near(u.TotalUsed, tc.used) {
				t.Errorf("unlimited %v used %s", u.Unlimited, show(u.TotalUsed))
			}
			if !tc.unlimited && (!near(u.Balance, tc.balance) || !near(u.TotalGranted, tc.balance+tc.used)) {
				t.Errorf("balance %s granted %s, want %v", show(u.Balance), show(u.TotalGranted), tc.balance)
			}
			if tc.unlimited && u.Balance != nil {
				t.Errorf("unlimited with balance %s", show(u.Balance))
			}
		})
	}
	t.Run("exhausted", func(t *testing.T) {
		s := fakerelay.New(fakerelay.OneAPI, &fakerelay.Key{Value: key, Fault: fakerelay.FaultExhausted, QuotaUsed: 500000})
		defer s.Close()
		_, err := read(t, client(), credFor(s, key), "openai_billing")
		if c := failureClass(t, err); c != providers.ClassQuota {
			t.Errorf("class %s: %v", c, err)
		}
	})
	t.Run("official OpenAI refuses secret keys", func(t *testing.T) {
		s := fakerelay.New(fakerelay.OpenAI, &fakerelay.Key{Value: key})
		defer s.Close()
		u, err := read(t, client(), credFor(s, key), "openai_billing")
		if c := failureClass(t, err); c != providers.ClassUnsupported {
			t.Errorf("class %s: %v", c, err)
		}
		if statuses(u) != "openai_billing:unsupported" {
			t.Errorf("attempts %s", statuses(u))
		}
	})
}

func TestSub2API(t *testing.T) {
	expires := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		method string
		k      fakerelay.Key
	}{
		{"sub2api", "sub2api", fakerelay.Key{Balance: 12.5, TodayCost: 1.25, TodayRequests: 42, TodayInput: 1000, TodayOutput: 234, ExpiresAt: expires.Unix()}},
		{"auto", "auto", fakerelay.Key{Balance: 12.5, TodayCost: 1.25, TodayRequests: 42, TodayInput: 1000, TodayOutput: 234, ExpiresAt: expires.Unix()}},
		{"exhausted still answers", "sub2api", fakerelay.Key{Fault: fakerelay.FaultExhausted, TodayCost: 1.25, TodayRequests: 42, TodayInput: 1000, TodayOutput: 234, ExpiresAt: expires.Unix()}},
		{"unlimited", "sub2api", fakerelay.Key{Unlimited: true, TodayCost: 1.25, TodayRequests: 42, TodayInput: 1000, TodayOutput: 234, ExpiresAt: expires.Unix()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := tc.k
			k.Value = key
			s := fakerelay.New(fakerelay.Sub2API, &k)
			defer s.Close()
			u, err := read(t, client(), credFor(s, key), tc.method)
			if err != nil {
				t.Fatal(err)
			}
			if u.Source != "sub2api" {
				t.Errorf("source %s", u.Source)
			}
			if tc.k.Unlimited {
				if !u.Unlimited || u.Balance != nil {
					t.Errorf("unlimited %v balance %s", u.Unlimited, show(u.Balance))
				}
			} else if u.Unlimited || !near(u.Balance, tc.k.Balance) {
				t.Errorf("unlimited %v balance %s, want %v", u.Unlimited, show(u.Balance), tc.k.Balance)
			}
			// actual_cost (what was charged), not the list-price cost.
			if !near(u.TodayCost, 1.25) || !near(u.TotalUsed, 1.25) {
				t.Errorf("today cost %s total used %s, want 1.25", show(u.TodayCost), show(u.TotalUsed))
			}
			if u.TodayRequests == nil || *u.TodayRequests != 42 || u.TodayTokens == nil || *u.TodayTokens != 1234 {
				t.Errorf("today requests %v tokens %v", u.TodayRequests, u.TodayTokens)
			}
			if u.ExpiresAt == nil || !u.ExpiresAt.Equal(expires) {
				t.Errorf("expires %v", u.ExpiresAt)
			}
			want := "sub2api:success"
			if tc.method == "auto" {
				want = "newapi:unsupported sub2api:success"
			}
			if statuses(u) != want {
				t.Errorf("attempts %s, want %s", statuses(u), want)
			}
		})
	}
	t.Run("invalid key", func(t *testing.T) {
		s := fakerelay.New(fakerelay.Sub2API)
		defer s.Close()
		_, err := read(t, client(), credFor(s, key), "sub2api")
		if c := failureClass(t, err); c != providers.ClassInvalidKey {
			t.Errorf("class %s: %v", c, err)
		}
	})
}

func TestAutoNothingAnswers(t *testing.T) {
	t.Run("official OpenAI", func(t *testing.T) {
		s := fakerelay.New(fakerelay.OpenAI, &fakerelay.Key{Value: key})
		defer s.Close()
		u, err := read(t, client(), credFor(s, key), "auto")
		f, ok := providers.AsFailure(err)
		if !ok || f.Class != providers.ClassUnsupported || !strings.Contains(f.Message, "no usage endpoint answered") {
			t.Fatalf("error %v", err)
		}
		for _, p := range []string{"/api/usage/token/", "/v1/usage", "/v1/dashboard/billing/subscription"} {
			if !strings.Contains(f.Message, s.URL+p) {
				t.Errorf("message does not list %s: %s", p, f.Message)
			}
		}
		if statuses(u) != "newapi:unsupported sub2api:unsupported openai_billing:unsupported" || u.Requests != 3 {
			t.Errorf("attempts %s requests %d", statuses(u), u.Requests)
		}
	})
	// A New API site mounted under a path prefix answers its SPA page (200
	// text/html) at every usage path under it.
	t.Run("HTML pages", func(t *testing.T) {
		s := fakerelay.New(fakerelay.NewAPI, &fakerelay.Key{Value: key, QuotaRemain: 1})
		defer s.Close()
		c := credFor(s, key)
		c.BaseURL += "/panel"
		u, err := read(t, client(), c, "auto")
		if c := failureClass(t, err); c != providers.ClassUnsupported {
			t.Fatalf("class %s: %v", c, err)
		}
		if statuses(u) != "newapi:unsupported sub2api:unsupported openai_billing:unsupported" {
			t.Errorf("attempts %s", statuses(u))
		}
		if !strings.Contains(u.Attempts[0].Message, "HTML") {
			t.Errorf("attempt message %q does not say HTML", u.Attempts[0].Message)
		}
	})
}

func TestCustom(t *testing.T) {
	answer := map[string]any{"data": map[string]any{
		"balance": 7.5, "today": map[string]any{"cost": "0.25", "requests": 9, "tokens": " 1200 "}, "name": "x",
	}}
	paths := credential.UsagePaths{Balance: "data.balance", TodayCost: " data . today . cost ", TodayRequests: "data.today.requests", TodayTokens: "data.today.tokens"}
	check := func(t *testing.T, u *providers.Usage) {
		t.Helper()
		if u.Source != "custom" || !near(u.Balance, 7.5) || !near(u.TodayCost, 0.25) ||
			u.TodayRequests == nil || *u.TodayRequests != 9 || u.TodayTokens == nil || *u.TodayTokens != 1200 {
			t.Errorf("usage %+v", u)
		}
	}

	t.Run("same origin sends the key", func(t *testing.T) {
		s := fakerelay.New(fakerelay.NewAPI, &fakerelay.Key{Value: key, Custom: answer})
		defer s.Close()
		c := credFor(s, key)
		c.BaseURL += "/prefix" // a root-relative endpoint ignores the base path
		c.Usage = credential.Usage{Method: "custom", Endpoint: "/custom/usage", Paths: paths}
		u, err := read(t, client(), c, "custom")
		if err != nil {
			t.Fatal(err)
		}
		check(t, u)
		got := s.Requests()
		if len(got) != 1 || got[0].Path != "/custom/usage" || got[0].Header.Get("Authorization") != "Bearer "+key {
			t.Errorf("requests %+v", got)
		}
	})

	t.Run("cross origin sends the token, never the key", func(t *testing.T) {
		relay := fakerelay.New(fakerelay.NewAPI, &fakerelay.Key{Value: key})
		defer relay.Close()
		other := fakerelay.New(fakerelay.OpenAI)
		defer other.Close()
		const token = "sk-test-usage-token-777"
		other.AddUsageToken(token, answer)
		c := credFor(relay, key)
		c.Usage = credential.Usage{Method: "custom", Endpoint: other.URL + "/custom/usage", Token: secret.New(token), Paths: paths}
		u, err := read(t, client(), c, "custom")
		if err != nil {
			t.Fatal(err)
		}
		check(t, u)
		got := other.Requests()
		if len(got) != 1 || got[0].Header.Get("Authorization") != "Bearer "+token {
			t.Errorf("requests to the other origin %+v", got)
		}
		noKey(t, other, key)
		if n := len(relay.Requests()); n != 0 {
			t.Errorf("the relay got %d requests", n)
		}
	})

	t.Run("cross origin without token sends nothing", func(t *testing.T) {
		relay := fakerelay.New(fakerelay.NewAPI, &fakerelay.Key{Value: key})
		defer relay.Close()
		other := fakerelay.New(fakerelay.NewAPI, &fakerelay.Key{Value: key, Custom: answer}) // would answer the key
		defer other.Close()
		c := credFor(relay, key)
		c.Usage = credential.Usage{Method: "custom", Endpoint: other.URL + "/custom/usage", Paths: paths}
		_, err := read(t, client(), c, "custom")
		if cl := failureClass(t, err); cl != providers.ClassInvalidKey {
			t.Errorf("class %s: %v", cl, err)
		}
		got := other.Requests()
		if len(got) != 1 || got[0].Header.Get("Authorization") != "" {
			t.Errorf("requests to the other origin %+v", got)
		}
		noKey(t, other, key)
	})

	t.Run("redirect to another origin is not followed", func(t *testing.T) {
		relay := fakerelay.New(fakerelay.NewAPI, &fakerelay.Key{Value: key, Custom: answer})
		defer relay.Close()
		other := fakerelay.New(fakerelay.NewAPI, &fakerelay.Key{Value: key, Custom: answer})
		defer other.Close()
		c := credFor(relay, key)
		c.Usage = credential.Usage{Method: "custom", Endpoint: "/custom/redirect?to=" + other.URL + "/custom/usage", Paths: paths}
		u, err := read(t, client(), c, "custom")
		if cl := failureClass(t, err); cl != providers.ClassWrongURL {
			t.Errorf("class %s: %v", cl, err)
		}
		if n := len(other.Requests()); n != 0 {
			t.Errorf("the other origin got %d requests", n)
		}
		if u == nil || statuses(u) != "custom:unsupported" || strings.Contains(u.Attempts[0].Endpoint, "?") {
			t.Errorf("attempts %+v", u)
		}
	})

	t.Run("missing paths", func(t *testing.T) {
		s := fakerelay.New(fakerelay.Sub2API, &fakerelay.Key{Value: key, Custom: answer})
		defer s.Close()
		c := credFor(s, key)
		c.Usage = credential.Usage{Method: "custom", Endpoint: s.URL + "/custom/usage",
			Paths: credential.UsagePaths{Balance: "data.balance", TodayCost: "data.today.nope", TodayTokens: "data.name"}}
		u, err := read(t, client(), c, "custom")
		if err != nil {
			t.Fatal(err)
		}
		if !near(u.Balance, 7.5) || u.TodayCost != nil || u.TodayTokens != nil {
			t.Errorf("usage %+v", u)
		}
		msg := u.Attempts[0].Message
		if !strings.Contains(msg, `today_cost path "data.today.nope" is not in the answer`) || !strings.Contains(msg, `today_tokens path "data.name" holds a string`) {
			t.Errorf("message %q", msg)
		}

		c.Usage.Paths = credential.UsagePaths{Balance: "data.nope", TodayCost: "data.today"}
		u, err = read(t, client(), c, "custom")
		if cl := failureClass(t, err); cl != providers.ClassBadAnswer || !strings.Contains(err.Error(), `balance path "data.nope"`) {
			t.Errorf("class %s: %v", cl, err)
		}
		if statuses(u) != "custom:error" {
			t.Errorf("attempts %s", statuses(u))
		}
	})

	t.Run("bad endpoints", func(t *testing.T) {
		s := fakerelay.New(fakerelay.NewAPI, &fakerelay.Key{Value: key})
		defer s.Close()
		for _, ep := range []string{"//evil.example/usage", "ftp://x.example/u", "javascript:alert(1)", "usage"} {
			c := credFor(s, key)
			c.Usage = credential.Usage{Method: "custom", Endpoint: ep, Paths: paths}
			_, err := read(t, client(), c, "custom")
			if cl := failureClass(t, err); cl != providers.ClassWrongURL {
				t.Errorf("%s: class %s: %v", ep, cl, err)
			}
		}
		if n := len(s.Requests()); n != 0 {
			t.Errorf("%d requests made", n)
		}
	})
}

// noKey fails when any recorded request to s carried the key anywhere.
func noKey(t *testing.T, s *fakerelay.Server, k string) {
	t.Helper()
	for _, r := range s.Requests() {
		for name, vs := range r.Header {
			for _, v := range vs {
				if strings.Contains(v, k) {
					t.Errorf("the key reached %s in header %s", s.URL, name)
				}
			}
		}
		if strings.Contains(r.Query, k) || strings.Contains(string(r.Body), k) {
			t.Errorf("the key reached %s in the query or body", s.URL)
		}
	}
}

func TestDisabled(t *testing.T) {
	s := fakerelay.New(fakerelay.NewAPI, &fakerelay.Key{Value: key})
	defer s.Close()
	u, err := read(t, client(), credFor(s, key), "disabled")
	if u != nil || err != nil || len(s.Requests()) != 0 {
		t.Errorf("disabled = %+v, %v after %d requests", u, err, len(s.Requests()))
	}
}

func TestCancelled(t *testing.T) {
	s := fakerelay.New(fakerelay.NewAPI, &fakerelay.Key{Value: key})
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, _ := providers.LookupUsage("auto")
	u, err := r.ReadUsage(ctx, client(), credFor(s, key))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if u == nil || len(u.Attempts) != 1 {
		t.Errorf("auto went on after cancellation: %+v", u)
	}
}

func TestResolveEndpoint(t *testing.T) {
	for _, tc := range []struct {
		base, ep, want string
		same           bool
	}{
		{"https://relay.example/api-prefix", "/custom/usage?x=1", "https://relay.example/custom/usage?x=1", true},
		{"https://relay.example", "https://RELAY.example/u", "https://relay.example/u", true},
		{"https://relay.example", "https://relay.example:8443/u", "https://relay.example:8443/u", false},
		{"https://relay.example", "https://stats.example/u", "https://stats.example/u", false},
		{"https://relay.example", "http://127.0.0.1:9/u", "http://127.0.0.1:9/u", false},
	} {
		got, same, err := credential.ResolveUsageEndpoint(tc.base, tc.ep)
		if err != nil || got != tc.want || same != tc.same {
			t.Errorf("ResolveUsageEndpoint(%q, %q) = %q, %v, %v; want %q, %v", tc.base, tc.ep, got, same, err, tc.want, tc.same)
		}
	}
}

// New API's critical rate limit guards /api/usage/token/ per IP (20 calls
// per 20 minutes by default): with more keys of one site than that, auto
// reads the rest through the billing pair instead of failing them.
func TestAutoPastNewAPICriticalLimit(t *testing.T) {
	var keys []*fakerelay.Key
	for i := range 5 {
		keys = append(keys, &fakerelay.Key{Value: fmt.Sprintf("sk-test-critical-%04d", i), QuotaUsed: 500000, QuotaRemain: 1000000})
	}
	srv := fakerelay.New(fakerelay.NewAPI, keys...)
	defer srv.Close()
	srv.CriticalLimit = 2
	cl := providers.NewClient(providers.ClientOptions{})
	reader, err := providers.LookupUsage("auto")
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]int{}
	for _, k := range keys {
		c := &credential.Credential{ID: "c", APIType: credential.OpenAICompatible, BaseURL: srv.URL, Key: secret.New(k.Value)}
		u, err := reader.ReadUsage(context.Background(), cl, c)
		if err != nil {
			t.Fatalf("%s: %v", k.Value, err)
		}
		if u.Balance == nil || *u.Balance != 2 {
			t.Errorf("%s: balance %v via %s, want 2 USD", k.Value, u.Balance, u.Source)
		}
		sources[u.Source]++
	}
	if sources["newapi"] != 2 || sources["openai_billing"] != 3 {
		t.Errorf("sources %v: want 2 through token usage, 3 through billing", sources)
	}
	// Asked for newapi only, the limit is reported as such.
	only, _ := providers.LookupUsage("newapi")
	c := &credential.Credential{ID: "c", APIType: credential.OpenAICompatible, BaseURL: srv.URL, Key: secret.New(keys[0].Value)}
	if _, err := only.ReadUsage(context.Background(), cl, c); failureClass(t, err) != providers.ClassRateLimited {
		t.Errorf("newapi past the limit: %v", err)
	}
}

// Every method a usage block may name (credential.UsageMethods, which
// configuration loading checks) has a reader.
func TestEveryMethodRegistered(t *testing.T) {
	for _, m := range credential.UsageMethods {
		if _, err := providers.LookupUsage(m); err != nil {
			t.Errorf("usage method %q: %v", m, err)
		}
	}
}
