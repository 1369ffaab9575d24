// Package backend is the registry of state backends: where hub keeps its
// state, as the body of `hub { state "TYPE" { ... } }` says. The local file
// is built in and takes no settings; every other backend (WebDAV) registers
// itself, as target types do, with its HCL settings and the document it
// opens, so engine/config and cmd/hub name none of them. Adding one (S3,
// say) takes its own package and a line in backend/all.
//
// What all backends share is decoded here, once: the encrypt block (the
// document is encrypted with age whatever keeps it, see states.DocStore)
// and lock_timeout. A backend other than the local one keeps state off this
// machine, so Open puts a local copy in front of it (states.Synced).
package backend

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"

	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/states/crypt"
	"github.com/hubctl/hub/engine/system"
)

// Local is the built-in backend: .hub/state.json beside the configuration.
const Local = "local"

// DefaultLockTimeout is how long a writing command waits for another
// host's lock unless lock_timeout says otherwise.
const DefaultLockTimeout = 30 * time.Second

// Info describes a state backend to the registry.
type Info struct {
	Type string // HCL label: "webdav"
	Doc  string // one line, for help and docs
	// New returns a pointer to a zero settings struct whose exported fields
	// carry hcl tags: the block's body, less what every backend takes
	// (encrypt, lock_timeout). Only the local backend has none.
	New func() Settings
}

// Settings are a backend block's decoded body.
type Settings interface {
	// Check validates the settings once they decoded without error and
	// completes them (defaults, normal forms). Its diagnostics are about
	// the block, whose header is block.
	Check(block hcl.Range) hcl.Diagnostics
	// Secrets returns the values the redactor must hide (a password),
	// whether or not the block is valid.
	Secrets() []string
	// Open returns the document the settings name. It sends no request.
	Open() (states.Blob, error)
}

// reserved are the arguments and blocks every backend takes.
var reserved = []string{"encrypt", "lock_timeout"}

var (
	mu       sync.RWMutex
	registry = map[string]Info{Local: {Type: Local, Doc: "a file beside the configuration, .hub/state.json (the default)"}}
)

// Register adds a backend. It panics on an empty type, a nil New, settings
// that are not a pointer to a struct or that declare what every backend
// takes, or a duplicate: programming errors found at start-up.
func Register(info Info) {
	mu.Lock()
	defer mu.Unlock()
	if info.Type == "" || info.New == nil {
		panic("backend: Register with empty Type or nil New")
	}
	if _, dup := registry[info.Type]; dup {
		panic("backend: Register called twice for " + info.Type)
	}
	t := reflect.TypeOf(info.New())
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		panic("backend: " + info.Type + " settings are not a pointer to a struct")
	}
	schema, _ := gohcl.ImpliedBodySchema(info.New())
	for _, name := range reserved {
		for _, a := range schema.Attributes {
			if a.Name == name {
				panic("backend: " + info.Type + " settings declare " + name + ", which every backend takes")
			}
		}
		for _, b := range schema.Blocks {
			if b.Type == name {
				panic("backend: " + info.Type + " settings declare " + name + ", which every backend takes")
			}
		}
	}
	registry[info.Type] = info
}

// Lookup returns the backend registered as typ.
func Lookup(typ string) (Info, bool) {
	mu.RLock()
	defer mu.RUnlock()
	info, ok := registry[typ]
	return info, ok
}

// Types returns the backends' types, sorted.
func Types() []string {
	mu.RLock()
	defer mu.RUnlock()
	return slices.Sorted(maps.Keys(registry))
}

// Config is a decoded state block of a backend other than the local one.
type Config struct {
	Type     string
	Settings Settings
	// Encrypt, if set, encrypts the document before it leaves the machine.
	Encrypt *Encrypt
	// LockTimeout is how long a writing command waits for another host's
	// lock.
	LockTimeout time.Duration
	Range       hcl.Range
}

// Encrypt says how the state document is encrypted: to age recipients
// (decrypted with an identity file), or with a passphrase.
type Encrypt struct {
	Recipients   []string
	IdentityFile string // absolute
	Passphrase   string // secret
}

// common is what every backend's block takes besides its settings.
type common struct {
	Encrypt     *encryptBlock `hcl:"encrypt,block"`
	LockTimeout string        `hcl:"lock_timeout,optional"`
}

type encryptBlock struct {
	Recipients   []string `hcl:"recipients,optional"`
	IdentityFile string   `hcl:"identity_file,optional"`
	Passphrase   string   `hcl:"passphrase,optional"`
}

