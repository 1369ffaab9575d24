package geminicli

import (
	"errors"
	"fmt"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/readback"
)

var _ targets.Importer = (*Target)(nil)

// googleBase is the Gemini API, which Gemini CLI uses without
// GOOGLE_GEMINI_BASE_URL.
const googleBase = "https://" + "generativelanguage.googleapis.com"

// Import implements targets.Importer: .env's GEMINI_API_KEY,
// GOOGLE_GEMINI_BASE_URL and GEMINI_MODEL, with settings.json selecting
// the key (security.auth.selectedType = "gemini-api-key"). A Google login
// with no key in .env is no block; trusted folders are left as they are.
func (t *Target) Import(env targets.Env, read func(string) ([]byte, error)) ([]targets.Imported, error) {
	files, err := (&Target{}).Files(env)
	if err != nil {
		return nil, err
	}
	envPath, settingsPath := files[0], files[1]
	var errs []error
	dot, err := readback.Open(read, envPath, t.Open)
	if err != nil {
		errs = append(errs, err)
	}
	settings, err := readback.Open(read, settingsPath, t.Open)
	if err != nil {
		errs = append(errs, err)
	}
	key, _ := readback.String(dot, "GEMINI_API_KEY")
	if key == "" {
		return nil, errors.Join(errs...)
	}
	imp := targets.Imported{Name: "default", Files: []string{envPath, settingsPath}}
	inexact := func(format string, a ...any) {
		imp.NoBlock = true
		imp.Warnings = append(imp.Warnings, fmt.Sprintf(format, a...)+"; the key is imported as a credential, without a target (the first apply would change the file)")
	}
	raw, hasBase := readback.String(dot, "GOOGLE_GEMINI_BASE_URL")
	if !hasBase {
		raw = googleBase
		inexact("%s has no GOOGLE_GEMINI_BASE_URL, which hub always writes", envPath)
	}
	c, err := readback.Cred(credential.Google, "", raw, key)
	if err != nil {
		imp.NoBlock = true
		imp.Warnings = append(imp.Warnings, fmt.Sprintf("%s: GOOGLE_GEMINI_BASE_URL: %v; not imported", envPath, err))
		return []targets.Imported{imp}, errors.Join(errs...)
	}
	imp.Credentials = []*credential.Credential{c}
	if hasBase && BaseURL(c) != raw {
		imp.NoBlock = true
		imp.Warnings = append(imp.Warnings, readback.Inexact("GOOGLE_GEMINI_BASE_URL", envPath, readback.Show(raw), BaseURL(c)))
	}
	switch sel, ok := readback.String(settings, "security", "auth", "selectedType"); {
	case settings == nil && len(errs) > 0:
		imp.NoBlock = true // settings.json did not parse: said by the error
	case !ok:
		inexact("%s does not select the key (security.auth.selectedType = \"gemini-api-key\"), which hub writes", settingsPath)
	case sel != "gemini-api-key":
		inexact("%s selects %q (security.auth.selectedType), so Gemini CLI does not use the key in %s", settingsPath, sel, envPath)
	}
	if m, ok := readback.String(dot, "GEMINI_MODEL"); ok && m != "" && !imp.NoBlock {
		imp.Attrs = append(imp.Attrs, targets.Attr{Name: "model", Value: m})
	}
	return []targets.Imported{imp}, errors.Join(errs...)
}
