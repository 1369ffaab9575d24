// Package geminicli is the gemini_cli target: Gemini CLI's .env,
// settings.json and trustedFolders.json.
//
// Directory: the block's config_dir, else $GEMINI_CLI_HOME/.gemini (Gemini CLI
// uses GEMINI_CLI_HOME as the home directory, packages/core/src/utils/paths.ts
// homedir()), else ~/.gemini. In it hub owns:
//
//   - .env: GEMINI_API_KEY (the key), GOOGLE_GEMINI_BASE_URL (the
//     credential's base URL; Gemini CLI appends /v1beta/models/...), and
//     GEMINI_MODEL when model is set. The user's other variables, comments
//     and quoting are kept (targets/internal/dotenv reads the file exactly as
//     the npm dotenv package Gemini CLI uses does).
//   - settings.json: security.auth.selectedType = "gemini-api-key", so that a
//     saved Google login or Vertex setting does not win over the key. Every
//     other setting (mcpServers, theme, security.folderTrust, comments) is
//     kept.
//   - trustedFolders.json ($GEMINI_CLI_TRUSTED_FOLDERS_PATH when set and
//     config_dir is not): one "<absolute path>": "TRUST_FOLDER" entry per
//     trusted_folders element, beside the user's own entries. Gemini CLI
//     reads ~/.gemini/.env only when the working folder is trusted, so
//     without these (or folder trust turned off) it ignores the file.
//
// Checked with @google/gemini-cli 0.61.0 (`gemini -p` against a loopback
// upstream): with these files it sends POST
// {GOOGLE_GEMINI_BASE_URL}/v1beta/models/MODEL:streamGenerateContent?alt=sse
// with x-goog-api-key: KEY, the key read exactly from a quoted value holding
// # and blanks, from CRLF files and `export` lines; in an untrusted folder it
// stops with "you must specify the GEMINI_API_KEY environment variable";
// with GEMINI_CLI_HOME it reads $GEMINI_CLI_HOME/.gemini; it sends a few
// older Gemini 3 ids as newer ones (models.go has the measured table, and the
// plan notes it); it rejects a
// settings.json with trailing commas (comments are fine). Docs:
// https://github.com/google-gemini/gemini-cli/blob/main/docs/get-started/authentication.md
package geminicli

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/dotenv"
	"github.com/hubctl/hub/targets/internal/jsonedit"
)

// Type is the target type label.
const Type = "gemini_cli"

const (
	envFile      = ".env"
	settingsFile = "settings.json"
	trustFile    = "trustedFolders.json"

	// trustFolder is Gemini CLI's TrustLevel for "this folder and all below".
	trustFolder = "TRUST_FOLDER"
)

func init() {
	targets.Register(targets.Info{
		Type: Type,
		Doc:  "Gemini CLI: ~/.gemini/.env, settings.json and trusted folders",
		New:  func() targets.Target { return &Target{} },
	})
}

// Target is the gemini_cli block.
type Target struct {
	ConfigDir string `hcl:"config_dir,optional"`
	Model     string `hcl:"model,optional"`
	// TrustedFolders are the folders Gemini CLI runs in (each one with
	// everything below it), so that it reads the .env there.
	TrustedFolders []string `hcl:"trusted_folders,optional"`

	// Resolved by Files, which the engine calls before Desired and Notes:
	// the tool's directory, and the trusted folders as absolute paths
	// (~ and relative paths need the environment, which Desired lacks).
	dir     string
	folders []string
}

var (
	_ targets.Target        = (*Target)(nil)
	_ targets.Validator     = (*Target)(nil)
	_ targets.Noter         = (*Target)(nil)
	_ targets.StandingNoter = (*Target)(nil)
)

// Files implements targets.Target.
func (t *Target) Files(env targets.Env) ([]string, error) {
	var dir string
	var err error
	switch home := env.Get("GEMINI_CLI_HOME"); {
	case t.ConfigDir != "":
		dir, err = env.Path(t.ConfigDir)
	case home != "":
		dir, err = env.Path(home)
		dir = filepath.Join(dir, ".gemini")
	default:
		dir, err = env.ConfigDir("", "", ".gemini")
	}
	if err != nil {
		return nil, err
	}
	trust := filepath.Join(dir, trustFile)
	if p := env.Get("GEMINI_CLI_TRUSTED_FOLDERS_PATH"); p != "" && t.ConfigDir == "" {
		if trust, err = env.Path(p); err != nil {
			return nil, err
		}
	}
	t.dir, t.folders = dir, nil
	seen := map[string]bool{}
	for _, f := range t.TrustedFolders {
		abs, err := env.Path(f)
		if err != nil {
			return nil, fmt.Errorf("trusted_folders: %q: %w", f, err)
		}
		if !seen[abs] {
			seen[abs] = true
			t.folders = append(t.folders, abs)
		}
	}
	return []string{filepath.Join(dir, envFile), filepath.Join(dir, settingsFile), trust}, nil
}

// Open implements targets.Target. settings.json and trustedFolders.json are
// JSON with comments (Gemini CLI strips them before parsing).
func (t *Target) Open(path string, data []byte) (targets.Doc, error) {
	if filepath.Base(path) == envFile {
		return dotenv.Parse(data)
	}
	return jsonedit.Parse(data)
}

