// Package all registers every target type; the hub binary imports it.
package all

import (
	_ "github.com/hubctl/hub/targets/aider"          // aider
	_ "github.com/hubctl/hub/targets/ccr"            // claude_code_router
	_ "github.com/hubctl/hub/targets/ccswitch"       // cc_switch
	_ "github.com/hubctl/hub/targets/claudecode"     // claude_code
	_ "github.com/hubctl/hub/targets/cliproxyapi"    // cliproxyapi
	_ "github.com/hubctl/hub/targets/codex"          // codex
	_ "github.com/hubctl/hub/targets/continuedev"    // continue
	_ "github.com/hubctl/hub/targets/geminicli"      // gemini_cli
	_ "github.com/hubctl/hub/targets/kilo"           // kilo
	_ "github.com/hubctl/hub/targets/litellm"        // litellm
	_ "github.com/hubctl/hub/targets/newapichannels" // newapi_channels
	_ "github.com/hubctl/hub/targets/opencode"       // opencode
	_ "github.com/hubctl/hub/targets/qwencode"       // qwen_code
)
