package geminicli

import "github.com/hubctl/hub/targets/internal/toolmodels"

// ModelsCheckedVersion is the Gemini CLI release the model rewrite table was
// measured on (targets/internal/toolmodels has the table and how).
const ModelsCheckedVersion = toolmodels.GeminiCLIVersion

// ModelRewrite returns the id Gemini CLI (ModelsCheckedVersion) sends
// instead of model, when it does not send model as written.
func ModelRewrite(model string) (to string, ok bool) { return toolmodels.GeminiCLIRewrite(model) }
