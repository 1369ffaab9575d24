package credential

import "testing"

func TestInFamilyAndSuggest(t *testing.T) {
	for _, tc := range []struct {
		family, id string
		want       bool
	}{
		{FamilyGPT, "gpt-4o-mini", true}, {FamilyGPT, "o3", true}, {FamilyGPT, "O4-mini", true},
		{FamilyGPT, "codex-mini-latest", true}, {FamilyGPT, "openai/gpt-5", true}, {FamilyGPT, "omni-moderation", false},
		{FamilyClaude, "claude-sonnet-4-5", true}, {FamilyClaude, "anthropic/claude-opus-4-1", true}, {FamilyClaude, "gpt-4o", false},
		{FamilyGemini, "models/gemini-2.5-pro", true}, {FamilyGemini, "gemma-3", false},
	} {
		if got := InFamily(tc.family, tc.id); got != tc.want {
			t.Errorf("InFamily(%s, %s) = %v", tc.family, tc.id, got)
		}
	}
	ids := []string{"text-embedding-3-small", "claude-haiku-4-5", "o4-mini", "gemini-2.5-flash"}
	for family, want := range map[string]string{FamilyGPT: "o4-mini", FamilyClaude: "claude-haiku-4-5", FamilyGemini: "gemini-2.5-flash", "mistral": "text-embedding-3-small"} {
		if got := Suggest(family, ids); got != want {
			t.Errorf("Suggest(%s) = %s, want %s", family, got, want)
		}
	}
	if Suggest(FamilyGPT, nil) != "" {
		t.Error("Suggest of nothing")
	}
}
