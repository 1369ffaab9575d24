package allapihub

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/hubctl/hub/engine/importer"
	"github.com/hubctl/hub/secret"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// snapshot is a Result as the golden files show it: secrets only as the
// start of their SHA-256, so no key is ever written to a snapshot.
type snapshot struct {
	Source   string            `json:"source"`
	Found    []foundView       `json:"found"`
	Skipped  []skippedView     `json:"skipped"`
	Warnings []string          `json:"warnings"`
	Targets  []importer.Target `json:"targets,omitempty"`
}

type foundView struct {
	Source   string     `json:"source"`
	Name     string     `json:"name"`
	APIType  string     `json:"api_type"`
	BaseURL  string     `json:"base_url"`
	Key      string     `json:"key_sha256"`
	Insecure bool       `json:"insecure,omitempty"`
	Tags     []string   `json:"tags"`
	Notes    string     `json:"notes"`
	Usage    *usageView `json:"usage,omitempty"`
	Expires  string     `json:"expires"`
}

type usageView struct {
	Method        string `json:"method"`
	Endpoint      string `json:"endpoint,omitempty"`
	Token         string `json:"token_sha256,omitempty"`
	Balance       string `json:"balance,omitempty"`
	TodayCost     string `json:"today_cost,omitempty"`
	TodayRequests string `json:"today_requests,omitempty"`
	TodayTokens   string `json:"today_tokens,omitempty"`
}

type skippedView struct {
	Source string `json:"source"`
	Why    string `json:"why"`
}

func fingerprint(s secret.Secret) string {
	if s.IsZero() {
		return ""
	}
	h := sha256.Sum256([]byte(s.Reveal()))
	return hex.EncodeToString(h[:6])
}

func render(t *testing.T, r importer.Result) []byte {
	t.Helper()
	s := snapshot{Source: r.Source, Targets: r.Targets, Warnings: r.Warnings}
	for _, f := range r.Found {
		c := f.Credential
		v := foundView{Source: f.Source, Name: c.Name, APIType: c.APIType, BaseURL: c.BaseURL, Key: fingerprint(c.Key),
			Insecure: c.Insecure, Tags: c.Tags, Notes: c.Notes, Expires: f.Expires}
		if c.ID != "" {
			t.Errorf("%s: ID %q set; import names credentials", f.Source, c.ID)
		}
		if u := c.Usage; u.Method != "" {
			v.Usage = &usageView{Method: u.Method, Endpoint: u.Endpoint, Token: fingerprint(u.Token), Balance: u.Paths.Balance,
				TodayCost: u.Paths.TodayCost, TodayRequests: u.Paths.TodayRequests, TodayTokens: u.Paths.TodayTokens}
		}
		s.Found = append(s.Found, v)
	}
	for _, k := range r.Skipped {
		s.Skipped = append(s.Skipped, skippedView(k))
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// TestGolden parses a backup of each version and compares the result with
// its golden file (go test -update rewrites them).
func TestGolden(t *testing.T) {
	for _, v := range backupVersions {
		t.Run(v, func(t *testing.T) {
			in := filepath.Join("testdata", "backup-"+v+".json")
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Parse(data, in, func() (string, error) {
				t.Error("asked for a password for a plain backup")
				return "", nil
			})
			if err != nil {
				t.Fatal(err)
			}
			got := render(t, r)
			golden := filepath.Join("testdata", "backup-"+v+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(string(want), string(got)); d != "" {
				t.Errorf("%s (-want +got):\n%s", golden, d)
			}
			noSecrets(t, got)
		})
	}
}

// noSecrets fails if any secret of the test backups shows in out.
func noSecrets(t *testing.T, out []byte) {
	t.Helper()
	for _, s := range []string{"sk-test", "test-access-token", "test-usage-token", "test-dav-password", "test-refresh-token", "test-cookie"} {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("output holds a secret (%s…)", s)
		}
	}
}

func TestVersions(t *testing.T) {
	for _, tc := range []struct {
		name, json string
		err        string // "" = no error
	}{
		{"no version is 1.0", `{"accounts": []}`, ""},
		{"1.0", `{"version": "1.0"}`, ""},
		{"4.0", `{"version": "4.0"}`, ""},
		{"newer string", `{"version": "5.0"}`, "backup version 5.0 is newer than this hub supports (5.0 > 4.0); update hub"},
		{"newer minor", `{"version": "4.1"}`, "newer than this hub supports (4.1 > 4.0); update hub"},
		{"newer number", `{"version": 6}`, "newer than this hub supports (6 > 4.0); update hub"},
		{"unknown", `{"version": "beta"}`, `backup version beta is not one hub reads (1.0, 2.0, 3.0, 4.0)`},
		{"older", `{"version": "0.9"}`, `backup version 0.9 is not one hub reads`},
		{"profiles 5", `{"version": "4.0", "apiCredentialProfiles": {"version": 5, "profiles": []}}`, ""},
		{"profiles 6", `{"version": "4.0", "apiCredentialProfiles": {"version": 6, "profiles": [
			{"name": "x", "apiType": "openai", "baseUrl": "https://x.example.com", "apiKey": "sk-test-x"}]}}`,
			"its API credential profiles are version 6, newer than this hub supports (6 > 5); update hub"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Parse([]byte(tc.json), "b.json", nil)
			if tc.err == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error = %v, want one containing %q", err, tc.err)
			}
			if !strings.HasPrefix(err.Error(), "all-api-hub backup b.json: ") {
				t.Errorf("error %q does not name the backup", err)
			}
			if len(r.Found) != 0 || len(r.Skipped) != 0 || len(r.Warnings) != 0 || r.Source != "" {
				t.Errorf("an error returned a result too: %+v", r)
			}
		})
	}
}

