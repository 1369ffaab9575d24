package providers

import (
	"context"
	"strings"
	"testing"

	"github.com/hubctl/hub/providers/fakerelay"
	"github.com/hubctl/hub/secret"
)

// leakedFragment returns the first run of secret.FragmentLen characters of
// key found in s (whitespace in s ignored), or "".
func leakedFragment(s, key string) string {
	flat := strings.Join(strings.Fields(s), "")
	for i := 0; i+secret.FragmentLen <= len(key); i++ {
		if strings.Contains(flat, key[i:i+secret.FragmentLen]) {
			return key[i : i+secret.FragmentLen]
		}
	}
	return ""
}

// TestHostileUpstreamEchoes: an upstream that echoes the key cut at every
// length (where hub's message cut falls inside it), by its prefix or
// suffix, split by tabs or newlines, or wrapped in escape sequences, gets
// back a Failure whose text holds no run of FragmentLen characters of the
// key and no control character.
func TestHostileUpstreamEchoes(t *testing.T) {
	h := fakerelay.NewHostile()
	defer h.Close()
	cl := NewClient(ClientOptions{})
	ctx := context.Background()
	cases := 0
	for _, mode := range []fakerelay.HostileMode{fakerelay.EchoCut, fakerelay.EchoPlainCut, fakerelay.EchoPrefix, fakerelay.EchoSuffix, fakerelay.EchoTabs, fakerelay.EchoNewlines, fakerelay.Escapes} {
		for n := 1; n <= len(testKey)+2; n++ {
			c := credFor(h.BaseURL(mode, n))
			for _, a := range []Auth{AuthBearer, AuthXAPIKey, AuthGoog} {
				_, err := cl.Do(ctx, c, Request{URL: c.BaseURL + "/v1/chat/completions", Auth: a})
				f := failure(t, err)
				cases++
				msg := f.Error()
				if frag := leakedFragment(msg, testKey); frag != "" {
					t.Fatalf("%s/%d: %q of the key in %q", mode, n, frag, msg)
				}
				if strings.ContainsAny(msg, "\x1b\x07\n\t\r\u009b\u202e") {
					t.Fatalf("%s/%d: a control character in %q", mode, n, msg)
				}
			}
		}
	}
	t.Logf("%d hostile answers, none leaked", cases)
}