// Validate implements targets.Validator.
func (t *Target) Validate(in *targets.Input) []error {
	var errs []error
	if c := in.Credential(); c != nil && c.APIType != credential.Google && c.APIType != credential.OpenAICompatible {
		errs = append(errs, fmt.Errorf("credential %q has api_type %q, but Gemini CLI speaks only the Gemini API (POST /v1beta/models/MODEL:streamGenerateContent), which that does not serve; use a google credential, or an openai-compatible one for a relay that also serves the Gemini API", c.ID, c.APIType))
	}
	for _, f := range t.TrustedFolders {
		if strings.TrimSpace(f) == "" {
			errs = append(errs, fmt.Errorf("trusted_folders has an empty path"))
		}
	}
	if t.Model != "" && strings.TrimSpace(t.Model) != t.Model {
		errs = append(errs, fmt.Errorf("model %q has blanks around it", t.Model))
	}
	return errs
}

var v1beta = regexp.MustCompile(`(?i)/v1beta$`)

// BaseURL is GOOGLE_GEMINI_BASE_URL for a credential: its base URL without
// a trailing /v1beta, which Gemini CLI adds itself. (Google credentials
// never end in it; an openai-compatible one may, as its base URL is only cut
// at /v1.)
func BaseURL(c *credential.Credential) string { return v1beta.ReplaceAllString(c.BaseURL, "") }

// Desired implements targets.Target.
func (t *Target) Desired(path string, in *targets.Input) (*targets.Spec, error) {
	c := in.Credential()
	if c == nil {
		return nil, fmt.Errorf("%s has no credential", in.Address)
	}
	switch filepath.Base(path) {
	case envFile:
		items := []targets.Item{
			{Key: targets.Key{"GEMINI_API_KEY"}, Value: c.Key.Reveal(), Sensitive: true},
			{Key: targets.Key{"GOOGLE_GEMINI_BASE_URL"}, Value: BaseURL(c)},
		}
		if it, ok := targets.ModelItem(targets.Key{"GEMINI_MODEL"}, t.Model, c, credential.FamilyGemini); ok {
			items = append(items, it)
		}
		return &targets.Spec{Items: items}, nil
	case settingsFile:
		return &targets.Spec{Items: []targets.Item{
			{Key: targets.Key{"security", "auth", "selectedType"}, Value: "gemini-api-key"},
		}}, nil
	}
	if t.folders == nil && len(t.TrustedFolders) > 0 {
		return nil, fmt.Errorf("%s: trusted folders were not resolved (Files was not called)", in.Address)
	}
	spec := &targets.Spec{}
	for _, f := range t.folders {
		spec.Items = append(spec.Items, targets.Item{Key: targets.Key{f}, Value: trustFolder})
	}
	return spec, nil
}

// StandingNotes implements targets.StandingNoter: a model Gemini CLI will
// send as another id, said on every plan (the file may hold it already).
func (t *Target) StandingNotes(in *targets.Input) []string {
	c := in.Credential()
	if c == nil {
		return nil
	}
	it, ok := targets.ModelItem(targets.Key{"GEMINI_MODEL"}, t.Model, c, credential.FamilyGemini)
	if !ok {
		return nil
	}
	model, _ := it.Value.(string)
	to, ok := ModelRewrite(model)
	if !ok {
		return nil
	}
	what := fmt.Sprintf("model %q", model)
	if it.Origin != "" {
		what += " (" + it.Origin + ")"
	}
	return []string{fmt.Sprintf("Gemini CLI %s sends %s as %q: with an API key it promotes older Gemini 3 ids to the latest of their line, and no setting turns that off. Make sure the relay serves %q, or set model to the id you want sent.",
		ModelsCheckedVersion, what, to, to)}
}

// Notes implements targets.Noter.
func (t *Target) Notes(in *targets.Input) []string {
	dir := t.dir
	if dir == "" {
		dir = "~/.gemini"
	}
	env, settings := filepath.Join(dir, envFile), filepath.Join(dir, settingsFile)
	var notes []string
	if len(t.TrustedFolders) == 0 {
		notes = append(notes, fmt.Sprintf("Gemini CLI ignores %s in folders you have not trusted (folder trust is on by default): there it does not see the key or the base URL, and `gemini -p` stops with \"you must specify the GEMINI_API_KEY environment variable\". "+
			"To trust the folders you work in, add trusted_folders = [\"~/src\"] to this target (a folder covers everything below it), or turn the check off with \"security\": {\"folderTrust\": {\"enabled\": false}} in %s.", env, settings))
	}
	if c := in.Credential(); c != nil && c.APIType == credential.OpenAICompatible {
		notes = append(notes, fmt.Sprintf("credential %q is openai-compatible: Gemini CLI sends Gemini API requests (POST %s/v1beta/models/MODEL:streamGenerateContent, key in x-goog-api-key), which work only if the relay serves the Gemini API there, as New API and Sub2API do.", c.ID, BaseURL(c)))
	}
	notes = append(notes, fmt.Sprintf("Gemini CLI reads %s and its auth settings only when it starts: restart running sessions. A variable already set in the shell wins over the file, and a .env in the working folder or a folder above it is read instead of this one.", env))
	return notes
}
