package export_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/export"
	"github.com/hubctl/hub/engine/importer"
	"github.com/hubctl/hub/engine/importer/allapihub"
	"github.com/hubctl/hub/secret"
)

// updating is -update, which the package's internal tests define (one
// test binary holds both, and a flag may be defined once).
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

var pinned = func() time.Time { return time.Date(2026, 8, 1, 12, 30, 0, 123e6, time.UTC) }

// fixture are credentials as configuration loading gives them.
func fixture() []*credential.Credential {
	return []*credential.Credential{
		{ID: "relay", Name: "My relay", APIType: credential.OpenAICompatible, BaseURL: "https://relay.example.com/api",
			Key: secret.New("sk-test-relay-0001"), Models: []string{"gpt-5", " claude-sonnet-4-5"}, Discovered: []string{"gpt-5", "deepseek-chat"},
			Tags: []string{"work", "cheap relays"}, Notes: "team key",
			// A day picked at UTC+8: its midnight is 16:00 UTC the day before.
			Expires: credential.Expiry{At: time.Date(2026, 12, 31, 0, 0, 0, 0, time.FixedZone("UTC+8", 8*3600)), DateOnly: true},
			Usage:   credential.Usage{Method: "custom", Endpoint: "/api/usage/self", Paths: credential.UsagePaths{Balance: "data.balance", TodayCost: "data.today.cost", TodayRequests: "data.today.requests", TodayTokens: "data.today.tokens"}}},
		{ID: "claude", Name: "Claude direct", APIType: credential.Anthropic, BaseURL: "https://api.anthropic.com",
			Key: secret.New("sk-test-ant-0002"), Models: []string{"claude-opus-4-1"}, Tags: []string{"work"}, Usage: credential.Usage{Method: "sub2api"}},
		{ID: "gemini", Name: "Gemini", APIType: credential.Google, BaseURL: "https://generativelanguage.googleapis.com",
			Key: secret.New("sk-test-gem-0003"), Discovered: []string{"gemini-2.5-flash"}, Notes: "free tier", Usage: credential.Usage{Method: "disabled"}},
		{ID: "oai", Name: "OpenAI", APIType: credential.OpenAI, BaseURL: "https://api.openai.com",
			Key: secret.New("sk-test-oai-0004"), Models: []string{"gpt-5"},
			Usage: credential.Usage{Method: "custom", Endpoint: "https://stats.example.net/usage?team=a", Token: secret.New("sk-test-usage-token"), Paths: credential.UsagePaths{Balance: "balance"}}},
		{ID: "volc", Name: "Volc", APIType: credential.OpenAICompatible, BaseURL: "https://ark.example.com/api/coding/v3",
			Key: secret.New("sk-test-volc-0005"), Models: []string{"doubao"}, Usage: credential.Usage{Method: "newapi"}},
		{ID: "lan", Name: "LAN box", APIType: credential.OpenAICompatible, BaseURL: "http://192.168.1.10:3000", Insecure: true,
			Key: secret.New("sk-test-lan-0006"), Models: []string{"qwen"}, Usage: credential.Usage{Method: "openai_billing"}},
	}
}

func write(t *testing.T, format string, creds []*credential.Credential, o export.Options) ([]byte, error) {
	t.Helper()
	f, err := export.Lookup(format)
	if err != nil {
		t.Fatal(err)
	}
	if o.Now == nil {
		o.Now = pinned
	}
	return f.Write(creds, o)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updating() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs (-want +got):\n%s", name, d)
	}
}

// kiloV7 is the Kilo 7 file as All API Hub's KiloCodeV7SettingsFile.
type kiloV7 struct {
	Meta struct {
		Version    int    `json:"version"`
		ExportedAt string `json:"exportedAt"`
	} `json:"_meta"`
	Provider map[string]struct {
		Name    string                       `json:"name"`
		NPM     string                       `json:"npm"`
		Models  map[string]map[string]string `json:"models"`
		Options map[string]string            `json:"options"`
	} `json:"provider"`
	Model string `json:"model"`
}

