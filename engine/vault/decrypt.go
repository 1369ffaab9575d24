package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"filippo.io/age/plugin"

	"github.com/hubctl/hub/engine/system"
)

// NotRecipientError: none of this machine's identities is among a file's
// recipients.
type NotRecipientError struct {
	File string
	// Recipients are the fingerprints the file was encrypted to (nil when
	// hub did not write it), Known their labels from the recipients file.
	Recipients []string
	Known      map[string]Recipient
	// Mine are this machine's public keys.
	Mine []string
}

func (e *NotRecipientError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: this machine is not among its recipients", e.File)
	if len(e.Mine) > 0 {
		fmt.Fprintf(&b, " (this machine's keys: %s)", strings.Join(abbrevAll(e.Mine), ", "))
	}
	if e.Recipients != nil {
		var who []string
		for _, fp := range e.Recipients {
			if r, ok := e.Known[fp]; ok {
				who = append(who, r.Label())
			} else {
				who = append(who, fp+" (no longer in "+RecipientsFile+")")
			}
		}
		fmt.Fprintf(&b, "; it is encrypted to %s", strings.Join(who, ", "))
	}
	b.WriteString(". Ask one of them to add this machine's public key with hub secret recipients add, then run hub secret rekey")
	return b.String()
}

func abbrevAll(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = Abbrev(k) + " " + Fingerprint(k)
	}
	return out
}

// DamagedError: a secret's file is not valid age, or is truncated or
// modified.
type DamagedError struct {
	File string
	Err  error
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("%s is damaged (%v); restore it from git (git checkout -- %s) or set it again with hub secret set", e.File, e.Err, e.File)
}

func (e *DamagedError) Unwrap() error { return ErrDamaged }

// Decrypt returns the value of a secret's file (its bytes in data; file
// names it in errors). A value decrypted before in this process, or kept
// in the Cache, is not decrypted again.
func (k *Keyring) Decrypt(file string, data []byte) (string, error) {
	sum := sha256.Sum256(data)
	k.cacheOnce.Do(k.readCache)
	k.mu.Lock()
	if v, ok := k.values[sum]; ok {
		k.used[sum] = true
		k.mu.Unlock()
		return v, nil
	}
	k.mu.Unlock()

	src, err := ageReader(data)
	if err != nil {
		// The reason without its "damaged: " prefix, which DamagedError
		// says itself.
		return "", &DamagedError{File: file, Err: errors.New(strings.TrimPrefix(err.Error(), ErrDamaged.Error()+": "))}
	}
	if err := k.load(); err != nil {
		return "", err
	}
	r, err := age.Decrypt(src, k.ids...)
	if err != nil {
		return "", k.decryptError(file, data, err)
	}
	plain, err := io.ReadAll(io.LimitReader(r, MaxValueLen+1))
	if err != nil {
		return "", &DamagedError{File: file, Err: errors.New("truncated or modified")}
	}
	if len(plain) > MaxValueLen {
		return "", fmt.Errorf("%s: the value is larger than %d bytes; a secret is an API key", file, MaxValueLen)
	}
	// A file written by echo KEY | age has a final newline; the key does not.
	v := strings.TrimSuffix(strings.TrimSuffix(string(plain), "\n"), "\r")
	k.mu.Lock()
	k.remember(sum, v)
	k.cacheDirty = true
	k.mu.Unlock()
	return v, nil
}

func (k *Keyring) remember(sum [32]byte, v string) {
	if k.values == nil {
		k.values, k.used = map[[32]byte]string{}, map[[32]byte]bool{}
	}
	k.values[sum] = v
	k.used[sum] = true
}

// decryptError explains why age could not decrypt a file.
func (k *Keyring) decryptError(file string, data []byte, err error) error {
	var pe *PassphraseError
	if errors.As(err, &pe) {
		return err
	}
	if pe := pluginError(err); pe != nil {
		return fmt.Errorf("%s: %w", file, pe)
	}
	var nomatch *age.NoIdentityMatchError
	if !errors.As(err, &nomatch) {
		return &DamagedError{File: file, Err: errors.New(strings.TrimPrefix(err.Error(), "age: "))}
	}
	e := &NotRecipientError{File: file, Mine: k.public, Known: map[string]Recipient{}}
	if info, ierr := Inspect(data); ierr == nil {
		e.Recipients = info.Recipients
	}
	root := filepath.Dir(filepath.Dir(file))
	if rs, rerr := (Repo{Root: root}).Recipients(); rerr == nil {
		for _, r := range rs {
			e.Known[r.Fingerprint()] = r
		}
	}
	return e
}

