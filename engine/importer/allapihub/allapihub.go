// Package allapihub reads All API Hub's backups (the browser extension's
// "Export all" file, or the document its WebDAV sync keeps) for hub
// import: each API credential profile becomes a credential, with its tags,
// notes, expiry and usage settings; site accounts are logins, not keys, and
// are left out. It reads, and never writes, the extension's formats
// (qixing-jk/all-api-hub: src/services/importExport, src/types/
// apiCredentialProfiles.ts, src/services/webdav): backup versions 1.0 to
// 4.0, credential profiles up to version 5, and the encrypted WebDAV
// envelope.
package allapihub

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/importer"
	"github.com/hubctl/hub/secret"
)

// The newest formats this package reads.
const (
	// MaxBackupVersion is the extension's BACKUP_VERSION.
	MaxBackupVersion = "4.0"
	// MaxProfilesVersion is API_CREDENTIAL_PROFILES_CONFIG_VERSION.
	MaxProfilesVersion = 5
)

// backupVersions are the backup versions the extension imports; a backup
// without one is 1.0.
var backupVersions = []string{"1.0", "2.0", "3.0", "4.0"}

// Parse reads an All API Hub backup ("Export all" file or the WebDAV backup
// document), decrypting the envelope when it is encrypted (password asks
// for the backup password; called only when needed). source names the
// backup for messages ("~/Downloads/all-api-hub-backup-2026-08-01.json").
// A backup it cannot read entirely (malformed JSON, a newer version, a
// wrong password) is an error and nothing is returned: importing half of
// a backup would look like a complete import.
func Parse(data []byte, source string, password func() (string, error)) (importer.Result, error) {
	fail := func(err error) (importer.Result, error) {
		return importer.Result{}, fmt.Errorf("all-api-hub backup %s: %w", source, err)
	}
	top, err := decodeTop(data)
	if err != nil {
		return fail(err)
	}
	if isEnvelope(top) {
		plain, err := decrypt(bytes.TrimPrefix(data, utf8BOM), password)
		if err != nil {
			return fail(err)
		}
		if top, err = decodeTop(plain); err != nil {
			return fail(fmt.Errorf("decrypted: %w", err))
		}
		if isEnvelope(top) {
			return fail(errors.New("decrypted: the backup is encrypted twice"))
		}
	}
	if err := checkVersion(top); err != nil {
		return fail(err)
	}
	r := importer.Result{Source: "all-api-hub " + source}
	profiles, _ := top["apiCredentialProfiles"].(map[string]any)
	if profiles != nil {
		if err := checkProfilesVersion(profiles); err != nil {
			return fail(err)
		}
	}
	tags := tagNames(top)
	for _, p := range list(profiles["profiles"]) {
		pm, ok := p.(map[string]any)
		if !ok {
			continue
		}
		readProfile(&r, pm, tags)
	}
	if n, names := accounts(top); n > 0 {
		why := fmt.Sprintf("%d site accounts (logins, not API keys) skipped", n)
		if n == 1 {
			why = "1 site account (login, not an API key) skipped"
		}
		if len(names) > 0 {
			why += ": " + strings.Join(names, ", ")
		}
		r.Skipped = append(r.Skipped, importer.Skipped{Source: "all-api-hub accounts", Why: why})
	}
	if len(r.Found) == 0 && len(r.Skipped) == 0 {
		r.Warnings = append(r.Warnings, "the backup holds no API credential profiles (All API Hub's key library); a partial export of accounts or preferences has none")
	}
	return r, nil
}

var utf8BOM = []byte("\xef\xbb\xbf")

// decodeTop decodes the backup's JSON object, tolerantly as the extension
// does (a field of an unexpected type is ignored, not an error); malformed
// JSON is an error at its line and column.
func decodeTop(data []byte) (map[string]any, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("the file is empty")
	}
	var v any
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	err := d.Decode(&v)
	if err == nil {
		if _, e := d.Token(); e != io.EOF {
			off := d.InputOffset()
			line, col := position(data, off)
			return nil, fmt.Errorf("line %d:%d: more data after the JSON object", line, col)
		}
	}
	if err != nil {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			line, col := position(data, se.Offset)
			return nil, fmt.Errorf("not valid JSON at line %d:%d: %v", line, col, se)
		case errors.Is(err, io.ErrUnexpectedEOF):
			line, col := position(data, int64(len(data)))
			return nil, fmt.Errorf("not valid JSON at line %d:%d: the file ends in the middle of a value (cut short?)", line, col)
		}
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	top, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not an All API Hub backup: the JSON is not an object")
	}
	return top, nil
}

