package lint

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/hubctl/hub/engine/vault"
	"github.com/hubctl/hub/secret"
)

// A site is where an expression stands: its block, its attribute (with
// object keys: "headers.x-api-key"), and whether a key goes there (an
// attribute secret.SensitiveName matches, or a sensitive variable's
// default).
type site struct {
	block string // "credential.relay", "var.relay_key", "locals"
	attr  string
	key   bool
}

// where names the site for a message: "api_key of credential.relay",
// "local.key".
func (s site) where() string {
	switch {
	case s.block == "locals":
		return "local." + s.attr
	case s.block == "":
		return s.attr
	case strings.HasPrefix(s.block, "var.") && s.attr == "default":
		return "the default of " + s.block
	}
	return s.attr + " of " + s.block
}

// secretName suggests a secret's name for the key at s: the credential's
// id, else the attribute's name.
func (s site) secretName() string {
	if id, ok := strings.CutPrefix(s.block, "credential."); ok && !strings.Contains(id, ".") {
		return id
	}
	if id, ok := strings.CutPrefix(s.block, "var."); ok {
		return id
	}
	name := s.attr
	if i := strings.LastIndex(name, "."); i >= 0 {
		name = name[i+1:]
	}
	if vault.CheckName(name) != nil {
		return "NAME"
	}
	return name
}

// attrName is the attribute (or object key) to assign the secret() call
// to in the advice.
func (s site) attrName() string {
	if strings.HasPrefix(s.block, "var.") && s.attr == "default" {
		return "api_key"
	}
	name := s.attr
	if i := strings.LastIndex(name, "."); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// A fileRef is a file("PATH") call with a literal path where a key goes.
type fileRef struct {
	path string
	rng  hcl.Range
	at   site
}

type walker struct {
	diags hcl.Diagnostics
	files []fileRef
}

// walk looks at every string literal of the files, and collects the
// file() calls where keys go.
func walk(files map[string]*hcl.File) *walker {
	w := &walker{}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if body, ok := files[n].Body.(*hclsyntax.Body); ok {
			w.body(body, "")
		}
	}
	return w
}

func (w *walker) body(b *hclsyntax.Body, block string) {
	sensitiveVar := false
	if strings.HasPrefix(block, "var.") {
		sensitiveVar = secret.SensitiveName(strings.TrimPrefix(block, "var."))
		if a := b.Attributes["sensitive"]; a != nil {
			if v, d := a.Expr.Value(nil); !d.HasErrors() && v.Type() == cty.Bool && v.IsKnown() && !v.IsNull() && v.True() {
				sensitiveVar = true
			}
		}
	}
	attrs := make([]*hclsyntax.Attribute, 0, len(b.Attributes))
	for _, a := range b.Attributes {
		attrs = append(attrs, a)
	}
	sort.Slice(attrs, func(i, j int) bool { return attrs[i].SrcRange.Start.Byte < attrs[j].SrcRange.Start.Byte })
	for _, a := range attrs {
		key := secret.SensitiveName(a.Name) || sensitiveVar && a.Name == "default"
		w.expr(a.Expr, site{block: block, attr: a.Name, key: key})
	}
	for _, blk := range b.Blocks {
		name := blk.Type
		if block == "" && blk.Type == "variable" {
			name = "var"
		}
		for _, l := range blk.Labels {
			name += "." + l
		}
		if block != "" {
			name = block + "." + name
		}
		w.body(blk.Body, name)
	}
}

func (w *walker) expr(e hclsyntax.Expression, s site) {
	switch e := e.(type) {
	case *hclsyntax.TemplateExpr:
		for _, p := range e.Parts {
			w.expr(p, s)
		}
	case *hclsyntax.TemplateWrapExpr:
		w.expr(e.Wrapped, s)
	case *hclsyntax.LiteralValueExpr:
		if e.Val.Type() == cty.String && e.Val.IsKnown() && !e.Val.IsNull() {
			w.literal(e.Val.AsString(), e.SrcRange, s)
		}
	case *hclsyntax.ParenthesesExpr:
		w.expr(e.Expression, s)
	case *hclsyntax.TupleConsExpr:
		for _, x := range e.Exprs {
			w.expr(x, s)
		}
	case *hclsyntax.ObjectConsExpr:
		for _, it := range e.Items {
			name := keyName(it.KeyExpr)
			w.expr(it.KeyExpr, site{block: s.block, attr: s.attr})
			w.expr(it.ValueExpr, site{block: s.block, attr: s.attr + "." + name, key: s.key || secret.SensitiveName(name)})
		}
	case *hclsyntax.ObjectConsKeyExpr:
		w.expr(e.Wrapped, s)
	case *hclsyntax.ConditionalExpr:
		w.expr(e.Condition, site{block: s.block, attr: s.attr})
		w.expr(e.TrueResult, s)
		w.expr(e.FalseResult, s)
	case *hclsyntax.FunctionCallExpr:
		for i, a := range e.Args {
			switch {
			case i == 0 && e.Name == "file":
				// A path, not a key; where a key goes, the file is one.
				if v, d := a.Value(nil); s.key && !d.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
					w.files = append(w.files, fileRef{path: v.AsString(), rng: a.Range(), at: s})
				}
			case i == 0 && (e.Name == "env" || e.Name == "secret"):
				// A name.
			default:
				w.expr(a, s)
			}
		}
	case nil:
	default:
		// Any other expression: its string literals are no key position.
		hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
			if l, ok := n.(*hclsyntax.LiteralValueExpr); ok && l.Val.Type() == cty.String && l.Val.IsKnown() && !l.Val.IsNull() {
				w.literal(l.Val.AsString(), l.SrcRange, site{block: s.block, attr: s.attr})
			}
			return nil
		})
	}
}

