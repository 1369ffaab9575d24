package config

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"

	"github.com/hubctl/hub/engine/states/backend"
	"github.com/hubctl/hub/secret"
)

// Backend says where state lives: a decoded state block of a registered
// backend (see engine/states/backend). A nil *Backend is the local default,
// .hub/state.json beside the configuration.
type Backend = backend.Config

// decodeHub decodes the hub block: its state backend, if any, and with
// history its history block (LoadBackend leaves that unevaluated: the state
// commands need only the backend, and do not give the block variables).
func (l *loader) decodeHub(b *hcl.Block, ctx *hcl.EvalContext, history *History) (*Backend, hcl.Diagnostics) {
	content, diags := b.Body.Content(&hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "expiry_warning"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "state", LabelNames: []string{"type"}}, {Type: "history"}},
	})
	if history != nil { // the full load, not LoadBackend's
		diags = append(diags, l.expiryWarning(content.Attributes["expiry_warning"], ctx)...)
	}
	var out *Backend
	var states, histories []*hcl.Block
	for _, sb := range content.Blocks {
		if sb.Type == "history" {
			histories = append(histories, sb)
		} else {
			states = append(states, sb)
		}
	}
	for i, hb := range histories {
		if i > 0 {
			diags = diags.Append(duplicate("history", "", hb, histories[0]))
		} else if history != nil {
			h, d := decodeHistory(hb, ctx)
			diags = append(diags, d...)
			*history = h
		}
	}
	for i, sb := range states {
		if i > 0 {
			diags = diags.Append(duplicate("state", "", sb, states[0]))
			continue
		}
		info, ok := backend.Lookup(sb.Labels[0])
		if !ok {
			types := backend.Types()
			diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unsupported state backend",
				Detail:  fmt.Sprintf("There is no state backend %q.%s The backends are: %s.", sb.Labels[0], suggest(sb.Labels[0], types), joinQuoted(types)),
				Subject: sb.LabelRanges[0].Ptr()})
			continue
		}
		be, secrets, d := backend.Decode(info, sb, ctx, l.expand)
		l.addSecret(secrets...)
		diags = append(diags, d...)
		out = be
	}
	return out, diags
}

// History is how this machine keeps the credentials' series (the hub
// block's history block; see engine/telemetry's Series).
type History struct {
	// Retention is how long a series keeps its days; 0 for the default
	// (telemetry.Retention, a year).
	Retention time.Duration
}

// The retention's bounds: at least the recent days that keep every
// refresh, at most ten years (a series of a point a day stays small).
const (
	minRetentionDays = 7
	maxRetentionDays = 3650
)

var daysSyntax = regexp.MustCompile(`^([0-9]+)d$`)

// parseDays reads a number of days written "90d" (surrounding space
// allowed), from lo to hi: the form of the hub block's durations.
func parseDays(s string, lo, hi int) (time.Duration, bool) {
	m := daysSyntax.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n < lo || n > hi {
		return 0, false
	}
	return time.Duration(n) * 24 * time.Hour, true
}

// decodeHistory decodes history { retention = "400d" }.
func decodeHistory(b *hcl.Block, ctx *hcl.EvalContext) (History, hcl.Diagnostics) {
	content, diags := b.Body.Content(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "retention"}}})
	var h History
	attr := content.Attributes["retention"]
	if attr == nil {
		return h, diags
	}
	v, d := attr.Expr.Value(ctx)
	diags = append(diags, d...)
	if d.HasErrors() {
		return h, diags
	}
	invalid := func(detail string) hcl.Diagnostics {
		return diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid history retention",
			Detail: detail, Subject: attr.Expr.Range().Ptr(), Expression: attr.Expr, EvalContext: ctx})
	}
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return h, invalid(`retention is a number of days as a string, like "90d" or "400d".`)
	}
	s := v.AsString()
	if !daysSyntax.MatchString(strings.TrimSpace(s)) {
		return h, invalid(fmt.Sprintf(`retention = %q is not a number of days like "90d" or "400d" (a year is "365d").`, secret.Printable(s)))
	}
	days, ok := parseDays(s, minRetentionDays, maxRetentionDays)
	if !ok {
		return h, invalid(fmt.Sprintf(`retention = %q is out of range: keep from "%dd" (the days that keep every refresh) to "%dd" (ten years).`, s, minRetentionDays, maxRetentionDays))
	}
	h.Retention = days
	return h, diags
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
		src, err := l.read(name)
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
			be, d := l.decodeHub(b, ctx, nil)
			diags = append(diags, d...)
			if be != nil {
				out = be
			}
		}
	}
	return out, unique(l.secrets), diags
}