// position turns a byte offset into a 1-based line and column (in bytes).
func position(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	if col == 0 {
		col = 1
	}
	return line, col
}

// checkVersion accepts the backup versions the extension imports and
// explains any other.
func checkVersion(top map[string]any) error {
	raw, present := top["version"]
	if !present || raw == nil {
		return nil // 1.0, which had no version field
	}
	s := ""
	switch v := raw.(type) {
	case string:
		s = strings.TrimSpace(v)
	case json.Number:
		s = v.String()
	}
	for _, ok := range backupVersions {
		if s == ok {
			return nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 4.0 {
		return fmt.Errorf("backup version %s is newer than this hub supports (%s > %s); update hub", s, s, MaxBackupVersion)
	}
	return fmt.Errorf("backup version %s is not one hub reads (%s)", printable(fmt.Sprint(raw)), strings.Join(backupVersions, ", "))
}

// checkProfilesVersion refuses a profile library newer than hub knows, as
// the extension's assertSupportedApiCredentialProfilesConfigVersion does.
func checkProfilesVersion(p map[string]any) error {
	n, ok := p["version"].(json.Number)
	if !ok {
		return nil
	}
	v, err := n.Float64()
	if err == nil && v > MaxProfilesVersion {
		return fmt.Errorf("its API credential profiles are version %s, newer than this hub supports (%s > %d); update hub", n, n, MaxProfilesVersion)
	}
	return nil
}

// tagNames maps the global tag store's ids to names (tagStore.tagsById;
// 1.0 kept it under data).
func tagNames(top map[string]any) map[string]string {
	store, _ := top["tagStore"].(map[string]any)
	if store == nil {
		if d, _ := top["data"].(map[string]any); d != nil {
			store, _ = d["tagStore"].(map[string]any)
		}
	}
	byID, _ := store["tagsById"].(map[string]any)
	names := map[string]string{}
	for id, t := range byID {
		tm, _ := t.(map[string]any)
		name := strings.Join(strings.Fields(str(tm["name"])), " ")
		if name != "" {
			names[id] = name
		}
	}
	return names
}

// accounts counts the site accounts (accounts.accounts; in 1.0 also
// data.accounts or accounts as a list) and names a few of them.
func accounts(top map[string]any) (n int, names []string) {
	var l []any
	switch a := top["accounts"].(type) {
	case map[string]any:
		l = list(a["accounts"])
	case []any:
		l = a
	}
	if l == nil {
		if d, _ := top["data"].(map[string]any); d != nil {
			l = list(d["accounts"])
		}
	}
	const named = 5
	for _, a := range l {
		am, ok := a.(map[string]any)
		if !ok {
			continue
		}
		n++
		if len(names) < named {
			if s := strings.TrimSpace(str(am["site_name"])); s != "" {
				names = append(names, printable(s))
			}
		}
	}
	if n > len(names) && len(names) > 0 {
		names = append(names, "…")
	}
	return n, names
}

// readProfile adds one credential profile to r: as a Found, or as a
// Skipped when it has no key or no usable base URL.
func readProfile(r *importer.Result, p map[string]any, tags map[string]string) {
	apiType := str(p["apiType"])
	rawBase := strings.TrimSpace(str(p["baseUrl"]))
	key := strings.TrimSpace(str(p["apiKey"]))
	known := credential.ValidAPIType(apiType)
	if !known {
		apiType = credential.OpenAICompatible // as the extension coerces it
	}
	insecure := false
	base, err := credential.NormalizeBaseURL(apiType, rawBase, false)
	if errors.Is(err, credential.ErrInsecureURL) {
		base, err = credential.NormalizeBaseURL(apiType, rawBase, true)
		insecure = err == nil
	}
	// The extension's name fallback: the normalized base URL, then "API
	// Profile".
	name := strings.TrimSpace(str(p["name"]))
	if name == "" && err == nil {
		name = base
	}
	if name == "" {
		name = rawBase
	}
	if name == "" {
		name = "API Profile"
	}
	src := "all-api-hub profile " + printable(name)
	switch {
	case key == "" || rawBase == "":
		r.Skipped = append(r.Skipped, importer.Skipped{Source: src, Why: "no API key or no base URL (the extension drops such rows too)"})
		return
	case err != nil:
		r.Skipped = append(r.Skipped, importer.Skipped{Source: src, Why: printable(err.Error())})
		return
	}
	if !known {
		what := fmt.Sprintf("API type %q", printable(str(p["apiType"])))
		if str(p["apiType"]) == "" {
			what = "no API type"
		}
		r.Warnings = append(r.Warnings, fmt.Sprintf("profile %s has %s; imported as %s, as All API Hub takes it", printable(name), what, credential.OpenAICompatible))
	}
	c := &credential.Credential{Name: name, APIType: apiType, Key: secret.New(key), Notes: strings.TrimSpace(str(p["notes"])), Insecure: insecure}
	c.Name = clip(r, name, "name", c.Name, maxNameLen)
	c.Notes = clip(r, name, "notes", c.Notes, maxNotesLen)
	if insecure {
		r.Warnings = append(r.Warnings, fmt.Sprintf("profile %s uses plain http (%s): imported with insecure = true, so the key travels unencrypted as it does now", printable(name), base))
	}
	c.BaseURL = base
	c.Tags = profileTags(r, name, p["tagIds"], tags)
	c.Usage = usage(r, name, base, p["telemetryConfig"])
	r.Found = append(r.Found, importer.Found{Source: src, Credential: c, Expires: expires(p["expiresAt"])})
}

// profileTags resolves a profile's tag ids to names; an id the tag store
// does not hold is dropped with a warning.
func profileTags(r *importer.Result, name string, ids any, tags map[string]string) []string {
	var out, unknown []string
	seen := map[string]bool{}
	for _, id := range list(ids) {
		s := strings.TrimSpace(str(id))
		if s == "" {
			continue
		}
		t, ok := tags[s]
		if !ok {
			unknown = append(unknown, printable(s))
			continue
		}
		t = clip(r, name, "tag", t, maxTagLen)
		if !seen[strings.ToLower(t)] {
			seen[strings.ToLower(t)] = true
			out = append(out, t)
		}
	}
	if len(unknown) > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("profile %s has tag ids the backup's tag store does not name (%s); dropped", printable(name), strings.Join(unknown, ", ")))
	}
	return out
}

