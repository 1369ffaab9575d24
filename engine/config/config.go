// Package config loads a hub configuration: every *.hcl file of a directory,
// evaluated into credentials and decoded target blocks. All problems in all
// files are reported at once as hcl.Diagnostics with source ranges.
package config

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/engine/vault"
	"github.com/hubctl/hub/targets"
)

// Options say where the configuration is and what it may read.
type Options struct {
	// Dir is the configuration directory.
	Dir string
	// Env is the process environment, for env() and HUB_VAR_name.
	Env map[string]string
	// VarFiles and Vars are --var-file and --var values, in command-line order;
	// later ones win, and all win over HUB_VAR_name and defaults.
	VarFiles []string
	Vars     []string
	// ReadFile reads the *.hcl files, --var-file and file(); nil means
	// system.ReadFile (regular files only, at most system.MaxFileSize).
	ReadFile func(string) ([]byte, error)
	// Context, if set, stops the reads of system.ReadFile when cancelled.
	Context context.Context
	// Cache, if set, keeps parsed blocks from one Load to the next (hub watch).
	Cache *ParseCache
	// Keyring decrypts secret("NAME"); nil makes secret() an error. Keep
	// one for the process (hub watch): it decrypts each file once.
	Keyring *vault.Keyring

	// syntaxOnly stops after parsing (ParseFiles).
	syntaxOnly bool
}

// A Config is a loaded configuration.
type Config struct {
	Dir string
	// Files are the parsed files by name, for printing diagnostics with source.
	Files map[string]*hcl.File
	// FileNames are the *.hcl files loaded, and the files read through file()
	// and --var-file, so a watcher knows what to watch.
	FileNames   []string
	Credentials map[string]*Credential
	Targets     []*Target
	// Backend is where state lives; nil for the local default.
	Backend *Backend
	// History is how this machine keeps the credentials' series.
	History History
	// ExpiryWarning is how long before a key's expiry plan, apply and
	// status warn about it: the hub block's expiry_warning, else
	// credential.DefaultExpiryWarning.
	ExpiryWarning time.Duration
	// Secrets are every secret value of the configuration (keys, sensitive
	// variables), for the output redactor. Never print these.
	Secrets []string
}

// A Credential is an evaluated credential block: the one type config,
// targets and providers share, so a loaded credential goes to a target's
// Input and to a provider call as it is.
type Credential = credential.Credential

// A Target is a decoded target block.
type Target struct {
	Type, Name string
	Info       targets.Info
	Impl       targets.Target
	Input      *targets.Input
	Range      hcl.Range
	// ForceReadOnly is the block's force_readonly: replace the target's
	// files even when they are read-only (by default hub leaves them).
	ForceReadOnly bool
}

// Address returns "type.name".
func (t *Target) Address() string { return t.Type + "." + t.Name }

var idPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

// maxIDLen bounds a credential's id: tools use it as a name.
const maxIDLen = 64

var rootSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "hub"},
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "locals"},
	{Type: "credential", LabelNames: []string{"id"}},
	{Type: "target", LabelNames: []string{"type", "name"}},
}}

type loader struct {
	opts   Options
	parser *hclparse.Parser

	// mu guards what checking and evaluation collect: blocks are checked,
	// and credentials evaluated, concurrently.
	mu        sync.Mutex
	badRefs   []hcl.Range
	filesRead []string
	secrets   []string

	// expiryWarn is the hub block's expiry_warning, if it sets one.
	expiryWarn *time.Duration
}

// addSecret registers values the redactor must hide.
func (l *loader) addSecret(vs ...string) {
	l.mu.Lock()
	l.secrets = append(l.secrets, vs...)
	l.mu.Unlock()
}

// addRead records a file the configuration read (hub watch watches it).
func (l *loader) addRead(name string) {
	l.mu.Lock()
	l.filesRead = append(l.filesRead, name)
	l.mu.Unlock()
}

// Load reads and evaluates every *.hcl file in opts.Dir. The Config is returned
// even with errors (as far as it got), so callers can print diagnostics with
// source snippets from Config.Files.
func Load(opts Options) (*Config, hcl.Diagnostics) {
	if opts.Dir == "" {
		opts.Dir = "."
	}
	l := &loader{opts: opts, parser: hclparse.NewParser()}
	cfg := &Config{Dir: opts.Dir, Credentials: map[string]*Credential{}, ExpiryWarning: credential.DefaultExpiryWarning}
	diags := l.load(cfg)
	cfg.Files = l.parser.Files()
	cfg.FileNames = append(cfg.FileNames, l.filesRead...)
	cfg.Secrets = unique(l.secrets)
	return cfg, l.dedupe(diags)
}

