package claudecode

import "github.com/hubctl/hub/targets/internal/toolmodels"

// RemapCheckedVersion is the Claude Code release the legacy remap table was
// measured on (targets/internal/toolmodels has the table and how).
const RemapCheckedVersion = toolmodels.ClaudeCodeVersion

// DisableRemapEnv is the variable that makes Claude Code send a legacy model
// id as written (any non-empty value; hub writes "1").
const DisableRemapEnv = toolmodels.DisableRemapEnv

// LegacyRemap returns the id Claude Code (RemapCheckedVersion) sends instead
// of model, when it remaps it.
func LegacyRemap(model string) (to string, ok bool) { return toolmodels.ClaudeCodeRemap(model) }
