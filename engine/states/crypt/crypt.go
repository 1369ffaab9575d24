// Package crypt encrypts hub's state document with age
// (filippo.io/age), so a remote store such as a WebDAV server sees nothing
// readable. A *Codec is a states.Codec: states.DocStore calls Encode
// before whatever keeps the document stores it (so a WebDAV history
// snapshot, a copy of the stored document, is encrypted too) and Decode
// after it reads one.
//
// # Modes
//
// With age keys, NewRecipients encrypts to one or more public keys
// ("age1…" as printed by age-keygen, or "age1pq1…" post-quantum keys) and
// decrypts with the secret keys of this host, read from an identity file
// with ParseIdentityFile. Each host may have its own key: list every host's
// public key in recipients, and each host decrypts with its own.
//
// With a passphrase, NewPassphrase encrypts and decrypts with age's scrypt
// recipient. Every host needs the same passphrase, usually from an
// environment variable.
//
// # Format
//
// Encode writes ASCII-armored age ("-----BEGIN AGE ENCRYPTED FILE-----"),
// so servers and proxies that rewrite binary bodies or line endings do not
// break it. Decode reads armored or binary age, so a file written with the
// age command line tool (age -a, or without -a) is read too.
//
// # Work factor
//
// age's own passphrase default (scrypt N=2^18, about 0.7 s here and more on
// small machines) is meant for a person encrypting a file now and then; hub
// decrypts the state on every run and encrypts it on every save, so
// NewPassphrase uses N=2^WorkFactor (2^15: 32 MiB of memory and about 90 ms
// per derivation on a 2-core AMD EPYC VM), which is also what
// golang.org/x/crypto/scrypt recommends for interactive logins. To make up
// for the faster derivation, passphrases shorter than MinPassphrase
// characters are refused. Decode accepts up to 2^MaxWorkFactor, age's
// default, so a state encrypted with age -p still decodes, while a hostile
// server cannot make hub spend more than that.
//
// # Secrets
//
// No error, String or GoString of this package contains a passphrase or a
// secret key, nor any part of one. Public keys may appear in messages.
package crypt

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"
)

const (
	// WorkFactor is log2 of the scrypt N that NewPassphrase encrypts with.
	WorkFactor = 15
	// MaxWorkFactor is the largest scrypt work factor Decode accepts.
	MaxWorkFactor = 18
	// MinPassphrase is the shortest passphrase NewPassphrase accepts, in
	// characters.
	MinPassphrase = 12
)

// Decode's errors wrap one of these, for errors.Is.
var (
	// ErrNotEncrypted: the stored document is plain state JSON but the
	// configuration expects encryption.
	ErrNotEncrypted = errors.New("the stored state is not encrypted, but this configuration expects encryption")
	// ErrCannotDecrypt: the document is age-encrypted, but not for this
	// host's identities or passphrase.
	ErrCannotDecrypt = errors.New("cannot decrypt the state")
	// ErrDamaged: the document is not valid age, or age's authentication
	// failed: it was truncated, modified, or not written by hub.
	ErrDamaged = errors.New("the encrypted state is damaged or was modified")
)

// Codec encrypts and decrypts state documents. It is safe for concurrent
// use. Its zero value is not usable; build one with NewRecipients or
// NewPassphrase.
type Codec struct {
	recipients []age.Recipient
	identities []age.Identity
	passphrase bool
	// public lists this host's public keys, for messages.
	public []string
}

// NewRecipients returns a Codec that encrypts to the given age public keys
// and decrypts with identities (this host's secret keys, from
// ParseIdentityFile).
//
// Recipients are "age1…" X25519 keys or "age1pq1…" post-quantum keys (the
// two kinds cannot be mixed). If recipients is empty, the identities' own
// public keys are used, which suits hosts that share one key file.
// At least one identity must match one of the recipients, or this host
// could not read back the state it writes.
//
// SSH keys (ssh-ed25519, ssh-rsa) are not supported.
func NewRecipients(recipients []string, identities []age.Identity) (*Codec, error) {
	c := &Codec{}
	for _, id := range identities {
		if id == nil {
			continue
		}
		c.identities = append(c.identities, id)
		if r := publicKey(id); r != "" {
			c.public = append(c.public, r)
		}
	}
	if len(c.identities) == 0 {
		return nil, errors.New("state encryption: no identity to decrypt the state with; give identity_file, an age key file written by age-keygen")
	}
	for i, s := range recipients {
		r, err := parseRecipient(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("state encryption: recipient %d: %w", i+1, err)
		}
		c.recipients = append(c.recipients, r)
	}
	if len(c.recipients) == 0 {
		for _, id := range c.identities {
			r := recipientOf(id)
			if r == nil {
				return nil, errors.New("state encryption: no recipients given, and an identity's public key is unknown; list recipients")
			}
			c.recipients = append(c.recipients, r)
		}
	}
	// Try the set once now, so a bad combination is reported when the
	// configuration is loaded rather than at the first save.
	probe, err := c.Encode(nil)
	if err != nil {
		return nil, fmt.Errorf("state encryption: these recipients cannot be used together: %v", errors.Unwrap(err))
	}
	if _, err := c.Decode(probe); err != nil {
		if errors.Is(err, ErrCannotDecrypt) {
			return nil, fmt.Errorf("state encryption: none of the identities matches a recipient, so this host could not read the state it writes; add its public key%s to recipients", c.publicHint())
		}
		return nil, fmt.Errorf("state encryption: %w", err)
	}
	return c, nil
}

