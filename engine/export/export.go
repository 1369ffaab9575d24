// Package export writes credentials in other tools' own import formats
// (hub export): a CC Switch or Cherry Studio deep link, a Kilo Code
// settings file, an All API Hub backup, shell export lines. Every format
// holds keys: the CLI decides where the bytes may go (a 0600 file, a pipe,
// the OS's URL opener), never this package.
package export

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/hubctl/hub/credential"
)

// A Format is one receiving tool's import format.
type Format struct {
	// Name is the subcommand: "cc-switch".
	Name string
	// Short is one line for help; Long teaches the format and how the tool
	// picks it up.
	Short, Long, Example string
	// Multi is set when the format takes several credentials (a settings
	// file, a backup); else exactly one.
	Multi bool
	// Link is set when the output is one URL (a deep link) that --open can
	// hand to the OS.
	Link bool
	// Flags names the Options fields the format reads ("app", "model",
	// "enable", "legacy", "encrypt"), so the CLI offers only those.
	Flags []string
	// Write returns the format's bytes for creds.
	Write func(creds []*credential.Credential, o Options) ([]byte, error)
}

// Options are what a format may be told besides the credentials.
type Options struct {
	App, Model     string
	Enable, Legacy bool
	// Encrypt asks for an encrypted envelope, Password for its password.
	Encrypt  bool
	Password func() (string, error)
	// Now stamps exports that carry a time; nil is time.Now.
	Now func() time.Time
}

// Time is o.Now(), or the current time.
func (o Options) Time() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

var (
	mu      sync.RWMutex
	formats = map[string]Format{}
)

// Register adds a format; it panics on a duplicate (a programming error).
func Register(f Format) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := formats[f.Name]; dup || f.Name == "" || f.Write == nil {
		panic("export: bad or duplicate Register of " + f.Name)
	}
	formats[f.Name] = f
}

// Lookup returns the named format.
func Lookup(name string) (Format, error) {
	mu.RLock()
	defer mu.RUnlock()
	f, ok := formats[name]
	if !ok {
		return Format{}, fmt.Errorf("no export format %q (formats: %v)", name, namesLocked())
	}
	return f, nil
}

// All returns the formats, by name.
func All() []Format {
	mu.RLock()
	defer mu.RUnlock()
	var out []Format
	for _, n := range namesLocked() {
		out = append(out, formats[n])
	}
	return out
}

func namesLocked() []string {
	var ns []string
	for n := range formats {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}
