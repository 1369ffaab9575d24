package credential

import (
	"errors"
	"strings"
	"testing"
)

func TestValidUsagePath(t *testing.T) {
	for _, p := range []string{"balance", "data.balance", " data . today . cost ", "a-b.c_d"} {
		if err := ValidUsagePath(p); err != nil {
			t.Errorf("ValidUsagePath(%q) = %v", p, err)
		}
	}
	for _, p := range []string{"", "  ", ".balance", "data..balance", "data.", "data. .x", "data[0].x", "items.*.cost"} {
		if err := ValidUsagePath(p); err == nil {
			t.Errorf("ValidUsagePath(%q) = nil, want an error", p)
		}
	}
	if got := strings.Join(UsagePathSegments(" data . cost"), "|"); got != "data|cost" {
		t.Errorf("segments = %q", got)
	}
}

func TestUsageEndpoint(t *testing.T) {
	for _, e := range []string{"/api/usage", "/u?x=1", "https://stats.example/u", "http://127.0.0.1:8080/u"} {
		if err := CheckUsageEndpoint(e); err != nil {
			t.Errorf("CheckUsageEndpoint(%q) = %v", e, err)
		}
	}
	for _, e := range []string{"", "//evil.example/u", "ftp://x.example/u", "javascript:alert(1)", "api/usage", "https://", "https://u:p@x.example/u", "/a b", `/\evil.example`} {
		if err := CheckUsageEndpoint(e); err == nil {
			t.Errorf("CheckUsageEndpoint(%q) = nil, want an error", e)
		}
	}
	// Plain http to another host would carry the usage token in clear.
	if _, _, err := ResolveUsageEndpoint("https://relay.example", "http://stats.example/u"); !errors.Is(err, ErrInsecureURL) {
		t.Errorf("http endpoint from an https base: %v", err)
	}
	if _, same, err := ResolveUsageEndpoint("http://relay.example", "http://stats.example/u"); err != nil || same {
		t.Errorf("http endpoint from an insecure base: %v %v", same, err)
	}
}
