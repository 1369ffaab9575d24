package export

import "testing"

// The digests All API Hub's hashProviderCatalogValue gives (node, the
// extension's function verbatim): over UTF-16 units, one per code point.
func TestFNV1a(t *testing.T) {
	for in, want := range map[string]string{
		"relay\x00https://relay.example.com/api/v1": "9f56f16a",
		"a😀é\x00b": "993a3888",
	} {
		if got := fnv1a(in); got != want {
			t.Errorf("fnv1a(%q) = %s, want %s", in, got, want)
		}
	}
	if got := slugify("  Café — Relay #1 "); got != "cafe-relay-1" {
		t.Errorf("slugify = %q", got)
	}
	if got := slugify("中文"); got != "provider" {
		t.Errorf("slugify = %q", got)
	}
}
