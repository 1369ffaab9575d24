// Package providers is the upstream side of a credential: one HTTP client
// that sends keys only to the credential's own origin and classifies every
// failure, and the API families (openai, anthropic, google) and usage
// readers that register here to list models, verify keys and read
// balances. What a credential is, its API types and how its base URL is
// written are package credential's.
package providers

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hubctl/hub/credential"
)

// A Model is one model a key can use.
type Model struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name,omitempty"`
	OwnedBy     string `json:"owned_by,omitempty"`
}

// ModelList is the answer of a model listing.
type ModelList struct {
	Models []Model
	// Endpoint is the URL that answered (no query): for relays whose base
	// URL already carries the API prefix it is <base>/models, not /v1/models.
	Endpoint string
	// Requests is how many HTTP requests the listing took (pages, fallbacks).
	Requests int
}

// IDs returns the model ids in order.
func (l *ModelList) IDs() []string {
	ids := make([]string, len(l.Models))
	for i, m := range l.Models {
		ids[i] = m.ID
	}
	return ids
}

// ProbeKind names a verification probe.
type ProbeKind string

// The probes. Text, Tools and Structured run on the credential's own API
// family; the CLI probes speak the wire a coding CLI uses, whatever the
// credential's API type, because relays often serve several.
const (
	ProbeText       ProbeKind = "text"       // a one-token completion
	ProbeTools      ProbeKind = "tools"      // a forced call of one tool
	ProbeStructured ProbeKind = "structured" // a JSON answer to a schema
	ProbeClaude     ProbeKind = "claude"     // Anthropic messages, streamed, as Claude Code sends it
	ProbeCodex      ProbeKind = "codex"      // the Responses API, streamed, as Codex sends it
	ProbeGemini     ProbeKind = "gemini"     // Gemini generateContent, as Gemini CLI sends it
)

// CLIProbes maps a --cli name to its probe and the API family that speaks it.
var CLIProbes = map[string]struct {
	Probe  ProbeKind
	Family string
}{
	"claude": {ProbeClaude, credential.Anthropic},
	"codex":  {ProbeCodex, credential.OpenAI},
	"gemini": {ProbeGemini, credential.Google},
}

// A Family is one upstream API family (OpenAI, Anthropic, Google, ...).
// Implementations keep no per-credential state: one value serves all
// credentials concurrently.
type Family interface {
	// Models lists the models the key can use: the cheapest authenticated
	// call each family has, so it is also the first verification step.
	Models(ctx context.Context, cl *Client, c *credential.Credential) (*ModelList, error)
	// Probe runs one probe with model and returns nil when it passed. A
	// failure is a *Failure.
	Probe(ctx context.Context, cl *Client, c *credential.Credential, kind ProbeKind, model string) error
	// Probes lists the probes this family runs, in order.
	Probes() []ProbeKind
	// SuggestModel picks a model for probes from a model list, as All API
	// Hub does: the first of the family's own line, else the first id.
	SuggestModel(ids []string) string
}

