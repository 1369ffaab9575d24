package config

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/targets"
)

var credentialSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "name"},
		{Name: "api_type", Required: true},
		{Name: "base_url", Required: true},
		{Name: "api_key", Required: true},
		{Name: "tags"},
		{Name: "notes"},
		{Name: "models"},
		{Name: "insecure"},
		{Name: "expires"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "usage"}},
}

func (l *loader) credential(id string, b *hcl.Block, ctx *hcl.EvalContext) (*Credential, hcl.Diagnostics) {
	content, diags := b.Body.Content(credentialSchema)
	c := &Credential{ID: id}
	str := func(name string, dst *string) hcl.Diagnostics {
		a, ok := content.Attributes[name]
		if !ok {
			return nil
		}
		return evalInto(a, ctx, cty.String, func(v cty.Value) { *dst = v.AsString() })
	}
	list := func(name string, dst *[]string) hcl.Diagnostics {
		a, ok := content.Attributes[name]
		if !ok {
			return nil
		}
		return evalInto(a, ctx, cty.List(cty.String), func(v cty.Value) {
			for it := v.ElementIterator(); it.Next(); {
				_, e := it.Element()
				if !e.IsNull() {
					*dst = append(*dst, e.AsString())
				}
			}
		})
	}
	var rawURL, key string
	keyKnown := false
	diags = append(diags, str("name", &c.Name)...)
	diags = append(diags, str("api_type", &c.APIType)...)
	diags = append(diags, str("base_url", &rawURL)...)
	if a, ok := content.Attributes["api_key"]; ok {
		diags = append(diags, evalInto(a, ctx, cty.String, func(v cty.Value) { key, keyKnown = v.AsString(), true })...)
	}
	diags = append(diags, str("notes", &c.Notes)...)
	diags = append(diags, list("tags", &c.Tags)...)
	diags = append(diags, list("models", &c.Models)...)
	if a, ok := content.Attributes["insecure"]; ok {
		diags = append(diags, evalInto(a, ctx, cty.Bool, func(v cty.Value) { c.Insecure = v.True() })...)
	}
	diags = append(diags, expires(id, content.Attributes["expires"], ctx, c)...)
	diags = append(diags, checkLengths(content, c)...)
	if c.Name == "" {
		c.Name = id
	}
	if key != "" {
		l.addSecret(key)
		c.Key = secret.New(key)
		if d := controlInSecret(key, fmt.Sprintf("The api_key of credential %q", id), content.Attributes["api_key"]); d != nil {
			diags = diags.Append(d)
		}
	} else if a, ok := content.Attributes["api_key"]; ok && keyKnown {
		diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Empty API key",
			Detail: fmt.Sprintf("The api_key of credential %q is empty. Give a key, usually env(\"NAME\") or file(\"path\").", id), Subject: a.Expr.Range().Ptr()})
	}
	if a, ok := content.Attributes["api_type"]; ok && c.APIType != "" && !credential.ValidAPIType(c.APIType) {
		diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unknown API type",
			Detail:  fmt.Sprintf("The api_type %q is not one of %q.%s", c.APIType, credential.APITypes, suggest(c.APIType, credential.APITypes)),
			Subject: a.Expr.Range().Ptr()})
	}
	if a, ok := content.Attributes["base_url"]; ok && rawURL != "" {
		u, err := credential.NormalizeBaseURL(c.APIType, rawURL, c.Insecure)
		if err != nil {
			diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid base URL",
				Detail: capitalize(err.Error()) + ".", Subject: a.Expr.Range().Ptr()})
		}
		c.BaseURL = u
	}
	for i, ub := range content.Blocks {
		if i > 0 {
			diags = diags.Append(duplicate("usage", "", ub, content.Blocks[0]))
			continue
		}
		u, d := l.usage(id, ub, ctx, c.BaseURL)
		diags = append(diags, d...)
		c.Usage = u.credentialUsage()
	}
	return c, diags
}

// usageBlock is a credential's usage block as written; credentialUsage
// turns it into the settings providers read.
type usageBlock struct {
	Method string `hcl:"method,optional"`
	// Endpoint, Token and the dot paths configure method = "custom".
	Endpoint      string `hcl:"endpoint,optional"`
	Token         string `hcl:"token,optional"`
	Balance       string `hcl:"balance,optional"`
	TodayCost     string `hcl:"today_cost,optional"`
	TodayRequests string `hcl:"today_requests,optional"`
	TodayTokens   string `hcl:"today_tokens,optional"`
}

