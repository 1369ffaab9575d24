package allapihub

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// encryptForTest makes the envelope All API Hub uploads when backup
// encryption is on (spec §6): PBKDF2-SHA256 over the password with a random
// 16-byte salt, AES-256-GCM with a random 12-byte iv, the tag appended to
// the ciphertext, each field standard base64.
func encryptForTest(t testing.TB, plain []byte, password string, iter int) []byte {
	t.Helper()
	salt, iv := make([]byte, 16), make([]byte, 12)
	rand.Read(salt)
	rand.Read(iv)
	key, err := pbkdf2.Key(sha256.New, password, salt, iter, 32)
	if err != nil {
		t.Fatal(err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString
	out, err := json.Marshal(map[string]any{
		"type": EnvelopeType, "v": 1, "kdf": "PBKDF2", "cipher": "AES-GCM", "iter": iter,
		"salt": b64(salt), "iv": b64(iv), "ct": b64(gcm.Seal(nil, iv, plain, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEncrypted decrypts an envelope made with the extension's algorithm
// and its 250,000 iterations, and gives the same result as the plain file.
func TestEncrypted(t *testing.T) {
	plain := readTestdata(t, "backup-4.0.json")
	want, err := Parse(plain, "b.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	env := encryptForTest(t, plain, "test-backup-password", 250_000)
	asked := 0
	got, err := Parse(env, "b.json", func() (string, error) { asked++; return "test-backup-password", nil })
	if err != nil {
		t.Fatal(err)
	}
	if asked != 1 {
		t.Errorf("password asked %d times, want once", asked)
	}
	if d := cmp.Diff(string(render(t, want)), string(render(t, got))); d != "" {
		t.Errorf("decrypted backup reads differently (-plain +decrypted):\n%s", d)
	}
}

// TestEncryptedWebCrypto decrypts an envelope made by WebCrypto (node's
// crypto.subtle, as the extension uses it: testdata/encrypt-webcrypto.mjs)
// with a non-ASCII password, which PBKDF2 takes as UTF-8 on both sides.
func TestEncryptedWebCrypto(t *testing.T) {
	const password = "test-backup-password ünï"
	want, err := Parse(readTestdata(t, "backup-3.0.json"), "b.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(readTestdata(t, "encrypted-webcrypto-3.0.json"), "b.json", func() (string, error) { return password, nil })
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(render(t, want)), string(render(t, got))); d != "" {
		t.Errorf("decrypted backup reads differently (-plain +decrypted):\n%s", d)
	}
	_, err = Parse(readTestdata(t, "encrypted-webcrypto-3.0.json"), "b.json", func() (string, error) { return "test-backup-password uni", nil })
	if !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong password: err = %v", err)
	}
}

func TestWrongPassword(t *testing.T) {
	env := encryptForTest(t, readTestdata(t, "backup-4.0.json"), "right-password", 1000)
	r, err := Parse(env, "dav backup", func() (string, error) { return "wrong-password", nil })
	if !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("err = %v, want ErrWrongPassword", err)
	}
	if want := "all-api-hub backup dav backup: the backup password is wrong (AES-GCM authentication failed)"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %q, want it to start with %q", err, want)
	}
	if strings.Contains(err.Error(), "password\"") || strings.Contains(err.Error(), "wrong-password") || strings.Contains(err.Error(), "right-password") {
		t.Errorf("error shows the password: %v", err)
	}
	if len(r.Found)+len(r.Skipped)+len(r.Warnings) != 0 {
		t.Errorf("a wrong password returned a result: %+v", r)
	}
}

// TestTampered: a changed ciphertext fails authentication like a wrong
// password; nothing is returned.
func TestTampered(t *testing.T) {
	env := encryptForTest(t, []byte(`{"version":"4.0"}`), "pw", 1000)
	var m map[string]any
	if err := json.Unmarshal(env, &m); err != nil {
		t.Fatal(err)
	}
	ct, _ := base64.StdEncoding.DecodeString(m["ct"].(string))
	ct[0] ^= 1
	m["ct"] = base64.StdEncoding.EncodeToString(ct)
	env, _ = json.Marshal(m)
	if _, err := Parse(env, "b", func() (string, error) { return "pw", nil }); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("err = %v", err)
	}
}

// TestEnvelopeProblems: an envelope hub cannot open says why, before
// asking for the password.
func TestEnvelopeProblems(t *testing.T) {
	base := map[string]any{"type": EnvelopeType, "v": 1, "kdf": "PBKDF2", "cipher": "AES-GCM", "iter": 1000,
		"salt": "AAAAAAAAAAAAAAAAAAAAAA==", "iv": "AAAAAAAAAAAAAAAA", "ct": "AAAAAAAAAAAAAAAAAAAAAA=="}
	for _, tc := range []struct {
		name  string
		field string
		value any
		err   string
	}{
		{"version 2", "v", 2, "envelope version 2, which this hub does not know"},
		{"other kdf", "kdf", "scrypt", `kdf "scrypt" and cipher "AES-GCM"; hub reads PBKDF2 and AES-GCM`},
		{"huge iter", "iter", 1e12, "iteration count 1e+12 is not a whole number from 1 to 10000000"},
		{"zero iter", "iter", 0, "iteration count 0"},
		{"bad salt", "salt", "***", "salt is not base64"},
		{"no iv", "iv", "", "has no iv"},
		{"short ct", "ct", "AAAA", "shorter than the 16-byte GCM tag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := map[string]any{}
			for k, v := range base {
				m[k] = v
			}
			m[tc.field] = tc.value
			b, _ := json.Marshal(m)
			_, err := Parse(b, "b", func() (string, error) {
				if tc.field != "ct" {
					t.Error("asked for the password of an envelope hub cannot open")
				}
				return "pw", nil
			})
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want one containing %q", err, tc.err)
			}
		})
	}
}

// TestEncryptedMalformedInside: a decrypted payload that is not JSON is
// reported with its position.
func TestEncryptedMalformedInside(t *testing.T) {
	env := encryptForTest(t, []byte("{\n\"version\": }"), "pw", 1000)
	_, err := Parse(env, "b", func() (string, error) { return "pw", nil })
	if err == nil || !strings.Contains(err.Error(), "decrypted: not valid JSON at line 2:") {
		t.Fatalf("err = %v", err)
	}
}
