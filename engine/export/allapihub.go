package export

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/hubctl/hub/credential"
)

// The All API Hub formats this writes, as the extension's import reads them
// (qixing-jk/all-api-hub src/constants/importExport.ts BACKUP_VERSION,
// src/types/apiCredentialProfiles.ts, src/services/webdav/
// webdavBackupEncryption.ts); engine/importer/allapihub reads the same.
const (
	aahBackupVersion   = "4.0"
	aahProfilesVersion = 5
	aahEnvelopeType    = "all-api-hub-webdav-backup-encrypted"
	aahIterations      = 250_000
)

func init() {
	Register(Format{
		Name:  "all-api-hub",
		Short: "an All API Hub backup of the credentials (Import/Export → Import, or WebDAV)",
		Long: `Write an All API Hub backup (version 4.0) holding the credentials as API
credential profiles (the extension's key library, version 5): name, API
type, base URL, key, tags (into the backup's tag store), notes, the expiry
date (expires; the extension keeps a day, so an RFC 3339 time becomes its
local day), and how usage is read (hub's usage block as the profile's usage mode: newapi,
openai_billing, sub2api, disabled, or a custom endpoint with its JSON paths
and token). Models are not part of a profile; the extension finds them
itself.

The backup holds only the profiles and their tags, no accounts and no
preferences, so importing it (All API Hub → Import/Export → Import) merges
the profiles into the key library and leaves everything else as it is: a
profile with the same API type, base URL and key is updated, not doubled.
hub import all-api-hub reads the file back.

--encrypt writes the envelope All API Hub's WebDAV sync writes when backup
encryption is on (PBKDF2-SHA256 with 250,000 iterations, AES-256-GCM), under
a password asked for (or --password-file). The extension opens it only from
WebDAV, with the same password (WebDAV settings: backup encryption); hub
import all-api-hub opens it too.

Checked against All API Hub's importExportService.ts and
webdavBackupEncryption.ts (backup 4.0, profiles 5).`,
		Example: `  hub export all-api-hub --tag work --out all-api-hub-backup.json
  hub export all-api-hub relay claude --encrypt --password-file pw.txt --out backup.json`,
		Multi: true,
		Flags: []string{"encrypt"},
		Write: writeAllAPIHub,
	})
}

type aahBackup struct {
	Version   string      `json:"version"`
	Timestamp int64       `json:"timestamp"`
	TagStore  aahTagStore `json:"tagStore"`
	Profiles  aahProfiles `json:"apiCredentialProfiles"`
}

type aahTagStore struct {
	Version  int               `json:"version"`
	TagsByID map[string]aahTag `json:"tagsById"`
}

type aahTag struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	CreatedAt int64  `json:"createdAt"`
	UpdatedAt int64  `json:"updatedAt"`
}

type aahProfiles struct {
	Version        int          `json:"version"`
	Profiles       []aahProfile `json:"profiles"`
	Links          []any        `json:"links"`
	LinkTombstones []any        `json:"linkTombstones"`
	LastUpdated    int64        `json:"lastUpdated"`
}

type aahProfile struct {
	ID              string              `json:"id"`
	Name            string              `json:"name"`
	APIType         string              `json:"apiType"`
	BaseURL         string              `json:"baseUrl"`
	APIKey          string              `json:"apiKey"`
	TagIDs          []string            `json:"tagIds"`
	Notes           string              `json:"notes"`
	TelemetryConfig *aahTelemetryConfig `json:"telemetryConfig,omitempty"`
	// ExpiresAt is the day the key expires, as the extension keeps it: the
	// local midnight of the day, in ms.
	ExpiresAt *int64 `json:"expiresAt,omitempty"`
	CreatedAt int64  `json:"createdAt"`
	UpdatedAt int64  `json:"updatedAt"`
}

type aahTelemetryConfig struct {
	Mode           string             `json:"mode"`
	CustomEndpoint *aahCustomEndpoint `json:"customEndpoint,omitempty"`
}

type aahCustomEndpoint struct {
	Endpoint    string            `json:"endpoint"`
	BearerToken string            `json:"bearerToken,omitempty"`
	JSONPaths   map[string]string `json:"jsonPaths"`
}

// aahModes maps hub's usage methods to the profile's telemetryConfig.mode
// (the inverse of engine/importer/allapihub's usageModes).
var aahModes = map[string]string{
	"newapi":         "newApiTokenUsage",
	"openai_billing": "openaiBilling",
	"sub2api":        "sub2apiUsage",
	"custom":         "customReadOnlyEndpoint",
	"disabled":       "disabled",
}

// aahIDs make the profile and tag ids: the same credential or tag gets the
// same id on every export, so a second import updates, not adds.
var aahIDs = uuid.MustParse("0b7c6f0e-3d2a-4f4b-8a51-6e9d2c1f7a34")