func (l *loader) load(cfg *Config) hcl.Diagnostics {
	var diags hcl.Diagnostics
	names, err := filepath.Glob(filepath.Join(l.opts.Dir, "*.hcl"))
	if err != nil {
		return diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot list configuration files", Detail: err.Error()})
	}
	sort.Strings(names)
	if len(names) == 0 {
		if _, err := os.Stat(l.opts.Dir); err != nil {
			return diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Configuration directory not found",
				Detail: fmt.Sprintf("Cannot read %s: %v. Give an existing directory with --chdir, or run hub init.", l.opts.Dir, err)})
		}
		return diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No configuration files",
			Detail: fmt.Sprintf("There are no *.hcl files in %s. Run hub init there to create one, or point --chdir at your configuration.", l.opts.Dir)})
	}
	var blocks hcl.Blocks
	parsed := map[string]bool{}
	cache := l.opts.Cache
	if cache != nil {
		defer cache.retain(parsed)
	} else {
		// One load: parsed in pieces all the same (see ParseCache), which
		// is faster than a whole-file parse, and kept nowhere.
		cache = NewParseCache()
	}
	for _, name := range names {
		display := name
		if rel, err := filepath.Rel(".", name); err == nil && !strings.HasPrefix(rel, "..") {
			display = rel
		}
		src, err := l.read(name)
		if err != nil {
			diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read configuration file", Detail: err.Error()})
			continue
		}
		var f *hcl.File
		var d hcl.Diagnostics
		f, d = cache.parse(src, display)
		l.parser.AddFile(display, f)
		parsed[display] = true
		diags = append(diags, d...)
		cfg.FileNames = append(cfg.FileNames, name)
		if f == nil {
			continue
		}
		content, d := f.Body.Content(rootSchema)
		diags = append(diags, d...)
		blocks = append(blocks, content.Blocks...)
	}
	if l.opts.syntaxOnly {
		return diags
	}
	byType := map[string]hcl.Blocks{}
	for _, b := range blocks {
		byType[b.Type] = append(byType[b.Type], b)
	}

	// Names first, so references can be checked before anything is evaluated.
	declared := map[string][]string{"var": nil, "local": nil, "credential": nil}
	varBlocks := map[string]*hcl.Block{}
	for _, b := range byType["variable"] {
		name := b.Labels[0]
		if prev, dup := varBlocks[name]; dup {
			diags = diags.Append(duplicate("variable", name, b, prev))
			continue
		}
		if !hclsyntax.ValidIdentifier(name) {
			diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid variable name",
				Detail: "A variable name must start with a letter and contain only letters, digits, underscores and dashes.", Subject: b.LabelRanges[0].Ptr()})
			continue
		}
		varBlocks[name] = b
		declared["var"] = append(declared["var"], name)
	}
	localAttrs := map[string]*hcl.Attribute{}
	for _, b := range byType["locals"] {
		attrs, d := b.Body.JustAttributes()
		diags = append(diags, d...)
		for name, a := range attrs {
			if prev, dup := localAttrs[name]; dup {
				diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Duplicate local value",
					Detail: fmt.Sprintf("A local value named %q was already defined at %s. Local value names must be unique.", name, rangeString(prev.NameRange)), Subject: a.NameRange.Ptr()})
				continue
			}
			localAttrs[name] = a
			declared["local"] = append(declared["local"], name)
		}
	}
	credBlocks := map[string]*hcl.Block{}
	var credOrder []string
	for _, b := range byType["credential"] {
		id := b.Labels[0]
		if prev, dup := credBlocks[id]; dup {
			diags = diags.Append(duplicate("credential", id, b, prev))
			continue
		}
		if len(id) > maxIDLen {
			diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid credential id",
				Detail: fmt.Sprintf("The credential id is %d characters long; at most %d are allowed, since tools use it as a name.", len(id), maxIDLen), Subject: b.LabelRanges[0].Ptr()})
			continue
		}
		if !idPattern.MatchString(id) {
			diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid credential id",
				Detail: fmt.Sprintf("The credential id %q must start with a letter and contain only letters, digits, underscores and dashes, since tools use it as a name.", id), Subject: b.LabelRanges[0].Ptr()})
			continue
		}
		credBlocks[id] = b
		credOrder = append(credOrder, id)
		declared["credential"] = append(declared["credential"], id)
	}
	known := map[string]map[string]bool{}
	for root, names := range declared {
		known[root] = make(map[string]bool, len(names))
		for _, n := range names {
			known[root][n] = true
		}
	}
	refDiags := make([]hcl.Diagnostics, len(blocks))
	parallel(len(blocks), func(i int) { refDiags[i] = l.checkRefs(blocks[i].Body, declared, known) })
	for _, d := range refDiags {
		diags = append(diags, d...)
	}

	if len(byType["hub"]) > 1 {
		diags = diags.Append(duplicate("hub", "", byType["hub"][1], byType["hub"][0]))
	}

	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: l.functions()}
	vars, d := l.variables(varBlocks)
	diags = append(diags, d...)
	ctx.Variables["var"] = cty.ObjectVal(vars)

	locals, d := l.locals(localAttrs, ctx)
	diags = append(diags, d...)
	ctx.Variables["local"] = cty.ObjectVal(locals)

	for _, b := range byType["hub"][:min(1, len(byType["hub"]))] {
		be, d := l.decodeHub(b, ctx, &cfg.History)
		diags = append(diags, d...)
		cfg.Backend = be
	}
	if l.expiryWarn != nil {
		cfg.ExpiryWarning = *l.expiryWarn
	}

	// Credentials are independent of each other: evaluated concurrently
	// (a configuration may hold a thousand), reported in their order.
	creds := make([]*Credential, len(credOrder))
	credDiags := make([]hcl.Diagnostics, len(credOrder))
	parallel(len(credOrder), func(i int) {
		creds[i], credDiags[i] = l.credential(credOrder[i], credBlocks[credOrder[i]], ctx)
	})
	credVals := map[string]cty.Value{}
	for i, id := range credOrder {
		c := creds[i]
		diags = append(diags, credDiags[i]...)
		if c == nil {
			credVals[id] = cty.DynamicVal
			continue
		}
		cfg.Credentials[id] = c
		credVals[id] = credentialValue(c)
	}
	ctx.Variables["credential"] = cty.ObjectVal(credVals)

	seen := map[string]*hcl.Block{}
	for _, b := range byType["target"] {
		addr := b.Labels[0] + "." + b.Labels[1]
		if prev, dup := seen[addr]; dup {
			diags = diags.Append(duplicate("target", addr, b, prev))
			continue
		}
		seen[addr] = b
		t, d := l.target(b, cfg, ctx)
		diags = append(diags, d...)
		if t != nil {
			cfg.Targets = append(cfg.Targets, t)
		}
	}
	return diags
}

