package allapihub

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// EnvelopeType is the type field of an encrypted WebDAV backup: All API
// Hub's webdavBackupEncryption.ts writes {type, v: 1, kdf: "PBKDF2",
// cipher: "AES-GCM", iter, salt, iv, ct} (salt 16 bytes, iv 12 bytes and ct
// the ciphertext with its 16-byte GCM tag appended, each standard base64),
// its key PBKDF2-SHA256 of the password, 32 bytes for AES-256-GCM.
const EnvelopeType = "all-api-hub-webdav-backup-encrypted"

// ErrWrongPassword is wrapped by Parse's error when the backup password
// does not open the envelope, so a caller can ask again.
var ErrWrongPassword = errors.New("the backup password is wrong (AES-GCM authentication failed), or the backup was altered")

// maxIterations bounds the envelope's PBKDF2 iteration count: the extension
// writes 250,000; a file asking for billions would hang hub.
const maxIterations = 10_000_000

// envelope is the encrypted backup's JSON.
type envelope struct {
	Type   string `json:"type"`
	V      any    `json:"v"`
	KDF    string `json:"kdf"`
	Cipher string `json:"cipher"`
	Iter   any    `json:"iter"`
	Salt   string `json:"salt"`
	IV     string `json:"iv"`
	CT     string `json:"ct"`
}

// isEnvelope reports whether a decoded top-level object is an encrypted
// backup (by its type, as the extension detects it).
func isEnvelope(top map[string]any) bool {
	t, _ := top["type"].(string)
	return t == EnvelopeType
}

// decrypt opens an encrypted backup with the password password returns.
func decrypt(data []byte, password func() (string, error)) ([]byte, error) {
	var e envelope
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("the encrypted envelope does not read: %w", err)
	}
	if v, ok := e.V.(float64); !ok || v != 1 {
		return nil, fmt.Errorf("the backup is encrypted with envelope version %v, which this hub does not know (it reads version 1); update hub", e.V)
	}
	if e.KDF != "PBKDF2" || e.Cipher != "AES-GCM" {
		return nil, fmt.Errorf("the backup is encrypted with kdf %q and cipher %q; hub reads PBKDF2 and AES-GCM", e.KDF, e.Cipher)
	}
	it, ok := e.Iter.(float64)
	if !ok || it < 1 || it > maxIterations || it != float64(int(it)) {
		return nil, fmt.Errorf("the encrypted envelope's iteration count %v is not a whole number from 1 to %d", e.Iter, maxIterations)
	}
	salt, err := field("salt", e.Salt)
	if err != nil {
		return nil, err
	}
	iv, err := field("iv", e.IV)
	if err != nil {
		return nil, err
	}
	ct, err := field("ct", e.CT)
	if err != nil {
		return nil, err
	}
	if password == nil {
		return nil, errors.New("the backup is encrypted and no password was given")
	}
	pw, err := password()
	if err != nil {
		return nil, fmt.Errorf("reading the backup password: %w", err)
	}
	key, err := pbkdf2.Key(sha256.New, pw, salt, int(it), 32)
	if err != nil {
		return nil, fmt.Errorf("deriving the key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("deriving the key: %w", err)
	}
	// WebCrypto takes an IV of any length; the extension writes 12 bytes.
	gcm, err := cipher.NewGCMWithNonceSize(block, len(iv))
	if err != nil {
		return nil, fmt.Errorf("the envelope's iv (%d bytes): %w", len(iv), err)
	}
	if len(ct) < gcm.Overhead() {
		return nil, fmt.Errorf("the envelope's ct is %d bytes, shorter than the %d-byte GCM tag", len(ct), gcm.Overhead())
	}
	plain, err := gcm.Open(nil, iv, ct, nil)
	if err != nil {
		return nil, ErrWrongPassword
	}
	return plain, nil
}

// field decodes one base64 field of the envelope (btoa: standard, padded).
func field(name, v string) ([]byte, error) {
	if v == "" {
		return nil, fmt.Errorf("the encrypted envelope has no %s", name)
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("the encrypted envelope's %s is not base64: %w", name, err)
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("the encrypted envelope's %s is empty", name)
	}
	return b, nil
}