func (u *usageBlock) credentialUsage() credential.Usage {
	return credential.Usage{Method: u.Method, Endpoint: u.Endpoint, Token: secret.New(u.Token),
		Paths: credential.UsagePaths{Balance: u.Balance, TodayCost: u.TodayCost, TodayRequests: u.TodayRequests, TodayTokens: u.TodayTokens}}
}

// usageSchema is the usage block's schema, to find its attributes' ranges.
var usageSchema, _ = gohcl.ImpliedBodySchema(&usageBlock{})

// customOnly are the usage attributes only method = "custom" reads.
var customOnly = []string{"endpoint", "token", "balance", "today_cost", "today_requests", "today_tokens"}

// usage decodes and checks a credential's usage block. A custom method needs
// an endpoint that is a root-relative path or an http(s) URL, and at least one
// valid dot path; its token only makes sense for an endpoint on another
// origin, since the credential's own origin gets the api_key. The other
// methods take none of these, so a leftover is reported rather than ignored.
func (l *loader) usage(id string, ub *hcl.Block, ctx *hcl.EvalContext, baseURL string) (*usageBlock, hcl.Diagnostics) {
	u := &usageBlock{}
	diags := gohcl.DecodeBody(ub.Body, ctx, u)
	if u.Method == "" {
		u.Method = "auto"
	}
	if u.Token != "" {
		l.addSecret(u.Token)
	}
	content, _ := ub.Body.Content(usageSchema)
	attrs := map[string]*hcl.Attribute{}
	if content != nil {
		attrs = content.Attributes
	}
	if u.Token != "" {
		if d := controlInSecret(u.Token, fmt.Sprintf("The usage token of credential %q", id), attrs["token"]); d != nil {
			diags = diags.Append(d)
		}
	}
	if !slices.Contains(credential.UsageMethods, u.Method) {
		subject := ub.DefRange.Ptr()
		if a, ok := attrs["method"]; ok {
			subject = a.Expr.Range().Ptr()
		}
		diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unknown usage method",
			Detail: fmt.Sprintf("The usage method %q is not one of %q.%s", u.Method, credential.UsageMethods, suggest(u.Method, credential.UsageMethods)), Subject: subject})
		return u, diags
	}
	if diags.HasErrors() {
		return u, diags
	}
	if u.Method != "custom" {
		method := fmt.Sprintf("%q", u.Method)
		if _, ok := attrs["method"]; !ok {
			method += " (the default)"
		}
		for _, name := range customOnly {
			if a, ok := attrs[name]; ok {
				diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Argument only for the custom usage method",
					Detail:  fmt.Sprintf("The usage block of credential %q has method %s, which does not read %s: only method = \"custom\" does. Remove %s, or set method = \"custom\" to read an endpoint of your own.", id, method, name, name),
					Subject: a.NameRange.Ptr()})
			}
		}
		return u, diags
	}

	paths := []struct{ name, value string }{{"balance", u.Balance}, {"today_cost", u.TodayCost}, {"today_requests", u.TodayRequests}, {"today_tokens", u.TodayTokens}}
	mapped := false
	for _, p := range paths {
		a, ok := attrs[p.name]
		if !ok {
			continue
		}
		mapped = true
		if err := credential.ValidUsagePath(p.value); err != nil {
			diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid usage path",
				Detail:  fmt.Sprintf("The %s of credential %q's usage block is not a dot path: %v. Name the keys that lead to the number in the endpoint's JSON answer, like \"data.balance\".", p.name, id, err),
				Subject: a.Expr.Range().Ptr()})
		}
	}
	if !mapped {
		diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Missing usage mapping",
			Detail:  fmt.Sprintf("The custom usage method of credential %q needs at least one of balance, today_cost, today_requests or today_tokens: a dot path to a number in the endpoint's JSON answer, like balance = \"data.balance\".", id),
			Subject: ub.DefRange.Ptr()})
	}

	ea, hasEndpoint := attrs["endpoint"]
	if !hasEndpoint {
		return u, diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Missing usage endpoint",
			Detail:  fmt.Sprintf("The custom usage method of credential %q reads an endpoint you name: add endpoint = \"/api/...\" (a path on the credential's own site, which gets the api_key) or endpoint = \"https://...\" (another site, which gets token, if given).", id),
			Subject: ub.DefRange.Ptr()})
	}
	if err := credential.CheckUsageEndpoint(u.Endpoint); err != nil {
		return u, diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid usage endpoint",
			Detail:  fmt.Sprintf("In credential %q: %s.", id, capitalize(err.Error())),
			Subject: ea.Expr.Range().Ptr()})
	}
	if baseURL == "" {
		return u, diags // the base URL is reported already
	}
	resolved, same, err := credential.ResolveUsageEndpoint(baseURL, u.Endpoint)
	if err != nil {
		return u, diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid usage endpoint",
			Detail: fmt.Sprintf("In credential %q: %s.", id, capitalize(err.Error())), Subject: ea.Expr.Range().Ptr()})
	}
	if ta, ok := attrs["token"]; ok && same {
		diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Usage token on the credential's own origin",
			Detail:  fmt.Sprintf("The usage endpoint %s of credential %q is on the credential's own origin %s, so hub sends the api_key there; token is only sent to an endpoint on another origin. Remove token, or point endpoint at the other site.", credential.OriginOf(resolved)+pathOf(resolved), id, credential.OriginOf(baseURL)),
			Subject: ta.NameRange.Ptr()})
	}
	return u, diags
}

