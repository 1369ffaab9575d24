package claudecode

import "testing"

func TestLegacyRemap(t *testing.T) {
	for model, want := range map[string]string{
		"claude-opus-4-0":              "claude-opus-5-5",
		"claude-opus-4-20250514":       "claude-opus-5-5",
		"claude-opus-4-1":              "claude-opus-5-5",
		"claude-opus-4-1-20250805":     "claude-opus-5-5",
		"CLAUDE-OPUS-4-0":              "claude-opus-5-5",
		"claude-opus-4-1-20250805[1m]": "claude-opus-5-5",
		"claude-opus-4-0[1M]":          "claude-opus-5-5",
		"claude-opus-4":                "",
		"claude-opus-4-1-thinking":     "",
		"claude-opus-4-1-20250806":     "",
		"anthropic/claude-opus-4-1":    "",
		"claude-opus-4-1@20250805":     "",
		"claude-opus-4-5":              "",
		"claude-opus-5-5":              "",
		"claude-sonnet-4-0":            "",
		"claude-sonnet-4-20250514":     "",
		"claude-3-opus-20240229":       "",
		"claude-3-7-sonnet-latest":     "",
		"":                             "",
	} {
		got, ok := LegacyRemap(model)
		if got != want || ok != (want != "") {
			t.Errorf("LegacyRemap(%q) = %q, %v; want %q", model, got, ok, want)
		}
	}
}
