// Package all registers every target type; the hub binary imports it.
package all

import (
	_ "github.com/hubctl/hub/targets/ccr" // claude_code_router
	_ "github.com/hubctl/hub/targets/claudecode"
	_ "github.com/hubctl/hub/targets/cliproxyapi" // claude_code
	_ "github.com/hubctl/hub/targets/codex"       // codex
	_ "github.com/hubctl/hub/targets/geminicli"   // gemini_cli
	_ "github.com/hubctl/hub/targets/kilo"        // kilo
	_ "github.com/hubctl/hub/targets/opencode"    // opencode
)
