// Package ccswitch reads the providers CC Switch keeps, for hub import
// (`hub import cc-switch`): its SQLite database ~/.cc-switch/cc-switch.db
// (CC Switch 3.7 and later) or the legacy ~/.cc-switch/config.json it
// replaced. It only reads: the database is opened read-only (mode=ro, so a
// missing file is an error, never a new empty database) with a busy timeout,
// so a running CC Switch is not disturbed, and all its tables are read in
// one read transaction, so what is read is one consistent snapshot.
//
// Each provider row (table providers, one per app and id) becomes one
// credential: Claude's ANTHROPIC_* settings an anthropic one (an
// openai-compatible one when the provider's apiFormat says CC Switch
// converts to OpenAI's format), Codex's auth and config.toml an
// openai-compatible one (openai for api.openai.com), Gemini's .env a google
// one, and opencode, OpenClaw, Hermes and Grok Build fragments by the API
// their settings name. Where Claude, Codex or Gemini has a key and no base
// URL, the key goes to the tool's own default API (api.anthropic.com,
// api.openai.com, generativelanguage.googleapis.com), which is where the
// tool sends it. A provider without a key (the official providers that sign
// in with the tool's own login), without a usable base URL, or of an app
// hub does not know is skipped, saying why.
//
// Universal providers (settings key universal_providers) become one
// credential per app they are enabled for (claude anthropic, codex
// openai-compatible, gemini google; openai-compatible when enabled for
// none), except where CC Switch already synced them into a providers row
// (id universal-<app>-<id>): that row is read instead, so they are not
// found twice.
//
// A provider's extra endpoints (table provider_endpoints; in config.json,
// meta.custom_endpoints) are the other addresses CC Switch can switch the
// same provider between. A hub credential has one base URL, so they are not
// imported: a warning names them, so the user can change base_url to one.
//
// Keys are never in an error, a warning, a Source or a Why: names and notes
// have the provider's key and anything key-like replaced.
package ccswitch

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/importer"
	"github.com/hubctl/hub/secret"
)

// DefaultPaths returns where CC Switch keeps its providers under home, in
// the order to try them: the database, then the legacy config.json (kept
// by CC Switch as a backup after it migrated it to the database).
func DefaultPaths(home string) []string {
	dir := filepath.Join(home, ".cc-switch")
	return []string{filepath.Join(dir, "cc-switch.db"), filepath.Join(dir, "config.json")}
}

// sqliteHeader starts every SQLite database file.
const sqliteHeader = "SQLite format 3\x00"

// Read reads the providers of the CC Switch database or legacy config.json
// at path, telling the two apart by content. The error is for a source that
// cannot be read at all (missing, locked, corrupted, of an unknown schema);
// a provider that cannot be read is a warning, and the rest are still read.
func Read(ctx context.Context, path string) (importer.Result, error) {
	res := importer.Result{Source: "cc-switch " + path}
	fi, err := os.Stat(path)
	if err != nil {
		return res, fmt.Errorf("cc-switch: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return res, fmt.Errorf("cc-switch: %s is not a regular file", path)
	}
	head, err := readHead(path, len(sqliteHeader))
	if err != nil {
		return res, fmt.Errorf("cc-switch: %w", err)
	}
	var src *source
	switch {
	case bytes.Equal(head, []byte(sqliteHeader)):
		src, err = readDB(ctx, path)
	case looksJSON(head) || strings.EqualFold(filepath.Ext(path), ".json"):
		src, err = readLegacy(ctx, path)
	default:
		return res, fmt.Errorf("cc-switch: %s is neither a SQLite database (it does not start with the SQLite header) nor a CC Switch config.json", path)
	}
	if err != nil {
		return res, err
	}
	src.convert(&res)
	return res, nil
}

func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, n)
	m, err := io.ReadFull(f, b)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	return b[:m], nil
}

