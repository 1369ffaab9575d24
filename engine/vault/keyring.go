package vault

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"filippo.io/age/plugin"
	"golang.org/x/crypto/ssh"

	"github.com/hubctl/hub/engine/system"
)

// PassphraseEnv is the variable a protected identity's passphrase can come
// from where hub cannot ask (CI, hub watch as a service).
const PassphraseEnv = "HUB_AGE_PASSPHRASE"

// IdentityEnv names identity files (separated like PATH) used instead of
// the default places.
const IdentityEnv = "HUB_AGE_IDENTITY"

// ErrCannotPrompt is what a Passphrase function returns when there is no
// terminal to ask on.
var ErrCannotPrompt = errors.New("cannot prompt: not a terminal")

// A Keyring is this machine's identities, found on first use and kept for
// the process, and the values it decrypted. It is safe for concurrent use:
// a configuration decrypts its secrets concurrently.
type Keyring struct {
	// Files are identity files given with --identity or HUB_AGE_IDENTITY;
	// when any is given, only they are used.
	Files []string
	// Home is the home directory, for the default places:
	// ~/.config/hub/identity.txt, ~/.ssh/id_ed25519, ~/.ssh/id_rsa.
	Home string
	// ConfigHome is $XDG_CONFIG_HOME; empty means Home/.config.
	ConfigHome string
	// Passphrase asks for the passphrase of a protected identity file; it
	// returns ErrCannotPrompt where it cannot ask. It is called at most once
	// per file and process. The value of PassphraseEnv, if set, is used
	// instead.
	Passphrase    func(file string) (string, error)
	PassphraseVar string
	// Cache is a file that keeps the values this machine decrypted,
	// encrypted (with age) to this machine's own identity, so a plan does
	// not decrypt every secret again: one decryption instead of one per
	// secret. Empty: no cache. It holds nothing that the secret files do
	// not already give to whoever holds the identity.
	Cache string

	loadOnce sync.Once
	ids      []age.Identity
	public   []string
	looked   []string
	loadErr  error

	mu          sync.Mutex
	values      map[[32]byte]string // by the SHA-256 of the file's bytes
	used        map[[32]byte]bool
	cacheOnce   sync.Once
	cacheDirty  bool
	cacheSealTo age.Recipient
}

// DefaultIdentityPaths are the places looked at when no identity file is
// given, in order.
func (k *Keyring) DefaultIdentityPaths() []string {
	cfg := k.ConfigHome
	if cfg == "" && k.Home != "" {
		cfg = filepath.Join(k.Home, ".config")
	}
	var out []string
	if cfg != "" {
		out = append(out, filepath.Join(cfg, "hub", "identity.txt"))
	}
	if k.Home != "" {
		out = append(out, filepath.Join(k.Home, ".ssh", "id_ed25519"), filepath.Join(k.Home, ".ssh", "id_rsa"))
	}
	return out
}

// NoIdentityError says that no identity was found, and where hub looked.
type NoIdentityError struct{ Looked []string }

func (e *NoIdentityError) Error() string {
	return "no age identity found to decrypt secrets with; hub looked at " + strings.Join(e.Looked, ", ") +
		". Create one with hub secret keygen (then have it added to the recipients and the secrets rekeyed), or give one with --identity FILE or " + IdentityEnv
}

// load finds and parses the identities, once.
func (k *Keyring) load() error {
	k.loadOnce.Do(func() {
		files, explicit := k.Files, len(k.Files) > 0
		if !explicit {
			files = k.DefaultIdentityPaths()
		}
		var lazy []age.Identity
		for _, f := range files {
			data, err := system.ReadFile(context.Background(), f)
			if errors.Is(err, fs.ErrNotExist) && !explicit {
				k.looked = append(k.looked, f+" (none)")
				continue
			}
			if err != nil {
				k.loadErr = fmt.Errorf("identity %s: %w", f, err)
				return
			}
			ids, deferred, err := k.parseIdentityFile(f, data)
			if err != nil {
				if !explicit && isSSHDefault(f) {
					// An SSH key age cannot use (ECDSA, say) is not an error
					// when hub only looked for one.
					k.looked = append(k.looked, f+" (not usable: "+err.Error()+")")
					continue
				}
				k.loadErr = fmt.Errorf("identity %s: %w", f, err)
				return
			}
			k.looked = append(k.looked, f)
			k.ids = append(k.ids, ids...)
			lazy = append(lazy, deferred...)
		}
		// Identities that need a passphrase come last, so a file another
		// identity opens does not ask for it.
		k.ids = append(k.ids, lazy...)
		if len(k.ids) == 0 {
			if explicit {
				k.loadErr = fmt.Errorf("no identity in %s", strings.Join(files, ", "))
				return
			}
			k.loadErr = &NoIdentityError{Looked: append([]string{"--identity (not given)", IdentityEnv + " (not set)"}, k.looked...)}
		}
	})
	return k.loadErr
}

