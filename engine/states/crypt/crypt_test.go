package crypt_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/states/crypt"
)

var _ states.Codec = (*crypt.Codec)(nil)

// Secrets used in these tests; no error or printed codec may contain any of
// them, or any 6-character piece of one.
const (
	pass      = "Zq7-wombat-Xylo-91!"
	wrongPass = "Kv3-numbat-Quix-28?"
)

var secrets = []string{pass, wrongPass}

// newKey returns a fresh X25519 identity and its public key, registering
// the secret key as a secret.
func newKey(t testing.TB) (*age.X25519Identity, string) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, id.String())
	return id, id.Recipient().String()
}

// noSecret fails if s contains a secret or a piece of one.
func noSecret(t testing.TB, s string) {
	t.Helper()
	for _, sec := range secrets {
		body := sec
		if strings.HasPrefix(body, "AGE-SECRET-KEY-") {
			// The key's data part, after the bech32 "1" separator.
			body = body[strings.LastIndexByte(body[:20], '1')+1:]
		}
		for i := 0; i+6 <= len(body); i++ {
			if strings.Contains(s, body[i:i+6]) {
				t.Fatalf("message contains part of a secret (%q): %s", body[i:i+6], s)
			}
		}
	}
}

func stateDoc(t testing.TB) []byte {
	t.Helper()
	s := states.New()
	s.Host("laptop").Targets["target.codex.main"] = &states.Target{Type: "codex"}
	b, err := states.Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustRecipients(t testing.TB, recipients []string, ids ...age.Identity) *crypt.Codec {
	t.Helper()
	c, err := crypt.NewRecipients(recipients, ids)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustPassphrase(t testing.TB, p string) *crypt.Codec {
	t.Helper()
	c, err := crypt.NewPassphrase(p)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// dearmor turns an armored document into binary age.
func dearmor(t testing.TB, b []byte) []byte {
	t.Helper()
	out, err := io.ReadAll(armor.NewReader(bytes.NewReader(b)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func rearmor(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := armor.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// roundTrip encodes with enc, checks the output is armored ASCII that shows
// nothing of the document, and decodes it with dec.
func roundTrip(t *testing.T, enc, dec *crypt.Codec) {
	t.Helper()
	plain := stateDoc(t)
	stored, err := enc.Encode(plain)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(stored, []byte("-----BEGIN AGE ENCRYPTED FILE-----\n")) {
		t.Fatalf("not armored: %q", stored[:min(len(stored), 60)])
	}
	for _, c := range stored {
		if c > 0x7e || (c < 0x20 && c != '\n') {
			t.Fatalf("armored output has byte %#x", c)
		}
	}
	for _, leak := range []string{"laptop", "lineage", "codex"} {
		if bytes.Contains(stored, []byte(leak)) {
			t.Fatalf("encrypted document shows %q", leak)
		}
	}
	if !crypt.LooksEncrypted(stored) {
		t.Fatal("LooksEncrypted(Encode(...)) = false")
	}
	got, err := dec.Decode(stored)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, plain) {
		t.Fatalf("round trip changed the document")
	}
	// Binary age, as written by age without -a, decodes too.
	got, err = dec.Decode(dearmor(t, stored))
	if err != nil {
		t.Fatalf("binary: %v", err)
	}
	if !bytes.Equal(got, plain) {
		t.Fatalf("binary round trip changed the document")
	}
	// A server or proxy that rewrites line endings, or adds whitespace
	// around the document, does not break it.
	crlf := append([]byte("\r\n"), bytes.ReplaceAll(stored, []byte("\n"), []byte("\r\n"))...)
	if got, err = dec.Decode(crlf); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("CRLF: %v", err)
	}
}

func TestRecipientsRoundTrip(t *testing.T) {
	a, pubA := newKey(t)
	b, pubB := newKey(t)
	// Each host lists every host's public key and decrypts with its own.
	hostA := mustRecipients(t, []string{pubA, " " + pubB + " "}, a)
	hostB := mustRecipients(t, []string{pubA, pubB}, b)
	roundTrip(t, hostA, hostA)
	roundTrip(t, hostA, hostB)
	roundTrip(t, hostB, hostA)
	if got := hostA.String(); got != "age, 2 recipients" {
		t.Errorf("String() = %q", got)
	}
}

func TestRecipientsFromIdentities(t *testing.T) {
	a, _ := newKey(t)
	c := mustRecipients(t, nil, a)
	roundTrip(t, c, c)
	roundTrip(t, c, mustRecipients(t, nil, a))
}

func TestPostQuantumRoundTrip(t *testing.T) {
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, id.String())
	c := mustRecipients(t, []string{id.Recipient().String()}, id)
	roundTrip(t, c, c)
	roundTrip(t, c, mustRecipients(t, nil, id))
}

func TestPassphraseRoundTrip(t *testing.T) {
	c := mustPassphrase(t, pass)
	roundTrip(t, c, c)
	roundTrip(t, c, mustPassphrase(t, pass))
	if got := c.String(); got != "age, passphrase" {
		t.Errorf("String() = %q", got)
	}
}

// TestWorkFactor checks the scrypt stanza hub writes, and that Decode
// refuses a work factor above MaxWorkFactor before doing the work.
func TestWorkFactor(t *testing.T) {
	c := mustPassphrase(t, pass)
	stored, err := c.Encode([]byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	bin := dearmor(t, stored)
	lines := strings.Split(string(bin), "\n")
	if !strings.HasPrefix(lines[1], "-> scrypt ") {
		t.Fatalf("first stanza = %q", lines[1])
	}
	f := strings.Fields(lines[1])
	if want := fmt.Sprint(crypt.WorkFactor); f[len(f)-1] != want {
		t.Fatalf("work factor = %s, want %s", f[len(f)-1], want)
	}
	f[len(f)-1] = "25"
	heavy := bytes.Replace(bin, []byte(lines[1]), []byte(strings.Join(f, " ")), 1)
	_, err = c.Decode(heavy)
	if !errors.Is(err, crypt.ErrDamaged) || !strings.Contains(err.Error(), "work factor") {
		t.Fatalf("Decode with work factor 25: %v", err)
	}
	noSecret(t, err.Error())
}

func TestWrongKey(t *testing.T) {
	a, pubA := newKey(t)
	c, pubC := newKey(t)
	stored, err := mustRecipients(t, []string{pubA}, a).Encode(stateDoc(t))
	if err != nil {
		t.Fatal(err)
	}
	_, err = mustRecipients(t, []string{pubA, pubC}, c).Decode(stored)
	if !errors.Is(err, crypt.ErrCannotDecrypt) {
		t.Fatalf("Decode with another key: %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"cannot decrypt the state: no identity matches", "encrypted for other recipients", pubC, "recipients"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q: %s", want, msg)
		}
	}
	noSecret(t, msg)
}

func TestWrongPassphrase(t *testing.T) {
	stored, err := mustPassphrase(t, pass).Encode(stateDoc(t))
	if err != nil {
		t.Fatal(err)
	}
	_, err = mustPassphrase(t, wrongPass).Decode(stored)
	if !errors.Is(err, crypt.ErrCannotDecrypt) || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Fatalf("Decode with the wrong passphrase: %v", err)
	}
	noSecret(t, err.Error())
}

func TestModeMismatch(t *testing.T) {
	a, pubA := newKey(t)
	keys := mustRecipients(t, []string{pubA}, a)
	phrase := mustPassphrase(t, pass)
	byKeys, err := keys.Encode(stateDoc(t))
	if err != nil {
		t.Fatal(err)
	}
	byPhrase, err := phrase.Encode(stateDoc(t))
	if err != nil {
		t.Fatal(err)
	}
	_, err = phrase.Decode(byKeys)
	if !errors.Is(err, crypt.ErrCannotDecrypt) || !strings.Contains(err.Error(), "encrypted to age keys") {
		t.Errorf("passphrase codec on a key-encrypted state: %v", err)
	}
	noSecret(t, err.Error())
	_, err = keys.Decode(byPhrase)
	if !errors.Is(err, crypt.ErrCannotDecrypt) || !strings.Contains(err.Error(), "encrypted with a passphrase") {
		t.Errorf("key codec on a passphrase-encrypted state: %v", err)
	}
	noSecret(t, err.Error())
}

func TestTampered(t *testing.T) {
	a, pubA := newKey(t)
	codecs := map[string]*crypt.Codec{
		"recipients": mustRecipients(t, []string{pubA}, a),
		"passphrase": mustPassphrase(t, pass),
	}
	for name, c := range codecs {
		t.Run(name, func(t *testing.T) {
			stored, err := c.Encode(stateDoc(t))
			if err != nil {
				t.Fatal(err)
			}
			bin := dearmor(t, stored)
			macAt := bytes.Index(bin, []byte("\n--- ")) + len("\n--- ")
			cases := map[string][]byte{
				"payload":   flip(bin, len(bin)-1),
				"nonce":     flip(bin, bytes.IndexByte(bin[macAt:], '\n')+macAt+1),
				"mac":       swapB64(bin, macAt+3),
				"truncated": bin[:len(bin)-10],
				"cut":       bin[:macAt],
			}
			for what, doc := range cases {
				for form, doc := range map[string][]byte{"binary": doc, "armored": rearmor(t, doc)} {
					_, err := c.Decode(doc)
					if !errors.Is(err, crypt.ErrDamaged) {
						t.Errorf("%s %s: Decode = %v, want ErrDamaged", what, form, err)
						continue
					}
					noSecret(t, err.Error())
				}
			}
			// A damaged armor (a line cut short, a bad character).
			lines := bytes.Split(stored, []byte("\n"))
			lines[2] = lines[2][:len(lines[2])-5]
			for what, doc := range map[string][]byte{
				"armor line": bytes.Join(lines, []byte("\n")),
				"armor char": bytes.Replace(stored, []byte("\n"), []byte("\n*"), 2),
				"no footer":  stored[:len(stored)-len("-----END AGE ENCRYPTED FILE-----\n")],
			} {
				if _, err := c.Decode(doc); !errors.Is(err, crypt.ErrDamaged) {
					t.Errorf("%s: Decode = %v, want ErrDamaged", what, err)
				} else {
					noSecret(t, err.Error())
				}
			}
		})
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x01
	return c
}

// swapB64 replaces the base64 character at i with another valid one.
func swapB64(b []byte, i int) []byte {
	c := bytes.Clone(b)
	if c[i] == 'A' {
		c[i] = 'B'
	} else {
		c[i] = 'A'
	}
	return c
}

func TestPlaintextInput(t *testing.T) {
	a, pubA := newKey(t)
	plain := stateDoc(t)
	for name, c := range map[string]*crypt.Codec{
		"recipients": mustRecipients(t, []string{pubA}, a),
		"passphrase": mustPassphrase(t, pass),
	} {
		_, err := c.Decode(plain)
		if !errors.Is(err, crypt.ErrNotEncrypted) {
			t.Fatalf("%s: Decode(plain JSON) = %v", name, err)
		}
		for _, want := range []string{"not encrypted", "expects encryption"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error lacks %q: %v", name, want, err)
			}
		}
		noSecret(t, err.Error())
		for _, doc := range []string{"", "  \n", "<html>502 Bad Gateway</html>", "\x00\x01binary"} {
			_, err := c.Decode([]byte(doc))
			if !errors.Is(err, crypt.ErrDamaged) {
				t.Errorf("%s: Decode(%q) = %v, want ErrDamaged", name, doc, err)
			}
		}
	}
}

func TestLooksEncrypted(t *testing.T) {
	stored, err := mustPassphrase(t, pass).Encode([]byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	for doc, want := range map[string]bool{
		string(stored):                  true,
		"\n\r\n " + string(stored):      true,
		"\ufeff" + string(stored):       true,
		string(dearmor(t, stored)):      true,
		string(stateDoc(t)):             false,
		"":                              false,
		"-----BEGIN PGP MESSAGE-----\n": false,
		"age-encryption":                false,
	} {
		if got := crypt.LooksEncrypted([]byte(doc)); got != want {
			t.Errorf("LooksEncrypted(%.40q) = %v, want %v", doc, got, want)
		}
	}
}

func TestParseIdentityFile(t *testing.T) {
	a, pubA := newKey(t)
	b, _ := newKey(t)
	file := "# created: 2026-01-02T03:04:05Z\n# public key: " + pubA + "\n" + a.String() + "\n\n" + b.String() + "\r\n"
	ids, err := crypt.ParseIdentityFile([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 {
		t.Fatalf("got %d identities", len(ids))
	}
	roundTrip(t, mustRecipients(t, []string{pubA}, a), mustRecipients(t, []string{pubA}, ids...))

	// One character changed: the bech32 checksum fails.
	bad := a.String()
	swap := "Q"
	if bad[30] == 'Q' {
		swap = "P"
	}
	bad = bad[:30] + swap + bad[31:]
	for name, tc := range map[string]struct{ file, want string }{
		"malformed":  {"# key\n" + bad + "\n", "line 2: malformed age secret key"},
		"public":     {pubA + "\n", "line 1: this is a public key"},
		"ssh":        {"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n", "SSH private keys are not supported"},
		"encrypted":  {"-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n", "passphrase-protected"},
		"empty":      {"# nothing\n\n", "no age secret key"},
		"garbage":    {pass + "\n", "line 1: not an age secret key"},
		"second bad": {a.String() + "\n" + bad + "\n", "line 2: malformed"},
	} {
		_, err := crypt.ParseIdentityFile([]byte(tc.file))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
			continue
		}
		noSecret(t, err.Error())
	}
}

func TestNewRecipientsErrors(t *testing.T) {
	a, pubA := newKey(t)
	_, pubB := newKey(t)
	pq, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, pq.String())
	for name, tc := range map[string]struct {
		recipients []string
		ids        []age.Identity
		want       string
	}{
		"no identity":  {[]string{pubA}, nil, "no identity"},
		"nil identity": {[]string{pubA}, []age.Identity{nil}, "no identity"},
		"not ours":     {[]string{pubB}, []age.Identity{a}, "none of the identities matches a recipient"},
		"secret key":   {[]string{pubA, a.String()}, []age.Identity{a}, "recipient 2: this is a secret key"},
		"ssh":          {[]string{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN me@host"}, []age.Identity{a}, "SSH public keys are not supported"},
		"garbage":      {[]string{pass}, []age.Identity{a}, "recipient 1: not an age public key"},
		"empty":        {[]string{""}, []age.Identity{a}, "recipient 1: empty"},
		"malformed":    {[]string{pubA[:len(pubA)-1]}, []age.Identity{a}, "malformed recipient"},
		"mixed":        {[]string{pubA, pq.Recipient().String()}, []age.Identity{a}, "cannot be used together"},
	} {
		_, err := crypt.NewRecipients(tc.recipients, tc.ids)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
			continue
		}
		noSecret(t, err.Error())
	}
}

func TestNewPassphraseErrors(t *testing.T) {
	for p, want := range map[string]string{
		"":            "passphrase is empty",
		"short-pass1": "shorter than 12 characters",
	} {
		secrets = append(secrets, p)
		_, err := crypt.NewPassphrase(p)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NewPassphrase(len %d): err = %v, want %q", len(p), err, want)
			continue
		}
		if p != "" {
			noSecret(t, err.Error())
		}
	}
}

// TestPrintedCodec checks that printing a codec, or a struct holding one,
// shows no secret.
func TestPrintedCodec(t *testing.T) {
	a, pubA := newKey(t)
	for _, c := range []*crypt.Codec{mustPassphrase(t, pass), mustRecipients(t, []string{pubA}, a)} {
		opts := struct{ Codec states.Codec }{c}
		for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
			noSecret(t, fmt.Sprintf(f, c))
			noSecret(t, fmt.Sprintf(f, opts))
		}
	}
}

func TestConcurrent(t *testing.T) {
	a, pubA := newKey(t)
	c := mustRecipients(t, []string{pubA}, a)
	plain := stateDoc(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				stored, err := c.Encode(plain)
				if err != nil {
					t.Error(err)
					return
				}
				got, err := c.Decode(stored)
				if err != nil || !bytes.Equal(got, plain) {
					t.Error("concurrent round trip failed:", err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func FuzzDecode(f *testing.F) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		f.Fatal(err)
	}
	c := mustRecipients(f, nil, id)
	stored, err := c.Encode([]byte(`{"version":1}`))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(stored)
	f.Add(dearmor(f, stored))
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte("age-encryption.org/v1\n-> X25519 abc\n--- def\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := c.Decode(b)
		if err == nil && !bytes.Equal(got, []byte(`{"version":1}`)) {
			t.Fatalf("decoded %q from a document this test did not write", got)
		}
	})
}

// doc100K is a state-like document of 100 KB.
func doc100K() []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < 100<<10; i++ {
		fmt.Fprintf(&b, `{"hash":"sha256:%064x","since":"2026-01-02T03:04:05Z","value":"gpt-5-%d"},`, i, i)
	}
	return b.Bytes()[:100<<10]
}

func BenchmarkEncodeDecode100K(b *testing.B) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		b.Fatal(err)
	}
	plain := doc100K()
	for name, c := range map[string]*crypt.Codec{
		"passphrase": mustPassphrase(b, pass),
		"recipients": mustRecipients(b, nil, id),
	} {
		stored, err := c.Encode(plain)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/encode", func(b *testing.B) {
			b.SetBytes(int64(len(plain)))
			for b.Loop() {
				if _, err := c.Encode(plain); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/decode", func(b *testing.B) {
			b.SetBytes(int64(len(plain)))
			for b.Loop() {
				if _, err := c.Decode(stored); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/roundtrip", func(b *testing.B) {
			b.SetBytes(int64(len(plain)))
			for b.Loop() {
				s, err := c.Encode(plain)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.Decode(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