func looksJSON(head []byte) bool {
	t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// A source is what one file holds, in the shape both readers produce.
type source struct {
	providers []provider
	universal []universal
	// warnings found while reading (a row whose JSON does not parse).
	warnings []string
}

// A provider is one row of the providers table (or one provider of
// config.json).
type provider struct {
	app, id, name  string
	settings       string // settings_config, JSON text
	website, notes string
	category       string
	meta           string   // ProviderMeta JSON text
	endpoints      []string // provider_endpoints (or meta.custom_endpoints)
	sort           int64    // sort_index, or the largest int64 when none
	// parsed is settings already decoded (config.json holds it as JSON).
	parsed map[string]any
}

// A universal is one of CC Switch's universal providers: one relay shared
// by Claude, Codex and Gemini.
type universal struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	ProviderType string `json:"providerType"`
	Apps         struct {
		Claude bool `json:"claude"`
		Codex  bool `json:"codex"`
		Gemini bool `json:"gemini"`
	} `json:"apps"`
	BaseURL string `json:"baseUrl"`
	APIKey  string `json:"apiKey"`
	Models  struct {
		Claude *struct {
			Model       string `json:"model"`
			HaikuModel  string `json:"haikuModel"`
			SonnetModel string `json:"sonnetModel"`
			OpusModel   string `json:"opusModel"`
		} `json:"claude"`
		Codex *struct {
			Model string `json:"model"`
		} `json:"codex"`
		Gemini *struct {
			Model string `json:"model"`
		} `json:"gemini"`
	} `json:"models"`
	WebsiteURL string `json:"websiteUrl"`
	Notes      string `json:"notes"`
	SortIndex  *int64 `json:"sortIndex"`
}

// convert turns what was read into Found, Skipped and warnings.
func (s *source) convert(res *importer.Result) {
	res.Warnings = append(res.Warnings, s.warnings...)
	rows := map[string]bool{} // app + "/" + id
	for _, p := range s.providers {
		rows[p.app+"/"+p.id] = true
		s.provider(res, p)
	}
	for _, u := range s.universal {
		s.universalProvider(res, u, rows)
	}
}

func (s *source) provider(res *importer.Result, p provider) {
	if strings.TrimSpace(p.name) == "" {
		p.name = p.id
	}
	e := extract(p)
	src := "cc-switch " + p.app + "/" + scrub(p.name, e.key)
	if e.warn != "" {
		res.Warnings = append(res.Warnings, src+": "+scrub(e.warn, e.key))
	}
	if e.skip != "" {
		res.Skipped = append(res.Skipped, importer.Skipped{Source: src, Why: scrub(e.skip, e.key)})
		return
	}
	f, why, warn := found(src, p.name, e, p.notes, p.website)
	if warn != "" {
		res.Warnings = append(res.Warnings, src+": "+warn)
	}
	if why != "" {
		res.Skipped = append(res.Skipped, importer.Skipped{Source: src, Why: why})
		return
	}
	res.Found = append(res.Found, f)
	if w := extraEndpoints(f.Credential, p.endpoints, e.key); w != "" {
		res.Warnings = append(res.Warnings, src+": "+w)
	}
}

func (s *source) universalProvider(res *importer.Result, u universal, rows map[string]bool) {
	if strings.TrimSpace(u.Name) == "" {
		u.Name = u.ID
	}
	src := "cc-switch universal/" + scrub(u.Name, u.APIKey)
	type app struct {
		name, apiType string
		models        []string
	}
	var apps []app
	if u.Apps.Claude {
		var m []string
		if c := u.Models.Claude; c != nil {
			m = []string{c.Model, c.HaikuModel, c.SonnetModel, c.OpusModel}
		}
		apps = append(apps, app{"claude", credential.Anthropic, m})
	}
	if u.Apps.Codex {
		var m []string
		if c := u.Models.Codex; c != nil {
			m = []string{c.Model}
		}
		apps = append(apps, app{"codex", credential.OpenAICompatible, m})
	}
	if u.Apps.Gemini {
		var m []string
		if c := u.Models.Gemini; c != nil {
			m = []string{c.Model}
		}
		apps = append(apps, app{"gemini", credential.Google, m})
	}
	if len(apps) == 0 {
		apps = append(apps, app{"", credential.OpenAICompatible, nil})
	}
	for _, a := range apps {
		asrc := src
		if a.name != "" {
			asrc += " (" + a.name + ")"
			if rows[a.name+"/universal-"+a.name+"-"+u.ID] {
				continue // synced into a providers row, read there
			}
		}
		e := entry{apiType: a.apiType, base: u.BaseURL, key: strings.TrimSpace(u.APIKey), models: a.models}
		switch {
		case e.key == "":
			res.Skipped = append(res.Skipped, importer.Skipped{Source: asrc, Why: "no API key"})
			continue
		case strings.TrimSpace(e.base) == "":
			res.Skipped = append(res.Skipped, importer.Skipped{Source: asrc, Why: "no base URL"})
			continue
		}
		f, why, warn := found(asrc, u.Name, e, u.Notes, u.WebsiteURL)
		if warn != "" {
			res.Warnings = append(res.Warnings, asrc+": "+warn)
		}
		if why != "" {
			res.Skipped = append(res.Skipped, importer.Skipped{Source: asrc, Why: why})
			continue
		}
		res.Found = append(res.Found, f)
	}
}

