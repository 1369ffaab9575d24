package ccswitch

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/hubctl/hub/engine/system"
)

// notApps are config.json's top-level keys that hold no providers.
var notApps = map[string]bool{
	"version": true, "mcp": true, "prompts": true, "skills": true,
	"common_config_snippets": true, "claude_common_config_snippet": true,
}

// legacyProvider is a provider as config.json holds it (camelCase).
type legacyProvider struct {
	ID             string         `json:"id"`
	Name           string         `json:"name"`
	SettingsConfig map[string]any `json:"settingsConfig"`
	WebsiteURL     string         `json:"websiteUrl"`
	Category       string         `json:"category"`
	Notes          string         `json:"notes"`
	SortIndex      *int64         `json:"sortIndex"`
	Meta           struct {
		CustomEndpoints map[string]json.RawMessage `json:"custom_endpoints"`
	} `json:"meta"`
}

// readLegacy reads config.json: {"version": 2, "<app>": {"providers":
// {id: provider}, "current": id}, ...}, or the older v1 shape with
// Claude's providers at the top.
func readLegacy(ctx context.Context, path string) (*source, error) {
	data, err := system.ReadFile(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("cc-switch: %w", err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("cc-switch: %s is not valid JSON%s", path, jsonPos(data, err))
	}
	apps := map[string]json.RawMessage{}
	if _, v1 := top["providers"]; v1 && top["version"] == nil && top["apps"] == nil {
		apps["claude"] = data
	} else {
		for k, v := range top {
			if !notApps[k] {
				apps[k] = v
			}
		}
	}
	src := &source{}
	names := make([]string, 0, len(apps))
	for k := range apps {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, app := range names {
		var mgr struct {
			Providers map[string]json.RawMessage `json:"providers"`
		}
		if !looksJSON(apps[app]) {
			continue // a setting, not an app
		}
		if err := json.Unmarshal(apps[app], &mgr); err != nil {
			src.warnings = append(src.warnings, fmt.Sprintf("cc-switch %s: not read: %s is not a provider list%s", app, path, jsonPosIn(data, apps[app], err)))
			continue
		}
		for id, raw := range mgr.Providers {
			var lp legacyProvider
			if err := json.Unmarshal(raw, &lp); err != nil {
				src.warnings = append(src.warnings, fmt.Sprintf("cc-switch %s/%s: not read: its entry in %s has the wrong shape%s", app, id, path, jsonPosIn(data, raw, err)))
				continue
			}
			if lp.Name == "" {
				lp.Name = id
			}
			p := provider{app: app, id: id, name: lp.Name, website: lp.WebsiteURL, category: lp.Category,
				notes: lp.Notes, parsed: lp.SettingsConfig, sort: math.MaxInt64}
			if p.parsed == nil {
				p.parsed = map[string]any{}
			}
			if lp.SortIndex != nil {
				p.sort = *lp.SortIndex
			}
			var m struct {
				Meta json.RawMessage `json:"meta"`
			}
			_ = json.Unmarshal(raw, &m)
			p.meta = string(m.Meta)
			for u := range lp.Meta.CustomEndpoints {
				p.endpoints = append(p.endpoints, u)
			}
			slices.Sort(p.endpoints)
			src.providers = append(src.providers, p)
		}
	}
	sortProviders(src.providers)
	return src, nil
}
