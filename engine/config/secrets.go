package config

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/hubctl/hub/engine/vault"
)

// secretFunc is secret(name): the value of secrets/NAME.age, decrypted with
// this machine's identities (Options.Keyring). The value is registered as
// a secret wherever it is used, like every api_key. The file is recorded as
// read, so hub watch re-plans when a git pull changes it.
func (l *loader) secretFunc() function.Function {
	return function.New(&function.Spec{
		Description: "Returns the value of the age-encrypted secret secrets/NAME.age.",
		Params:      []function.Parameter{{Name: "name", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		RefineResult: func(b *cty.RefinementBuilder) *cty.RefinementBuilder {
			return b.NotNull()
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			name := args[0].AsString()
			if err := vault.CheckName(name); err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			repo := vault.Repo{Root: l.opts.Dir}
			p := repo.Path(name)
			l.addRead(p)
			data, err := l.read(p)
			if errors.Is(err, fs.ErrNotExist) {
				names, _ := repo.Names()
				return cty.NilVal, fmt.Errorf("the secret %q has no file %s.%s Create it with: hub secret set %s", name, p, suggest(name, names), name)
			}
			if err != nil {
				return cty.NilVal, fmt.Errorf("read secret %q: %w", name, err)
			}
			if l.opts.Keyring == nil {
				return cty.NilVal, fmt.Errorf("the secret %q cannot be decrypted here: no keyring was given", name)
			}
			v, err := l.opts.Keyring.Decrypt(p, data)
			if err != nil {
				return cty.NilVal, err
			}
			if v == "" {
				return cty.NilVal, fmt.Errorf("the secret %q is empty; set it with: hub secret set %s", name, name)
			}
			l.addSecret(v)
			return cty.StringVal(v), nil
		},
	})
}

// A SecretRef is one secret("NAME") call in the configuration.
type SecretRef struct {
	Name string
	// User is the block that calls it: "credential.relay", "locals", ...
	User  string
	Range hcl.Range
}

// SecretRefs lists the secret("NAME") calls with a literal name in the
// parsed files, by file then position. It needs no decryption, so hub
// secret list and rm work on a machine that holds no identity.
func SecretRefs(files map[string]*hcl.File) []SecretRef {
	var out []SecretRef
	for _, b := range topBlocks(files) {
		user := b.Type
		for _, l := range b.Labels {
			user += "." + l
		}
		hclsyntax.VisitAll(b.Body, func(n hclsyntax.Node) hcl.Diagnostics {
			if name, ok := literalCall(n, "secret"); ok {
				out = append(out, SecretRef{Name: name, User: user, Range: n.Range()})
			}
			return nil
		})
	}
	byPosition(out, func(r SecretRef) hcl.Range { return r.Range })
	return out
}

// topBlocks returns the top-level blocks of the parsed files.
func topBlocks(files map[string]*hcl.File) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, f := range files {
		if body, ok := f.Body.(*hclsyntax.Body); ok {
			out = append(out, body.Blocks...)
		}
	}
	return out
}

// literalCall returns the argument of n when n is a call of fn with one
// literal string argument.
func literalCall(n hclsyntax.Node, fn string) (string, bool) {
	call, ok := n.(*hclsyntax.FunctionCallExpr)
	if !ok || call.Name != fn || len(call.Args) != 1 {
		return "", false
	}
	v, d := call.Args[0].Value(nil)
	if d.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

// byPosition sorts s by file, then position in the file.
func byPosition[T any](s []T, rng func(T) hcl.Range) {
	sort.Slice(s, func(i, j int) bool {
		a, b := rng(s[i]), rng(s[j])
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
}

// ParseFiles parses the *.hcl files of dir without evaluating them (for
// commands that only look at the syntax, such as hub secret list).
func ParseFiles(dir string) (map[string]*hcl.File, hcl.Diagnostics) {
	cfg, diags := Load(Options{Dir: dir, Env: map[string]string{}, syntaxOnly: true})
	return cfg.Files, diags
}

// An EnvKey is a credential whose api_key is exactly env("VAR"): what hub
// secret migrate moves into a secret.
type EnvKey struct {
	Credential, Var string
	// Range is the expression's, to replace it in the file.
	Range hcl.Range
}

// EnvKeys lists the credentials whose api_key is env("VAR") with a literal
// name and no default, by file then position.
func EnvKeys(files map[string]*hcl.File) []EnvKey {
	var out []EnvKey
	for _, b := range topBlocks(files) {
		if b.Type != "credential" || len(b.Labels) != 1 {
			continue
		}
		a, ok := b.Body.Attributes["api_key"]
		if !ok {
			continue
		}
		if name, ok := literalCall(a.Expr, "env"); ok {
			out = append(out, EnvKey{Credential: b.Labels[0], Var: name, Range: a.Expr.Range()})
		}
	}
	byPosition(out, func(k EnvKey) hcl.Range { return k.Range })
	return out
}
