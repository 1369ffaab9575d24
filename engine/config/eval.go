package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// VarEnvPrefix is the prefix of environment variables that set variables:
// HUB_VAR_relay_key sets var.relay_key.
const VarEnvPrefix = "HUB_VAR_"

type variable struct {
	name      string
	typ       cty.Type
	sensitive bool
	value     cty.Value
	block     *hcl.Block
}

// variables evaluates variable values: defaults, then HUB_VAR_name, then
// --var-file files, then --var flags; later wins.
func (l *loader) variables(blocks map[string]*hcl.Block) (map[string]cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	vars := map[string]*variable{}
	for name, b := range blocks {
		content, d := b.Body.Content(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{
			{Name: "description"}, {Name: "default"}, {Name: "sensitive"}, {Name: "type"},
		}})
		diags = append(diags, d...)
		v := &variable{name: name, typ: cty.DynamicPseudoType, value: cty.NilVal, block: b}
		if a, ok := content.Attributes["type"]; ok {
			t, d := typeexpr.TypeConstraint(a.Expr)
			diags = append(diags, d...)
			if !d.HasErrors() {
				v.typ = t
			}
		}
		if a, ok := content.Attributes["sensitive"]; ok {
			val, d := a.Expr.Value(nil)
			diags = append(diags, d...)
			if !d.HasErrors() && val.Type() == cty.Bool && val.IsKnown() && !val.IsNull() {
				v.sensitive = val.True()
			}
		}
		if a, ok := content.Attributes["default"]; ok {
			val, d := a.Expr.Value(nil)
			diags = append(diags, d...)
			if !d.HasErrors() {
				v.value = l.convertVar(v, val, a.Expr.Range(), &diags)
			}
		}
		vars[name] = v
	}
	for k, raw := range l.opts.Env {
		if name, ok := strings.CutPrefix(k, VarEnvPrefix); ok {
			if v := vars[name]; v != nil {
				v.value = l.rawVar(v, raw, "environment variable "+k, &diags)
			}
		}
	}
	for _, vf := range l.opts.VarFiles {
		diags = append(diags, l.varFile(vf, vars)...)
	}
	for i, kv := range l.opts.Vars {
		name, raw, ok := strings.Cut(kv, "=")
		if !ok {
			// The argument is not quoted back: it may well be a key typed with
			// the wrong separator.
			diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid --var option",
				Detail: fmt.Sprintf("The --var option number %d is not of the form NAME=VALUE (it is not shown, since it may hold a key); write for example --var relay_key=...", i+1)})
			continue
		}
		v := vars[name]
		if v == nil {
			diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Value for undeclared variable",
				Detail: fmt.Sprintf("A --var option sets %q, but no variable of that name is declared.%s Declare it with a variable block.", name, suggest(name, slices.Sorted(maps.Keys(vars))))})
			continue
		}
		v.value = l.rawVar(v, raw, "--var "+name, &diags)
	}
	out := map[string]cty.Value{}
	for name, v := range vars {
		if v.value == cty.NilVal {
			diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No value for required variable",
				Detail:  fmt.Sprintf("The variable %q has no default and no value was given. Set it with --var %s=..., --var-file, or the environment variable %s%s.", name, name, VarEnvPrefix, name),
				Subject: v.block.DefRange.Ptr()})
			out[name] = cty.DynamicVal
			continue
		}
		if v.sensitive {
			l.addSecrets(v.value)
		}
		out[name] = v.value
	}
	return out, diags
}

// addSecrets registers every string inside v as a secret.
func (l *loader) addSecrets(v cty.Value) {
	if !v.IsKnown() || v.IsNull() {
		return
	}
	switch {
	case v.Type() == cty.String:
		l.addSecret(v.AsString())
	case v.CanIterateElements():
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			l.addSecrets(e)
		}
	}
}

