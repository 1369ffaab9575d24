package config

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
)

// Backend says where state lives. A nil *Backend is the local default,
// .hub/state.json beside the configuration.
type Backend struct {
	Type string // "local" or "webdav"
	// WebDAV settings.
	URL      string
	Username string
	Password string // secret
	Path     string // document path below URL
	History  int    // snapshots kept on the server
	LockTTL  time.Duration
	// LockTimeout is how long apply waits for another host's lock.
	LockTimeout time.Duration
	Encrypt     *Encrypt
	Range       hcl.Range
}

// Encrypt says how the state document is encrypted before it leaves the
// machine: to age recipients (decrypted with an identity file), or with a
// passphrase.
type Encrypt struct {
	Recipients   []string
	IdentityFile string // absolute
	Passphrase   string // secret
}

type backendBlock struct {
	URL         string        `hcl:"url,optional"`
	Username    string        `hcl:"username,optional"`
	Password    string        `hcl:"password,optional"`
	Path        string        `hcl:"path,optional"`
	History     *int          `hcl:"history,optional"`
	LockTTL     string        `hcl:"lock_ttl,optional"`
	LockTimeout string        `hcl:"lock_timeout,optional"`
	Insecure    bool          `hcl:"insecure,optional"`
	Encrypt     *encryptBlock `hcl:"encrypt,block"`
}

type encryptBlock struct {
	Recipients   []string `hcl:"recipients,optional"`
	IdentityFile string   `hcl:"identity_file,optional"`
	Passphrase   string   `hcl:"passphrase,optional"`
}

// backends are the state backend types, for messages.
var backends = []string{"local", "webdav"}

// decodeHub decodes the hub block: its state backend, if any.
func (l *loader) decodeHub(b *hcl.Block, ctx *hcl.EvalContext) (*Backend, hcl.Diagnostics) {
	content, diags := b.Body.Content(&hcl.BodySchema{
		Blocks: []hcl.BlockHeaderSchema{{Type: "state", LabelNames: []string{"type"}}},
	})
	var out *Backend
	for i, sb := range content.Blocks {
		if i > 0 {
			diags = diags.Append(duplicate("state", "", sb, content.Blocks[0]))
			continue
		}
		switch sb.Labels[0] {
		case "local":
			attrs, dd := sb.Body.JustAttributes()
			diags = append(diags, dd...)
			for _, a := range attrs {
				diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unsupported argument",
					Detail: "The local state backend takes no settings: state is kept in .hub/state.json beside the configuration.", Subject: a.NameRange.Ptr()})
			}
		case "webdav":
			be, d := l.decodeWebDAV(sb, ctx)
			diags = append(diags, d...)
			out = be
		default:
			diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unsupported state backend",
				Detail:  fmt.Sprintf("There is no state backend %q.%s The backends are: %s.", sb.Labels[0], suggest(sb.Labels[0], backends), joinQuoted(backends)),
				Subject: sb.LabelRanges[0].Ptr()})
		}
	}
	return out, diags
}