// keyName is an object key's name: a bare word or a literal string.
func keyName(e hclsyntax.Expression) string {
	if k, ok := e.(*hclsyntax.ObjectConsKeyExpr); ok {
		if name := hcl.ExprAsKeyword(k.Wrapped); name != "" {
			return name
		}
		e = k.Wrapped
	}
	if v, d := e.Value(nil); !d.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
		return v.AsString()
	}
	return "?"
}

// literal checks one string literal.
func (w *walker) literal(v string, rng hcl.Range, s site) {
	v = strings.TrimSpace(v)
	if v == "" || placeholder(v) || publicKey(v) {
		return
	}
	advice := fmt.Sprintf("Move it into an encrypted secret: hub secret set %s, then %s = secret(%q); or read it from the environment: %s = env(\"VAR\"). If it was committed, the key is in git's history: rotate it.",
		s.secretName(), s.attrName(), s.secretName(), s.attrName())
	switch {
	case secret.ContainsKeyLike(v):
		w.diags = append(w.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "API key written in the configuration",
			Detail:   fmt.Sprintf("The value of %s looks like an API key, and git would commit it with this file. %s", s.where(), advice),
			Subject:  rng.Ptr(),
		})
	case s.key && random(v):
		w.diags = append(w.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Key written in the configuration",
			Detail:   fmt.Sprintf("The value of %s is a literal that looks random, like a key or a password, and git would commit it with this file. %s", s.where(), advice),
			Subject:  rng.Ptr(),
		})
	}
}

// placeholderWords mark a value written to be replaced ("sk-your-key-here",
// "sk-example-..."), which examples ship and which is no key.
var placeholderWords = []string{"example", "placeholder", "dummy", "changeme", "change-me", "replace", "your-", "your_", "xxxxx", "<", "..."}

func placeholder(v string) bool {
	l := strings.ToLower(v)
	for _, w := range placeholderWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// publicKey reports a recipient's public key (age1..., ssh-ed25519 AAAA...),
// which is meant to be shared.
func publicKey(v string) bool {
	if !strings.HasPrefix(v, "ssh-") && !strings.HasPrefix(v, "age1") {
		return false
	}
	_, err := vault.ParseRecipient(v)
	return err == nil
}

// minRandomLen and minEntropy tell a random string from words: at least 16
// characters, at least 3.5 bits of Shannon entropy per character (English
// words and model names stay well below; 16 random letters and digits
// reach about 3.7), mixing letters with digits or both cases within a word,
// and no spaces, URL or path.
const (
	minRandomLen = 16
	minEntropy   = 3.5
)

func random(v string) bool {
	if len(v) < minRandomLen || strings.ContainsAny(v, " \t\n") || strings.Contains(v, "://") ||
		strings.HasPrefix(v, "/") || strings.HasPrefix(v, "~/") || strings.HasPrefix(v, "./") || strings.HasPrefix(v, "../") {
		return false
	}
	// Random text mixes classes inside its words; a model name
	// (claude-sonnet-4-5-20250929, gpt-4o-mini) keeps words and numbers
	// mostly apart. At least half the letters and digits must be in mixed
	// words.
	mixed, all := 0, 0
	for _, word := range strings.FieldsFunc(v, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		var upper, lower, digit bool
		for _, r := range word {
			switch {
			case unicode.IsUpper(r):
				upper = true
			case unicode.IsLower(r):
				lower = true
			case unicode.IsDigit(r):
				digit = true
			}
		}
		all += len(word)
		if upper && lower || digit && (upper || lower) {
			mixed += len(word)
		}
	}
	if mixed*2 < all {
		return false
	}
	return entropy(v) >= minEntropy
}

// entropy is the Shannon entropy of s in bits per character.
func entropy(s string) float64 {
	counts := map[rune]int{}
	n := 0
	for _, r := range s {
		counts[r]++
		n++
	}
	h := 0.0
	for _, c := range counts {
		p := float64(c) / float64(n)
		h -= p * math.Log2(p)
	}
	return h
}