func decodeStrict(t *testing.T, data []byte, v any) {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		t.Fatalf("decode: %v\n%s", err, data)
	}
}

func TestKiloV7(t *testing.T) {
	creds := fixture()[:5]
	got, err := write(t, "kilo", creds, export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "kilo-settings.json", got)

	var f kiloV7
	decodeStrict(t, got, &f)
	if f.Meta.Version != 1 || f.Meta.ExportedAt != "2026-08-01T12:30:00.123Z" {
		t.Errorf("_meta = %+v", f.Meta)
	}
	if len(f.Provider) != len(creds) {
		t.Fatalf("%d providers, want %d", len(f.Provider), len(creds))
	}
	idRE := regexp.MustCompile(`^[a-z0-9][a-z0-9-]*-[0-9a-f]{8}$`)
	wantNPM := map[string]string{"My relay": "@ai-sdk/openai-compatible", "Claude direct": "@ai-sdk/anthropic", "Gemini": "@ai-sdk/google", "OpenAI": "@ai-sdk/openai", "Volc": "@ai-sdk/openai-compatible"}
	wantBase := map[string]string{"My relay": "https://relay.example.com/api/v1", "Claude direct": "https://api.anthropic.com/v1",
		"Gemini": "https://generativelanguage.googleapis.com/v1beta", "OpenAI": "https://api.openai.com/v1", "Volc": "https://ark.example.com/api/coding/v3"}
	firstID := ""
	for id, p := range f.Provider {
		if !idRE.MatchString(id) {
			t.Errorf("provider id %q is not settings-safe", id)
		}
		if p.NPM != wantNPM[p.Name] || p.Options["baseURL"] != wantBase[p.Name] {
			t.Errorf("provider %s (%s): npm %s, baseURL %s", id, p.Name, p.NPM, p.Options["baseURL"])
		}
		if !strings.HasPrefix(p.Options["apiKey"], "sk-test-") {
			t.Errorf("provider %s: apiKey not the key", id)
		}
		for m, v := range p.Models {
			if v["name"] != m {
				t.Errorf("provider %s: model %s named %q", id, m, v["name"])
			}
		}
		if p.Name == "My relay" {
			firstID = id
		}
	}
	relay := f.Provider[firstID]
	var ms []string
	for m := range relay.Models {
		ms = append(ms, m)
	}
	slices.Sort(ms)
	if want := []string{"claude-sonnet-4-5", "deepseek-chat", "gpt-5"}; !slices.Equal(ms, want) {
		t.Errorf("relay models = %v, want %v (configured plus discovered, trimmed, deduplicated)", ms, want)
	}
	// Sorted in the file too (code point order).
	if i, j := bytes.Index(got, []byte(`"claude-sonnet-4-5"`)), bytes.Index(got, []byte(`"gpt-5"`)); i < 0 || j < i {
		t.Errorf("models not in sorted order in the file")
	}
	// The default: the first model of the first credential.
	if f.Model != firstID+"/claude-sonnet-4-5" {
		t.Errorf("model = %q, want %s/claude-sonnet-4-5", f.Model, firstID)
	}

	// The ids are stable across exports.
	again, _ := write(t, "kilo", creds, export.Options{})
	if !bytes.Equal(got, again) {
		t.Error("a second export differs")
	}
}

func TestKiloDefaultModel(t *testing.T) {
	creds := fixture()[:5]
	for _, tc := range []struct{ model, wantName, wantModel string }{
		{"gpt-5", "My relay", "gpt-5"},
		{"oai/gpt-5", "OpenAI", "gpt-5"},
		{"gemini-2.5-flash", "Gemini", "gemini-2.5-flash"},
	} {
		got, err := write(t, "kilo", creds, export.Options{Model: tc.model})
		if err != nil {
			t.Fatalf("--model %s: %v", tc.model, err)
		}
		var f kiloV7
		decodeStrict(t, got, &f)
		id, m, _ := strings.Cut(f.Model, "/")
		if f.Provider[id].Name != tc.wantName || m != tc.wantModel {
			t.Errorf("--model %s: model = %s (provider %q)", tc.model, f.Model, f.Provider[id].Name)
		}
	}
	for _, bad := range []string{"nope", "oai/claude-opus-4-1"} {
		if _, err := write(t, "kilo", creds, export.Options{Model: bad}); err == nil || !strings.Contains(err.Error(), "--model "+bad) {
			t.Errorf("--model %s: err = %v", bad, err)
		}
	}
}