func TestMalformed(t *testing.T) {
	for _, tc := range []struct{ name, json, err string }{
		{"syntax", "{\n  \"version\": \"4.0\",\n  \"accounts\": [,]\n}", "not valid JSON at line 3:16"},
		{"cut short", "{\n  \"version\": \"4.0\",\n  \"apiCredentialProfiles\": {", "not valid JSON at line 3:28: the file ends in the middle of a value"},
		{"trailing", "{}\n{}", "line 2:1: more data after the JSON object"},
		{"empty", " \n", "the file is empty"},
		{"not an object", `[1, 2]`, "not an All API Hub backup: the JSON is not an object"},
		{"html", "<html>login</html>", "not valid JSON at line 1:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.json), "b.json", nil)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error = %v, want one containing %q", err, tc.err)
			}
		})
	}
}

// TestBOM reads a backup saved with a byte order mark.
func TestBOM(t *testing.T) {
	r, err := Parse([]byte("\xef\xbb\xbf"+`{"version": "4.0", "apiCredentialProfiles": {"version": 5, "profiles": [
		{"name": "x", "apiType": "openai", "baseUrl": "https://x.example.com", "apiKey": "sk-test-x"}]}}`), "b.json", nil)
	if err != nil || len(r.Found) != 1 {
		t.Fatalf("Parse = %+v, %v", r, err)
	}
}

func TestExpires(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{json.Number("1798646400000"), "2026-12-31"}, // local midnight, UTC+8
		{json.Number("1800000000000"), "2027-01-15"}, // UTC-8
		{json.Number("1788188400000"), "2026-09-01"}, // UTC+9
		{json.Number("1791590400000"), "2026-10-10"}, // UTC
		{json.Number("1791547200000"), "2026-10-10"}, // UTC+12
		{json.Number("1791543600000"), "2026-10-10"}, // UTC+13, New Zealand in summer
		{json.Number("1791626400000"), "2026-10-10"}, // UTC-10, Hawaii
		{json.Number("1791576000000"), "2026-10-10"}, // UTC+4
		{json.Number("1791608400000"), "2026-10-10"}, // UTC-5
		{"1791590400000", "2026-10-10"},
		{json.Number("0"), ""},
		{json.Number("-5"), ""},
		{"soon", ""},
		{nil, ""},
		{json.Number("1e300"), ""},
	} {
		if got := expires(tc.in); got != tc.want {
			t.Errorf("expires(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestPasswordFuncError: an encrypted backup without a way to ask for the
// password is an error, and the asking function's error is returned, wrapped.
func TestPasswordFuncError(t *testing.T) {
	env := encryptForTest(t, []byte(`{"version": "4.0"}`), "pw", 1000)
	boom := errors.New("no terminal")
	_, err := Parse(env, "b.json", func() (string, error) { return "", boom })
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "reading the backup password") {
		t.Fatalf("err = %v", err)
	}
	_, err = Parse(env, "b.json", nil)
	if err == nil || !strings.Contains(err.Error(), "encrypted and no password was given") {
		t.Fatalf("err = %v", err)
	}
}

// TestClip: values longer than engine/config allows are cut, on a
// character boundary, with a warning.
func TestClip(t *testing.T) {
	long := strings.Repeat("é", 200) // 400 bytes
	b, _ := json.Marshal(map[string]any{"version": "4.0",
		"tagStore": map[string]any{"tagsById": map[string]any{"t": map[string]any{"name": long}}},
		"apiCredentialProfiles": map[string]any{"version": 5, "profiles": []any{map[string]any{
			"name": long, "apiType": "openai", "baseUrl": "https://x.example.com", "apiKey": "sk-test-x",
			"notes": strings.Repeat("n", 5000), "tagIds": []any{"t"}}}}})
	r, err := Parse(b, "b", nil)
	if err != nil {
		t.Fatal(err)
	}
	c := r.Found[0].Credential
	if len(c.Name) != 256 || len(c.Notes) != 4096 || len(c.Tags) != 1 || len(c.Tags[0]) != 64 || !utf8.ValidString(c.Name) || !utf8.ValidString(c.Tags[0]) {
		t.Errorf("name %d, notes %d, tags %q", len(c.Name), len(c.Notes), c.Tags)
	}
	if len(r.Warnings) != 3 {
		t.Errorf("warnings = %q", r.Warnings)
	}
}
