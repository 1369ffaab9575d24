package config

import (
	"fmt"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

var refKinds = map[string]string{
	"var":        "input variable",
	"local":      "local value",
	"credential": "credential",
}

// checkRefs reports every var.x, local.x and credential.x in body that names
// nothing declared, with a suggestion, before evaluation would report it as a
// less helpful "Unsupported attribute". declared lists the names by root
// (for suggestions), known holds them as sets. It is safe for concurrent use.
func (l *loader) checkRefs(body hcl.Body, declared map[string][]string, known map[string]map[string]bool) hcl.Diagnostics {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	var diags hcl.Diagnostics
	hclsyntax.VisitAll(sb, func(n hclsyntax.Node) hcl.Diagnostics {
		e, ok := n.(*hclsyntax.ScopeTraversalExpr)
		if !ok || len(e.Traversal) < 1 {
			return nil
		}
		root := e.Traversal.RootName()
		kind, ok := refKinds[root]
		if !ok {
			return nil
		}
		if len(e.Traversal) < 2 {
			diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid reference",
				Detail:  fmt.Sprintf("A reference to %s needs a name after it, like %s.example.", root, root),
				Subject: e.SrcRange.Ptr(), Extra: refDiag{}})
			l.badRef(e.SrcRange)
			return nil
		}
		step, ok := e.Traversal[1].(hcl.TraverseAttr)
		if !ok || known[root][step.Name] {
			return nil
		}
		detail := fmt.Sprintf("No %s named %q is declared.", kind, step.Name)
		if s := suggest(step.Name, declared[root]); s != "" {
			detail += s
		} else {
			detail += " Declare it, or fix the name."
		}
		diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Reference to undeclared " + kind,
			Detail: detail, Subject: e.SrcRange.Ptr(), Extra: refDiag{}})
		l.badRef(e.SrcRange)
		return nil
	})
	return diags
}

// badRef records the range of a reference checkRefs reported.
func (l *loader) badRef(r hcl.Range) {
	l.mu.Lock()
	l.badRefs = append(l.badRefs, r)
	l.mu.Unlock()
}

// refDiag marks the diagnostics of checkRefs, which dedupe keeps.
type refDiag struct{}

// Suggestion returns the option closest to given when it is a likely typo,
// else "": for "did you mean" hints outside the loader.
func Suggestion(given string, options []string) string { return nameSuggestion(given, options) }

// nameSuggestion returns the option closest to given, if close enough to be a
// likely typo.
func nameSuggestion(given string, options []string) string {
	best, bestDist := "", 1<<30
	for _, o := range options {
		d := levenshtein.Distance(given, o, nil)
		if d < bestDist {
			best, bestDist = o, d
		}
	}
	if best != "" && bestDist <= 3 && bestDist < len(given) {
		return best
	}
	return ""
}
