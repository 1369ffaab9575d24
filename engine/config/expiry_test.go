package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/config"
)

const expiringCred = `
credential "relay" {
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = "sk-test-expiry-1234"
  expires  = %s
}
`

func TestExpires(t *testing.T) {
	for in, want := range map[string]credential.Expiry{
		`"2026-12-31"`:                {At: time.Date(2026, 12, 31, 0, 0, 0, 0, time.Local), DateOnly: true},
		`"2026-12-31T18:00:00+08:00"`: {At: time.Date(2026, 12, 31, 10, 0, 0, 0, time.UTC)},
		`null`:                        {},
	} {
		cfg, diags := load(t, map[string]string{"hub.hcl": strings.Replace(expiringCred, "%s", in, 1)}, config.Options{})
		if diags.HasErrors() {
			t.Fatalf("%s: %v", in, diags)
		}
		got := cfg.Credentials["relay"].Expires
		if !got.At.Equal(want.At) || got.DateOnly != want.DateOnly {
			t.Errorf("expires = %s: %+v, want %+v", in, got, want)
		}
		if cfg.ExpiryWarning != credential.DefaultExpiryWarning {
			t.Errorf("expiry_warning without a hub block: %s", cfg.ExpiryWarning)
		}
	}
}

func TestExpiresInvalid(t *testing.T) {
	for in, want := range map[string]string{
		`"31.12.2026"`:   `hub.hcl:6,14-26: Invalid expiry; Credential "relay": The expiry "31.12.2026" is neither a day like "2026-12-31" nor an RFC 3339 time`,
		`""`:             `Credential "relay": The expiry is empty`,
		`20261231`:       `Invalid expiry; Credential "relay": The expiry "20261231" is neither`,
		`["2026-12-31"]`: `Inappropriate value for attribute "expires"`,
	} {
		_, diags := load(t, map[string]string{"hub.hcl": strings.Replace(expiringCred, "%s", in, 1)}, config.Options{})
		if !strings.Contains(diags.Error(), want) {
			t.Errorf("expires = %s: %v\nwant %q", in, diags, want)
		}
	}
}

func TestExpiryWarning(t *testing.T) {
	body := strings.Replace(expiringCred, "%s", `"2026-12-31"`, 1)
	for in, want := range map[string]time.Duration{`"14d"`: 14 * 24 * time.Hour, `"0d"`: 0} {
		cfg, diags := load(t, map[string]string{"hub.hcl": "hub {\n  expiry_warning = " + in + "\n}\n" + body}, config.Options{})
		if diags.HasErrors() {
			t.Fatalf("%s: %v", in, diags)
		}
		if cfg.ExpiryWarning != want {
			t.Errorf("expiry_warning = %s: %s", in, cfg.ExpiryWarning)
		}
	}
	for _, in := range []string{`"7"`, `"1w"`, `"-1d"`, `"400d"`, `"d"`} {
		_, diags := load(t, map[string]string{"hub.hcl": "hub {\n  expiry_warning = " + in + "\n}\n" + body}, config.Options{})
		if want := "Invalid expiry warning; The hub block's expiry_warning " + strings.Trim(in, `"`); !strings.Contains(diags.Error(), strings.Replace(want, "expiry_warning ", "expiry_warning \"", 1)) {
			t.Errorf("expiry_warning = %s: %v", in, diags)
		}
	}
}
