// Package telemetry is what hub knows of each credential's upstream: the
// models it serves, its balance and today's usage, its health and the last
// error, with a short history. It runs the providers over many credentials
// with bounded concurrency (refresh, verify) and keeps the results in the
// state's shared section, one entry per credential, so every host sees them.
package telemetry

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/secret"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/providers"
)

// sectionPrefix names a credential's entry in State.Shared. One entry per
// credential lets two hosts refresh different credentials at the same time
// and merge (states.Merge refuses only same-entry changes).
const sectionPrefix = "telemetry/"

// HistoryLen is how many refreshes a record keeps.
const HistoryLen = 50

// Health is a credential's state after its last refresh.
type Health struct {
	// Status is healthy, warning, error or unknown.
	Status string `json:"status"`
	// Class is the failure class behind a warning or error.
	Class  providers.Class `json:"class,omitempty"`
	Reason string          `json:"reason,omitempty"`
}

// The health statuses.
const (
	Healthy = "healthy"
	Warning = "warning"
	Error   = "error"
	Unknown = "unknown"
)

// A Record is one credential's telemetry as kept in state. It holds no key:
// KeyHash (salted) only tells a rotated key from the one measured.
type Record struct {
	APIType string   `json:"api_type"`
	BaseURL string   `json:"base_url"`
	KeyHash string   `json:"key_hash"`
	Models  []string `json:"models,omitempty"`
	// ModelsEndpoint is the URL that listed the models.
	ModelsEndpoint string           `json:"models_endpoint,omitempty"`
	ModelsAt       time.Time        `json:"models_at,omitzero"`
	Usage          *providers.Usage `json:"usage,omitempty"`
	UsageAt        time.Time        `json:"usage_at,omitzero"`
	Health         Health           `json:"health"`
	LastRefresh    time.Time        `json:"last_refresh"`
	LastSuccess    time.Time        `json:"last_success,omitzero"`
	LastError      string           `json:"last_error,omitempty"`
	History        []Sample         `json:"history,omitempty"`
}

// A Sample is one refresh in a record's history.
type Sample struct {
	At            time.Time       `json:"at"`
	Health        string          `json:"health"`
	Class         providers.Class `json:"class,omitempty"`
	Models        int             `json:"models"`
	Balance       *float64        `json:"balance_usd,omitempty"`
	Unlimited     bool            `json:"unlimited,omitempty"`
	TodayCost     *float64        `json:"today_cost_usd,omitempty"`
	TodayRequests *int64          `json:"today_requests,omitempty"`
	TodayTokens   *int64          `json:"today_tokens,omitempty"`
}

// Load returns the record of credential id, or nil.
func Load(st *states.State, id string) (*Record, error) {
	raw, ok := st.Shared[sectionPrefix+id]
	if !ok {
		return nil, nil
	}
	var r Record
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("state: telemetry of credential %s: %w", id, err)
	}
	return &r, nil
}

// Store puts a record into the state.
func Store(st *states.State, id string, r *Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("state: telemetry of credential %s: %w", id, err)
	}
	if st.Shared == nil {
		st.Shared = map[string]json.RawMessage{}
	}
	st.Shared[sectionPrefix+id] = b
	return nil
}

// IDs returns the credential ids that have a record, sorted.
func IDs(st *states.State) []string {
	var ids []string
	for k := range st.Shared {
		if id, ok := strings.CutPrefix(k, sectionPrefix); ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// Matches reports whether a record was measured for this credential as it is
// configured now: same API type, base URL and key. Figures of a rotated key or
// a moved base URL describe something else and are not used.
func (r *Record) Matches(c *providers.Credential, salt []byte) bool {
	return r != nil && r.APIType == c.APIType && r.BaseURL == c.BaseURL && r.KeyHash == KeyHash(salt, c.Key)
}

// KeyHash is the salted digest a record keeps of the key it measured.
func KeyHash(salt []byte, key secret.Secret) string {
	return secret.Hash(salt, []byte(key.Reveal()))
}

// Credential converts a configured credential for the providers.
func Credential(c *config.Credential) *providers.Credential {
	pc := &providers.Credential{ID: c.ID, APIType: c.APIType, BaseURL: c.BaseURL, Key: c.Key, Models: c.Models}
	if u := c.Usage; u != nil {
		pc.Usage = providers.UsageConfig{Method: u.Method, Endpoint: u.Endpoint, Token: secret.New(u.Token),
			Paths: providers.UsagePaths{Balance: u.Balance, TodayCost: u.TodayCost, TodayRequests: u.TodayRequests, TodayTokens: u.TodayTokens}}
	}
	return pc
}

// FillModels gives every credential that lists no models the models its
// last refresh found (Discovered), so targets can pick one, and says when in
// DiscoveredFrom for the plan. Records of another key or base URL are not
// used.
func FillModels(cfg *config.Config, st *states.State) error {
	salt := st.SaltBytes()
	for _, c := range cfg.Credentials {
		c.Discovered, c.DiscoveredFrom = nil, ""
		if len(c.Models) > 0 {
			continue
		}
		r, err := Load(st, c.ID)
		if err != nil {
			return err
		}
		if r == nil || len(r.Models) == 0 || !r.Matches(Credential(c), salt) {
			continue
		}
		c.Discovered = slices.Clone(r.Models)
		c.DiscoveredFrom = "found by hub refresh on " + r.ModelsAt.Local().Format("2006-01-02 15:04")
	}
	return nil
}
