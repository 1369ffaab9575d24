package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/hubctl/hub/engine/vault"
)

// keyring is this process's age identities (--identity, HUB_AGE_IDENTITY,
// or the default places), made once: every configuration load and every
// hub secret command shares it, so a passphrase is asked for once and
// each secret decrypted once.
func (a *app) keyring() *vault.Keyring {
	if a.keys != nil {
		return a.keys
	}
	files := append([]string(nil), a.identities...)
	if len(files) == 0 && a.env[vault.IdentityEnv] != "" {
		for _, f := range filepath.SplitList(a.env[vault.IdentityEnv]) {
			if f != "" {
				files = append(files, f)
			}
		}
	}
	home := a.env["HOME"]
	for i, f := range files {
		if f == "~" || strings.HasPrefix(f, "~/") {
			files[i] = filepath.Join(home, f[1:])
		}
	}
	k := &vault.Keyring{
		Files:         files,
		Home:          home,
		ConfigHome:    a.env["XDG_CONFIG_HOME"],
		PassphraseVar: a.env[vault.PassphraseEnv],
		Cache:         filepath.Join(a.dir(), ".hub", "secrets-cache.age"),
	}
	if a.noSecretsCache {
		k.Cache = ""
	}
	if a.terminal {
		k.Passphrase = a.askPassphrase
	}
	a.keys = k
	return k
}

// askPassphrase reads a protected identity's passphrase from the terminal,
// without echo.
func (a *app) askPassphrase(file string) (string, error) {
	return a.askHidden(fmt.Sprintf("Passphrase for %s: ", file))
}

// askHidden shows prompt on stderr and reads one line from the terminal
// without echo: a passphrase, a password, a key. The answer is given to
// the redactor before anything else prints.
func (a *app) askHidden(prompt string) (string, error) {
	fmt.Fprint(a.errw, prompt)
	a.errw.Flush()
	b, err := term.ReadPassword(int(os.Stdin.Fd()))
	fmt.Fprintln(a.errw)
	if err != nil {
		return "", fmt.Errorf("read from the terminal: %w", err)
	}
	a.redactor.Add(string(b))
	return string(b), nil
}