func isSSHDefault(f string) bool {
	b := filepath.Base(f)
	return b == "id_ed25519" || b == "id_rsa"
}

// PublicKeys returns this machine's public keys, where known (a protected
// identity file's keys are known once it is opened).
func (k *Keyring) PublicKeys() ([]string, error) {
	if err := k.load(); err != nil {
		return nil, err
	}
	return append([]string(nil), k.public...), nil
}

// parseIdentityFile parses one identity file: an age identity file (age-keygen,
// hub secret keygen; plugin identities too), one protected by a passphrase
// (age -p), or an SSH private key, protected or not. Identities that need a
// passphrase are returned apart, as deferred: they ask when first used.
func (k *Keyring) parseIdentityFile(name string, data []byte) (ids, deferred []age.Identity, err error) {
	trimmed := bytes.TrimSpace(data)
	switch {
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN AGE ENCRYPTED FILE-----")), bytes.HasPrefix(trimmed, []byte("age-encryption.org/")):
		return nil, []age.Identity{&lazyIdentity{open: func() ([]age.Identity, error) { return k.openProtected(name, trimmed) }}}, nil
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN")):
		id, err := agessh.ParseIdentity(trimmed)
		var missing *ssh.PassphraseMissingError
		if errors.As(err, &missing) {
			pub := missing.PublicKey
			if pub == nil {
				if b, err := system.ReadFile(context.Background(), name+".pub"); err == nil {
					pub, _, _, _, _ = ssh.ParseAuthorizedKey(b)
				}
			}
			if pub == nil {
				return nil, nil, errors.New("the SSH key is protected by a passphrase and its public key is unknown; put it beside it as " + filepath.Base(name) + ".pub")
			}
			if t := pub.Type(); t != "ssh-ed25519" && t != "ssh-rsa" {
				return nil, nil, fmt.Errorf("SSH keys of type %s are not supported by age", t)
			}
			k.public = append(k.public, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))))
			l := &lazyIdentity{match: sshMatcher(pub), open: func() ([]age.Identity, error) { return k.openSSH(name, trimmed) }}
			return nil, []age.Identity{l}, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("not an SSH private key age can use (%v)", sanitize(err))
		}
		if signer, err := ssh.ParsePrivateKey(trimmed); err == nil {
			k.public = append(k.public, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey()))))
		}
		return []age.Identity{id}, nil, nil
	}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var id age.Identity
		if strings.HasPrefix(line, "AGE-PLUGIN-") {
			id, err = plugin.NewIdentity(line, pluginUI())
		} else {
			var got []age.Identity
			got, err = age.ParseIdentities(strings.NewReader(line))
			if err == nil {
				id = got[0]
			}
		}
		if err != nil {
			if strings.HasPrefix(line, "age1") || strings.HasPrefix(line, "ssh-") {
				return nil, nil, fmt.Errorf("line %d is a public key; an identity file holds the secret key (AGE-SECRET-KEY-1…), and public keys go in %s/%s", i+1, Dir, RecipientsFile)
			}
			return nil, nil, fmt.Errorf("line %d is not an age identity (AGE-SECRET-KEY-1…, as hub secret keygen and age-keygen write)", i+1)
		}
		k.addPublic(id)
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, nil, errors.New("no identity in it (expected AGE-SECRET-KEY-1…, as hub secret keygen and age-keygen write)")
	}
	return ids, nil, nil
}

// addPublic records an identity's public key, for messages.
func (k *Keyring) addPublic(id age.Identity) {
	var r any
	switch id := id.(type) {
	case *age.X25519Identity:
		r = id.Recipient()
	case *age.HybridIdentity:
		r = id.Recipient()
	case *plugin.Identity:
		r = id.Recipient()
	}
	if r, ok := r.(fmt.Stringer); ok {
		k.public = append(k.public, r.String())
	}
}

// passphrase returns the passphrase for a protected identity file.
func (k *Keyring) passphrase(name string) (string, error) {
	if k.PassphraseVar != "" {
		return k.PassphraseVar, nil
	}
	if k.Passphrase == nil {
		return "", &PassphraseError{File: name, Err: ErrCannotPrompt}
	}
	p, err := k.Passphrase(name)
	if err != nil {
		return "", &PassphraseError{File: name, Err: err}
	}
	return p, nil
}

// PassphraseError: a protected identity could not be opened.
type PassphraseError struct {
	File string
	// Wrong is set when the passphrase was given but is not the file's.
	Wrong bool
	Err   error
}