// pathOf returns the path of a URL, for messages (no query: it may hold a secret).
func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.EscapedPath()
}

// evalInto evaluates an attribute, converts it to want and hands it to set.
func evalInto(a *hcl.Attribute, ctx *hcl.EvalContext, want cty.Type, set func(cty.Value)) hcl.Diagnostics {
	v, diags := a.Expr.Value(ctx)
	if diags.HasErrors() {
		return diags
	}
	if !v.IsWhollyKnown() {
		return diags
	}
	cv, err := convert.Convert(v, want)
	if err != nil {
		return diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Incorrect attribute value type",
			Detail: fmt.Sprintf("Inappropriate value for attribute %q: %s.", a.Name, err), Subject: a.Expr.Range().Ptr()})
	}
	if cv.IsNull() {
		return diags
	}
	set(cv)
	return diags
}

var targetCommonSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "credential"}, {Name: "credentials"}, {Name: "force_readonly"}}}

func (l *loader) target(b *hcl.Block, cfg *Config, ctx *hcl.EvalContext) (*Target, hcl.Diagnostics) {
	typ, name := b.Labels[0], b.Labels[1]
	info, err := targets.Lookup(typ)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unknown target type",
			Detail:  fmt.Sprintf("There is no target type %q.%s The types are: %s.", typ, suggest(typ, targets.Types()), joinQuoted(targets.Types())),
			Subject: b.LabelRanges[0].Ptr()}}
	}
	var diags hcl.Diagnostics
	if !idPattern.MatchString(name) {
		diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid target name",
			Detail: fmt.Sprintf("The target name %q must start with a letter and contain only letters, digits, underscores and dashes.", name), Subject: b.LabelRanges[1].Ptr()})
	}
	content, remain, d := b.Body.PartialContent(targetCommonSchema)
	diags = append(diags, d...)
	t := &Target{Type: typ, Name: name, Info: info, Impl: info.New(), Range: b.DefRange,
		Input: &targets.Input{Address: typ + "." + name}}

	if a, ok := content.Attributes["force_readonly"]; ok {
		diags = append(diags, evalInto(a, ctx, cty.Bool, func(v cty.Value) { t.ForceReadOnly = v.True() })...)
	}
	single, hasSingle := content.Attributes["credential"]
	multi, hasMulti := content.Attributes["credentials"]
	switch {
	case hasSingle && hasMulti:
		diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Conflicting arguments",
			Detail: "Give either credential or credentials, not both.", Subject: multi.NameRange.Ptr()})
	case info.Multi && hasSingle:
		hasMulti, multi = true, single
	case !info.Multi && hasMulti:
		diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unsupported argument",
			Detail: fmt.Sprintf("A %s target takes one credential: write credential = credential.<id>.", typ), Subject: multi.NameRange.Ptr()})
	case !hasSingle && !hasMulti:
		want := "credential = credential.<id>"
		if info.Multi {
			want = "credentials = [credential.<id>, ...]"
		}
		diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Missing required argument",
			Detail: fmt.Sprintf("A %s target needs the credential it writes: %s.", typ, want), Subject: b.DefRange.Ptr()})
	}
	var credAttr *hcl.Attribute
	if hasMulti {
		credAttr = multi
	} else if hasSingle {
		credAttr = single
	}
	if credAttr != nil {
		v, d := credAttr.Expr.Value(ctx)
		diags = append(diags, d...)
		if !d.HasErrors() && v.IsWhollyKnown() {
			ids, err := credentialIDs(v, hasMulti)
			if err != nil {
				diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid credential reference",
					Detail: capitalize(err.Error()) + ".", Subject: credAttr.Expr.Range().Ptr()})
			}
			for _, id := range ids {
				c := cfg.Credentials[id]
				if c == nil {
					diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid credential reference",
						Detail:  fmt.Sprintf("There is no credential %q; refer to one as credential.<id>.%s", id, suggest(id, slices.Sorted(maps.Keys(cfg.Credentials)))),
						Subject: credAttr.Expr.Range().Ptr()})
					continue
				}
				// The credential itself, not a copy: models a refresh found
				// are filled in before planning (telemetry.FillModels).
				t.Input.Credentials = append(t.Input.Credentials, c)
			}
		}
	}
	diags = append(diags, gohcl.DecodeBody(remain, ctx, t.Impl)...)
	if diags.HasErrors() {
		return t, diags
	}
	if sh, ok := t.Impl.(targets.SecretHolder); ok {
		l.addSecret(sh.Secrets()...)
	}
	if v, ok := t.Impl.(targets.Validator); ok {
		for _, err := range v.Validate(t.Input) {
			diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid " + typ + " target",
				Detail: fmt.Sprintf("In target %s: %v.", t.Input.Address, err), Subject: b.DefRange.Ptr()})
		}
	}
	for _, err := range l.ownFiles(t) {
		diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid " + typ + " target",
			Detail: fmt.Sprintf("In target %s: %v.", t.Input.Address, err), Subject: b.DefRange.Ptr()})
	}
	return t, diags
}

