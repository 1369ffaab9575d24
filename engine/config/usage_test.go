package config_test

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/secret"
)

// usageCred is a credential whose usage block body starts on line 6.
func usageCred(body string) string {
	return `credential "relay" {
  api_type = "openai-compatible"
  base_url = "https://relay.example.com/api-prefix"
  api_key  = "sk-test-literal"
  usage {
` + body + `  }
}
`
}

func TestUsageBlock(t *testing.T) {
	env := map[string]string{"STATS_TOKEN": "tok-test-stats-secret"}
	for _, tc := range []struct {
		name string
		body string
		want credential.Usage
	}{
		{"default", "", credential.Usage{Method: "auto"}},
		{"disabled", "    method = \"disabled\"\n", credential.Usage{Method: "disabled"}},
		{"custom same origin", "    method = \"custom\"\n    endpoint = \"/api/user/balance\"\n    balance = \"data.balance\"\n",
			credential.Usage{Method: "custom", Endpoint: "/api/user/balance", Paths: credential.UsagePaths{Balance: "data.balance"}}},
		{"custom absolute same origin", "    method = \"custom\"\n    endpoint = \"https://RELAY.example.com/u\"\n    today_cost = \"today.cost\"\n",
			credential.Usage{Method: "custom", Endpoint: "https://RELAY.example.com/u", Paths: credential.UsagePaths{TodayCost: "today.cost"}}},
		{"custom other origin with token", "    method = \"custom\"\n    endpoint = \"https://stats.example.com/v1/usage\"\n    token = env(\"STATS_TOKEN\")\n    today_requests = \"usage.today.requests\"\n    today_tokens = \" usage . today . tokens \"\n",
			credential.Usage{Method: "custom", Endpoint: "https://stats.example.com/v1/usage", Token: secret.New("tok-test-stats-secret"), Paths: credential.UsagePaths{TodayRequests: "usage.today.requests", TodayTokens: " usage . today . tokens "}}},
		{"custom other origin without token", "    method = \"custom\"\n    endpoint = \"https://stats.example.com/u\"\n    balance = \"b\"\n",
			credential.Usage{Method: "custom", Endpoint: "https://stats.example.com/u", Paths: credential.UsagePaths{Balance: "b"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, diags := load(t, map[string]string{"hub.hcl": usageCred(tc.body)}, config.Options{Env: env})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			u := cfg.Credentials["relay"].Usage
			if u != tc.want {
				t.Fatalf("usage = %+v, want %+v", u, tc.want)
			}
			if !tc.want.Token.IsZero() && !slices.Contains(cfg.Secrets, tc.want.Token.Reveal()) {
				t.Errorf("the usage token is not among the secrets %v", cfg.Secrets)
			}
		})
	}
}

// Every case is an invalid usage block; each wanted string must appear in
// some diagnostic's "file:line:column: summary detail", and the token never.
func TestUsageDiagnostics(t *testing.T) {
	const token = "tok-test-stats-secret"
	env := map[string]string{"STATS_TOKEN": token}
	for _, tc := range []struct {
		name string
		body string
		want []string
	}{
		{"custom without endpoint", "    method = \"custom\"\n    balance = \"data.balance\"\n",
			[]string{"hub.hcl:5:3: Missing usage endpoint", `add endpoint = "/api/...`}},
		{"custom without mapping", "    method = \"custom\"\n    endpoint = \"/api/usage\"\n",
			[]string{"hub.hcl:5:3: Missing usage mapping", "at least one of balance, today_cost, today_requests or today_tokens"}},
		{"empty path segment", "    method = \"custom\"\n    endpoint = \"/api/usage\"\n    balance = \"data..balance\"\n",
			[]string{"hub.hcl:8:15: Invalid usage path", `"data..balance" has an empty segment`, `like "data.balance"`}},
		{"array index", "    method = \"custom\"\n    endpoint = \"/api/usage\"\n    today_cost = \"data[0].cost\"\n",
			[]string{"hub.hcl:8:18: Invalid usage path", "no array indexes"}},
		{"empty path", "    method = \"custom\"\n    endpoint = \"/api/usage\"\n    today_tokens = \"\"\n",
			[]string{"hub.hcl:8:20: Invalid usage path", "the path is empty"}},
		{"protocol-relative endpoint", "    method = \"custom\"\n    endpoint = \"//evil.example/u\"\n    balance = \"b\"\n",
			[]string{"hub.hcl:7:16: Invalid usage endpoint", "protocol-relative"}},
		{"other scheme", "    method = \"custom\"\n    endpoint = \"ftp://stats.example/u\"\n    balance = \"b\"\n",
			[]string{"hub.hcl:7:16: Invalid usage endpoint", `scheme "ftp"`}},
		{"relative without slash", "    method = \"custom\"\n    endpoint = \"api/usage\"\n    balance = \"b\"\n",
			[]string{"hub.hcl:7:16: Invalid usage endpoint", `write "/api/usage"`}},
		{"plain http elsewhere", "    method = \"custom\"\n    endpoint = \"http://stats.example.com/u\"\n    token = env(\"STATS_TOKEN\")\n    balance = \"b\"\n",
			[]string{"hub.hcl:7:16: Invalid usage endpoint", "plain http"}},
		{"token with a relative endpoint", "    method = \"custom\"\n    endpoint = \"/api/usage\"\n    token = env(\"STATS_TOKEN\")\n    balance = \"b\"\n",
			[]string{"hub.hcl:8:5: Usage token on the credential's own origin", "sends the api_key there", "token is only sent to an endpoint on another origin"}},
		{"token with a same-origin URL", "    method = \"custom\"\n    endpoint = \"https://relay.example.com/u?x=1\"\n    token = env(\"STATS_TOKEN\")\n    balance = \"b\"\n",
			[]string{"hub.hcl:8:5: Usage token on the credential's own origin", "https://relay.example.com/u "}},
		{"endpoint with newapi", "    method = \"newapi\"\n    endpoint = \"/api/usage\"\n",
			[]string{"hub.hcl:7:5: Argument only for the custom usage method", `method "newapi", which does not read endpoint`, `Remove endpoint, or set method = "custom"`}},
		{"mapping and token without method", "    token = env(\"STATS_TOKEN\")\n    balance = \"data.balance\"\n",
			[]string{"hub.hcl:6:5: Argument only for the custom usage method", `method "auto" (the default), which does not read token`, "hub.hcl:7:5:", "does not read balance"}},
		{"unknown method", "    method = \"costum\"\n",
			[]string{"hub.hcl:6:14: Unknown usage method", `Did you mean "custom"?`}},
		{"typo in an argument", "    method = \"custom\"\n    endpoint = \"/u\"\n    balence = \"b\"\n",
			[]string{"hub.hcl:8:5: Unsupported argument", `Did you mean "balance"?`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := load(t, map[string]string{"hub.hcl": usageCred(tc.body)}, config.Options{Env: env})
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			var all []string
			for _, d := range diags {
				s := d.Summary + " " + d.Detail
				if d.Subject != nil {
					s = filepath.Base(d.Subject.Filename) + ":" + strconv.Itoa(d.Subject.Start.Line) + ":" + strconv.Itoa(d.Subject.Start.Column) + ": " + s
				}
				all = append(all, s)
			}
			joined := strings.Join(all, "\n")
			for _, w := range tc.want {
				if !strings.Contains(joined, w) {
					t.Errorf("diagnostics do not contain %q:\n%s", w, joined)
				}
			}
			if strings.Contains(joined, token) {
				t.Errorf("diagnostics hold the usage token:\n%s", joined)
			}
			// A typo is reported once, without follow-up noise about the
			// mapping it failed to set.
			if tc.name == "typo in an argument" && strings.Contains(joined, "Missing usage mapping") {
				t.Errorf("follow-up diagnostic after a decoding error:\n%s", joined)
			}
		})
	}
}
