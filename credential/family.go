package credential

import "strings"

// Model families: which line of models an id belongs to, for picking a
// model to probe with and a default model for a tool.
const (
	FamilyClaude = "claude" // claude-*
	FamilyGPT    = "gpt"    // gpt-*, o<N>*, codex-*
	FamilyGemini = "gemini" // gemini-*
)

// InFamily reports whether model id is of a family, ignoring case and a
// "vendor/" or "models/" prefix.
func InFamily(family, id string) bool {
	id = strings.ToLower(id)
	if i := strings.LastIndex(id, "/"); i >= 0 {
		id = id[i+1:]
	}
	switch family {
	case FamilyGPT:
		return strings.HasPrefix(id, "gpt") || strings.HasPrefix(id, "codex") ||
			len(id) > 1 && id[0] == 'o' && id[1] >= '0' && id[1] <= '9'
	default:
		return strings.HasPrefix(id, family)
	}
}

// Suggest picks a model to probe with as All API Hub does: the first of
// the family, else the first id; "" for none.
func Suggest(family string, ids []string) string {
	for _, id := range ids {
		if InFamily(family, id) {
			return id
		}
	}
	if len(ids) > 0 {
		return ids[0]
	}
	return ""
}
