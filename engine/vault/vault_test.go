package vault

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"filippo.io/age"
	"filippo.io/age/plugin"
	"golang.org/x/crypto/ssh"
)

const canary = "sk-test-vault-canary-0123456789abcdef"

// newAge makes an age identity file in dir and returns its path and public key.
func newAge(t *testing.T, dir, name string) (string, string) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("# created: test\n# public key: "+id.Recipient().String()+"\n"+id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p, id.Recipient().String()
}

// newSSH makes an OpenSSH ed25519 key (protected when passphrase is set)
// and returns its path and public key line.
func newSSH(t *testing.T, dir, name, passphrase string) (string, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var block *pem.Block
	if passphrase != "" {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "test", []byte(passphrase))
	} else {
		block, err = ssh.MarshalPrivateKey(priv, "test")
	}
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	spub, _ := ssh.NewPublicKey(pub)
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(spub)))
	os.WriteFile(p+".pub", []byte(line+" test@host\n"), 0o644)
	return p, line
}

func TestSetDecryptAcrossIdentities(t *testing.T) {
	home := t.TempDir()
	repo := Repo{Root: t.TempDir()}
	laptop, laptopPub := newAge(t, home, "laptop.txt")
	server, serverPub := newSSH(t, home, "id_ed25519", "")
	added, err := repo.AddRecipients([]string{laptopPub}, "laptop")
	if err != nil || len(added) != 1 {
		t.Fatalf("add: %v %v", added, err)
	}
	if _, err := repo.AddRecipients([]string{serverPub + " root@server"}, "server"); err != nil {
		t.Fatal(err)
	}
	rs, err := repo.Recipients()
	if err != nil || len(rs) != 2 || rs[0].Name != "laptop" || rs[1].Name != "server" {
		t.Fatalf("recipients: %+v %v", rs, err)
	}
	if err := repo.Write("relay", canary, rs); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(repo.Path("relay"))
	if strings.Contains(string(data), canary) || !strings.HasPrefix(string(data), "-----BEGIN AGE ENCRYPTED FILE-----") {
		t.Fatalf("not armored ciphertext:\n%s", data)
	}
	info, err := Inspect(data)
	if err != nil || !info.SameRecipients(rs) || len(info.Stanzas) != 2 {
		t.Fatalf("inspect: %+v %v", info, err)
	}
	for _, f := range []string{laptop, server} {
		k := &Keyring{Files: []string{f}}
		v, err := k.Decrypt(repo.Path("relay"), data)
		if err != nil || v != canary {
			t.Fatalf("%s: decrypt = %q, %v", f, v, err)
		}
	}
	// Remove the server and rekey: the server's key no longer opens it.
	if _, err := repo.RemoveRecipients([]string{"server"}); err != nil {
		t.Fatal(err)
	}
	rs, _ = repo.Recipients()
	if info.SameRecipients(rs) {
		t.Fatal("recipient change not noticed")
	}
	if err := repo.Write("relay", canary, rs); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(repo.Path("relay"))
	_, err = (&Keyring{Files: []string{server}}).Decrypt(repo.Path("relay"), data)
	var nr *NotRecipientError
	if !errors.As(err, &nr) || !strings.Contains(err.Error(), "laptop (age1") || !strings.Contains(err.Error(), "not among its recipients") {
		t.Fatalf("want not-a-recipient naming laptop, got %v", err)
	}
	if strings.Contains(err.Error(), canary) {
		t.Fatal("key in error")
	}
	text, _ := os.ReadFile(repo.RecipientsPath())
	if strings.Contains(string(text), "server") || !strings.Contains(string(text), "# laptop\n"+laptopPub) {
		t.Fatalf("recipients file after rm:\n%s", text)
	}
}

