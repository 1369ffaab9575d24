package config

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"

	"github.com/hubctl/hub/engine/states/backend"
)

// Backend says where state lives: a decoded state block of a registered
// backend (see engine/states/backend). A nil *Backend is the local default,
// .hub/state.json beside the configuration.
type Backend = backend.Config

// decodeHub decodes the hub block: its state backend, if any.
func (l *loader) decodeHub(b *hcl.Block, ctx *hcl.EvalContext) (*Backend, hcl.Diagnostics) {
	content, diags := b.Body.Content(&hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "expiry_warning"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "state", LabelNames: []string{"type"}}},
	})
	diags = append(diags, l.expiryWarning(content.Attributes["expiry_warning"], ctx)...)
	var out *Backend
	for i, sb := range content.Blocks {
		if i > 0 {
			diags = diags.Append(duplicate("state", "", sb, content.Blocks[0]))
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
			be, d := l.decodeHub(b, ctx)
			diags = append(diags, d...)
			if be != nil {
				out = be
			}
		}
	}
	return out, unique(l.secrets), diags
}