// Usage is what a usage method read: money in USD, counts as numbers. A nil
// pointer means the source does not say.
type Usage struct {
	// Source is the method that answered: newapi, sub2api, openai_billing, custom.
	Source string `json:"source"`
	// Unlimited is set when the key has no quota limit; Balance is then nil.
	Unlimited     bool     `json:"unlimited,omitempty"`
	Balance       *float64 `json:"balance_usd,omitempty"`
	TotalUsed     *float64 `json:"total_used_usd,omitempty"`
	TotalGranted  *float64 `json:"total_granted_usd,omitempty"`
	TodayCost     *float64 `json:"today_cost_usd,omitempty"`
	TodayRequests *int64   `json:"today_requests,omitempty"`
	TodayTokens   *int64   `json:"today_tokens,omitempty"`
	// TodayPromptTokens and TodayCompletionTokens split TodayTokens where
	// the source tells them apart (New API's token log).
	TodayPromptTokens     *int64     `json:"today_prompt_tokens,omitempty"`
	TodayCompletionTokens *int64     `json:"today_completion_tokens,omitempty"`
	ExpiresAt             *time.Time `json:"expires_at,omitempty"`
	// PastDays are earlier local days whose figures the source gave whole
	// (New API's token log, where it reaches back past the day's start),
	// oldest first: the history fills in the days a refresh did not see
	// end, or did not see at all. Not kept in the state.
	PastDays []DayFigures `json:"-"`
	// Day is the local day (YYYY-MM-DD in the zone of the client's clock)
	// today's figures cover, when the source says which rows are today's.
	Day string `json:"day,omitempty"`
	// TodayAt is set when today's figures could not be read this time and
	// were kept from the refresh at that time (same Day only).
	TodayAt *time.Time `json:"today_at,omitempty"`
	// Converted says how the figures became USD when the site answered in
	// another unit ("CNY at 7.3 per USD", "quota units at 500000 per USD").
	Converted string `json:"converted,omitempty"`
	// Attempts are the endpoints tried, in order (auto tries several).
	Attempts []Attempt `json:"attempts,omitempty"`
	// Requests is how many HTTP requests the reading took.
	Requests int `json:"-"`
	// SiteRequests is how many requests it made for the site rather than
	// the key (the billing pair's /api/status read, once per site and run).
	SiteRequests int `json:"-"`
}

// DayFigures are one local day's usage as the upstream counted it.
type DayFigures struct {
	Day                                              string // YYYY-MM-DD
	Cost                                             float64
	Requests, Tokens, PromptTokens, CompletionTokens int64
}

// An Explainer tells why a relay refused a key on its relay routes, from
// an endpoint that still answers for unusable keys (New API's
// /api/usage/token/: its relay routes answer 401 "Invalid token" for
// exhausted, expired and disabled keys alike). It returns what it read (nil
// when the endpoint did not answer with figures), the failure naming the
// real reason (nil when it knows no more than refused), and the number of
// requests made.
type Explainer interface {
	Explain(ctx context.Context, cl *Client, c *credential.Credential, refused *Failure) (*Usage, *Failure, int)
}

// A TodayReader reads today's figures into a Usage its reader filled, in
// a second pass after every key's balance: on New API both come from the
// same small per-IP budget, and the balance matters more.
type TodayReader interface {
	ReadToday(ctx context.Context, cl *Client, c *credential.Credential, u *Usage) error
}

// An Attempt is one usage endpoint tried.
type Attempt struct {
	Source   string `json:"source"`
	Endpoint string `json:"endpoint"` // method and URL, no query
	// Status is success, unsupported or error.
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

// A UsageReader reads balance and usage with one method.
type UsageReader interface {
	ReadUsage(ctx context.Context, cl *Client, c *credential.Credential) (*Usage, error)
}

var (
	regMu    sync.RWMutex
	families = map[string]Family{}
	readers  = map[string]UsageReader{}
)

// Register makes a family available for an API type. It panics on a
// duplicate, which is a programming error.
func Register(apiType string, f Family) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := families[apiType]; dup {
		panic("providers: family registered twice: " + apiType)
	}
	families[apiType] = f
}

// Lookup returns the family for an API type.
func Lookup(apiType string) (Family, error) {
	regMu.RLock()
	defer regMu.RUnlock()
	f, ok := families[apiType]
	if !ok {
		return nil, fmt.Errorf("no provider for API type %q (known: %s)", apiType, strings.Join(slices.Sorted(maps.Keys(families)), ", "))
	}
	return f, nil
}

// RegisterUsage makes a usage method available.
func RegisterUsage(method string, r UsageReader) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := readers[method]; dup {
		panic("providers: usage method registered twice: " + method)
	}
	readers[method] = r
}

// LookupUsage returns the reader for a usage method ("" is auto).
func LookupUsage(method string) (UsageReader, error) {
	if method == "" {
		method = "auto"
	}
	regMu.RLock()
	defer regMu.RUnlock()
	r, ok := readers[method]
	if !ok {
		return nil, fmt.Errorf("no usage reader for method %q", method)
	}
	return r, nil
}
