package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"filippo.io/age/plugin"
	"golang.org/x/crypto/ssh"

	"github.com/hubctl/hub/engine/system"
)

// A Recipient is one public key that secrets are encrypted to.
type Recipient struct {
	// Key is the public key as it is written in the recipients file
	// (for SSH keys, without the comment).
	Key string
	// Name is the comment on the line above the key, if any ("laptop").
	Name string
	// Line is its line in the recipients file (1-based), or 0.
	Line int

	r age.Recipient
}

// Fingerprint is a short, stable name of the key: the first 8 hex digits of
// the SHA-256 of Key. It is what the hub-recipients stanza records.
func (r Recipient) Fingerprint() string { return Fingerprint(r.Key) }

// Label names the recipient for messages: "laptop (age1abc…wxyz, 1a2b3c4d)".
func (r Recipient) Label() string {
	s := Abbrev(r.Key) + ", " + r.Fingerprint()
	if r.Name != "" {
		return r.Name + " (" + s + ")"
	}
	return s
}

// Fingerprint returns the fingerprint of a public key.
func Fingerprint(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:4])
}

// Abbrev shortens a public key for messages: an age key's first 12 and
// last 4 characters; an SSH key's type and the end of its data (the start
// is the same for every key of a type).
func Abbrev(key string) string {
	if typ, blob, ok := strings.Cut(key, " "); ok && strings.HasPrefix(typ, "ssh-") {
		blob, _, _ = strings.Cut(blob, " ")
		if len(blob) > 12 {
			blob = "…" + blob[len(blob)-12:]
		}
		return typ + " " + blob
	}
	if len(key) <= 24 {
		return key
	}
	return key[:12] + "…" + key[len(key)-4:]
}

// ParseRecipient parses one public key: an age X25519 key (age1…), a
// post-quantum key (age1pq1…), an SSH key (ssh-ed25519 AAAA…, ssh-rsa
// AAAA…, a trailing comment allowed), or a plugin's key (age1yubikey1…,
// used through the age-plugin-NAME program on the PATH). Errors quote s only
// when it is a public key, never what may be a secret key.
func ParseRecipient(s string) (Recipient, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Recipient{}, errors.New("empty; expected a public key (age1…, ssh-ed25519 AAAA… or ssh-rsa AAAA…)")
	case strings.HasPrefix(s, "AGE-SECRET-KEY-"), strings.HasPrefix(s, "AGE-PLUGIN-"):
		return Recipient{}, errors.New("this is a secret key (an identity), which must never be in the repository; give its public key instead (hub secret keygen and age-keygen -y FILE print it)")
	case strings.HasPrefix(s, "-----BEGIN"):
		return Recipient{}, errors.New("this is a private key, which must never be in the repository; give the public key instead (for SSH: the line of ~/.ssh/id_ed25519.pub)")
	case strings.HasPrefix(s, "ssh-ed25519 "), strings.HasPrefix(s, "ssh-rsa "):
		pk, _, _, _, err := ssh.ParseAuthorizedKey([]byte(s))
		if err != nil {
			return Recipient{}, fmt.Errorf("malformed SSH public key: %v", err)
		}
		key := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk)))
		r, err := agessh.ParseRecipient(key)
		if err != nil {
			return Recipient{}, fmt.Errorf("SSH public key %s: %v", Abbrev(key), err)
		}
		return Recipient{Key: key, r: r}, nil
	case strings.HasPrefix(s, "ssh-"):
		return Recipient{}, fmt.Errorf("SSH keys of type %s are not supported by age; use an ssh-ed25519 or ssh-rsa key, or an age key (hub secret keygen)", strings.Fields(s)[0])
	case strings.HasPrefix(s, "age1pq1"):
		r, err := age.ParseHybridRecipient(s)
		if err != nil {
			return Recipient{}, fmt.Errorf("malformed post-quantum age public key %s: %v", Abbrev(s), err)
		}
		return Recipient{Key: s, r: r}, nil
	case strings.HasPrefix(s, "age1"):
		if r, err := age.ParseX25519Recipient(s); err == nil {
			return Recipient{Key: s, r: r}, nil
		}
		if r, err := plugin.NewRecipient(s, pluginUI()); err == nil {
			return Recipient{Key: s, r: r}, nil
		}
		return Recipient{}, fmt.Errorf("malformed age public key %s", Abbrev(s))
	}
	return Recipient{}, errors.New("not a public key; expected age1… (hub secret keygen prints one), ssh-ed25519 AAAA… or ssh-rsa AAAA…")
}

// ErrNoRecipients is returned when there is no one to encrypt to.
var ErrNoRecipients = errors.New("no recipients")

// Recipients reads the recipients file. A missing file is no recipients
// and no error.
func (r Repo) Recipients() ([]Recipient, error) {
	data, err := system.ReadFile(context.Background(), r.RecipientsPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read recipients: %w", err)
	}
	return ParseRecipientsFile(r.RecipientsPath(), data)
}