// usageModes maps telemetryConfig.mode to hub's usage methods; auto is ""
// (no usage block, hub's default).
var usageModes = map[string]string{
	"auto":                   "",
	"disabled":               "disabled",
	"openaiBilling":          "openai_billing",
	"newApiTokenUsage":       "newapi",
	"sub2apiUsage":           "sub2api",
	"customReadOnlyEndpoint": "custom",
}

// usage maps a profile's telemetryConfig to hub's usage settings. What hub
// cannot read the same way is said in a warning; a custom endpoint hub
// could not use becomes "disabled" rather than auto, since auto would probe
// endpoints the user chose not to rely on (gateways fake billing answers).
func usage(r *importer.Result, name, base string, raw any) credential.Usage {
	tc, _ := raw.(map[string]any)
	mode := str(tc["mode"])
	if mode == "" {
		return credential.Usage{}
	}
	method, ok := usageModes[mode]
	if !ok {
		r.Warnings = append(r.Warnings, fmt.Sprintf("profile %s has usage mode %q, which hub does not know; left to auto, as All API Hub does", printable(name), printable(mode)))
		return credential.Usage{}
	}
	if method != "custom" {
		return credential.Usage{Method: method}
	}
	warn := func(format string, a ...any) {
		r.Warnings = append(r.Warnings, fmt.Sprintf("profile %s: ", printable(name))+fmt.Sprintf(format, a...))
	}
	ce, _ := tc["customEndpoint"].(map[string]any)
	endpoint := strings.TrimSpace(str(ce["endpoint"]))
	if endpoint == "" {
		warn("its custom usage endpoint is missing; usage set to disabled")
		return credential.Usage{Method: "disabled"}
	}
	resolved, same, err := credential.ResolveUsageEndpoint(base, endpoint)
	if err != nil {
		warn("its custom usage endpoint cannot be used (%s); usage set to disabled", printable(err.Error()))
		return credential.Usage{Method: "disabled"}
	}
	u := credential.Usage{Method: "custom", Endpoint: endpoint}
	if tok := strings.TrimSpace(str(ce["bearerToken"])); tok != "" {
		if same {
			warn("its usage token is for %s, the profile's own origin, where hub sends the API key instead; token dropped", credential.OriginOf(resolved))
		} else {
			u.Token = secret.New(tok)
		}
	}
	paths, _ := ce["jsonPaths"].(map[string]any)
	path := func(k string) string {
		p := strings.TrimSpace(str(paths[k]))
		if p == "" {
			return ""
		}
		segs := credential.UsagePathSegments(p)
		p = strings.Join(segs, ".")
		if err := credential.ValidUsagePath(p); err != nil {
			warn("its %s path is dropped: %s", k, printable(err.Error()))
			return ""
		}
		return p
	}
	u.Paths = credential.UsagePaths{
		Balance:       path("balanceUsd"),
		TodayCost:     path("todayCostUsd"),
		TodayRequests: path("todayRequests"),
		TodayTokens:   path("todayTotalTokens"),
	}
	var dropped []string
	for _, k := range []string{"todayPromptTokens", "todayCompletionTokens", "totalUsedUsd", "totalGrantedUsd", "totalAvailableUsd", "expiresAt"} {
		if strings.TrimSpace(str(paths[k])) != "" {
			dropped = append(dropped, k)
		}
	}
	if len(dropped) > 0 {
		warn("hub reads balance, today's cost, requests and total tokens from a custom endpoint; the paths of %s are dropped", strings.Join(dropped, ", "))
	}
	if u.Paths == (credential.UsagePaths{}) {
		warn("no custom usage path is one hub reads; usage set to disabled")
		return credential.Usage{Method: "disabled"}
	}
	return u
}