func (l *loader) decodeWebDAV(sb *hcl.Block, ctx *hcl.EvalContext) (*Backend, hcl.Diagnostics) {
	var raw backendBlock
	diags := gohcl.DecodeBody(sb.Body, ctx, &raw)
	be := &Backend{Type: "webdav", URL: raw.URL, Username: raw.Username, Password: raw.Password,
		Path: raw.Path, History: 10, LockTTL: 15 * time.Minute, LockTimeout: 30 * time.Second, Range: sb.DefRange}
	if raw.Password != "" {
		l.secrets = append(l.secrets, raw.Password)
	}
	if diags.HasErrors() {
		return be, diags
	}
	bad := func(summary, detail string) {
		diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: sb.DefRange.Ptr()})
	}
	u, err := url.Parse(strings.TrimRight(raw.URL, "/"))
	switch {
	case raw.URL == "":
		bad("Missing WebDAV URL", `The webdav state backend needs url, the WebDAV folder to keep state in (for Nextcloud: https://host/remote.php/dav/files/<user>).`)
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		bad("Invalid WebDAV URL", fmt.Sprintf("The url %q is not an http(s) URL.", redactURL(raw.URL)))
	case u.User != nil:
		bad("Invalid WebDAV URL", "Put the user name and password in username and password, not in the url.")
	case u.Scheme == "http" && !raw.Insecure && !loopbackHost(u.Hostname()):
		bad("Insecure WebDAV URL", "Plain http would send the password and the state unencrypted; use https, or set insecure = true.")
	default:
		be.URL = u.String()
	}
	if be.Path == "" {
		be.Path = "hub/state.json"
	}
	be.Path = strings.TrimLeft(be.Path, "/")
	if strings.Contains(be.Path, "..") || strings.HasSuffix(be.Path, "/") {
		bad("Invalid state path", fmt.Sprintf("The path %q must name a file below url, like hub/state.json.", raw.Path))
	}
	if raw.History != nil {
		if *raw.History < 0 || *raw.History > 1000 {
			bad("Invalid history", "history is the number of earlier states kept on the server, from 0 to 1000.")
		}
		be.History = *raw.History
	}
	for _, d := range []struct {
		name, raw string
		dst       *time.Duration
	}{{"lock_ttl", raw.LockTTL, &be.LockTTL}, {"lock_timeout", raw.LockTimeout, &be.LockTimeout}} {
		if d.raw == "" {
			continue
		}
		v, err := time.ParseDuration(d.raw)
		if err != nil || v < 0 {
			bad("Invalid duration", fmt.Sprintf("%s = %q is not a duration like \"30s\" or \"15m\".", d.name, d.raw))
			continue
		}
		*d.dst = v
	}
	if e := raw.Encrypt; e != nil {
		be.Encrypt = &Encrypt{Recipients: e.Recipients, Passphrase: e.Passphrase}
		if e.Passphrase != "" {
			l.secrets = append(l.secrets, e.Passphrase)
		}
		switch {
		case e.Passphrase != "" && (len(e.Recipients) > 0 || e.IdentityFile != ""):
			bad("Conflicting encryption settings", "Give either passphrase, or recipients with an identity_file, not both.")
		case e.Passphrase == "" && len(e.Recipients) == 0:
			bad("Missing encryption settings", `The encrypt block needs recipients = ["age1..."] and identity_file, or passphrase = env("HUB_STATE_PASSPHRASE").`)
		case len(e.Recipients) > 0 && e.IdentityFile == "":
			bad("Missing identity file", "With recipients, give identity_file: the age key hub decrypts the state with (age-keygen -o ~/.config/hub/key.txt).")
		case e.IdentityFile != "":
			p, err := l.expand(e.IdentityFile)
			if err != nil {
				bad("Invalid identity file", err.Error())
			}
			be.Encrypt.IdentityFile = p
		}
	}
	return be, diags
}

// expand resolves ~ and makes p absolute against the configuration directory.
func (l *loader) expand(p string) (string, error) {
	if p == "~" || strings.HasPrefix(p, "~/") {
		home := l.opts.Env["HOME"]
		if home == "" {
			return "", fmt.Errorf("cannot expand %s: HOME is not set", p)
		}
		return filepath.Join(home, p[1:]), nil
	}
	if !filepath.IsAbs(p) {
		abs, err := filepath.Abs(filepath.Join(l.opts.Dir, p))
		if err != nil {
			return "", err
		}
		return abs, nil
	}
	return p, nil
}

func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(unparsable)"
}

func loopbackHost(h string) bool {
	return h == "localhost" || h == "127.0.0.1" || h == "::1" || strings.HasPrefix(h, "127.")
}

// LoadBackend reads only the hub blocks of the configuration in opts.Dir: the
// state commands need to know where state lives without evaluating every
// credential (whose keys may not be set in this shell). The block may use
// env() and file(), not variables.
func LoadBackend(opts Options) (*Backend, []string, hcl.Diagnostics) {
	if opts.Dir == "" {
		opts.Dir = "."
	}
	l := &loader{opts: opts, parser: hclparse.NewParser()}
	names, _ := filepath.Glob(filepath.Join(opts.Dir, "*.hcl"))
	sort.Strings(names)
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: l.functions()}
	var out *Backend
	var diags hcl.Diagnostics
	for _, name := range names {
		src, err := os.ReadFile(name)
		if err != nil {
			diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read configuration file", Detail: err.Error()})
			continue
		}
		f, d := l.parser.ParseHCL(src, name)
		diags = append(diags, d...)
		if f == nil {
			continue
		}
		content, _, d := f.Body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "hub"}}})
		diags = append(diags, d...)
		for _, b := range content.Blocks {
			be, d := l.decodeHub(b, ctx)
			diags = append(diags, d...)
			if be != nil {
				out = be
			}
		}
	}
	return out, unique(l.secrets), diags
}
