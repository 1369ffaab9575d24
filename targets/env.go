package targets

import (
	"errors"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
)

// Env is the environment targets resolve paths from (HOME, CODEX_HOME,
// CLAUDE_CONFIG_DIR, XDG_CONFIG_HOME, ...). It is built once by the CLI from
// the process environment, and from a map in tests, so no adapter reads os.
type Env struct {
	Vars map[string]string
	// Dir is the configuration directory; relative paths in target blocks are
	// resolved against it.
	Dir string
}

// Get returns the variable's value, or "".
func (e Env) Get(name string) string { return e.Vars[name] }

// ErrNoHome is returned when no home directory is known.
var ErrNoHome = errors.New("HOME is not set; set it or give the target a config_dir")

// Home returns the user's home directory: HOME, or on Windows USERPROFILE
// first, as Node's os.homedir() (which most of the tools use) does.
func (e Env) Home() (string, error) {
	order := []string{"HOME", "USERPROFILE"}
	if runtime.GOOS == "windows" {
		order = []string{"USERPROFILE", "HOME"}
	}
	for _, v := range order {
		if h := e.Get(v); h != "" {
			return h, nil
		}
	}
	return "", ErrNoHome
}

// Path expands a leading ~ and makes p absolute against the config directory.
func (e Env) Path(p string) (string, error) {
	if p == "~" || strings.HasPrefix(p, "~/") {
		h, err := e.Home()
		if err != nil {
			return "", err
		}
		p = filepath.Join(h, p[1:])
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(e.Dir, p)
	}
	return filepath.Clean(p), nil
}

// ConfigDir resolves a tool's directory: the block's override if set, else the
// environment variable if set, else the default under the home directory.
func (e Env) ConfigDir(override, envVar, homeRel string) (string, error) {
	if override != "" {
		return e.Path(override)
	}
	if envVar != "" {
		if v := e.Get(envVar); v != "" {
			return e.Path(v)
		}
	}
	h, err := e.Home()
	if err != nil {
		return "", err
	}
	return filepath.Join(h, homeRel), nil
}

var envNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ValidEnvName reports whether s can name an environment variable.
func ValidEnvName(s string) bool { return envNamePattern.MatchString(s) }

// KeyEnvName is the default variable a tool reads a credential's key from in
// key_mode = "env": the id upper-cased, other characters made _, then
// _API_KEY (relay → RELAY_API_KEY, my-relay → MY_RELAY_API_KEY).
func KeyEnvName(id string) string {
	b := []byte(strings.ToUpper(id))
	for i, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b) + "_API_KEY"
}

// ConfigFile resolves a server's config file from a block's config_file, or
// else the file name in its config_dir; "" when the block sets neither.
func (e Env) ConfigFile(file, dir, name string) (string, error) {
	switch {
	case file != "":
		return e.Path(file)
	case dir != "":
		d, err := e.Path(dir)
		if err != nil {
			return "", err
		}
		return filepath.Join(d, name), nil
	}
	return "", nil
}
