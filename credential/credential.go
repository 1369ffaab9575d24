// Package credential is hub's one description of an AI API credential, as
// configuration loading produces it, targets write it into tools' files and
// providers call the upstream with it. It also holds the rules every side
// must agree on: the API types, how a base URL is written (normalization,
// version suffix, origin), the model families and the syntax of a custom
// usage block.
//
// It imports only the standard library and package secret, so config,
// targets and providers can all share it without importing each other.
package credential

import (
	"fmt"
	"slices"

	"github.com/hubctl/hub/secret"
)

// A Credential is an evaluated `credential` block.
type Credential struct {
	ID      string // the block label
	Name    string // display name; defaults to ID
	APIType string // one of APITypes
	// BaseURL is normalized (NormalizeBaseURL): no trailing slash, no /v1.
	BaseURL string
	// Key is the API key; only a target's file content and the upstream
	// request reveal it.
	Key secret.Secret
	// Models are the models the configuration names, if any.
	Models []string
	Tags   []string
	Notes  string
	// Insecure allows a plain-http base URL to a host that is not loopback.
	Insecure bool
	// Usage says how balance and usage are read.
	Usage Usage
	// Expires is when the key stops working, as the configuration says
	// (expires = "2026-12-31"); zero when it does not say.
	Expires Expiry

	// Discovered are the models the last hub refresh found; DiscoveredFrom says when ("found by hub refresh on
	// 2026-11-30 10:00"). Only PickModel uses them: targets that write model
	// lists keep to the configured ones, so a refresh never floods a tool's
	// file with hundreds of entries.
	Discovered     []string
	DiscoveredFrom string
}

// The API types a credential can have.
const (
	OpenAICompatible = "openai-compatible"
	OpenAI           = "openai"
	Anthropic        = "anthropic"
	Google           = "google"
)

// APITypes lists the API types in the order they are documented.
var APITypes = []string{OpenAICompatible, OpenAI, Anthropic, Google}

// ValidAPIType reports whether t is a known API type.
func ValidAPIType(t string) bool { return slices.Contains(APITypes, t) }

// Usage is a credential's usage block: how balance and usage are read.
type Usage struct {
	// Method is one of UsageMethods; empty means auto (no usage block).
	Method string
	// Endpoint is a root-relative path or an absolute http(s) URL (custom).
	Endpoint string
	// Token is sent to a cross-origin Endpoint instead of the key (custom).
	Token secret.Secret
	// Paths map the custom endpoint's JSON answer, as dot paths.
	Paths UsagePaths
}

// UsagePaths are the dot paths of a custom usage endpoint.
type UsagePaths struct {
	Balance, TodayCost, TodayRequests, TodayTokens string
}

// UsageMethods are the values of a usage block's method.
var UsageMethods = []string{"auto", "newapi", "openai_billing", "sub2api", "custom", "disabled"}

// PickModel returns the credential's first model of a family (claude-*,
// gpt-*/o<N>*/codex-*, gemini-*), from its configured models or else the
// discovered ones, for a target whose block names no model, and
// a note saying where it came from for the plan. It returns "" when the
// credential has no model of that family: a model of another family would
// not work with the tool.
func (c *Credential) PickModel(family string) (model, origin string) {
	list, from := c.Models, ""
	if len(list) == 0 {
		list, from = c.Discovered, c.DiscoveredFrom
	}
	for _, m := range list {
		if !InFamily(family, m) {
			continue
		}
		origin = fmt.Sprintf("first %s model of credential.%s", family, c.ID)
		if from != "" {
			origin += ", " + from
		}
		return m, origin
	}
	return "", ""
}
