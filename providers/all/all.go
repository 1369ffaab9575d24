// Package all registers every provider family and usage method; only the
// CLI imports it (engine code sees providers through the registry).
package all

import (
	_ "github.com/hubctl/hub/providers/anthropic"
	_ "github.com/hubctl/hub/providers/google"
	_ "github.com/hubctl/hub/providers/openai"
	_ "github.com/hubctl/hub/providers/usage"
)