// NewPassphrase returns a Codec that encrypts and decrypts with a
// passphrase (age's scrypt recipient, N=2^WorkFactor). The passphrase is
// used as given, with no trimming; it must be at least MinPassphrase
// characters.
func NewPassphrase(passphrase string) (*Codec, error) {
	if passphrase == "" {
		return nil, errors.New("state encryption: the passphrase is empty (is its environment variable set?)")
	}
	if len([]rune(passphrase)) < MinPassphrase {
		return nil, fmt.Errorf("state encryption: the passphrase is shorter than %d characters; hub derives the key quickly, so a short passphrase could be guessed offline by anyone who can read the server (generate one with: openssl rand -base64 24)", MinPassphrase)
	}
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, errors.New("state encryption: invalid passphrase")
	}
	r.SetWorkFactor(WorkFactor)
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, errors.New("state encryption: invalid passphrase")
	}
	id.SetMaxWorkFactor(MaxWorkFactor)
	return &Codec{recipients: []age.Recipient{r}, identities: []age.Identity{id}, passphrase: true}, nil
}

// ParseIdentityFile parses an age identity file, as written by age-keygen:
// one "AGE-SECRET-KEY-1…" (or "AGE-SECRET-KEY-PQ-1…") per line, with blank
// lines and "#" comments ignored. Errors name the line, never its content.
// SSH private keys and passphrase-protected identity files are not
// supported.
func ParseIdentityFile(data []byte) ([]age.Identity, error) {
	trimmed := bytes.TrimSpace(data)
	switch {
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN OPENSSH PRIVATE KEY-----")),
		bytes.HasPrefix(trimmed, []byte("-----BEGIN RSA PRIVATE KEY-----")),
		bytes.HasPrefix(trimmed, []byte("-----BEGIN PRIVATE KEY-----")):
		return nil, errors.New("identity file: SSH private keys are not supported; create an age key with age-keygen -o FILE and add its public key to recipients")
	case LooksEncrypted(trimmed):
		return nil, errors.New("identity file: passphrase-protected identity files are not supported; use a plain age-keygen file (readable only by you)")
	}
	var ids []age.Identity
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		// Parse one line at a time so that an error never quotes the file.
		got, err := age.ParseIdentities(strings.NewReader(line))
		if err != nil {
			if strings.HasPrefix(line, "AGE-SECRET-KEY-") {
				return nil, fmt.Errorf("identity file line %d: malformed age secret key", n)
			}
			if strings.HasPrefix(line, "age1") {
				return nil, fmt.Errorf("identity file line %d: this is a public key; the identity file holds the secret key (AGE-SECRET-KEY-1…) and the public key goes in recipients", n)
			}
			return nil, fmt.Errorf("identity file line %d: not an age secret key (AGE-SECRET-KEY-1…, as written by age-keygen)", n)
		}
		ids = append(ids, got...)
	}
	if err := sc.Err(); err != nil {
		return nil, errors.New("identity file: a line is too long; it is not an age identity file")
	}
	if len(ids) == 0 {
		return nil, errors.New("identity file: no age secret key in it (expected AGE-SECRET-KEY-1…, as written by age-keygen)")
	}
	return ids, nil
}

// LooksEncrypted reports whether b is an age-encrypted document, armored or
// binary. A store without a codec uses it to explain, rather than fail to
// parse, a state that another configuration encrypted.
func LooksEncrypted(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n\ufeff")
	return bytes.HasPrefix(b, []byte(armor.Header)) || bytes.HasPrefix(b, []byte("age-encryption.org/"))
}

// Encode encrypts plain and returns it ASCII-armored.
func (c *Codec) Encode(plain []byte) ([]byte, error) {
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, c.recipients...)
	if err != nil {
		return nil, fmt.Errorf("encrypt state: %w", err)
	}
	if _, err := w.Write(plain); err != nil {
		return nil, fmt.Errorf("encrypt state: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encrypt state: %w", err)
	}
	if err := aw.Close(); err != nil {
		return nil, fmt.Errorf("encrypt state: %w", err)
	}
	return buf.Bytes(), nil
}

