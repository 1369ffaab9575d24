package config_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/hubctl/hub/engine/config"
	_ "github.com/hubctl/hub/engine/states/backend/all"
)

// diagLines renders diagnostics as "line:col-line:col Summary: Detail",
// sorted (gohcl reports arguments in map order), with dir made relative.
func diagLines(diags hcl.Diagnostics, dir string) []string {
	var out []string
	for _, d := range diags {
		s := d.Summary + ": " + strings.ReplaceAll(d.Detail, dir+string(filepath.Separator), "")
		if d.Subject != nil {
			s = fmt.Sprintf("%d:%d-%d:%d %s", d.Subject.Start.Line, d.Subject.Start.Column, d.Subject.End.Line, d.Subject.End.Column, s)
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// TestBackendDiagnostics pins every diagnostic the hub block's state
// backends give, with its source range, through both loaders.
func TestBackendDiagnostics(t *testing.T) {
	for _, tc := range []struct {
		name, hcl string
		want      []string
	}{
		{"local ok", `hub {
  state "local" {}
}`, nil},
		{"local argument", `hub {
  state "local" {
    path = "x"
  }
}`, []string{`3:5-3:9 Unsupported argument: The local state backend takes no settings: state is kept in .hub/state.json beside the configuration.`}},
		{"local block", `hub {
  state "local" {
    encrypt { passphrase = "p" }
  }
}`, []string{`3:5-3:12 Unexpected "encrypt" block: Blocks are not allowed here.`}},
		{"unknown", `hub {
  state "webdv" {}
}`, []string{`2:9-2:16 Unsupported state backend: There is no state backend "webdv". Did you mean "webdav"? The backends are: "local", "webdav".`}},
		{"duplicate", `hub {
  state "local" {}
  state "webdav" {}
}`, []string{`3:3-3:17 Duplicate state block: A state block was already declared at hub.hcl:2:3. Each must be declared once.`}},
		{"webdav ok", `hub {
  state "webdav" {
    url          = "https://dav.example.com/files/me/"
    username     = "me"
    password     = "dav-pass-Zq7"
    path         = "/a/state.json"
    history      = 0
    lock_ttl     = "1m"
    lock_timeout = "2s"
    encrypt {
      passphrase = "enc-pass-Zq7"
    }
  }
}`, nil},
		{"missing url", `hub {
  state "webdav" {}
}`, []string{`2:3-2:17 Missing WebDAV URL: The webdav state backend needs url, the WebDAV folder to keep state in (for Nextcloud: https://host/remote.php/dav/files/<user>).`}},
		{"bad url", `hub {
  state "webdav" { url = "ftp://u:dav-pass-Zq7@host/x" }
}`, []string{`2:3-2:17 Invalid WebDAV URL: The url "ftp://u:xxxxx@host/x" is not an http(s) URL.`}},
		{"no host", `hub {
  state "webdav" { url = "https:///x" }
}`, []string{`2:3-2:17 Invalid WebDAV URL: The url "https:///x" is not an http(s) URL.`}},
		{"url credentials", `hub {
  state "webdav" { url = "https://u:dav-pass-Zq7@host/x" }
}`, []string{`2:3-2:17 Invalid WebDAV URL: Put the user name and password in username and password, not in the url.`}},
		{"insecure", `hub {
  state "webdav" { url = "http://dav.example.com/x" }
}`, []string{`2:3-2:17 Insecure WebDAV URL: Plain http would send the password and the state unencrypted; use https, or set insecure = true.`}},
		{"insecure allowed", `hub {
  state "webdav" {
    url      = "http://dav.example.com/x"
    insecure = true
  }
}`, nil},
		{"loopback", `hub {
  state "webdav" { url = "http://127.0.0.1:8080/x" }
}`, nil},
		{"bad path", `hub {
  state "webdav" {
    url  = "https://dav.example.com"
    path = "../state.json"
  }
}`, []string{`2:3-2:17 Invalid state path: The path "../state.json" must name a file below url, like hub/state.json.`}},
		{"folder path", `hub {
  state "webdav" {
    url  = "https://dav.example.com"
    path = "hub/"
  }
}`, []string{`2:3-2:17 Invalid state path: The path "hub/" must name a file below url, like hub/state.json.`}},
		{"history", `hub {
  state "webdav" {
    url     = "https://dav.example.com"
    history = 1001
  }
}`, []string{`2:3-2:17 Invalid history: history is the number of earlier states kept on the server, from 0 to 1000.`}},
		{"durations", `hub {
  state "webdav" {
    url          = "https://dav.example.com"
    lock_ttl     = "soon"
    lock_timeout = "-1s"
  }
}`, []string{
			`2:3-2:17 Invalid duration: lock_timeout = "-1s" is not a duration like "30s" or "15m".`,
			`2:3-2:17 Invalid duration: lock_ttl = "soon" is not a duration like "30s" or "15m".`,
		}},
		{"unknown argument", `hub {
  state "webdav" {
    url  = "https://dav.example.com"
    paht = "x"
  }
}`, []string{`4:5-4:9 Unsupported argument: An argument named "paht" is not expected here. Did you mean "path"?`}},
		{"encrypt argument", `hub {
  state "webdav" {
    url     = "https://dav.example.com"
    encrypt = "yes"
  }
}`, []string{`4:5-4:12 Unsupported argument: An argument named "encrypt" is not expected here. Did you mean to define a block of type "encrypt"?`}},
		{"wrong type", `hub {
  state "webdav" {
    url     = "https://dav.example.com"
    history = "many"
  }
}`, []string{`4:16-4:20 Unsuitable value type: Unsuitable value: a number is required`}},
		{"two encrypt blocks", `hub {
  state "webdav" {
    url = "https://dav.example.com"
    encrypt { passphrase = "p" }
    encrypt { passphrase = "q" }
  }
}`, []string{`5:5-5:12 Duplicate encrypt block: Only one encrypt block is allowed. Another was defined at hub.hcl:4,5-12.`}},
		{"encrypt both", `hub {
  state "webdav" {
    url = "https://dav.example.com"
    encrypt {
      passphrase    = "p"
      recipients    = ["age1x"]
      identity_file = "k"
    }
  }
}`, []string{`2:3-2:17 Conflicting encryption settings: Give either passphrase, or recipients with an identity_file, not both.`}},
		{"encrypt empty", `hub {
  state "webdav" {
    url = "https://dav.example.com"
    encrypt {}
  }
}`, []string{`2:3-2:17 Missing encryption settings: The encrypt block needs recipients = ["age1..."] and identity_file, or passphrase = env("HUB_STATE_PASSPHRASE").`}},
		{"encrypt no identity", `hub {
  state "webdav" {
    url = "https://dav.example.com"
    encrypt { recipients = ["age1x"] }
  }
}`, []string{`2:3-2:17 Missing identity file: With recipients, give identity_file: the age key hub decrypts the state with (age-keygen -o ~/.config/hub/key.txt).`}},
		{"encrypt unknown argument", `hub {
  state "webdav" {
    url = "https://dav.example.com"
    encrypt {
      passphrase = "p"
      recipient  = ["x"]
    }
  }
}`, []string{`6:7-6:16 Unsupported argument: An argument named "recipient" is not expected here. Did you mean "recipients"?`}},
		{"identity home", `hub {
  state "webdav" {
    url = "https://dav.example.com"
    encrypt {
      recipients    = ["age1x"]
      identity_file = "~/key.txt"
    }
  }
}`, nil},
		{"identity no home", `hub {
  state "webdav" {
    url = "https://dav.example.com"
    encrypt {
      recipients    = ["age1x"]
      identity_file = "~/key.txt"
    }
  }
}`, []string{`2:3-2:17 Invalid identity file: cannot expand ~/key.txt: HOME is not set`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := config.Options{}
			if tc.name == "identity no home" {
				opts.Env = map[string]string{}
			}
			cfg, diags := load(t, map[string]string{"hub.hcl": tc.hcl}, opts)
			if got := diagLines(diags, cfg.Dir); !slices.Equal(got, tc.want) {
				t.Errorf("config.Load diagnostics:\n got %q\nwant %q", got, tc.want)
			}
			env := opts.Env
			if env == nil {
				env = map[string]string{"HOME": cfg.Dir}
			}
			_, _, diags = config.LoadBackend(config.Options{Dir: cfg.Dir, Env: env})
			if got := diagLines(diags, cfg.Dir); !slices.Equal(got, tc.want) {
				t.Errorf("config.LoadBackend diagnostics:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestBackendSettings: what a hub block decodes to, and the secrets in it,
// given to the redactor even when the block has errors.
func TestBackendSettings(t *testing.T) {
	for _, tc := range []struct {
		name, hcl   string
		typ         string // "" for the local default (a nil Backend)
		lockTimeout string
		secrets     []string
	}{
		{"none", `credential "x" {
  api_type = "openai"
  api_key  = "sk-test-0"
}`, "", "", []string{"sk-test-0"}},
		{"local", `hub {
  state "local" {}
}`, "", "", nil},
		{"webdav defaults", `hub {
  state "webdav" {
    url      = "https://dav.example.com"
    password = "dav-pass-Zq7"
  }
}`, "webdav", "30s", []string{"dav-pass-Zq7"}},
		{"webdav", `hub {
  state "webdav" {
    url          = "https://dav.example.com"
    password     = "dav-pass-Zq7"
    lock_timeout = "2m"
    encrypt { passphrase = "enc-pass-Zq7" }
  }
}`, "webdav", "2m0s", []string{"dav-pass-Zq7", "enc-pass-Zq7"}},
		{"webdav with errors", `hub {
  state "webdav" {
    url      = "ftp://dav.example.com"
    password = "dav-pass-Zq7"
    encrypt { passphrase = "enc-pass-Zq7" }
  }
}`, "webdav", "30s", []string{"dav-pass-Zq7", "enc-pass-Zq7"}},
		{"webdav decode error", `hub {
  state "webdav" {
    url      = "https://dav.example.com"
    password = "dav-pass-Zq7"
    paht     = "x"
  }
}`, "webdav", "30s", []string{"dav-pass-Zq7"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _ := load(t, map[string]string{"hub.hcl": tc.hcl}, config.Options{})
			be, secrets, _ := config.LoadBackend(config.Options{Dir: cfg.Dir, Env: map[string]string{"HOME": cfg.Dir}})
			for _, got := range []*config.Backend{cfg.Backend, be} {
				switch {
				case tc.typ == "" && got != nil:
					t.Errorf("backend = %+v, want nil (local)", got)
				case tc.typ != "" && (got == nil || got.Type != tc.typ):
					t.Errorf("backend = %+v, want type %s", got, tc.typ)
				case tc.typ != "" && got.LockTimeout.String() != tc.lockTimeout:
					t.Errorf("lock timeout = %s, want %s", got.LockTimeout, tc.lockTimeout)
				}
			}
			for _, s := range tc.secrets {
				if !slices.Contains(cfg.Secrets, s) {
					t.Errorf("config.Load secrets %q lack %q", cfg.Secrets, s)
				}
				if !strings.HasPrefix(s, "sk-") && !slices.Contains(secrets, s) { // LoadBackend reads only the hub block
					t.Errorf("config.LoadBackend secrets %q lack %q", secrets, s)
				}
			}
		})
	}
}

// TestHistoryRetention: hub { history { retention } } in days, its
// diagnostics on the value, and LoadBackend (the state commands) taking the
// block without evaluating it.
func TestHistoryRetention(t *testing.T) {
	for _, tc := range []struct {
		name, hcl string
		want      time.Duration
		diags     []string
	}{
		{"none", `hub {}`, 0, nil},
		{"empty block", `hub {
  history {}
}`, 0, nil},
		{"days", `hub {
  history { retention = "400d" }
}`, 400 * 24 * time.Hour, nil},
		{"with a state", `hub {
  state "local" {}
  history {
    retention = "90d"
  }
}`, 90 * 24 * time.Hour, nil},
		{"variable", `variable "keep" { default = "30d" }
hub {
  history { retention = var.keep }
}`, 30 * 24 * time.Hour, nil},
		{"minimum", `hub {
  history { retention = "7d" }
}`, 7 * 24 * time.Hour, nil},
		{"too short", `hub {
  history { retention = "6d" }
}`, 0, []string{`2:25-2:29 Invalid history retention: retention = "6d" is out of range: keep from "7d" (the days that keep every refresh) to "3650d" (ten years).`}},
		{"too long", `hub {
  history { retention = "3651d" }
}`, 0, []string{`2:25-2:32 Invalid history retention: retention = "3651d" is out of range: keep from "7d" (the days that keep every refresh) to "3650d" (ten years).`}},
		{"huge", `hub {
  history { retention = "99999999999999999999d" }
}`, 0, []string{`2:25-2:48 Invalid history retention: retention = "99999999999999999999d" is out of range: keep from "7d" (the days that keep every refresh) to "3650d" (ten years).`}},
		{"years", `hub {
  history { retention = "1y" }
}`, 0, []string{`2:25-2:29 Invalid history retention: retention = "1y" is not a number of days like "90d" or "400d" (a year is "365d").`}},
		{"go duration", `hub {
  history { retention = "720h" }
}`, 0, []string{`2:25-2:31 Invalid history retention: retention = "720h" is not a number of days like "90d" or "400d" (a year is "365d").`}},
		{"number", `hub {
  history { retention = 30 }
}`, 0, []string{`2:25-2:27 Invalid history retention: retention is a number of days as a string, like "90d" or "400d".`}},
		{"unknown argument", `hub {
  history { retension = "30d" }
}`, 0, []string{`2:13-2:22 Unsupported argument: An argument named "retension" is not expected here. Did you mean "retention"?`}},
		{"duplicate", `hub {
  history { retention = "30d" }
  history { retention = "60d" }
}`, 30 * 24 * time.Hour, []string{`3:3-3:10 Duplicate history block: A history block was already declared at hub.hcl:2:3. Each must be declared once.`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, diags := load(t, map[string]string{"hub.hcl": tc.hcl}, config.Options{})
			if got := diagLines(diags, cfg.Dir); !slices.Equal(got, tc.diags) {
				t.Errorf("config.Load diagnostics:\n got %q\nwant %q", got, tc.diags)
			}
			if cfg.History.Retention != tc.want {
				t.Errorf("retention = %s, want %s", cfg.History.Retention, tc.want)
			}
			// The state commands read the hub block alone: the history block
			// is no unknown block to them, and its value (which may use a
			// variable they do not have) is not theirs to judge.
			_, _, diags = config.LoadBackend(config.Options{Dir: cfg.Dir, Env: map[string]string{"HOME": cfg.Dir}})
			var want []string
			if tc.name == "duplicate" {
				want = tc.diags
			}
			if got := diagLines(diags, cfg.Dir); !slices.Equal(got, want) {
				t.Errorf("config.LoadBackend diagnostics:\n got %q\nwant %q", got, want)
			}
		})
	}
}