// rawVar turns a string from the command line or environment into a value:
// taken as is for string (or untyped) variables, parsed as an HCL expression
// for other types, as Terraform does.
func (l *loader) rawVar(v *variable, raw, source string, diags *hcl.Diagnostics) cty.Value {
	if v.typ == cty.DynamicPseudoType || v.typ == cty.String {
		return cty.StringVal(raw)
	}
	expr, d := hclsyntax.ParseExpression([]byte(raw), source, hcl.Pos{Line: 1, Column: 1})
	if d.HasErrors() {
		*diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for variable",
			Detail: fmt.Sprintf("The value from %s for variable %q is not a valid %s expression.", source, v.name, v.typ.FriendlyName())})
		return v.value
	}
	val, d := expr.Value(nil)
	if d.HasErrors() {
		*diags = append(*diags, d...)
		return v.value
	}
	return l.convertVar(v, val, expr.Range(), diags)
}

func (l *loader) convertVar(v *variable, val cty.Value, rng hcl.Range, diags *hcl.Diagnostics) cty.Value {
	out, err := convert.Convert(val, v.typ)
	if err != nil {
		if v.sensitive {
			// Refused, but a key all the same: the redactor must know it
			// before the diagnostic (and its snippet) prints.
			l.addSecrets(val)
		}
		*diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for variable",
			Detail: fmt.Sprintf("The value for variable %q is not a %s: %s.", v.name, v.typ.FriendlyName(), err), Subject: rng.Ptr()})
		return v.value
	}
	return out
}

func (l *loader) varFile(name string, vars map[string]*variable) hcl.Diagnostics {
	src, err := l.read(name)
	if err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read variables file", Detail: fmt.Sprintf("--var-file %s: %v", name, err)}}
	}
	l.addRead(name)
	// Parsed apart from the configuration's parser: diagnostics then name the
	// position but print no source line, since files of variables hold keys.
	f, diags := hclparse.NewParser().ParseHCL(src, name)
	if diags.HasErrors() {
		return diags
	}
	attrs, d := f.Body.JustAttributes()
	diags = append(diags, d...)
	for key, a := range attrs {
		v := vars[key]
		if v == nil {
			diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Value for undeclared variable",
				Detail: fmt.Sprintf("The variables file sets %q, but no variable of that name is declared; the value is ignored.%s", key, suggest(key, slices.Sorted(maps.Keys(vars)))), Subject: a.NameRange.Ptr()})
			continue
		}
		val, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		if !d.HasErrors() {
			v.value = l.convertVar(v, val, a.Expr.Range(), &diags)
		}
	}
	return diags
}

// locals evaluates local values in dependency order.
func (l *loader) locals(attrs map[string]*hcl.Attribute, ctx *hcl.EvalContext) (map[string]cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	done := map[string]cty.Value{}
	pending := slices.Sorted(maps.Keys(attrs))
	for len(pending) > 0 {
		progress := false
		var next []string
		for _, name := range pending {
			a := attrs[name]
			ready := true
			for _, tr := range a.Expr.Variables() {
				if tr.RootName() != "local" || len(tr) < 2 {
					continue
				}
				if step, ok := tr[1].(hcl.TraverseAttr); ok {
					if _, declared := attrs[step.Name]; declared {
						if _, ok := done[step.Name]; !ok {
							ready = false
						}
					}
				}
			}
			if !ready {
				next = append(next, name)
				continue
			}
			c := ctx.NewChild()
			c.Variables = map[string]cty.Value{"local": cty.ObjectVal(done)}
			v, d := a.Expr.Value(c)
			diags = append(diags, d...)
			if d.HasErrors() {
				v = cty.DynamicVal
			}
			done[name] = v
			progress = true
		}
		if !progress {
			for _, name := range next {
				diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cycle in local values",
					Detail:  fmt.Sprintf("The local value %q depends on itself through other local values (%s).", name, strings.Join(next, ", ")),
					Subject: attrs[name].Expr.Range().Ptr()})
				done[name] = cty.DynamicVal
			}
			break
		}
		pending = next
	}
	return done, diags
}