// Decode decodes the state block b of the backend info: nil for the local
// backend, which takes no settings. expand makes identity_file absolute
// (~ and the configuration directory). The secrets are for the redactor;
// they are returned even when the block has errors.
func Decode(info Info, b *hcl.Block, ctx *hcl.EvalContext, expand func(string) (string, error)) (*Config, []string, hcl.Diagnostics) {
	if info.New == nil {
		attrs, diags := b.Body.JustAttributes()
		for _, a := range attrs {
			diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unsupported argument",
				Detail: "The local state backend takes no settings: state is kept in .hub/state.json beside the configuration.", Subject: a.NameRange.Ptr()})
		}
		return nil, nil, diags
	}
	settings := info.New()
	var com common
	diags := decodeBody(b.Body, ctx, settings, &com)
	c := &Config{Type: info.Type, Settings: settings, LockTimeout: DefaultLockTimeout, Range: b.DefRange}
	secrets := settings.Secrets()
	if e := com.Encrypt; e != nil && e.Passphrase != "" {
		secrets = append(secrets, e.Passphrase)
	}
	if diags.HasErrors() {
		return c, secrets, diags
	}
	diags = append(diags, settings.Check(b.DefRange)...)
	bad := func(summary, detail string) {
		diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: b.DefRange.Ptr()})
	}
	if com.LockTimeout != "" {
		d, err := ParseDuration("lock_timeout", com.LockTimeout, b.DefRange)
		if err != nil {
			diags = diags.Append(err)
		} else {
			c.LockTimeout = d
		}
	}
	if e := com.Encrypt; e != nil {
		c.Encrypt = &Encrypt{Recipients: e.Recipients, Passphrase: e.Passphrase}
		switch {
		case e.Passphrase != "" && (len(e.Recipients) > 0 || e.IdentityFile != ""):
			bad("Conflicting encryption settings", "Give either passphrase, or recipients with an identity_file, not both.")
		case e.Passphrase == "" && len(e.Recipients) == 0:
			bad("Missing encryption settings", `The encrypt block needs recipients = ["age1..."] and identity_file, or passphrase = env("HUB_STATE_PASSPHRASE").`)
		case len(e.Recipients) > 0 && e.IdentityFile == "":
			bad("Missing identity file", "With recipients, give identity_file: the age key hub decrypts the state with (age-keygen -o ~/.config/hub/key.txt).")
		case e.IdentityFile != "":
			p, err := expand(e.IdentityFile)
			if err != nil {
				bad("Invalid identity file", err.Error())
			}
			c.Encrypt.IdentityFile = p
		}
	}
	return c, secrets, diags
}

// decodeBody decodes body into settings and com in one gohcl pass over a
// struct made of both, so the block has one schema and its diagnostics are
// those of one (an encrypt argument is told to be a block, an unknown one
// gets the nearest name of either).
func decodeBody(body hcl.Body, ctx *hcl.EvalContext, settings Settings, com *common) hcl.Diagnostics {
	sv := reflect.ValueOf(settings).Elem()
	cv := reflect.ValueOf(com).Elem()
	var fields []reflect.StructField
	var from []reflect.Value
	for _, v := range []reflect.Value{sv, cv} {
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if _, ok := f.Tag.Lookup("hcl"); !ok || !f.IsExported() {
				continue
			}
			fields = append(fields, reflect.StructField{Name: fmt.Sprintf("F%d", len(fields)), Type: f.Type, Tag: f.Tag})
			from = append(from, v.Field(i))
		}
	}
	all := reflect.New(reflect.StructOf(fields)).Elem()
	diags := gohcl.DecodeBody(body, ctx, all.Addr().Interface())
	for i, dst := range from {
		dst.Set(all.Field(i))
	}
	return diags
}

// ParseDuration parses the duration argument name = raw, or says what is
// wrong with it about the block whose header is block.
func ParseDuration(name, raw string, block hcl.Range) (time.Duration, *hcl.Diagnostic) {
	v, err := time.ParseDuration(raw)
	if err != nil || v < 0 {
		return 0, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid duration",
			Detail: fmt.Sprintf("%s = %q is not a duration like \"30s\" or \"15m\".", name, raw), Subject: block.Ptr()}
	}
	return v, nil
}

// Env is what opening a store needs from the machine.
type Env struct {
	State string        // the local backend's file (.hub/state.json)
	Cache string        // the local copy of a remote state (.hub/state-cache.json)
	Sys   system.System // nil means system.OS
}

// Open opens the store c names: the local file when c is nil, else the
// backend's document through c's encryption, behind a local copy.
func Open(c *Config, env Env) (states.Store, error) {
	if c == nil {
		return &states.FileStore{Path: env.State, Sys: env.Sys}, nil
	}
	codec, err := c.Encrypt.Codec()
	if err != nil {
		return nil, err
	}
	blob, err := c.Settings.Open()
	if err != nil {
		return nil, err
	}
	sys := env.Sys
	if sys == nil {
		sys = system.OS{}
	}
	store := &states.DocStore{Blob: blob}
	if codec != nil {
		store.Codec = codec
	}
	return &states.Synced{Remote: store, Cache: env.Cache, Sys: sys}, nil
}

// Codec builds the encryption e asks for: nil for none (e nil).
func (e *Encrypt) Codec() (*crypt.Codec, error) {
	switch {
	case e == nil:
		return nil, nil
	case e.Passphrase != "":
		return crypt.NewPassphrase(e.Passphrase)
	}
	data, err := system.ReadFile(context.Background(), e.IdentityFile)
	if err != nil {
		return nil, fmt.Errorf("state encryption: read identity file: %w (create one with age-keygen -o %s)", err, e.IdentityFile)
	}
	ids, err := crypt.ParseIdentityFile(data)
	if err != nil {
		return nil, fmt.Errorf("state encryption: %s: %w", e.IdentityFile, err)
	}
	return crypt.NewRecipients(e.Recipients, ids)
}
