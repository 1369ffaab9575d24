// Package adopt holds what the adapters' Importers share: reading a file that
// may be missing, turning a URL from a tool's file back into a credential's
// base URL, and the check that makes an import exact: an entry is imported
// only if the adapter's own Desired, given the credential read back, asks
// for exactly what the file holds, so the first plan only adopts it.
package adopt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/hubctl/hub/targets/internal/readback"

	"github.com/hubctl/hub/targets"
)

// Read returns the file's bytes, or nil and no error when it does not
// exist (an empty file is non-nil).
func Read(read func(path string) ([]byte, error), path string) ([]byte, error) {
	data, ok, err := readback.Read(read, path)
	if !ok || err != nil {
		return nil, err
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

// Mismatch returns a sentence naming the first item of spec that doc does not
// hold as it is (missing, or another value), or a conflict key doc holds,
// and "" when a plan would only adopt. It never shows a value.
func Mismatch(doc targets.Doc, spec *targets.Spec) string {
	desired := map[string]bool{}
	for _, it := range spec.Items {
		desired[it.Key.String()] = true
		v, ok := doc.Get(it.Key)
		if !ok {
			return fmt.Sprintf("hub would add %s", it.Key)
		}
		if !bytes.Equal(canonical(v), canonical(it.Value)) {
			return fmt.Sprintf("hub would write %s differently", it.Key)
		}
	}
	for _, c := range spec.Conflicts {
		if _, ok := doc.Get(c.Key); ok && !desired[c.Key.String()] {
			return c.Reason
		}
	}
	return ""
}

// canonical encodes a JSON-like value as the engine compares values: int64 5
// and float64 5 alike, maps in key order.
func canonical(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte(fmt.Sprintf("%#v", v))
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// BaseURL turns a URL from a tool's file, with the adapter's suffix already
// cut, into a credential's base URL: normalized, and insecure when it is
// plain http to another host (the credential then says insecure = true).
func BaseURL(apiType, raw string) (base string, insecure bool, err error) {
	return readback.Base(apiType, raw)
}

// idPattern is what the configuration accepts as a credential id
// (engine/config), and maxID its length.
var idPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

const maxID = 64

// ValidID reports whether a tool's name for a provider can be a credential
// id, which the adapters write back as that name.
func ValidID(s string) bool { return len(s) <= maxID && idPattern.MatchString(s) }

// Strings returns v as a list of strings, if it is one.
func Strings(v any) ([]string, bool) {
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// String returns m[k] if it is a string.
func String(m map[string]any, k string) (string, bool) {
	s, ok := m[k].(string)
	return s, ok
}

// ConfigFiles imports the config files of a tool that has no default
// place (CLIProxyAPI, LiteLLM): the block's own file (configFile or
// configDir, with base as the file name) if it names one, else each of
// places (relative to HOME) that exists, one block each, the first named
// "default" and the others after their directory. A block read from one of
// places gets config_file first, so the configuration finds it again.
// importFile reads one file into a block (nil: nothing in it). A file
// that fails is returned as the first error, after what the others gave.
func ConfigFiles(env targets.Env, configFile, configDir, base string, places []string, read func(string) ([]byte, error),
	importFile func(path string, data []byte, name string) (*targets.Imported, error)) ([]targets.Imported, error) {
	type place struct{ path, attr string }
	var ps []place
	if configFile != "" || configDir != "" {
		p, err := env.ConfigFile(configFile, configDir, base)
		if err != nil {
			return nil, err
		}
		ps = append(ps, place{p, ""})
	} else {
		home, err := env.Home()
		if err != nil {
			return nil, err
		}
		for _, rel := range places {
			ps = append(ps, place{filepath.Join(home, filepath.FromSlash(rel)), "~/" + rel})
		}
	}
	var out []targets.Imported
	var errs []error
	for _, pl := range ps {
		data, err := Read(read, pl.path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if data == nil {
			continue
		}
		name := "default"
		if len(out) > 0 {
			name = strings.ToLower(strings.Trim(filepath.Base(filepath.Dir(pl.path)), "."))
		}
		imp, err := importFile(pl.path, data, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if imp == nil {
			continue
		}
		if pl.attr != "" && len(imp.Credentials) > 0 {
			imp.Attrs = append([]targets.Attr{{Name: "config_file", Value: pl.attr}}, imp.Attrs...)
		}
		out = append(out, *imp)
	}
	if len(errs) > 0 {
		return out, errs[0]
	}
	return out, nil
}
