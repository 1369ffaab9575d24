package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/importer"
	"github.com/hubctl/hub/engine/importer/allapihub"
	"github.com/hubctl/hub/engine/importer/ccswitch"
	"github.com/hubctl/hub/engine/system"
)

func (a *app) importCCSwitchCommand(f *importFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "cc-switch [DB_OR_CONFIG_JSON]",
		Short: "Import the providers kept in CC Switch",
		Long: `Import the providers of CC Switch: its database ~/.cc-switch/cc-switch.db
(opened read-only, so a running CC Switch is not disturbed; schema versions up
to ` + fmt.Sprint(ccswitch.SchemaVersion) + `), or the legacy ~/.cc-switch/config.json, or the file given.

Each provider with a key and a base URL becomes a credential (Claude's
ANTHROPIC_* settings an anthropic one, Codex's an openai-compatible one,
Gemini's a google one, opencode, OpenClaw and Hermes by their protocol);
official-login providers have no key and are skipped, and a provider's extra
endpoints are named in a warning (a credential has one base URL).`,
		Example: `  hub import cc-switch --dry-run
  hub import cc-switch ~/backup/cc-switch.db --type anthropic`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return a.importRun(*f, func() ([]importer.Result, error) {
				path := ""
				if len(args) == 1 {
					path = args[0]
				} else {
					for _, p := range ccswitch.DefaultPaths(a.env["HOME"]) {
						if _, err := os.Stat(p); err == nil {
							path = p
							break
						}
					}
					if path == "" {
						return nil, fmt.Errorf("CC Switch's data is not here: none of %s exists; give the database or config.json to read", strings.Join(ccswitch.DefaultPaths(a.env["HOME"]), ", "))
					}
				}
				r, err := ccswitch.Read(a.ctx, path)
				if err != nil {
					return nil, err
				}
				return []importer.Result{r}, nil
			})
		},
	}
}

func (a *app) importAllAPIHubCommand(f *importFlags) *cobra.Command {
	var user, passFile, webdavPassFile string
	var insecure bool
	c := &cobra.Command{
		Use:   "all-api-hub FILE_OR_WEBDAV_URL",
		Short: "Import the API credentials of an All API Hub backup (a file, or its WebDAV backup)",
		Long: `Import the API credential profiles of an All API Hub backup: a file made with
"Export all", or the backup the extension keeps on WebDAV (give the WebDAV
URL it was set up with: hub appends all-api-hub-backup/all-api-hub-1-0.json,
or give the .json URL itself). Backups of versions 1.0 to 4.0 are read, and
encrypted ones too: the backup password is asked for on a terminal, or read
from --password-file.

Each profile becomes a credential: name, API type, base URL, key (as a
secret, or an env() reference with --keys env), tags, notes, the expiry
date (as expires = "YYYY-MM-DD"), and the usage method with a custom endpoint's JSON
paths. Site accounts are logins, not API keys: they are counted and skipped.

The WebDAV user and password come from --webdav-user and
--webdav-password-file, or HUB_WEBDAV_USER and HUB_WEBDAV_PASSWORD.`,
		Example: `  hub import all-api-hub ~/Downloads/all-api-hub-backup-2026-12-01.json --dry-run
  HUB_WEBDAV_USER=me HUB_WEBDAV_PASSWORD=... hub import all-api-hub https://dav.example.com/dav/
  hub import all-api-hub backup.json --password-file ~/.aah-pass --tag work`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return a.importRun(*f, func() ([]importer.Result, error) {
				data, source, err := a.allAPIHubBackup(args[0], user, webdavPassFile, insecure)
				if err != nil {
					return nil, err
				}
				r, err := allapihub.Parse(data, source, a.backupPassword(passFile))
				if errors.Is(err, allapihub.ErrWrongPassword) {
					return nil, fmt.Errorf("%w; nothing was written", err)
				}
				if err != nil {
					return nil, err
				}
				return []importer.Result{r}, nil
			})
		},
	}
	c.Flags().StringVar(&user, "webdav-user", "", "the WebDAV `USER` (default HUB_WEBDAV_USER)")
	c.Flags().StringVar(&webdavPassFile, "webdav-password-file", "", "read the WebDAV password from `FILE` (default HUB_WEBDAV_PASSWORD)")
	c.Flags().StringVar(&passFile, "password-file", "", "read the backup's password from `FILE` (for an encrypted backup; else asked on a terminal)")
	c.Flags().BoolVar(&insecure, "insecure", false, "allow a plain http:// WebDAV URL to a host that is not this machine")
	return c
}

// allAPIHubBackup reads the backup: a WebDAV URL through hub's WebDAV
// client, else a file.
func (a *app) allAPIHubBackup(arg, user, passFile string, insecure bool) ([]byte, string, error) {
	if !strings.HasPrefix(arg, "http://") && !strings.HasPrefix(arg, "https://") {
		data, err := system.ReadFile(a.ctx, arg)
		if err != nil {
			return nil, "", fmt.Errorf("read the backup: %w", err)
		}
		return data, arg, nil
	}
	u, err := url.Parse(arg)
	if err != nil {
		return nil, "", errors.New("the WebDAV URL does not parse; give it as https://host/path/")
	}
	if u.Scheme == "http" && !insecure && !credential.IsLoopback(u.Hostname()) {
		return nil, "", fmt.Errorf("the WebDAV URL is plain http to %s: the password and the backup would cross the network in the clear; use https, or give --insecure", u.Hostname())
	}
	if user == "" {
		user = a.env["HUB_WEBDAV_USER"]
	}
	pass := a.env["HUB_WEBDAV_PASSWORD"]
	if passFile != "" {
		b, err := system.ReadFile(a.ctx, passFile)
		if err != nil {
			return nil, "", fmt.Errorf("read the WebDAV password: %w", err)
		}
		pass = strings.TrimRight(string(b), "\r\n")
	}
	a.redactor.Add(pass)
	data, err := allapihub.Fetch(a.ctx, arg, user, pass)
	if err != nil {
		return nil, "", err
	}
	shown := *u
	shown.User = nil
	return data, shown.String(), nil
}

// backupPassword asks for an encrypted backup's password: from the file,
// else on a terminal.
func (a *app) backupPassword(file string) func() (string, error) {
	return func() (string, error) {
		if file != "" {
			b, err := system.ReadFile(a.ctx, file)
			if err != nil {
				return "", fmt.Errorf("read the backup password: %w", err)
			}
			p := strings.TrimRight(string(b), "\r\n")
			a.redactor.Add(p)
			return p, nil
		}
		if !a.terminal {
			return "", errors.New("the backup is encrypted, and hub cannot ask for its password here (not a terminal); give --password-file FILE")
		}
		return a.askHidden("All API Hub backup password: ")
	}
}
