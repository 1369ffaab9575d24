package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"

	"github.com/hubctl/hub/engine/vault"
)

// secretsBench compares a no-op plan whose n keys come from env() with the
// same plan whose keys come from secret() (X25519 recipient): with the
// secrets cache warm (the common path), cold (every file decrypted), and
// with an identity file protected by a passphrase (age -p, scrypt at age's
// default work factor), which is opened once per process.
func secretsBench(hubBin, work string, nCreds, nTargets, runs int) error {
	var env []string
	envDir := filepath.Join(work, "keys-env")
	if err := generateKeys(envDir, nCreds, nTargets, "0", func(i int, key string) string {
		env = append(env, fmt.Sprintf("BENCH_KEY_%d=%s", i, key))
		return fmt.Sprintf("env(\"BENCH_KEY_%d\")", i)
	}); err != nil {
		return err
	}

	secDir := filepath.Join(work, "keys-secret")
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return err
	}
	idFile := filepath.Join(secDir, ".config", "hub", "identity.txt")
	if err := os.MkdirAll(filepath.Dir(idFile), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(idFile, []byte(id.String()+"\n"), 0o600); err != nil {
		return err
	}
	repo := vault.Repo{Root: secDir}
	rs, err := repo.AddRecipients([]string{id.Recipient().String()}, "bench")
	if err != nil {
		return err
	}
	if err := generateKeys(secDir, nCreds, nTargets, "0", func(i int, key string) string {
		if err == nil {
			err = repo.Write(fmt.Sprintf("c%d", i), key, rs)
		}
		return fmt.Sprintf("secret(\"c%d\")", i)
	}); err != nil {
		return err
	}
	if err != nil {
		return err
	}
	// The same identity behind a passphrase, as age -p writes it.
	protected := filepath.Join(work, "identity.age")
	sr, err := age.NewScryptRecipient("bench passphrase, long enough")
	if err != nil {
		return err
	}
	var pbuf bytes.Buffer
	w, err := age.Encrypt(&pbuf, sr)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, id.String())
	w.Close()
	if err := os.WriteFile(protected, pbuf.Bytes(), 0o600); err != nil {
		return err
	}
	protEnv := []string{vault.IdentityEnv + "=" + protected, vault.PassphraseEnv + "=bench passphrase, long enough"}

	if _, err := measureEnv(hubBin, envDir, env, "apply", "--auto-approve"); err != nil {
		return err
	}
	if _, err := measureEnv(hubBin, secDir, nil, "apply", "--auto-approve"); err != nil {
		return err
	}
	cache := filepath.Join(secDir, ".hub", "secrets-cache.age")
	type row struct {
		name  string
		dir   string
		env   []string
		cold  bool
		stats result
	}
	rows := []*row{
		{name: "env() keys", dir: envDir, env: env},
		{name: "secret() keys, cache warm", dir: secDir},
		{name: "secret() keys, cache cold", dir: secDir, cold: true},
		{name: "secret(), age -p identity", dir: secDir, env: protEnv, cold: false},
	}
	for _, r := range rows {
		for range runs {
			if r.cold {
				os.Remove(cache)
			}
			s, err := measureEnv(hubBin, r.dir, r.env, "plan", "--detailed-exitcode")
			if err != nil {
				return fmt.Errorf("%s: %w", r.name, err)
			}
			r.stats.samples = append(r.stats.samples, s)
		}
	}
	base := rows[0].stats.median()
	fmt.Printf("\nno-op plan, %d credentials, by where the keys come from:\n", nCreds)
	for _, r := range rows {
		m := r.stats.median()
		fmt.Printf("%-28s %12s %+7.1f%%\n", r.name, m.Round(100*time.Microsecond), 100*(float64(m)/float64(base)-1))
	}
	return nil
}