func (e *PassphraseError) Error() string {
	switch {
	case e.Wrong && os.Getenv(PassphraseEnv) != "":
		return fmt.Sprintf("identity %s: wrong passphrase (from %s)", e.File, PassphraseEnv)
	case e.Wrong:
		return fmt.Sprintf("identity %s: wrong passphrase", e.File)
	case errors.Is(e.Err, ErrCannotPrompt):
		return fmt.Sprintf("identity %s is protected by a passphrase, and hub cannot ask for it here (not a terminal); set %s, or give an identity without a passphrase with --identity FILE or %s", e.File, PassphraseEnv, IdentityEnv)
	}
	return fmt.Sprintf("identity %s: %v", e.File, e.Err)
}

func (e *PassphraseError) Unwrap() error { return e.Err }

// openProtected decrypts an identity file protected with age -p.
func (k *Keyring) openProtected(name string, data []byte) ([]age.Identity, error) {
	p, err := k.passphrase(name)
	if err != nil {
		return nil, err
	}
	sid, err := age.NewScryptIdentity(p)
	if err != nil {
		return nil, &PassphraseError{File: name, Wrong: true, Err: err}
	}
	src, err := ageReader(data)
	if err != nil {
		return nil, fmt.Errorf("identity %s: %w", name, err)
	}
	r, err := age.Decrypt(src, sid)
	var nomatch *age.NoIdentityMatchError
	if errors.As(err, &nomatch) {
		return nil, &PassphraseError{File: name, Wrong: true, Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("identity %s: %w: %v", name, ErrDamaged, err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("identity %s: %w: %v", name, ErrDamaged, err)
	}
	ids, _, err := k.parseIdentityFile(name, plain)
	if err != nil {
		return nil, fmt.Errorf("identity %s (decrypted): %w", name, err)
	}
	return ids, nil
}

// openSSH decrypts a protected SSH private key.
func (k *Keyring) openSSH(name string, pemBytes []byte) ([]age.Identity, error) {
	p, err := k.passphrase(name)
	if err != nil {
		return nil, err
	}
	key, err := ssh.ParseRawPrivateKeyWithPassphrase(pemBytes, []byte(p))
	if err != nil {
		return nil, &PassphraseError{File: name, Wrong: true, Err: sanitize(err)}
	}
	var id age.Identity
	switch key := key.(type) {
	case *ed25519.PrivateKey:
		id, err = agessh.NewEd25519Identity(*key)
	case ed25519.PrivateKey:
		id, err = agessh.NewEd25519Identity(key)
	case *rsa.PrivateKey:
		id, err = agessh.NewRSAIdentity(key)
	default:
		err = fmt.Errorf("unsupported SSH key type %T", key)
	}
	if err != nil {
		return nil, fmt.Errorf("identity %s: %w", name, err)
	}
	return []age.Identity{id}, nil
}

// sanitize drops the text of an error from parsing key material, keeping
// only its kind: such errors may quote the input.
func sanitize(err error) error {
	if errors.Is(err, x509.IncorrectPasswordError) {
		return errors.New("incorrect passphrase")
	}
	return errors.New(strings.SplitN(err.Error(), ":", 2)[0])
}

// sshMatcher reports whether stanzas hold one for the SSH public key pub,
// by the tag age puts in SSH stanzas, so a protected key asks for its
// passphrase only when a file is encrypted to it.
func sshMatcher(pub ssh.PublicKey) func([]*age.Stanza) bool {
	sum := sha256.Sum256(pub.Marshal())
	tag := base64.RawStdEncoding.EncodeToString(sum[:4])
	return func(stanzas []*age.Stanza) bool {
		for _, s := range stanzas {
			if s.Type == pub.Type() && len(s.Args) > 0 && s.Args[0] == tag {
				return true
			}
		}
		return false
	}
}

// lazyIdentity opens its identities (asking for a passphrase) when first
// needed, once per process.
type lazyIdentity struct {
	match func([]*age.Stanza) bool
	open  func() ([]age.Identity, error)

	once   sync.Once
	opened atomic.Bool
	ids    []age.Identity
	err    error
}

func (l *lazyIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	if l.match != nil && !l.match(stanzas) {
		return nil, age.ErrIncorrectIdentity
	}
	l.once.Do(func() {
		l.ids, l.err = l.open()
		l.opened.Store(l.err == nil)
	})
	if l.err != nil {
		return nil, l.err
	}
	for _, id := range l.ids {
		key, err := id.Unwrap(stanzas)
		if errors.Is(err, age.ErrIncorrectIdentity) {
			continue
		}
		return key, err
	}
	return nil, age.ErrIncorrectIdentity
}

var (
	pluginUIOnce sync.Once
	pluginUIVal  *plugin.ClientUI
)

// pluginUI is how age plugins (a YubiKey's PIN, a touch) talk to the user:
// age's terminal UI, on /dev/tty, with messages on standard error.
func pluginUI() *plugin.ClientUI {
	pluginUIOnce.Do(func() {
		say := func(format string, v ...any) { fmt.Fprintf(os.Stderr, "hub: "+format+"\n", v...) }
		pluginUIVal = plugin.NewTerminalUI(say, say)
	})
	return pluginUIVal
}