// Decode decrypts an armored or binary age document. Its errors wrap
// ErrNotEncrypted, ErrCannotDecrypt or ErrDamaged.
func (c *Codec) Decode(stored []byte) ([]byte, error) {
	trimmed := bytes.TrimLeft(stored, " \t\r\n\ufeff")
	var src io.Reader
	switch {
	case bytes.HasPrefix(trimmed, []byte(armor.Header)):
		src = armor.NewReader(bytes.NewReader(trimmed))
	case bytes.HasPrefix(trimmed, []byte("age-encryption.org/")):
		src = bytes.NewReader(trimmed)
	case bytes.HasPrefix(trimmed, []byte("{")):
		return nil, fmt.Errorf("%w: it is plain JSON; to encrypt it, run hub state push from a host that holds the state, or remove the encrypt block", ErrNotEncrypted)
	case len(trimmed) == 0:
		return nil, fmt.Errorf("%w: the document is empty", ErrDamaged)
	default:
		return nil, fmt.Errorf("%w: it is neither age-encrypted nor hub state JSON", ErrDamaged)
	}
	r, err := age.Decrypt(src, c.identities...)
	if err != nil {
		return nil, c.decryptError(err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	return plain, nil
}

// decryptError explains an error from age.Decrypt.
func (c *Codec) decryptError(err error) error {
	var nomatch *age.NoIdentityMatchError
	if !errors.As(err, &nomatch) {
		return fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	scrypt := false
	for _, t := range nomatch.StanzaTypes {
		if t == "scrypt" {
			scrypt = true
		}
	}
	switch {
	case c.passphrase && scrypt:
		return fmt.Errorf("%w: wrong passphrase; it is not the one the state was encrypted with", ErrCannotDecrypt)
	case c.passphrase:
		return fmt.Errorf("%w: it is encrypted to age keys (recipients), not with a passphrase; configure recipients and identity_file", ErrCannotDecrypt)
	case scrypt:
		return fmt.Errorf("%w: it is encrypted with a passphrase, not to age keys; configure passphrase instead of recipients", ErrCannotDecrypt)
	}
	return fmt.Errorf("%w: no identity matches; the state was encrypted for other recipients. Add this host's public key%s to recipients, then run hub state push on a host that can read the state", ErrCannotDecrypt, c.publicHint())
}

// publicHint lists this host's public keys for a message, or nothing.
func (c *Codec) publicHint() string {
	if len(c.public) == 0 {
		return ""
	}
	return " (" + strings.Join(c.public, ", ") + ")"
}

// String describes the codec for messages, without secrets.
func (c *Codec) String() string {
	if c.passphrase {
		return "age, passphrase"
	}
	if len(c.recipients) == 1 {
		return "age, 1 recipient"
	}
	return fmt.Sprintf("age, %d recipients", len(c.recipients))
}

// GoString is String, so %#v prints no secret either.
func (c *Codec) GoString() string { return "crypt.Codec(" + c.String() + ")" }

// parseRecipient parses one public key. Errors quote s only when it is an
// age public key, never something that may be a secret.
func parseRecipient(s string) (age.Recipient, error) {
	switch {
	case s == "":
		return nil, errors.New("empty; expected an age public key (age1…)")
	case strings.HasPrefix(s, "AGE-SECRET-KEY-"):
		return nil, errors.New("this is a secret key, which must not be in the configuration; put its public key here (age-keygen -y FILE prints it) and the secret key in identity_file")
	case strings.HasPrefix(s, "ssh-"):
		return nil, errors.New("SSH public keys are not supported; create an age key with age-keygen and list its public key (age1…)")
	case strings.HasPrefix(s, "age1pq1"):
		return age.ParseHybridRecipient(s)
	case strings.HasPrefix(s, "age1"):
		r, err := age.ParseX25519Recipient(s)
		if err != nil {
			return nil, fmt.Errorf("%v (plugin recipients are not supported)", err)
		}
		return r, nil
	}
	return nil, errors.New("not an age public key (age1…, as printed by age-keygen)")
}

// recipientOf returns the public key of an identity, if its type has one.
func recipientOf(id age.Identity) age.Recipient {
	switch id := id.(type) {
	case *age.X25519Identity:
		return id.Recipient()
	case *age.HybridIdentity:
		return id.Recipient()
	}
	return nil
}

func publicKey(id age.Identity) string {
	if s, ok := recipientOf(id).(fmt.Stringer); ok {
		return s.String()
	}
	return ""
}
