// Package vault keeps a configuration's secrets in the repository itself:
// one ASCII-armored age file per secret, secrets/NAME.age, encrypted to the
// public keys listed in secrets/recipients.txt and decrypted with this
// machine's identities (a Keyring). The files are plain age: the age command
// line tool reads them (age -d -i KEY secrets/relay.age), and one file per
// secret means git's history says which key changed.
//
// Besides the recipients' stanzas, hub adds one stanza of its own, of type
// "hub-recipients", whose arguments are the short fingerprints of the
// recipients the file was encrypted to. age ignores stanza types it does not
// know (every identity skips them), and age's header MAC covers them. It lets
// hub say who can decrypt a file without decrypting it, and notice a secret
// that was encrypted to another set than the current recipients.
//
// Nothing here prints a secret value or a secret key; errors name files,
// line numbers and public keys only.
package vault

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

const (
	// Dir is the directory of secrets, relative to the configuration.
	Dir = "secrets"
	// RecipientsFile is the list of public keys, in Dir.
	RecipientsFile = "recipients.txt"
	// Ext is the extension of a secret's file.
	Ext = ".age"
	// MaxNameLen bounds a secret's name, which is a file name.
	MaxNameLen = 64
	// MaxValueLen bounds a secret's value: API keys are short, and a
	// larger value is more likely a mistake (the wrong file) than a key.
	MaxValueLen = 64 << 10
)

var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// CheckName reports whether name can name a secret: letters, digits, '_',
// '-' and '.', starting with a letter or digit, at most MaxNameLen long
// (it is a file name in every operating system and in git).
func CheckName(name string) error {
	switch {
	case name == "":
		return errors.New("the secret name is empty")
	case len(name) > MaxNameLen:
		return fmt.Errorf("the secret name is %d characters long; at most %d are allowed", len(name), MaxNameLen)
	case !namePattern.MatchString(name), strings.Contains(name, ".."), strings.HasSuffix(name, "."):
		return fmt.Errorf("the secret name %q must start with a letter or digit and contain only letters, digits, '_', '-' and '.'", name)
	case strings.HasSuffix(name, Ext):
		return fmt.Errorf("give the secret's name without %s: %q", Ext, strings.TrimSuffix(name, Ext))
	}
	return nil
}

// Repo is the secrets of the configuration in directory Root.
type Repo struct{ Root string }

// SecretsDir is Root/secrets.
func (r Repo) SecretsDir() string { return filepath.Join(r.Root, Dir) }

// Path is the file of the secret name.
func (r Repo) Path(name string) string { return filepath.Join(r.Root, Dir, name+Ext) }

// RecipientsPath is the recipients file.
func (r Repo) RecipientsPath() string { return filepath.Join(r.Root, Dir, RecipientsFile) }

// Names lists the secrets, sorted. A missing directory is no secrets.
func (r Repo) Names() ([]string, error) {
	entries, err := os.ReadDir(r.SecretsDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list secrets: %w", err)
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(n, Ext) {
			continue
		}
		if CheckName(strings.TrimSuffix(n, Ext)) == nil {
			names = append(names, strings.TrimSuffix(n, Ext))
		}
	}
	sort.Strings(names)
	return names, nil
}