func TestDefaultIdentitiesAndNoIdentity(t *testing.T) {
	home := t.TempDir()
	k := &Keyring{Home: home}
	_, err := k.Decrypt("secrets/x.age", mustEncrypt(t, "v"))
	var ni *NoIdentityError
	if !errors.As(err, &ni) {
		t.Fatalf("want NoIdentityError, got %v", err)
	}
	for _, want := range []string{".config/hub/identity.txt (none)", ".ssh/id_ed25519 (none)", ".ssh/id_rsa (none)", "hub secret keygen", "--identity"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	os.MkdirAll(filepath.Join(home, ".ssh"), 0o700)
	_, pub := newSSH(t, filepath.Join(home, ".ssh"), "id_ed25519", "")
	r, _ := ParseRecipient(pub)
	data, _ := Encrypt(canary, []Recipient{r})
	v, err := (&Keyring{Home: home}).Decrypt("x.age", data)
	if err != nil || v != canary {
		t.Fatalf("ssh default: %q %v", v, err)
	}
}

func mustEncrypt(t *testing.T, v string) []byte {
	id, _ := age.GenerateX25519Identity()
	r, _ := ParseRecipient(id.Recipient().String())
	data, err := Encrypt(v, []Recipient{r})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestProtectedIdentitiesAskOnce(t *testing.T) {
	dir := t.TempDir()
	p, pub := newSSH(t, dir, "id_ed25519", "correct horse")
	r, _ := ParseRecipient(pub)
	var asked int
	var mu sync.Mutex
	k := &Keyring{Files: []string{p}, Passphrase: func(string) (string, error) {
		mu.Lock()
		asked++
		mu.Unlock()
		return "correct horse", nil
	}}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		data, _ := Encrypt(canary, []Recipient{r})
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v, err := k.Decrypt("x.age", data); err != nil || v != canary {
				t.Errorf("decrypt: %q %v", v, err)
			}
		}()
	}
	wg.Wait()
	if asked != 1 {
		t.Fatalf("asked %d times", asked)
	}
	data, _ := Encrypt(canary, []Recipient{r})
	_, err := (&Keyring{Files: []string{p}, PassphraseVar: "wrong"}).Decrypt("x.age", data)
	if err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Fatalf("wrong passphrase: %v", err)
	}
	_, err = (&Keyring{Files: []string{p}}).Decrypt("x.age", data)
	if err == nil || !strings.Contains(err.Error(), PassphraseEnv) || !strings.Contains(err.Error(), "not a terminal") {
		t.Fatalf("no prompt: %v", err)
	}
}

func TestPassphraseAgeIdentityFile(t *testing.T) {
	dir := t.TempDir()
	id, _ := age.GenerateX25519Identity()
	sr, _ := age.NewScryptRecipient("a long passphrase")
	sr.SetWorkFactor(10)
	f, _ := os.Create(filepath.Join(dir, "identity.age"))
	w, _ := age.Encrypt(f, sr)
	w.Write([]byte(id.String() + "\n"))
	w.Close()
	f.Close()
	r, _ := ParseRecipient(id.Recipient().String())
	data, _ := Encrypt(canary, []Recipient{r})
	k := &Keyring{Files: []string{filepath.Join(dir, "identity.age")}, PassphraseVar: "a long passphrase"}
	if v, err := k.Decrypt("x.age", data); err != nil || v != canary {
		t.Fatalf("%q %v", v, err)
	}
	k = &Keyring{Files: []string{filepath.Join(dir, "identity.age")}, PassphraseVar: "not it"}
	if _, err := k.Decrypt("x.age", data); err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Fatalf("wrong: %v", err)
	}
}

func TestDamagedFiles(t *testing.T) {
	dir := t.TempDir()
	idf, pub := newAge(t, dir, "id.txt")
	r, _ := ParseRecipient(pub)
	data, _ := Encrypt(canary, []Recipient{r})
	cases := map[string][]byte{
		"empty":     nil,
		"not age":   []byte("sk-test-plaintext-key-0123456789\n"),
		"truncated": data[:len(data)/2],
		"flipped":   []byte(strings.Replace(string(data), "\n", "\nA", 3)),
	}
	for name, b := range cases {
		_, err := (&Keyring{Files: []string{idf}}).Decrypt("secrets/relay.age", b)
		if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "secrets/relay.age") || !strings.Contains(err.Error(), "git checkout") {
			t.Errorf("%s: want damaged naming the file, got %v", name, err)
		}
		if err != nil && strings.Contains(err.Error(), "sk-test") {
			t.Errorf("%s: error quotes the content", name)
		}
		if err != nil && strings.Contains(err.Error(), "(damaged)") {
			t.Errorf("%s: the error does not say why: %v", name, err)
		}
	}
}

