// Package toolmodels holds what the pinned tools do to a model id hub writes
// before they send it: tables measured by running each tool against the e2e
// suite's recording upstream, with the version measured. The tools' own
// targets (claude_code, gemini_cli) and CC Switch's (whose providers those
// tools then run with) say so in their plans.
package toolmodels

import "strings"

// ClaudeCodeVersion is the Claude Code release legacyRemap was measured on.
// Bump it (and the table, and e2e/setup.sh's pin) together: the e2e test
// TestRealTools/claude_code_legacy_models fails when the table and the pinned
// tool disagree.
const ClaudeCodeVersion = "2.1.328"

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

// ClaudeCodeRemap returns the id Claude Code (ClaudeCodeVersion) sends
// instead of the model in ANTHROPIC_MODEL, when it remaps it.
func ClaudeCodeRemap(model string) (to string, ok bool) {
	id := strings.ToLower(model)
	id = strings.TrimSuffix(id, "[1m]")
	to, ok = legacyRemap[id]
	return to, ok
}

// GeminiCLIVersion is the Gemini CLI release modelRewrite was measured on.
// Bump it with the table and e2e/setup.sh's pin: the e2e test
// TestRealTools/gemini_cli_model_rewrites fails when they disagree.
const GeminiCLIVersion = "0.61.0"

// modelRewrite is what Gemini CLI does to GEMINI_MODEL before it sends a
// request, with an API key (security.auth.selectedType = "gemini-api-key",
// what hub writes): it promotes older Gemini 3 ids to the latest release of
// their line, whether or not the relay serves that one, and no setting turns
// it off (packages/core resolveModel: with an API key "Gemini 3.1 launched"
// and "latest Flash GA" are always true).
//
// Measured with @google/gemini-cli 0.61.0 (`gemini -p` against the e2e
// suite's recording upstream, GOOGLE_GEMINI_BASE_URL a loopback relay):
//
//   - rewritten: the ids below.
//   - sent as written: gemini-1.5-pro, gemini-1.5-flash, gemini-2.0-flash,
//     gemini-2.0-flash-001, gemini-2.5-pro, gemini-2.5-flash,
//     gemini-2.5-flash-lite, gemini-3-flash-preview, gemini-3.1-pro-preview,
//     gemini-3.1-pro-preview-customtools, gemini-3.1-flash-lite-preview,
//     gemini-3.8-flash, gemini-3.5-flash-lite, gemini-pro, and ids Gemini
//     CLI does not know.
//   - Gemini CLI's own aliases resolve as documented: pro →
//     gemini-3.1-pro-preview, flash → gemini-3.8-flash, flash-lite →
//     gemini-3.5-flash-lite; auto, auto-gemini-3 and auto-gemini-2.5 first
//     ask gemini-3.5-flash-lite to route each prompt. A "models/" prefix is
//     dropped. Those are what the user asked for, so they get no note.
var modelRewrite = map[string]string{
	"gemini-3-pro-preview":  "gemini-3.1-pro-preview",
	"gemini-3-flash":        "gemini-3.8-flash",
	"gemini-3.5-flash":      "gemini-3.8-flash",
	"gemini-3.1-flash-lite": "gemini-3.5-flash-lite",
}

// GeminiCLIRewrite returns the id Gemini CLI (GeminiCLIVersion) sends
// instead of the model in GEMINI_MODEL, when it does not send it as written.
func GeminiCLIRewrite(model string) (to string, ok bool) {
	to, ok = modelRewrite[model]
	return to, ok
}
