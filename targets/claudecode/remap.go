package claudecode

import "strings"

// RemapCheckedVersion is the Claude Code release legacyRemap was measured on.
// Bump it (and the table, and e2e/setup.sh's pin) together: the e2e test
// TestRealTools/claude_code_legacy_models fails when the table and the pinned
// tool disagree.
const RemapCheckedVersion = "2.1.328"

// DisableRemapEnv is the variable that makes Claude Code send a legacy model
// id as written (any non-empty value; hub writes "1").
const DisableRemapEnv = "CLAUDE_CODE_DISABLE_LEGACY_MODEL_REMAP"

// legacyRemap is what Claude Code does to the model in ANTHROPIC_MODEL before
// it sends a request: these ids are replaced with the latest Opus, and the
// relay sees that instead (Claude Code prints a warning on stderr, which a
// user running it in an editor or a script never sees).
//
// Measured with @anthropic-ai/claude-code 2.1.328 (`claude -p` with the id in
// settings.json's env.ANTHROPIC_MODEL, against the e2e suite's recording
// upstream, ANTHROPIC_BASE_URL a loopback relay, bearer or x-api-key alike):
//
//   - remapped to claude-opus-5-5: claude-opus-4-0, claude-opus-4-20250514,
//     claude-opus-4-1, claude-opus-4-1-20250805, in any letter case, with or
//     without Claude Code's own "[1m]" suffix.
//   - sent as written: every other id tried, among them claude-opus-4,
//     claude-opus-4-5 to 4-8 and 5, every Sonnet 4.x and Haiku 4.x id
//     (claude-sonnet-4-0, claude-sonnet-4-20250514, claude-haiku-4-5, ...),
//     every 3.x and 2.x id (claude-3-opus-20240229, claude-3-5-sonnet-latest,
//     claude-3-7-sonnet-20250219, claude-3-5-haiku-20241022, claude-2.1,
//     claude-instant-1.2), relay variants of the remapped ids
//     (claude-opus-4-1-thinking, claude-opus-4-1-20250805-thinking,
//     anthropic/claude-opus-4-1, claude-opus-4-1-latest, another date) and
//     Bedrock and Vertex forms (anthropic.claude-opus-4-1-20250805-v1:0,
//     claude-opus-4-1@20250805).
//   - ANTHROPIC_DEFAULT_OPUS_MODEL, _SONNET_MODEL and _HAIKU_MODEL are sent as
//     written even when they hold one of the remapped ids (checked with
//     --model opus, sonnet and haiku, and with ANTHROPIC_MODEL = "opus").
//   - with CLAUDE_CODE_DISABLE_LEGACY_MODEL_REMAP=1 in the same env block,
//     every remapped id is sent as written.
//
// ("[1m]" is Claude Code's marker for the 1M-token context: it never reaches
// the relay, remapped or not, so claude-sonnet-4-5[1m] is sent as
// claude-sonnet-4-5. That is not a remap.)
var legacyRemap = map[string]string{
	"claude-opus-4-0":          "claude-opus-5-5",
	"claude-opus-4-20250514":   "claude-opus-5-5",
	"claude-opus-4-1":          "claude-opus-5-5",
	"claude-opus-4-1-20250805": "claude-opus-5-5",
}

// LegacyRemap returns the id Claude Code (RemapCheckedVersion) sends instead
// of model, when it remaps it.
func LegacyRemap(model string) (to string, ok bool) {
	id := strings.ToLower(model)
	id = strings.TrimSuffix(id, "[1m]")
	to, ok = legacyRemap[id]
	return to, ok
}
