package importer

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
)

// A Cred is a credential as import writes it: its id, what it holds, and
// the expression its key is read with (secret("id") or env("VAR")), never
// the key itself.
type Cred struct {
	ID string
	C  *credential.Credential
	// Expires is the day the key expires (YYYY-MM-DD), if the source says:
	// written as the credential's expires.
	Expires string
	// KeyExpr is the api_key expression; UsageTokenExpr the usage block's
	// token (a custom endpoint on another site), if any.
	KeyExpr, UsageTokenExpr string
	// Sources say where it was found, written as a comment above it.
	Sources []string
}

// A Block is a target block as import writes it.
type Block struct {
	Type, Name string
	// Creds are the ids of its credentials; Multi writes credentials = [...].
	Creds []string
	Multi bool
	Attrs []targets.Attr
	// Sources say which files it was read from.
	Sources []string

	summary int // its source's index in Outcome.Summaries
}

// WriteHCL returns the credential and target blocks as HCL, formatted as
// hub fmt formats it. No key is in it: only the expressions that read them.
func WriteHCL(creds []Cred, blocks []Block) ([]byte, error) {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	for i, c := range creds {
		if i > 0 {
			body.AppendNewline()
		}
		comment(body, c.Sources)
		b := body.AppendNewBlock("credential", []string{c.ID}).Body()
		if c.C.Name != "" && c.C.Name != c.ID {
			b.SetAttributeValue("name", cty.StringVal(c.C.Name))
		}
		b.SetAttributeValue("api_type", cty.StringVal(c.C.APIType))
		b.SetAttributeValue("base_url", cty.StringVal(c.C.BaseURL))
		if err := setExpr(b, "api_key", c.KeyExpr); err != nil {
			return nil, fmt.Errorf("credential %s: %w", c.ID, err)
		}
		if len(c.C.Tags) > 0 {
			b.SetAttributeValue("tags", stringList(c.C.Tags))
		}
		if c.C.Notes != "" {
			b.SetAttributeValue("notes", cty.StringVal(c.C.Notes))
		}
		if len(c.C.Models) > 0 {
			b.SetAttributeValue("models", stringList(c.C.Models))
		}
		if c.C.Insecure {
			b.SetAttributeValue("insecure", cty.True)
		}
		if c.Expires != "" {
			b.SetAttributeValue("expires", cty.StringVal(c.Expires))
		}
		if u := c.C.Usage; u.Method != "" && u.Method != "auto" {
			ub := b.AppendNewBlock("usage", nil).Body()
			ub.SetAttributeValue("method", cty.StringVal(u.Method))
			if u.Endpoint != "" {
				ub.SetAttributeValue("endpoint", cty.StringVal(u.Endpoint))
			}
			if c.UsageTokenExpr != "" {
				if err := setExpr(ub, "token", c.UsageTokenExpr); err != nil {
					return nil, fmt.Errorf("credential %s: %w", c.ID, err)
				}
			}
			for _, p := range []struct{ name, v string }{{"balance", u.Paths.Balance}, {"today_cost", u.Paths.TodayCost}, {"today_requests", u.Paths.TodayRequests}, {"today_tokens", u.Paths.TodayTokens}} {
				if p.v != "" {
					ub.SetAttributeValue(p.name, cty.StringVal(p.v))
				}
			}
		}
	}
	for _, t := range blocks {
		body.AppendNewline()
		comment(body, t.Sources)
		b := body.AppendNewBlock("target", []string{t.Type, t.Name}).Body()
		if t.Multi {
			toks := hclwrite.Tokens{{Type: hclsyntax.TokenOBrack, Bytes: []byte("[")}}
			for i, id := range t.Creds {
				if i > 0 {
					toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenComma, Bytes: []byte(", ")})
				}
				toks = append(toks, hclwrite.TokensForTraversal(hcl.Traversal{hcl.TraverseRoot{Name: "credential"}, hcl.TraverseAttr{Name: id}})...)
			}
			toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenCBrack, Bytes: []byte("]")})
			b.SetAttributeRaw("credentials", toks)
		} else if len(t.Creds) == 1 {
			b.SetAttributeTraversal("credential", hcl.Traversal{hcl.TraverseRoot{Name: "credential"}, hcl.TraverseAttr{Name: t.Creds[0]}})
		}
		for _, a := range t.Attrs {
			val := a.Value
			if pc, ok := val.(targets.PerCredential); ok {
				val = perCredential(pc, t.Creds)
			}
			v, err := ToCty(val)
			if err != nil {
				return nil, fmt.Errorf("target %s.%s: attribute %s: %w", t.Type, t.Name, a.Name, err)
			}
			b.SetAttributeValue(a.Name, v)
		}
	}
	return hclwrite.Format(f.Bytes()), nil
}