func writeAllAPIHub(creds []*credential.Credential, o Options) ([]byte, error) {
	if len(creds) == 0 {
		return nil, errors.New("no credential to export")
	}
	now := o.Time().UnixMilli()
	b := aahBackup{
		Version:   aahBackupVersion,
		Timestamp: now,
		TagStore:  aahTagStore{Version: 1, TagsByID: map[string]aahTag{}},
		Profiles:  aahProfiles{Version: aahProfilesVersion, Profiles: []aahProfile{}, Links: []any{}, LinkTombstones: []any{}, LastUpdated: now},
	}
	for _, c := range creds {
		if !credential.ValidAPIType(c.APIType) {
			return nil, fmt.Errorf("credential %s: All API Hub has no API type %q", c.ID, c.APIType)
		}
		name := strings.TrimSpace(c.Name)
		if name == "" {
			name = c.ID
		}
		p := aahProfile{
			ID:        "api-profile-" + uuid.NewSHA1(aahIDs, []byte("profile\x00"+c.ID)).String(),
			Name:      name,
			APIType:   c.APIType,
			BaseURL:   c.BaseURL,
			APIKey:    c.Key.Reveal(),
			TagIDs:    []string{},
			Notes:     c.Notes,
			CreatedAt: now,
			UpdatedAt: now,
		}
		for _, t := range c.Tags {
			id := "tag-" + uuid.NewSHA1(aahIDs, []byte("tag\x00"+t)).String()
			b.TagStore.TagsByID[id] = aahTag{ID: id, Name: t, CreatedAt: now, UpdatedAt: now}
			p.TagIDs = append(p.TagIDs, id)
		}
		p.ExpiresAt = aahExpires(c.Expires)
		tc, err := aahTelemetry(c)
		if err != nil {
			return nil, err
		}
		p.TelemetryConfig = tc
		b.Profiles.Profiles = append(b.Profiles.Profiles, p)
	}
	plain, err := aahJSON(b)
	if err != nil {
		return nil, err
	}
	if !o.Encrypt {
		return plain, nil
	}
	return aahEncrypt(plain, o.Password)
}

// aahExpires is an expiry as a profile's expiresAt: the local midnight
// the extension stores for a day picked in its date field. A day written
// in hub is already its local midnight; an RFC 3339 time becomes the local
// day it falls on, since the extension keeps days only.
func aahExpires(e credential.Expiry) *int64 {
	if e.IsZero() {
		return nil
	}
	at := e.At
	if !e.DateOnly {
		y, m, d := e.At.In(time.Local).Date()
		at = time.Date(y, m, d, 0, 0, 0, 0, time.Local)
	}
	ms := at.UnixMilli()
	return &ms
}

// aahTelemetry is a credential's usage block as the profile's
// telemetryConfig; auto (no block) is the extension's default too, so it
// is left out.
func aahTelemetry(c *credential.Credential) (*aahTelemetryConfig, error) {
	u := c.Usage
	if u.Method == "" || u.Method == "auto" {
		return nil, nil
	}
	mode, ok := aahModes[u.Method]
	if !ok {
		return nil, fmt.Errorf("credential %s: All API Hub has no usage mode for method %q", c.ID, u.Method)
	}
	tc := &aahTelemetryConfig{Mode: mode}
	if u.Method != "custom" {
		return tc, nil
	}
	paths := map[string]string{}
	for k, v := range map[string]string{
		"balanceUsd":       u.Paths.Balance,
		"todayCostUsd":     u.Paths.TodayCost,
		"todayRequests":    u.Paths.TodayRequests,
		"todayTotalTokens": u.Paths.TodayTokens,
	} {
		if v != "" {
			paths[k] = v
		}
	}
	tc.CustomEndpoint = &aahCustomEndpoint{Endpoint: u.Endpoint, BearerToken: u.Token.Reveal(), JSONPaths: paths}
	return tc, nil
}

func aahJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode the backup: %w", err)
	}
	return b.Bytes(), nil
}

// aahEnvelope is the encrypted backup, field for field as the extension's
// encryptWebdavBackupEnvelope writes it: ct is the ciphertext with the GCM
// tag appended (WebCrypto's layout), each binary field standard base64.
type aahEnvelope struct {
	Type   string `json:"type"`
	V      int    `json:"v"`
	KDF    string `json:"kdf"`
	Cipher string `json:"cipher"`
	Iter   int    `json:"iter"`
	Salt   string `json:"salt"`
	IV     string `json:"iv"`
	CT     string `json:"ct"`
}

func aahEncrypt(plain []byte, password func() (string, error)) ([]byte, error) {
	if password == nil {
		return nil, errors.New("--encrypt needs a password")
	}
	pw, err := password()
	if err != nil {
		return nil, fmt.Errorf("the backup password: %w", err)
	}
	if pw == "" {
		return nil, errors.New("the backup password is empty; nothing written")
	}
	salt, iv := make([]byte, 16), make([]byte, 12)
	rand.Read(salt)
	rand.Read(iv)
	key, err := pbkdf2.Key(sha256.New, pw, salt, aahIterations, 32)
	if err != nil {
		return nil, fmt.Errorf("derive the backup key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("derive the backup key: %w", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("encrypt the backup: %w", err)
	}
	e := aahEnvelope{
		Type: aahEnvelopeType, V: 1, KDF: "PBKDF2", Cipher: "AES-GCM", Iter: aahIterations,
		Salt: base64.StdEncoding.EncodeToString(salt),
		IV:   base64.StdEncoding.EncodeToString(iv),
		CT:   base64.StdEncoding.EncodeToString(gcm.Seal(nil, iv, plain, nil)),
	}
	return aahJSON(e)
}
