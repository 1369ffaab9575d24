package config

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/hubctl/hub/credential"
)

// expires decodes a credential's expires: a day or an RFC 3339 time, when
// the key stops working. Days are local: the day the user sees.
func expires(id string, a *hcl.Attribute, ctx *hcl.EvalContext, c *Credential) hcl.Diagnostics {
	if a == nil {
		return nil
	}
	var raw string
	given := false // null means none, as if left out
	diags := evalInto(a, ctx, cty.String, func(v cty.Value) { raw, given = v.AsString(), true })
	if diags.HasErrors() || !given {
		return diags
	}
	e, err := credential.ParseExpiry(raw, time.Local)
	if err != nil {
		return diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid expiry",
			Detail:  fmt.Sprintf("Credential %q: %s. The expires argument says when the key stops working; leave it out for a key that does not expire.", id, capitalize(err.Error())),
			Subject: a.Expr.Range().Ptr()})
	}
	c.Expires = e
	return diags
}

// maxExpiryWarning bounds expiry_warning: a year's notice is already more
// than a warning.
const maxExpiryWarning = 366

// expiryWarning decodes the hub block's expiry_warning: how many days before
// a key's expiry hub starts warning ("7d"; "0d" warns only about expired
// keys).
func (l *loader) expiryWarning(a *hcl.Attribute, ctx *hcl.EvalContext) hcl.Diagnostics {
	if a == nil {
		return nil
	}
	var raw string
	diags := evalInto(a, ctx, cty.String, func(v cty.Value) { raw = v.AsString() })
	if diags.HasErrors() {
		return diags
	}
	d, ok := parseDays(raw, 0, maxExpiryWarning)
	if !ok {
		return diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid expiry warning",
			Detail:  fmt.Sprintf("The hub block's expiry_warning %q is not a number of days from 0d to %dd, like \"7d\": how long before a key's expires date hub plan, apply and status start warning (\"0d\" warns only once it has expired).", raw, maxExpiryWarning),
			Subject: a.Expr.Range().Ptr()})
	}
	l.expiryWarn = &d
	return diags
}