// read is the loader's one way to read a file: Options.ReadFile, or hub's
// bounded read of a regular file (a named pipe or /dev/zero is refused).
func (l *loader) read(name string) ([]byte, error) {
	if l.opts.ReadFile != nil {
		return l.opts.ReadFile(name)
	}
	ctx := l.opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	return system.ReadFile(ctx, name)
}

func duplicate(kind, name string, b, prev *hcl.Block) *hcl.Diagnostic {
	what := kind
	if name != "" {
		what = fmt.Sprintf("%s %q", kind, name)
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Duplicate " + kind + " block",
		Detail:  fmt.Sprintf("A %s block was already declared at %s. Each must be declared once.", what, rangeString(prev.DefRange)),
		Subject: b.DefRange.Ptr()}
}

func rangeString(r hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}

// credentialValue is what credential.<id> evaluates to. The key is left out,
// so it cannot flow into a non-secret attribute by accident.
func credentialValue(c *Credential) cty.Value {
	strs := func(ss []string) cty.Value {
		if len(ss) == 0 {
			return cty.ListValEmpty(cty.String)
		}
		vs := make([]cty.Value, len(ss))
		for i, s := range ss {
			vs[i] = cty.StringVal(s)
		}
		return cty.ListVal(vs)
	}
	return cty.ObjectVal(map[string]cty.Value{
		"id":       cty.StringVal(c.ID),
		"name":     cty.StringVal(c.Name),
		"api_type": cty.StringVal(c.APIType),
		"base_url": cty.StringVal(c.BaseURL),
		"models":   strs(c.Models),
		"tags":     strs(c.Tags),
		"notes":    cty.StringVal(c.Notes),
	})
}

// dedupe drops diagnostics inside a range already reported as an undeclared
// reference: HCL would report the same mistake again as "Unsupported attribute".
func (l *loader) dedupe(diags hcl.Diagnostics) hcl.Diagnostics {
	if len(l.badRefs) == 0 {
		return diags
	}
	out := diags[:0]
	for _, d := range diags {
		drop := false
		if _, ours := d.Extra.(refDiag); !ours && d.Subject != nil {
			for _, r := range l.badRefs {
				if r.Filename == d.Subject.Filename && d.Subject.Start.Byte >= r.Start.Byte && d.Subject.End.Byte <= r.End.Byte {
					drop = true
					break
				}
			}
		}
		if !drop {
			out = append(out, d)
		}
	}
	return out
}

func suggest(name string, options []string) string {
	if s := nameSuggestion(name, options); s != "" {
		return fmt.Sprintf(" Did you mean %q?", s)
	}
	return ""
}

func unique(ss []string) []string {
	seen := map[string]bool{}
	out := ss[:0:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
