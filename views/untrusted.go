package views

import (
	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/providers"
	"github.com/hubctl/hub/secret"
)

// What an upstream said (a failure's text, model ids, usage messages) and
// what a state records of it pass through secret.Printable before any
// view shows them, human or JSON: a relay's escape sequences must not
// clear the terminal, retitle it or paint a fake verdict, nor reach
// whoever reads the JSON lines. A state saved by another hub, or before
// records were cleaned, is shown the same way.

func printable(s string) string { return secret.Printable(s) }

// printableErr is err's text, printable; "" for nil.
func printableErr(err error) string {
	if err == nil {
		return ""
	}
	return secret.Printable(err.Error())
}

func printableIDs(ids []string) []string {
	if ids == nil {
		return nil
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = secret.Printable(id)
	}
	return out
}

func printableModels(ms []providers.Model) []providers.Model {
	if ms == nil {
		return nil
	}
	out := make([]providers.Model, len(ms))
	for i, m := range ms {
		out[i] = providers.Model{ID: secret.Printable(m.ID), DisplayName: secret.Printable(m.DisplayName), OwnedBy: secret.Printable(m.OwnedBy)}
	}
	return out
}

// printableRecord is a copy of r whose upstream texts are printable.
func printableRecord(r *telemetry.Record) *telemetry.Record {
	if r == nil {
		return nil
	}
	cp := *r
	cp.Models = printableIDs(r.Models)
	cp.ModelsEndpoint, cp.LastError, cp.Health.Reason = printable(r.ModelsEndpoint), printable(r.LastError), printable(r.Health.Reason)
	if u := r.Usage; u != nil {
		uc := *u
		uc.Source = printable(u.Source)
		uc.Attempts = append([]providers.Attempt(nil), u.Attempts...)
		for i := range uc.Attempts {
			a := &uc.Attempts[i]
			a.Source, a.Endpoint, a.Status, a.Message = printable(a.Source), printable(a.Endpoint), printable(a.Status), printable(a.Message)
		}
		cp.Usage = &uc
	}
	return &cp
}
