package export

import (
	"fmt"
	"strings"

	"github.com/hubctl/hub/credential"
)

func init() {
	Register(Format{
		Name:  "env",
		Short: "export lines for a shell: eval \"$(hub export env relay)\"",
		Long: `Print the credential as shell export lines: its key, base URL and API type
under names the tools read (OPENAI_API_KEY and OPENAI_BASE_URL for openai and
openai-compatible, ANTHROPIC_AUTH_TOKEN and ANTHROPIC_BASE_URL for anthropic,
GEMINI_API_KEY and GOOGLE_GEMINI_BASE_URL for google), single-quoted, for
eval "$(hub export env relay)" in a shell. With several credentials the
later ones win; give one.`,
		Example: `  eval "$(hub export env relay)"
  hub export env relay --out ~/.relay.env && . ~/.relay.env`,
		Write: writeEnv,
	})
}

// envNames are the variables each API type's tools read.
var envNames = map[string][2]string{
	credential.OpenAICompatible: {"OPENAI_API_KEY", "OPENAI_BASE_URL"},
	credential.OpenAI:           {"OPENAI_API_KEY", "OPENAI_BASE_URL"},
	credential.Anthropic:        {"ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL"},
	credential.Google:           {"GEMINI_API_KEY", "GOOGLE_GEMINI_BASE_URL"},
}

func writeEnv(creds []*credential.Credential, _ Options) ([]byte, error) {
	var b strings.Builder
	for _, c := range creds {
		names, ok := envNames[c.APIType]
		if !ok {
			return nil, fmt.Errorf("credential %s: no variables for api_type %q", c.ID, c.APIType)
		}
		base := c.BaseURL
		if c.APIType != credential.Anthropic && c.APIType != credential.Google {
			base = credential.APIRoot(c.BaseURL, "v1")
		}
		fmt.Fprintf(&b, "# %s (%s)\n", oneLine(c.ID), c.APIType)
		fmt.Fprintf(&b, "export %s=%s\n", names[0], shellQuote(c.Key.Reveal()))
		fmt.Fprintf(&b, "export %s=%s\n", names[1], shellQuote(base))
	}
	return []byte(b.String()), nil
}

// shellQuote single-quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
