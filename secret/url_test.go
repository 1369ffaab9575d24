package secret

import "testing"

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://relay.example.com/v1":                            "https://relay.example.com/v1",
		"https://user:sk-test-pass-0001@relay.example.com/v1?x=1": "https://relay.example.com/v1",
		"https://relay.example.com/v1?key=sk-test-query-0002#f":   "https://relay.example.com/v1",
		"https://relay.example.com/?":                             "https://relay.example.com/",
		"http://[::1/v1?key=sk-test-bad-0003":                     "http://[::1/v1",
		"relay.example.com":                                       "relay.example.com",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
