package credential

import (
	"strings"
	"testing"
)

func TestPickModel(t *testing.T) {
	c := &Credential{ID: "relay", Models: []string{"text-embedding-3-small", "gpt-4o-mini", "claude-sonnet-4-5", "o3", "models/gemini-2.5-pro"}}
	for _, tc := range []struct{ family, want string }{
		{FamilyClaude, "claude-sonnet-4-5"},
		{FamilyGPT, "gpt-4o-mini"},
		{FamilyGemini, "models/gemini-2.5-pro"},
		{"mistral", ""},
	} {
		got, origin := c.PickModel(tc.family)
		if got != tc.want {
			t.Errorf("PickModel(%s) = %q, want %q", tc.family, got, tc.want)
		}
		if (origin != "") != (tc.want != "") || tc.want != "" && !strings.Contains(origin, "credential.relay") {
			t.Errorf("PickModel(%s) origin %q", tc.family, origin)
		}
	}
	o := &Credential{ID: "x", Discovered: []string{"o4-mini", "gpt-5"}, DiscoveredFrom: "found by hub refresh on 2026-11-30 10:00"}
	if m, origin := o.PickModel(FamilyGPT); m != "o4-mini" || !strings.HasSuffix(origin, "found by hub refresh on 2026-11-30 10:00") {
		t.Errorf("o-series pick = %q, %q", m, origin)
	}
}

func TestValidAPIType(t *testing.T) {
	for _, typ := range APITypes {
		if !ValidAPIType(typ) {
			t.Errorf("ValidAPIType(%q) = false", typ)
		}
	}
	if ValidAPIType("azure") || ValidAPIType("") {
		t.Error("ValidAPIType accepts an unknown type")
	}
}

// HasVersion (targets) and APIRoot (providers) read a base URL's version
// suffix the same way: one rule, alpha and beta versions included.
func TestVersionSuffix(t *testing.T) {
	for base, want := range map[string]bool{
		"https://a.example":             false,
		"https://a.example/api/v3":      true,
		"https://a.example/v1beta":      true,
		"https://a.example/api/v4alpha": true,
		"https://a.example/v1x":         false,
	} {
		if got := HasVersion(base); got != want {
			t.Errorf("HasVersion(%q) = %v", base, got)
		}
	}
	for in, want := range map[string]string{
		"https://x.com":               "https://x.com/v1",
		"https://x.com/api":           "https://x.com/api/v1",
		"https://x.com/api/coding/v3": "https://x.com/api/coding/v3",
		"https://x.com/v1beta2":       "https://x.com/v1beta2",
		"https://x.com/v1alpha":       "https://x.com/v1alpha",
		"https://x.com/":              "https://x.com/v1",
	} {
		if got := APIRoot(in, "v1"); got != want {
			t.Errorf("APIRoot(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://Relay.Example:8443/v1?x=1": "https://relay.example:8443",
		"HTTP://a.example/b":                "http://a.example",
		"/no/host":                          "",
	} {
		if got := OriginOf(in); got != want {
			t.Errorf("OriginOf(%q) = %q, want %q", in, got, want)
		}
	}
}