// perCredential keys the entries of pc by the ids of the block's
// credentials, leaving out empty ones.
func perCredential(pc targets.PerCredential, ids []string) map[string]any {
	m := map[string]any{}
	for i, v := range pc {
		if i < len(ids) && v != nil && v != "" {
			m[ids[i]] = v
		}
	}
	return m
}

// setExpr sets name to the expression src (secret("x"), env("X")).
func setExpr(b *hclwrite.Body, name, src string) error {
	expr, diags := hclwrite.ParseConfig([]byte("x = "+src+"\n"), "", hcl.InitialPos)
	if diags.HasErrors() {
		return fmt.Errorf("bad expression for %s", name)
	}
	b.SetAttributeRaw(name, expr.Body().GetAttribute("x").Expr().BuildTokens(nil))
	return nil
}

func comment(body *hclwrite.Body, sources []string) {
	for _, s := range sources {
		body.AppendUnstructuredTokens(commentTokens("From " + s))
	}
}

func commentTokens(s string) hclwrite.Tokens {
	return hclwrite.Tokens{{Type: hclsyntax.TokenComment, Bytes: []byte("# " + oneLine(s) + "\n")}}
}

// oneLine keeps a comment on its line: text from outside (a provider's
// name) may hold line breaks.
func oneLine(s string) string {
	out := []rune{}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			r = ' '
		}
		out = append(out, r)
	}
	return string(out)
}

func stringList(ss []string) cty.Value {
	if len(ss) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	vs := make([]cty.Value, len(ss))
	for i, s := range ss {
		vs[i] = cty.StringVal(s)
	}
	return cty.ListVal(vs)
}

// ToCty converts an attribute's Go value (see targets.Attr) to cty.
func ToCty(v any) (cty.Value, error) {
	switch v := v.(type) {
	case string:
		return cty.StringVal(v), nil
	case bool:
		return cty.BoolVal(v), nil
	case int:
		return cty.NumberIntVal(int64(v)), nil
	case int64:
		return cty.NumberIntVal(v), nil
	case float64:
		return cty.NumberFloatVal(v), nil
	case []string:
		return stringList(v), nil
	case map[string]string:
		m := map[string]cty.Value{}
		for k, s := range v {
			m[k] = cty.StringVal(s)
		}
		if len(m) == 0 {
			return cty.MapValEmpty(cty.String), nil
		}
		return cty.ObjectVal(m), nil
	case []any:
		vs := make([]cty.Value, len(v))
		for i, e := range v {
			c, err := ToCty(e)
			if err != nil {
				return cty.NilVal, err
			}
			vs[i] = c
		}
		return cty.TupleVal(vs), nil
	case map[string]any:
		m := map[string]cty.Value{}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			c, err := ToCty(v[k])
			if err != nil {
				return cty.NilVal, err
			}
			m[k] = c
		}
		return cty.ObjectVal(m), nil
	}
	return cty.NilVal, fmt.Errorf("cannot write a %T", v)
}
