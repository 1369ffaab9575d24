package vault

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/hubctl/hub/engine/system"
)

// stanzaType is hub's own stanza: its arguments are the fingerprints of the
// recipients a file was encrypted to.
const stanzaType = "hub-recipients"

// Encrypt returns value encrypted to recipients, ASCII-armored, with hub's
// stanza naming them.
func Encrypt(value string, recipients []Recipient) ([]byte, error) {
	if len(recipients) == 0 {
		return nil, ErrNoRecipients
	}
	rs := make([]age.Recipient, len(recipients))
	for i, r := range recipients {
		rs[i] = r.r
	}
	rs[0] = marked{first: rs[0], fps: fingerprints(recipients)}
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, rs...)
	if pe := pluginError(err); pe != nil {
		return nil, pe
	}
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	if _, err := io.WriteString(w, value); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	if err := aw.Close(); err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	return buf.Bytes(), nil
}

// marked wraps the first recipient and adds hub's stanza after its own,
// with the same labels (so post-quantum and plugin recipients, whose labels
// age compares, still mix).
type marked struct {
	first age.Recipient
	fps   []string
}

func (m marked) Wrap(fileKey []byte) ([]*age.Stanza, error) {
	s, _, err := m.WrapWithLabels(fileKey)
	return s, err
}

func (m marked) WrapWithLabels(fileKey []byte) ([]*age.Stanza, []string, error) {
	var s []*age.Stanza
	var labels []string
	var err error
	if l, ok := m.first.(age.RecipientWithLabels); ok {
		s, labels, err = l.WrapWithLabels(fileKey)
	} else {
		s, err = m.first.Wrap(fileKey)
	}
	if err != nil {
		return nil, nil, err
	}
	return append(s, &age.Stanza{Type: stanzaType, Args: m.fps}), labels, nil
}

// Info is what a secret's file says without being decrypted.
type Info struct {
	// Recipients are the fingerprints hub recorded, sorted; nil when the
	// file was not written by hub (age's own tool, for example).
	Recipients []string
	// Stanzas are the types of the file's recipient stanzas ("X25519",
	// "ssh-ed25519", ...), hub's own left out.
	Stanzas []string
}

// Marked reports whether hub recorded the recipients.
func (i Info) Marked() bool { return i.Recipients != nil }

// SameRecipients reports whether the file was encrypted to exactly rs.
func (i Info) SameRecipients(rs []Recipient) bool {
	want := fingerprints(rs)
	if len(want) != len(i.Recipients) {
		return false
	}
	for k := range want {
		if want[k] != i.Recipients[k] {
			return false
		}
	}
	return true
}

// ErrDamaged: a file is not an age file, or is truncated or modified.
var ErrDamaged = errors.New("damaged")

// Inspect reads a secret file's header. A file that is not age is
// ErrDamaged.
func Inspect(data []byte) (Info, error) {
	src, err := ageReader(data)
	if err != nil {
		return Info{}, err
	}
	hdr, err := age.ExtractHeader(src)
	if err != nil {
		return Info{}, fmt.Errorf("%w: the age header is unreadable (%v)", ErrDamaged, err)
	}
	var info Info
	sc := bufio.NewScanner(bytes.NewReader(hdr))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || f[0] != "->" {
			continue
		}
		if f[1] == stanzaType {
			info.Recipients = append([]string{}, f[2:]...)
			continue
		}
		info.Stanzas = append(info.Stanzas, f[1])
	}
	return info, nil
}

// ageReader returns the age file in data, armored or binary.
func ageReader(data []byte) (io.Reader, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case bytes.HasPrefix(trimmed, []byte(armor.Header)):
		return armor.NewReader(bytes.NewReader(trimmed)), nil
	case bytes.HasPrefix(trimmed, []byte("age-encryption.org/")):
		return bytes.NewReader(trimmed), nil
	case len(trimmed) == 0:
		return nil, fmt.Errorf("%w: the file is empty", ErrDamaged)
	}
	return nil, fmt.Errorf("%w: it is not an age file (it should start with %s)", ErrDamaged, armor.Header)
}

// ValueFingerprint names a value without revealing it: 8 hex digits of a
// SHA-256 of the value under a fixed label. It tells "this secret changed"
// in git diff and hub secret list; it is not a key check (32 bits cannot
// be used to confirm a guess of a long random key in any useful way, but a
// short password could be guessed from it: secrets are API keys).
func ValueFingerprint(value string) string {
	sum := sha256.Sum256([]byte("hub secret value\x00" + value))
	return hex.EncodeToString(sum[:4])
}

// Write encrypts value to recipients into the secret's file, atomically.
func (r Repo) Write(name, value string, recipients []Recipient) error {
	if err := CheckName(name); err != nil {
		return err
	}
	if len(value) > MaxValueLen {
		return fmt.Errorf("the value of %s is %d bytes; a secret holds at most %d", name, len(value), MaxValueLen)
	}
	data, err := Encrypt(value, recipients)
	if err != nil {
		return fmt.Errorf("secret %s: %w", name, err)
	}
	if err := os.MkdirAll(r.SecretsDir(), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", r.SecretsDir(), err)
	}
	if err := (system.OS{}).WriteFile(r.Path(name), data, 0o644); err != nil {
		return fmt.Errorf("write secret %s: %w", name, err)
	}
	return nil
}
