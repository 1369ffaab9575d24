package credential

import (
	"errors"
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