// found makes the Found of an entry with a key and a base URL; why is
// set when the base URL cannot be used, warn when it is plain http.
func found(src, name string, e entry, notes, website string) (f importer.Found, why, warn string) {
	c := &credential.Credential{
		Name:    scrub(strings.TrimSpace(name), e.key),
		APIType: e.apiType,
		Key:     secret.New(e.key),
		Models:  models(e.models),
		Notes:   note(notes, website, e.key),
	}
	base, err := credential.NormalizeBaseURL(e.apiType, e.base, false)
	if errors.Is(err, credential.ErrInsecureURL) {
		base, err = credential.NormalizeBaseURL(e.apiType, e.base, true)
		c.Insecure = true
		warn = "its base URL " + base + " is plain http (the key travels unencrypted); imported with insecure = true"
	}
	if err != nil {
		return f, scrub(err.Error(), e.key), ""
	}
	c.BaseURL = base
	return importer.Found{Source: src, Credential: c}, "", warn
}

// extraEndpoints says which of a provider's other endpoints were not
// imported, or "".
func extraEndpoints(c *credential.Credential, endpoints []string, key string) string {
	var other []string
	bad := 0
	for _, ep := range endpoints {
		n, err := credential.NormalizeBaseURL(c.APIType, ep, true)
		if err != nil {
			bad++
			continue
		}
		if n != c.BaseURL && !slices.Contains(other, n) {
			other = append(other, scrub(n, key))
		}
	}
	if len(other) == 0 && bad == 0 {
		return ""
	}
	what := strings.Join(other, ", ")
	if bad > 0 {
		what = strings.TrimPrefix(what+fmt.Sprintf(", %d that is not a valid URL", bad), ", ")
	}
	n := len(other) + bad
	noun := "endpoint"
	if n > 1 {
		noun = "endpoints"
	}
	return fmt.Sprintf("%d other %s not imported (%s): a credential has one base URL; change base_url to use another", n, noun, what)
}

// models returns the non-empty model names, without repeats, in order.
func models(in []string) []string {
	var out []string
	for _, m := range in {
		m = strings.TrimSpace(m)
		if m != "" && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// note is a credential's notes: the provider's notes, then its website.
func note(notes, website, key string) string {
	var parts []string
	if n := strings.TrimSpace(notes); n != "" {
		parts = append(parts, n)
	}
	if w := strings.TrimSpace(website); w != "" {
		parts = append(parts, "Website: "+w)
	}
	return scrub(strings.Join(parts, "\n"), key)
}

// scrub removes key, and anything that looks like a key, from text that
// import prints or writes into HCL.
func scrub(s, key string) string {
	if k := strings.TrimSpace(key); len(k) >= 4 {
		s = strings.ReplaceAll(s, k, secret.Placeholder)
	}
	return secret.RedactKeyLike(s)
}

// sortProviders orders providers as CC Switch lists them: by app, then
// sort index, then id.
func sortProviders(ps []provider) {
	slices.SortStableFunc(ps, func(a, b provider) int {
		return cmp.Or(cmp.Compare(a.app, b.app), cmp.Compare(a.sort, b.sort), cmp.Compare(a.id, b.id))
	})
}