// credentialIDs reads credential ids from credential.<id> values.
func credentialIDs(v cty.Value, multi bool) ([]string, error) {
	id := func(v cty.Value) (string, error) {
		bad := errors.New("expected a reference to a credential, like credential.relay")
		if v.IsNull() || !v.Type().IsObjectType() || !v.Type().HasAttribute("id") || !v.Type().HasAttribute("api_type") {
			return "", bad
		}
		idv := v.GetAttr("id")
		if idv.IsNull() || !idv.IsKnown() || idv.Type() != cty.String {
			return "", bad
		}
		return idv.AsString(), nil
	}
	if !multi {
		s, err := id(v)
		return []string{s}, err
	}
	if !v.CanIterateElements() || v.Type().IsObjectType() {
		return nil, errors.New("expected a list of credentials, like [credential.relay, credential.official]")
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		s, err := id(e)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func joinQuoted(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%q", s)
	}
	return out
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// controlInSecret refuses a key or token holding a control character (a
// line break, a tab, an escape): no API key has one, it would be written
// into tools' files as is, and every request with it fails as if the
// network were down. what names the value ("The api_key of credential
// \"relay\""); the value itself is never shown.
func controlInSecret(v, what string, a *hcl.Attribute) *hcl.Diagnostic {
	for i, r := range []rune(v) {
		if !unicode.IsControl(r) && !unicode.Is(unicode.Cf, r) {
			continue
		}
		name := map[rune]string{'\n': "a line break", '\r': "a carriage return", '\t': "a tab", 0x1b: "an escape"}[r]
		if name == "" {
			name = "an invisible character"
		}
		d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Control character in a key",
			Detail: fmt.Sprintf("%s holds a control character: %s (%U) at character %d of %d. Keys never do; it was probably copied or read with it. "+
				"Remove it where the value comes from (the environment variable, the file, the variable), or wrap the expression in trimspace() when it is only before or after the key.",
				what, name, r, i+1, utf8.RuneCountInString(v))}
		if a != nil {
			d.Subject = a.Expr.Range().Ptr()
		}
		return d
	}
	return nil
}

// Bounds of the text a credential puts into tools' files and hub's output:
// far above any real name, model id or tag, low enough that no value can
// blow up a plan (its columns are aligned to the longest key and value).
const (
	maxNameLen  = 256
	maxModelLen = 256
	maxTagLen   = 64
	maxNotesLen = 4096
)

// checkLengths refuses a credential's name, models, tags or notes longer
// than their bounds.
func checkLengths(content *hcl.BodyContent, c *Credential) hcl.Diagnostics {
	var diags hcl.Diagnostics
	check := func(attr, what string, v string, limit int) {
		if len(v) <= limit {
			return
		}
		d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Value too long",
			Detail: fmt.Sprintf("Credential %q: %s is %d bytes long; at most %d are allowed.", c.ID, what, len(v), limit)}
		if a, ok := content.Attributes[attr]; ok {
			d.Subject = a.Expr.Range().Ptr()
		}
		diags = diags.Append(d)
	}
	check("name", "name", c.Name, maxNameLen)
	check("notes", "notes", c.Notes, maxNotesLen)
	for _, m := range c.Models {
		check("models", "a model id", m, maxModelLen)
	}
	for _, t := range c.Tags {
		check("tags", "a tag", t, maxTagLen)
	}
	return diags
}
