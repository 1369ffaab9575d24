package credential

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeBaseURL(t *testing.T) {
	for _, tc := range []struct {
		apiType, in, want string
		insecure          bool
		wantErr           error
	}{
		{OpenAICompatible, "https://x.com/v1/", "https://x.com", false, nil},
		{OpenAICompatible, "  https://x.com/api/v1/chat/completions ", "https://x.com/api", false, nil},
		{OpenAICompatible, "https://x.com/openai", "https://x.com/openai", false, nil},
		{OpenAICompatible, "https://x.com/api/v3", "https://x.com/api/v3", false, nil},
		{OpenAICompatible, "x.com", "https://x.com", false, nil},
		{OpenAICompatible, "https://X.com/v1?key=abc#frag", "https://x.com", false, nil},
		{OpenAICompatible, "https://x.com/v1/a/v1/b", "https://x.com/v1/a", false, nil},
		{Google, "https://generativelanguage.googleapis.com/v1beta/models", "https://generativelanguage.googleapis.com", false, nil},
		{Google, "https://g.example/v1", "https://g.example/v1", false, nil},
		{Anthropic, "https://api.anthropic.com/", "https://api.anthropic.com", false, nil},
		{OpenAI, "http://127.0.0.1:8080/v1", "http://127.0.0.1:8080", false, nil},
		{OpenAI, "http://localhost:3000", "http://localhost:3000", false, nil},
		{OpenAI, "http://relay.example.com", "", false, ErrInsecureURL},
		{OpenAI, "http://relay.example.com/v1", "http://relay.example.com", true, nil},
	} {
		got, err := NormalizeBaseURL(tc.apiType, tc.in, tc.insecure)
		if tc.wantErr != nil {
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("NormalizeBaseURL(%q) error = %v, want %v", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("NormalizeBaseURL(%q, %q) = %q, %v; want %q", tc.apiType, tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "   ", "ftp://x.com", "/v1/chat", "https://", "https://user:pw@x.com"} {
		if got, err := NormalizeBaseURL(OpenAI, bad, false); err == nil {
			t.Errorf("NormalizeBaseURL(%q) = %q, want an error", bad, got)
		}
	}
}

// TestNormalizeBaseURLHostAndPort: an internationalized host is written in
// punycode, not percent-encoded; a port outside 1-65535 is refused by name.
func TestNormalizeBaseURLHostAndPort(t *testing.T) {
	for in, want := range map[string]string{
		"https://rélay.example.com/v1":       "https://xn--rlay-bpa.example.com",
		"https://RÉLAY.example.com:8443/v1":  "https://xn--rlay-bpa.example.com:8443",
		"https://r%C3%A9lay.example.com/api": "https://xn--rlay-bpa.example.com/api",
		"中继.example.com":                     "https://xn--fiqv10j.example.com",
		"https://xn--rlay-bpa.example.com":   "https://xn--rlay-bpa.example.com",
		"https://X.com:65535":                "https://x.com:65535",
		"https://x.com:1/v1":                 "https://x.com:1",
		"http://[::1]:8080/v1":               "http://[::1]:8080",
		"http://[::1]/v1":                    "http://[::1]",
	} {
		if got, err := NormalizeBaseURL(OpenAI, in, false); err != nil || got != want {
			t.Errorf("NormalizeBaseURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"https://x.com:99999", "https://x.com:0", "https://x.com:65536/v1", "x.com:70000"} {
		got, err := NormalizeBaseURL(OpenAI, bad, false)
		if err == nil || !strings.Contains(err.Error(), "between 1 and 65535") {
			t.Errorf("NormalizeBaseURL(%q) = %q, %v; want an error about the port", bad, got, err)
		}
	}
	if got, err := NormalizeBaseURL(OpenAI, "https://a\u200d.example.com", false); err == nil {
		t.Errorf("an invalid internationalized host was accepted: %q", got)
	}
}