// expires returns the day a profile's expiresAt names, as YYYY-MM-DD. The
// extension stores the local midnight of the day picked, in the browser's
// time zone, which the backup does not say. Taking the plain UTC date
// would put every expiry set east of Greenwich a day early (China, UTC+8,
// stores 16:00 UTC of the day before). Instead the day is the one whose
// local midnight expiresAt is in some zone from UTC-10 (Hawaii) to UTC+13
// (New Zealand in summer, Samoa, Tonga): the UTC date of expiresAt plus 14
// hours less a millisecond. The answer does not depend on the machine's
// zone, so an import reads the same everywhere; only UTC-11, UTC-12 and
// UTC+14 (a few islands) come out a day off.
func expires(raw any) string {
	ms, ok := number(raw)
	if !ok || ms <= 0 || ms > 253402300799999 { // past 9999-12-31
		return ""
	}
	const shift = int64(14*time.Hour/time.Millisecond) - 1
	return time.UnixMilli(int64(ms) + shift).UTC().Format(time.DateOnly)
}

// The bounds engine/config puts on a credential's name, notes and tags
// (maxNameLen, maxNotesLen, maxTagLen there): an imported value longer than
// these would make the generated configuration fail to load.
const (
	maxNameLen  = 256
	maxNotesLen = 4096
	maxTagLen   = 64
)

// clip cuts v to at most limit bytes, on a character boundary, saying so.
func clip(r *importer.Result, profile, what, v string, limit int) string {
	if len(v) <= limit {
		return v
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	r.Warnings = append(r.Warnings, fmt.Sprintf("profile %s: its %s is %d bytes long, more than hub's %d; cut to %d", printable(profile), what, len(v), limit, cut))
	return v[:cut]
}

// str returns v if it is a string, else "".
func str(v any) string {
	s, _ := v.(string)
	return s
}

// list returns v if it is a list, else nil.
func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// number reads a JSON number or a numeric string, as coerceFiniteNumber.
func number(v any) (float64, bool) {
	var s string
	switch n := v.(type) {
	case json.Number:
		s = n.String()
	case string:
		s = strings.TrimSpace(n)
	default:
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

func printable(s string) string { return secret.Printable(s) }
