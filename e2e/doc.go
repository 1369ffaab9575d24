// Package e2e is hub's end-to-end suite against the real AI tools.
//
// For each tool hub writes (Claude Code, Codex CLI, Gemini CLI, opencode,
// Kilo CLI, Claude Code Router) a test makes a throwaway HOME holding the
// settings a user already has, runs `hub apply` in it, then runs the real
// tool, pinned to the version the target was checked against, with one
// prompt. The tool
// talks to a recording fake upstream on 127.0.0.1, and the test checks that
// the request carried the right path, key and model, that the user's own
// settings survived, and that the tool succeeded. That is the only proof that
// what hub writes is what the tool reads: golden files can only show that hub
// writes what we believe the tool reads.
//
// Some tools do not send a value as written. Where they rewrite the model
// (Claude Code's legacy Opus remap, Gemini CLI's Gemini 3 promotions), the
// measured table (targets/internal/toolmodels) gives the plan notes, and a subtest
// (claude_code_legacy_models, gemini_cli_model_rewrites) runs the tool once
// per id of the table and its neighbours: it fails when the pinned tool and
// the table disagree, or when the plan's note does not match what was sent.
//
// The suite is skipped unless HUB_E2E=1, and needs the tools installed by
// e2e/setup.sh into $HUB_E2E_CACHE (default ~/.cache/hub-e2e):
//
//	e2e/setup.sh && HUB_E2E=1 go test -count=1 ./e2e/
//
// A subtest whose target type hub does not have yet skips, saying so (hub
// validate reports the type unknown). With HUB_E2E_HANDWRITTEN=1 it instead
// writes the tool's configuration by hand, the minimal entry the tool was
// checked with, which checks the harness against the real tool, not hub.
// HUB_E2E_HUB=PATH uses that hub binary instead of building ../cmd/hub.
//
// Nothing leaves 127.0.0.1: the fake upstream listens there; every tool
// runs with HTTP(S)_PROXY pointing at a local guard that forwards loopback
// traffic and refuses everything else at once (telemetry, update checks,
// feature flags), and Node processes, whose fetch ignores proxies, run with a
// preloaded script that refuses non-loopback lookups and connections. So the
// suite needs no network and never waits on one. What was refused is logged
// with -v.
//
// All code is in _test.go files; this file only holds the package comment.
package e2e
