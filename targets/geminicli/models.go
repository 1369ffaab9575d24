package geminicli

// ModelsCheckedVersion is the Gemini CLI release modelRewrite was measured
// on. Bump it with the table and e2e/setup.sh's pin: the e2e test
// TestRealTools/gemini_cli_model_rewrites fails when they disagree.
const ModelsCheckedVersion = "0.61.0"

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

// ModelRewrite returns the id Gemini CLI (ModelsCheckedVersion) sends
// instead of model, when it does not send model as written.
func ModelRewrite(model string) (to string, ok bool) {
	to, ok = modelRewrite[model]
	return to, ok
}
