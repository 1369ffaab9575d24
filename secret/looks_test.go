package secret

import (
	"strings"
	"testing"
)

func TestLooksLikeKey(t *testing.T) {
	for _, s := range []string{
		"sk-test-LEAKCANARY-7f3a9b2c",
		"sk-ant-api03-AbCdEfGh012345678901234567890",
		"sk-proj-abcdefghij0123456789",
		"AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW",
		"ghp_0123456789abcdefABCDEF0123456789abcd",
		"Xk29fLq0ZpR7mT4vB8nW3yH6",                  // random, mixed case and digits
		"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",  // a long hex token
		"sk-or-v1-0123456789abcdef0123456789abcdef", // OpenRouter
		"sk-ant-admin01-AbCdEfGh0123456789",
		"AGE-SECRET-KEY-1QQPZRY9X8GF2TVDW0S3JN54KHCE6MUA7LQQPZRY9X8GF2TVDW0S3JN54K", // an age identity (test data)
	} {
		if !LooksLikeKey(s) {
			t.Errorf("LooksLikeKey(%q) = false", s)
		}
	}
	for _, s := range []string{
		"", "sk-", "sk-...", "hello", "claude-sonnet-4-5-20250929", "gpt-4o-mini-2024-07-18",
		"https://relay.example.com/v1", "OPENAI_API_KEY", "123e4567-e89b-12d3-a456-426614174000",
		"openai-compatible", "ANTHROPIC_AUTH_TOKEN", "generateContentStreamingResponse",
		"sk-test", "(sensitive value)",
	} {
		if LooksLikeKey(s) {
			t.Errorf("LooksLikeKey(%q) = true", s)
		}
	}
}

func TestContainsKeyLike(t *testing.T) {
	for _, s := range []string{"Bearer sk-test-LEAKCANARY-7f3a9b2c", "https://relay.example.com/v1?key=AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW", "sk-test-LEAKCANARY-7f3a9b2c"} {
		if !ContainsKeyLike(s) {
			t.Errorf("ContainsKeyLike(%q) = false", s)
		}
	}
	for _, s := range []string{"", "https://relay.example.com/v1", "claude-sonnet-4-5-20250929", "123e4567-e89b-12d3-a456-426614174000", "call env(\"OPENAI_API_KEY\")", "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"} {
		if ContainsKeyLike(s) {
			t.Errorf("ContainsKeyLike(%q) = true", s)
		}
	}
}

func TestRedactKeyLike(t *testing.T) {
	in := `  apikey = "sk-test-LEAKCANARY-7f3a9b2c" # model claude-sonnet-4-5, token=Xk29fLq0ZpR7mT4vB8nW3yH6.`
	want := `  apikey = "` + Placeholder + `" # model claude-sonnet-4-5, token=` + Placeholder + `.`
	if got := RedactKeyLike(in); got != want {
		t.Errorf("RedactKeyLike:\n got %s\nwant %s", got, want)
	}
}

func TestSensitiveName(t *testing.T) {
	for _, n := range []string{"api_key", "apikey", "API_KEY", "key", "token", "password", "passphrase", "relay_key", "secret", "auth_token", "management_key", "client_secret", "passwd", "api-key"} {
		if !SensitiveName(n) {
			t.Errorf("SensitiveName(%q) = false", n)
		}
	}
	for _, n := range []string{"key_mode", "key_env", "base_url", "model", "credential", "max_tokens", "name", "default", "sensitive", "type", "monkey"} {
		if SensitiveName(n) {
			t.Errorf("SensitiveName(%q) = true", n)
		}
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, ünïcode ✓":           "plain text, ünïcode ✓",
		"\x1b[2J\x1b[H cleared":           `\x1b[2J\x1b[H cleared`,
		"\x1b]0;pwned\x07title":           `\x1b]0;pwned\x07title`,
		"\x1b[32m✓ all keys valid\x1b[0m": `\x1b[32m✓ all keys valid\x1b[0m`,
		"two\nlines\tand\rreturn":         "two lines and return",
		"c1 \u009b31m csi":                `c1 \u009b31m csi`,
		"bidi \u202egnp.exe":              `bidi \u202egnp.exe`,
		"bad utf8 \xff end":               "bad utf8 \ufffd end",
		"del \x7f":                        `del \x7f`,
	} {
		got := Printable(in)
		if got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
		if strings.ContainsAny(got, "\x1b\x07\n\r\t\u009b\u202e") {
			t.Errorf("Printable(%q) kept a control character: %q", in, got)
		}
	}
}