func TestCacheOneDecryption(t *testing.T) {
	dir := t.TempDir()
	idf, pub := newAge(t, dir, "id.txt")
	r, _ := ParseRecipient(pub)
	data, _ := Encrypt(canary, []Recipient{r})
	cache := filepath.Join(dir, ".hub", "secrets-cache.age")
	k := &Keyring{Files: []string{idf}, Cache: cache}
	if v, err := k.Decrypt("x.age", data); err != nil || v != canary {
		t.Fatal(v, err)
	}
	if err := k.SaveCache(); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(cache)
	if strings.Contains(string(raw), canary) || len(raw) == 0 {
		t.Fatalf("cache not encrypted: %q", raw)
	}
	// A keyring whose identity file is gone but whose cache holds the
	// value would be wrong to trust blindly: the cache opens only with the
	// identity. With it, the value comes from the cache.
	k2 := &Keyring{Files: []string{idf}, Cache: cache}
	k2.cacheOnce.Do(k2.readCache)
	if len(k2.values) != 1 {
		t.Fatalf("cache not read: %d values", len(k2.values))
	}
	other, _ := newAge(t, dir, "other.txt")
	k3 := &Keyring{Files: []string{other}, Cache: cache}
	if _, err := k3.Decrypt("x.age", data); err == nil {
		t.Fatal("another identity read the value through the cache")
	}
}

func TestParseRecipientRefusesSecrets(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	for in, want := range map[string]string{
		id.String():                      "secret key",
		"-----BEGIN OPENSSH PRIVATE KEY": "private key",
		"ecdsa-sha2-nistp256 AAAA":       "not a public key",
		"ssh-dss AAAA":                   "not supported",
		"age1notakey":                    "malformed",
		"":                               "empty",
	} {
		_, err := ParseRecipient(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: want %q, got %v", in, want, err)
		}
		if err != nil && strings.Contains(err.Error(), "AGE-SECRET-KEY") {
			t.Errorf("error quotes a secret key")
		}
	}
}

func TestCheckName(t *testing.T) {
	for _, ok := range []string{"relay", "openai.work", "a-b_c", "0x"} {
		if err := CheckName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "../x", "a/b", ".hidden", "x.age", "a..b", strings.Repeat("a", 65), "sp ace"} {
		if CheckName(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The header hub init writes alone is a valid recipients file with no
// recipients, and AddRecipients appends below it.
func TestRecipientsHeaderAlone(t *testing.T) {
	rs, err := ParseRecipientsFile("recipients.txt", []byte(RecipientsHeader))
	if err != nil || len(rs) != 0 {
		t.Fatalf("header alone: %v, %v", rs, err)
	}
	dir := t.TempDir()
	repo := Repo{Root: dir}
	if err := os.MkdirAll(repo.SecretsDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(repo.RecipientsPath(), []byte(RecipientsHeader), 0o644); err != nil {
		t.Fatal(err)
	}
	_, pub := newAge(t, dir, "id.txt")
	if _, err := repo.AddRecipients([]string{pub}, "laptop"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(repo.RecipientsPath())
	if !strings.HasPrefix(string(data), RecipientsHeader) || !strings.HasSuffix(string(data), "# laptop\n"+pub+"\n") {
		t.Fatalf("recipients file:\n%s", data)
	}
}

// TestPluginNotInstalled: age plugin keys parse, and a plugin program that
// is not installed is named, for encrypting and for decrypting.
func TestPluginNotInstalled(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	r, err := ParseRecipient(plugin.EncodeRecipient("hubtest", []byte("recipient data")))
	if err != nil {
		t.Fatalf("plugin recipient: %v", err)
	}
	if _, err := Encrypt(canary, []Recipient{r}); err == nil || !strings.Contains(err.Error(), "age-plugin-hubtest is not on the PATH") {
		t.Fatalf("encrypt: %v", err)
	}
	dir := t.TempDir()
	idf := filepath.Join(dir, "plugin.txt")
	os.WriteFile(idf, []byte(plugin.EncodeIdentity("hubtest", []byte("identity data"))+"\n"), 0o600)
	_, err = (&Keyring{Files: []string{idf}}).Decrypt("secrets/x.age", mustEncrypt(t, canary))
	if err == nil || !strings.Contains(err.Error(), "secrets/x.age: the age plugin program age-plugin-hubtest is not on the PATH") {
		t.Fatalf("decrypt: %v", err)
	}
}
