// Package importer turns what a user already has (their tools' files, CC
// Switch's providers, an All API Hub backup) into hub configuration: it
// de-duplicates the credentials found (by API type, normalized base URL and
// key, All API Hub's identity rule), names them, keeps their keys out of
// the HCL (age secrets or env() references), writes the blocks with
// hclwrite, and has the state adopt what the tools already hold, so that
// the first plan after an import changes nothing.
package importer

import (
	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
)

// A Found is one credential a source holds.
type Found struct {
	// Source says where it was found, for the summary: "cc-switch
	// claude/Relay", "all-api-hub profile My relay".
	Source string
	// Credential has no ID (import names it); Name is the source's name
	// for it; BaseURL is normalized (credential.NormalizeBaseURL); Key is
	// the key.
	Credential *credential.Credential
	// Expires is the day the key expires (YYYY-MM-DD), if the source says.
	Expires string
}

// A Skipped is something a source holds that import leaves out.
type Skipped struct {
	Source string // as in Found
	Why    string // "a site account (login), not an API key"
}

// A Result is what one source read: credentials, target blocks (tools'
// files only), what was left out, and warnings (a file that could not be
// parsed, an unknown API type taken as openai-compatible).
type Result struct {
	Source   string // "cc-switch ~/.cc-switch/cc-switch.db"
	Found    []Found
	Targets  []Target
	Skipped  []Skipped
	Warnings []string
}

// A Target is a target block read back from a tool's files.
type Target struct {
	Type string
	targets.Imported
}
