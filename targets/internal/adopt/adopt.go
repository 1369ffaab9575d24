// Package adopt holds what the adapters' Importers share: reading a file that
// may be missing, turning a URL from a tool's file back into a credential's
// base URL, and the check that makes an import exact: an entry is imported
// only if the adapter's own Desired, given the credential read back, asks
// for exactly what the file holds, so the first plan only adopts it.
package adopt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
)

// Read returns the file's bytes, or nil and no error when it does not exist.
func Read(read func(path string) ([]byte, error), path string) ([]byte, error) {
	data, err := read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
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
	base, err = credential.NormalizeBaseURL(apiType, raw, false)
	if errors.Is(err, credential.ErrInsecureURL) {
		base, err = credential.NormalizeBaseURL(apiType, raw, true)
		insecure = err == nil
	}
	return base, insecure, err
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
