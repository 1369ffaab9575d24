// Package telemetry is what hub knows of each credential's upstream: the
// models it serves, its balance and today's usage, its health and the last
// error, with a short history. It runs the providers over many credentials
// with bounded concurrency (refresh, verify) and keeps the results in the
// state's shared section, one entry per credential, so every host sees them.
package telemetry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/providers"
	"github.com/hubctl/hub/secret"
)

// sectionPrefix names a credential's entry in State.Shared. One entry per
// credential lets two hosts refresh different credentials at the same time
// and merge (states.Merge refuses only same-entry changes).
const sectionPrefix = "telemetry/"

// HistoryLen is how many samples a record keeps; refreshes that found the
// same as the one before extend its sample instead of adding one.
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

// A Sample is one refresh in a record's history, or a run of refreshes
// that found the same (At to Until).
type Sample struct {
	At            time.Time       `json:"at"`
	Until         time.Time       `json:"until,omitzero"`
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
func (r *Record) Matches(c *credential.Credential, salt []byte) bool {
	return r != nil && r.APIType == c.APIType && r.BaseURL == c.BaseURL && r.KeyHash == KeyHash(salt, c.Key)
}

// KeyHash is the salted digest a record keeps of the key it measured.
func KeyHash(salt []byte, key secret.Secret) string {
	return secret.Hash(salt, []byte(key.Reveal()))
}

// head reads a record's leading fields, up to models_at, and stops there:
// every plan reads them for every credential, and the usage and history
// that follow are most of a record's bytes.
func head(raw []byte) (*Record, error) {
	var r Record
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var dst any
		switch t {
		case "api_type":
			dst = &r.APIType
		case "base_url":
			dst = &r.BaseURL
		case "key_hash":
			dst = &r.KeyHash
		case "models":
			dst = &r.Models
		case "models_at":
			dst = &r.ModelsAt
		default:
			dst = new(json.RawMessage)
		}
		if err := dec.Decode(dst); err != nil {
			return nil, err
		}
		if t == "models_at" {
			break
		}
	}
	return &r, nil
}

// FillModels gives every credential the models its last refresh found
// (Discovered), so targets can pick one for a credential that lists none
// (credential.PickModel) or follow the upstream (a panel's sync_models),
// and says when in DiscoveredFrom for the plan. Records of another key or
// base URL are not used.
func FillModels(cfg *config.Config, st *states.State) error {
	salt := st.SaltBytes()
	for _, c := range cfg.Credentials {
		c.Discovered, c.DiscoveredFrom = nil, ""
		raw, ok := st.Shared[sectionPrefix+c.ID]
		if !ok {
			continue
		}
		r, err := head(raw)
		if err != nil {
			return fmt.Errorf("state: telemetry of credential %s: %w", c.ID, err)
		}
		if len(r.Models) == 0 || !r.Matches(c, salt) {
			continue
		}
		c.Discovered = r.Models
		c.DiscoveredFrom = "found by hub refresh on " + r.ModelsAt.Local().Format("2006-01-02 15:04")
	}
	return nil
}

// same reports whether two samples say the same, times apart.
func (s Sample) same(o Sample) bool {
	eqF := func(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }
	eqI := func(a, b *int64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }
	return s.Health == o.Health && s.Class == o.Class && s.Models == o.Models && s.Unlimited == o.Unlimited &&
		eqF(s.Balance, o.Balance) && eqF(s.TodayCost, o.TodayCost) && eqI(s.TodayRequests, o.TodayRequests) && eqI(s.TodayTokens, o.TodayTokens)
}