func TestKiloUnhappy(t *testing.T) {
	noModels := fixture()[0]
	noModels.Models, noModels.Discovered = nil, nil
	if _, err := write(t, "kilo", []*credential.Credential{noModels}, export.Options{}); err == nil || !strings.Contains(err.Error(), "credential relay has no models") {
		t.Errorf("no models: err = %v", err)
	}
	odd := fixture()[0]
	odd.APIType = "azure"
	if _, err := write(t, "kilo", []*credential.Credential{odd}, export.Options{}); err == nil || !strings.Contains(err.Error(), `api_type "azure"`) {
		t.Errorf("unknown type: err = %v", err)
	}
	// Over Kilo's 1 MiB import limit.
	big := fixture()[0]
	big.Discovered = nil
	for i := range 30000 {
		big.Discovered = append(big.Discovered, strings.Repeat("m", 20)+"-"+string(rune('a'+i%26))+strings.Repeat("x", i%7)+"-"+itoa(i))
	}
	_, err := write(t, "kilo", []*credential.Credential{big}, export.Options{})
	if err == nil || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("over 1 MiB: err = %v", err)
	}
	for _, c := range fixture() {
		if err != nil && strings.Contains(err.Error(), c.Key.Reveal()) {
			t.Errorf("an error holds a key")
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestKiloNamesUnique(t *testing.T) {
	a := fixture()[0]
	b := fixture()[4]
	b.Name = a.Name
	c := fixture()[4]
	c.ID, c.Name = "volc2", a.Name
	got, err := write(t, "kilo", []*credential.Credential{a, b, c}, export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var f kiloV7
	decodeStrict(t, got, &f)
	var names []string
	for _, p := range f.Provider {
		names = append(names, p.Name)
	}
	slices.Sort(names)
	want := []string{"My relay (ark.example.com) #1", "My relay (ark.example.com) #2", "My relay (relay.example.com)"}
	if !slices.Equal(names, want) {
		t.Errorf("names = %q, want %q", names, want)
	}
}

func TestKiloLegacy(t *testing.T) {
	creds := []*credential.Credential{fixture()[0], fixture()[3], fixture()[4]}
	got, err := write(t, "kilo", creds, export.Options{Legacy: true})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "kilo-code-settings.json", got)
	var f struct {
		ProviderProfiles struct {
			CurrentAPIConfigName string                       `json:"currentApiConfigName"`
			APIConfigs           map[string]map[string]string `json:"apiConfigs"`
		} `json:"providerProfiles"`
	}
	decodeStrict(t, got, &f)
	pp := f.ProviderProfiles
	if pp.CurrentAPIConfigName != "My relay" {
		t.Errorf("currentApiConfigName = %q", pp.CurrentAPIConfigName)
	}
	want := map[string]map[string]string{
		"My relay": {"apiProvider": "openai", "openAiBaseUrl": "https://relay.example.com/api/v1", "openAiApiKey": "sk-test-relay-0001", "openAiModelId": "claude-sonnet-4-5"},
		"OpenAI":   {"apiProvider": "openai", "openAiBaseUrl": "https://api.openai.com/v1", "openAiApiKey": "sk-test-oai-0004", "openAiModelId": "gpt-5"},
		"Volc":     {"apiProvider": "openai", "openAiBaseUrl": "https://ark.example.com/api/coding/v3", "openAiApiKey": "sk-test-volc-0005", "openAiModelId": "doubao"},
	}
	uuidRE := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	for name, c := range pp.APIConfigs {
		if !uuidRE.MatchString(c["id"]) {
			t.Errorf("%s: id %q is not a UUID", name, c["id"])
		}
		delete(c, "id")
	}
	if d := cmp.Diff(want, pp.APIConfigs); d != "" {
		t.Errorf("apiConfigs (-want +got):\n%s", d)
	}
	// --model sets every profile's model; a credential without one has none.
	bare := fixture()[4]
	bare.Models = nil
	got, err = write(t, "kilo", []*credential.Credential{fixture()[0], bare}, export.Options{Legacy: true, Model: "gpt-5"})
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(got, []byte(`"openAiModelId": "gpt-5"`)); n != 2 {
		t.Errorf("--model in %d profiles, want 2", n)
	}
	got, _ = write(t, "kilo", []*credential.Credential{bare}, export.Options{Legacy: true})
	if bytes.Contains(got, []byte("openAiModelId")) {
		t.Errorf("a credential without models got openAiModelId:\n%s", got)
	}
	// Anthropic and Google do not fit an OpenAI-compatible profile.
	for _, c := range []*credential.Credential{fixture()[1], fixture()[2]} {
		if _, err := write(t, "kilo", []*credential.Credential{c}, export.Options{Legacy: true}); err == nil || !strings.Contains(err.Error(), "legacy") {
			t.Errorf("%s: err = %v", c.APIType, err)
		}
	}
}

func TestAllAPIHubGolden(t *testing.T) {
	got, err := write(t, "all-api-hub", fixture(), export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "all-api-hub-backup.json", got)
	var top map[string]any
	decodeStrict(t, got, &top)
	for _, k := range []string{"accounts", "preferences", "channelConfigs"} {
		if _, ok := top[k]; ok {
			t.Errorf("the backup has %s: a plain import would replace the user's", k)
		}
	}
}

// asResult is what hub import should make of creds: no id (import names
// them), no models (a profile has none), the same source as Parse says.
func asResult(creds []*credential.Credential) importer.Result {
	r := importer.Result{Source: "test"}
	for _, c := range creds {
		cc := *c
		cc.ID, cc.Models, cc.Discovered = "", nil, nil
		cc.Expires = credential.Expiry{} // import reads it into Found.Expires
		r.Found = append(r.Found, importer.Found{Source: "all-api-hub profile " + c.Name, Credential: &cc, Expires: c.Expires.Day(time.Local)})
	}
	return r
}

// hcl is what hub import writes for r; keys are read by expressions, so
// they are compared apart.
func hcl(t *testing.T, r importer.Result) string {
	t.Helper()
	o := importer.Build([]importer.Result{r}, importer.Existing{}, importer.Filter{}, func(id string) string { return `secret("` + id + `")` })
	for i := range o.Creds {
		if !o.Creds[i].C.Usage.Token.IsZero() {
			o.Creds[i].UsageTokenExpr = `secret("` + o.Creds[i].ID + `-usage-token")`
		}
	}
	out, err := importer.WriteHCL(o.Creds, o.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func secrets(r importer.Result) []string {
	var out []string
	for _, f := range r.Found {
		out = append(out, f.Credential.Name+"="+f.Credential.Key.Reveal()+"/"+f.Credential.Usage.Token.Reveal())
	}
	return out
}

func TestAllAPIHubRoundTrip(t *testing.T) {
	creds := fixture()
	want := asResult(creds)
	for _, tc := range []struct {
		name string
		o    export.Options
		pw   func() (string, error)
	}{
		{"plain", export.Options{}, nil},
		{"encrypted", export.Options{Encrypt: true, Password: func() (string, error) { return "test-backup-password ünï", nil }},
			func() (string, error) { return "test-backup-password ünï", nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := write(t, "all-api-hub", creds, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if tc.o.Encrypt {
				if bytes.Contains(data, []byte("sk-test")) {
					t.Fatal("the encrypted backup holds a key in the clear")
				}
				var e map[string]any
				decodeStrict(t, data, &e)
				if e["type"] != "all-api-hub-webdav-backup-encrypted" || e["v"] != 1.0 || e["kdf"] != "PBKDF2" || e["cipher"] != "AES-GCM" || e["iter"] != 250000.0 {
					t.Errorf("envelope = %v", e)
				}
				for k, n := range map[string]int{"salt": 16, "iv": 12} {
					b, err := base64.StdEncoding.DecodeString(e[k].(string))
					if err != nil || len(b) != n {
						t.Errorf("%s: %d bytes (%v), want %d", k, len(b), err, n)
					}
				}
				again, _ := write(t, "all-api-hub", creds, tc.o)
				if bytes.Equal(again, data) {
					t.Error("two encryptions are the same: salt and iv are not random")
				}
				if _, err := allapihub.Parse(data, "test", func() (string, error) { return "wrong", nil }); !errors.Is(err, allapihub.ErrWrongPassword) {
					t.Errorf("wrong password: %v", err)
				}
			}
			got, err := allapihub.Parse(data, "test", tc.pw)
			if err != nil {
				t.Fatal(err)
			}
			// Only the plain-http credential is worth a word (it was
			// insecure = true in hub too).
			if len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "LAN box uses plain http") || len(got.Skipped) > 0 {
				t.Errorf("warnings %q, skipped %v", got.Warnings, got.Skipped)
			}
			if d := cmp.Diff(secrets(want), secrets(got)); d != "" {
				t.Errorf("keys differ (-want +got):\n%s", d)
			}
			wantHCL, gotHCL := hcl(t, want), hcl(t, got)
			if d := cmp.Diff(wantHCL, gotHCL); d != "" {
				t.Errorf("hub import HCL differs (-want +got):\n%s", d)
			}
			for _, s := range []string{`tags     = ["work", "cheap relays"]`, `expires  = "2026-12-31"`, `method         = "custom"`, `token    = secret("openai-usage-token")`, `insecure = true`, `notes    = "free tier"`} {
				if !strings.Contains(gotHCL, s) {
					t.Errorf("HCL lacks %s:\n%s", s, gotHCL)
				}
			}
		})
	}
}

func TestAllAPIHubUnhappy(t *testing.T) {
	if _, err := write(t, "all-api-hub", fixture(), export.Options{Encrypt: true}); err == nil {
		t.Error("--encrypt without a password: no error")
	}
	empty := func() (string, error) { return "", nil }
	if _, err := write(t, "all-api-hub", fixture(), export.Options{Encrypt: true, Password: empty}); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty password: %v", err)
	}
	odd := fixture()[0]
	odd.APIType = "azure"
	if _, err := write(t, "all-api-hub", []*credential.Credential{odd}, export.Options{}); err == nil || !strings.Contains(err.Error(), `"azure"`) {
		t.Errorf("unknown type: %v", err)
	}
}

// An RFC 3339 expiry goes to All API Hub as the local day it falls on (the
// extension keeps days), and comes back from hub import as that day.
func TestAllAPIHubExpiryInstant(t *testing.T) {
	c := *fixture()[0]
	at := time.Date(2027, 3, 4, 18, 30, 0, 0, time.Local)
	c.Expires = credential.Expiry{At: at}
	data, err := write(t, "all-api-hub", []*credential.Credential{&c}, export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2027, 3, 4, 0, 0, 0, 0, time.Local).UnixMilli()
	if !bytes.Contains(data, []byte(`"expiresAt": `+strconv.FormatInt(want, 10)+`,`)) {
		t.Errorf("expiresAt is not the local midnight %d:\n%s", want, data)
	}
	got, err := allapihub.Parse(data, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Found) != 1 || got.Found[0].Expires != "2027-03-04" {
		t.Errorf("imported back: %+v", got.Found)
	}
	// No expiry: no expiresAt.
	c.Expires = credential.Expiry{}
	if data, _ := write(t, "all-api-hub", []*credential.Credential{&c}, export.Options{}); bytes.Contains(data, []byte("expiresAt")) {
		t.Errorf("expiresAt without an expiry:\n%s", data)
	}
}
