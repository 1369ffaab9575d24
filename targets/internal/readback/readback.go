// Package readback holds what the targets' Import methods share: reading a
// file that may be missing, getting strings out of a parsed document, and
// turning a base URL from a tool's file into a credential's, so that each
// adapter only says where its tool keeps what.
package readback

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/targets"
)

// Read returns the file's bytes, or ok false when it does not exist.
func Read(read func(string) ([]byte, error), path string) (data []byte, ok bool, err error) {
	data, err = read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return data, true, nil
}

// Open reads and parses a file with open (a target's Open); a parse error
// names the file. A missing file is a nil Doc.
func Open(read func(string) ([]byte, error), path string, open func(string, []byte) (targets.Doc, error)) (targets.Doc, error) {
	data, ok, err := Read(read, path)
	if err != nil || !ok {
		return nil, err
	}
	d, err := open(path, data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// String returns the string at key of d (nil d: none).
func String(d targets.Doc, key ...string) (string, bool) {
	if d == nil {
		return "", false
	}
	v, ok := d.Get(targets.Key(key))
	s, isString := v.(string)
	return s, ok && isString
}

// Map returns the object at key of d.
func Map(d targets.Doc, key ...string) map[string]any {
	if d == nil {
		return nil
	}
	v, _ := d.Get(targets.Key(key))
	m, _ := v.(map[string]any)
	return m
}

// Base normalizes a base URL found in a tool's file as a credential's
// (credential.NormalizeBaseURL), allowing plain http to another host as
// the file does (insecure is then set).
func Base(apiType, raw string) (base string, insecure bool, err error) {
	base, err = credential.NormalizeBaseURL(apiType, raw, false)
	if errors.Is(err, credential.ErrInsecureURL) {
		base, err = credential.NormalizeBaseURL(apiType, raw, true)
		insecure = err == nil
	}
	return base, insecure, err
}

// Cred returns a credential found in a tool's file: its base URL is
// normalized, and it fails when raw does not parse as one.
func Cred(apiType, name, raw, key string) (*credential.Credential, error) {
	base, insecure, err := Base(apiType, raw)
	if err != nil {
		return nil, err
	}
	return &credential.Credential{Name: name, APIType: apiType, BaseURL: base, Key: secret.New(key), Insecure: insecure}, nil
}

// OpenAIType is the API type of an OpenAI-style endpoint: openai on
// OpenAI's own host, else openai-compatible.
func OpenAIType(raw string) string {
	if Host(raw) == "api.openai.com" {
		return credential.OpenAI
	}
	return credential.OpenAICompatible
}

// Host returns the lower-cased host of a URL, or "".
func Host(raw string) string {
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// Show returns a URL from a tool's file for a message: without user
// information or query, which may hold a secret.
func Show(raw string) string {
	raw = strings.TrimSpace(raw)
	if u, err := url.Parse(raw); err != nil || u.Host == "" {
		return "(a URL that does not parse)"
	}
	return secret.RedactURL(raw)
}

// Inexact is the warning for a value hub would rewrite: what, in which
// file, as found and as hub writes it.
func Inexact(what, file, found, writes string) string {
	return fmt.Sprintf("%s in %s is %s, which hub would write as %s; not imported as a target (the first apply would change the file)", what, file, found, writes)
}