// ParseRecipientsFile parses a recipients file: one public key per line,
// blank lines and "#" comments ignored, as age -R reads it; a comment right
// above a key names it. Errors name the file and line.
func ParseRecipientsFile(name string, data []byte) ([]Recipient, error) {
	var out []Recipient
	seen := map[string]int{}
	comment := ""
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			comment = ""
			continue
		case strings.HasPrefix(line, "#"):
			comment = strings.TrimSpace(strings.TrimPrefix(line, "#"))
			continue
		}
		rc, err := ParseRecipient(line)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, i+1, err)
		}
		rc.Name, rc.Line = comment, i+1
		comment = ""
		if prev, dup := seen[rc.Key]; dup {
			return nil, fmt.Errorf("%s line %d: the key %s is already listed on line %d; remove one", name, i+1, Abbrev(rc.Key), prev)
		}
		seen[rc.Key] = i + 1
		out = append(out, rc)
	}
	return out, nil
}

// RecipientsHeader starts a new recipients file (hub init writes it
// alone, AddRecipients when it creates the file).
const RecipientsHeader = recipientsHeader

// recipientsHeader starts a new recipients file.
const recipientsHeader = `# Who can decrypt the secrets in this directory: one public key per line
# (age1..., ssh-ed25519 AAAA..., ssh-rsa AAAA...), a "# name" comment above
# each. Edit with: hub secret recipients add|rm. After a change, run
# hub secret rekey. The age tool reads this file too: age -R recipients.txt.
`

// AddRecipients appends keys to the recipients file (creating it), each
// under a "# name" comment when name is given, and keeps the file's other
// bytes as they are. It returns the keys it added; keys already listed are
// skipped.
func (r Repo) AddRecipients(keys []string, name string) ([]Recipient, error) {
	if strings.ContainsAny(name, "\r\n") {
		return nil, errors.New("a recipient's name must be one line")
	}
	current, err := r.Recipients()
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, c := range current {
		have[c.Key] = true
	}
	var added []Recipient
	for i, k := range keys {
		rc, err := ParseRecipient(k)
		if err != nil {
			return nil, fmt.Errorf("recipient %d: %w", i+1, err)
		}
		if have[rc.Key] {
			continue
		}
		have[rc.Key] = true
		rc.Name = name
		added = append(added, rc)
	}
	if len(added) == 0 {
		return nil, nil
	}
	data, err := system.ReadFile(context.Background(), r.RecipientsPath())
	if errors.Is(err, fs.ErrNotExist) {
		data, err = []byte(recipientsHeader), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read recipients: %w", err)
	}
	var b bytes.Buffer
	b.Write(data)
	if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
		b.WriteByte('\n')
	}
	for _, rc := range added {
		b.WriteByte('\n')
		if rc.Name != "" {
			b.WriteString("# " + rc.Name + "\n")
		}
		b.WriteString(rc.Key + "\n")
	}
	if err := r.writeRecipients(b.Bytes()); err != nil {
		return nil, err
	}
	return added, nil
}

// RemoveRecipients removes the recipients that match (by key, name or
// fingerprint) from the file, with the name comment above each, and keeps
// the other lines. Removing every recipient is refused: no one could
// decrypt a secret set afterwards.
func (r Repo) RemoveRecipients(match []string) ([]Recipient, error) {
	current, err := r.Recipients()
	if err != nil {
		return nil, err
	}
	drop := map[int]bool{}
	var removed []Recipient
	for _, m := range match {
		found := false
		for _, c := range current {
			key := m
			if p, err := ParseRecipient(m); err == nil {
				key = p.Key
			}
			if c.Key == key || (c.Name != "" && c.Name == m) || c.Fingerprint() == m {
				if !drop[c.Line] {
					removed = append(removed, c)
				}
				drop[c.Line], found = true, true
			}
		}
		if !found {
			return nil, fmt.Errorf("no recipient matches %q in %s; hub secret recipients list shows them", m, r.RecipientsPath())
		}
	}
	if len(removed) == len(current) {
		return nil, errors.New("this would remove every recipient, and no one could decrypt the secrets; add the new recipient first")
	}
	data, err := system.ReadFile(context.Background(), r.RecipientsPath())
	if err != nil {
		return nil, fmt.Errorf("read recipients: %w", err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	for _, c := range removed {
		// The name comment right above belongs to the key.
		if c.Name != "" && c.Line >= 2 && strings.HasPrefix(strings.TrimSpace(lines[c.Line-2]), "#") {
			lines[c.Line-2] = ""
		}
		lines[c.Line-1] = ""
	}
	if err := r.writeRecipients([]byte(strings.Join(lines, ""))); err != nil {
		return nil, err
	}
	sort.Slice(removed, func(i, j int) bool { return removed[i].Line < removed[j].Line })
	return removed, nil
}

func (r Repo) writeRecipients(data []byte) error {
	if err := os.MkdirAll(r.SecretsDir(), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", r.SecretsDir(), err)
	}
	if err := (system.OS{}).WriteFile(r.RecipientsPath(), data, 0o644); err != nil {
		return fmt.Errorf("write recipients: %w", err)
	}
	return nil
}

// fingerprints returns the sorted fingerprints of rs.
func fingerprints(rs []Recipient) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Fingerprint()
	}
	sort.Strings(out)
	return out
}