// pluginError explains a missing age plugin, or returns nil.
func pluginError(err error) error {
	var nf *plugin.NotFoundError
	if !errors.As(err, &nf) {
		return nil
	}
	return fmt.Errorf("the age plugin program age-plugin-%s is not on the PATH; install it (for a YubiKey: age-plugin-yubikey), or use another identity with --identity", nf.Name)
}

// cacheDoc is the cache's plain form: values by the SHA-256 of their
// file's bytes.
type cacheDoc struct {
	Version int               `json:"version"`
	Values  map[string]string `json:"values"`
}

// readCache loads the Cache, if there is one this machine can open. Any
// problem only means no cache.
func (k *Keyring) readCache() {
	if k.Cache == "" {
		return
	}
	data, err := system.ReadFile(context.Background(), k.Cache)
	if err != nil {
		return
	}
	if k.load() != nil {
		return
	}
	src, err := ageReader(data)
	if err != nil {
		return
	}
	// age tries the identities that open without asking first; a
	// protected one asks only if the cache was sealed to it, which means
	// its secrets need it too.
	r, err := age.Decrypt(src, k.ids...)
	if err != nil {
		return
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		return
	}
	var doc cacheDoc
	if json.Unmarshal(plain, &doc) != nil || doc.Version != 1 {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for h, v := range doc.Values {
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != 32 {
			continue
		}
		if k.values == nil {
			k.values, k.used = map[[32]byte]string{}, map[[32]byte]bool{}
		}
		k.values[[32]byte(b)] = v
	}
}

// sealTo is the recipient the cache is encrypted to: this machine's
// first identity that opens without asking (X25519, post-quantum or SSH),
// or the first one inside a protected identity file already opened. A
// plugin's identity (a hardware key) gets no cache: it would be asked
// for a touch to read it.
func (k *Keyring) sealTo() age.Recipient {
	for _, id := range k.ids {
		if r := recipientOf(id); r != nil {
			return r
		}
	}
	for _, id := range k.ids {
		if l, ok := id.(*lazyIdentity); ok && l.opened.Load() {
			for _, in := range l.ids {
				if r := recipientOf(in); r != nil {
					return r
				}
			}
		}
	}
	return nil
}

// recipientOf is the public key of an identity that opens without asking.
func recipientOf(id age.Identity) age.Recipient {
	switch id := id.(type) {
	case *age.X25519Identity:
		return id.Recipient()
	case *age.HybridIdentity:
		return id.Recipient()
	case *agessh.Ed25519Identity:
		return id.Recipient()
	case *agessh.RSAIdentity:
		return id.Recipient()
	}
	return nil
}

// SaveCache writes the values used in this process to the Cache, if any
// was decrypted anew. Values not used this time (a secret removed, or
// changed) are dropped. Errors are returned for the caller to ignore or
// report: the cache only saves time.
func (k *Keyring) SaveCache() error {
	if k.Cache == "" {
		return nil
	}
	k.mu.Lock()
	if !k.cacheDirty {
		k.mu.Unlock()
		return nil
	}
	doc := cacheDoc{Version: 1, Values: map[string]string{}}
	for h := range k.used {
		doc.Values[hex.EncodeToString(h[:])] = k.values[h]
	}
	k.cacheDirty = false
	k.mu.Unlock()
	to := k.sealTo()
	if to == nil {
		return nil
	}
	plain, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, to)
	if err != nil {
		return fmt.Errorf("secrets cache: %w", err)
	}
	if _, err := w.Write(plain); err != nil {
		return fmt.Errorf("secrets cache: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("secrets cache: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(k.Cache), 0o700); err != nil {
		return fmt.Errorf("secrets cache: %w", err)
	}
	return (system.OS{}).WriteFile(k.Cache, buf.Bytes(), 0o600)
}
