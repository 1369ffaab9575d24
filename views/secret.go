package views

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"
)

// A SecretRow is one secret in hub secret list: never its value.
type SecretRow struct {
	Name string `json:"name"`
	// UsedBy are the blocks that call secret("NAME") ("credential.relay").
	UsedBy []string `json:"used_by"`
	// Changed is when the file last changed: its last commit (ChangedFrom
	// "git") or its modification time ("file"). Zero for a missing file.
	Changed     time.Time `json:"changed,omitzero"`
	ChangedFrom string    `json:"changed_from,omitempty"`
	// Decrypt says whether this machine can decrypt it: "yes", "not a
	// recipient", "no identity", "damaged", ...; Recipients whether it is
	// encrypted to the current recipients: "current", "stale", "unknown".
	Decrypt    string `json:"decrypt"`
	Recipients string `json:"recipients"`
	// Missing: HCL uses the secret but it has no file.
	Missing bool `json:"missing,omitempty"`
}

// SecretList is hub secret list's view.
type SecretList interface {
	List(rows []SecretRow) error
}

// NewSecretList returns hub secret list's view: one indented JSON document
// with asJSON (as hub state list), else a table.
func NewSecretList(v *View, asJSON bool) SecretList {
	if asJSON {
		return secretListJSON{v}
	}
	return secretListHuman{v}
}

type secretListJSON struct{ *View }

func (v secretListJSON) List(rows []SecretRow) error {
	if rows == nil {
		rows = []SecretRow{}
	}
	for i := range rows {
		if rows[i].UsedBy == nil {
			rows[i].UsedBy = []string{}
		}
	}
	return writeDocument(v.View, map[string]any{"secrets": rows})
}

func writeDocument(v *View, doc any) error {
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(v.Out, string(b))
	return err
}

type secretListHuman struct{ *View }

func (v secretListHuman) List(rows []SecretRow) error {
	if len(rows) == 0 {
		fmt.Fprintln(v.Out, "No secrets in secrets/. Add one with: hub secret set NAME")
		return nil
	}
	tw := tabwriter.NewWriter(v.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tUSED BY\tCHANGED\tDECRYPT\tRECIPIENTS")
	for _, r := range rows {
		used := strings.Join(r.UsedBy, ", ")
		if used == "" {
			used = "unused"
		}
		if r.Missing {
			fmt.Fprintf(tw, "%s\t%s\tmissing: hub secret set %s\t-\t-\n", r.Name, used, r.Name)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s (%s)\t%s\t%s\n", r.Name, used, r.Changed.Local().Format("2006-01-02 15:04"), r.ChangedFrom, r.Decrypt, recipientsState(r.Recipients))
	}
	return tw.Flush()
}

// recipientsState spells a row's Recipients for people, with what to do.
func recipientsState(s string) string {
	switch s {
	case "stale":
		return "stale: run hub secret rekey"
	case "unknown":
		return "unknown (not written by hub)"
	}
	return s
}

// A RecipientRow is one public key of secrets/recipients.txt.
type RecipientRow struct {
	Name        string `json:"name,omitempty"`
	Key         string `json:"key"`
	Fingerprint string `json:"fingerprint"`
	Line        int    `json:"line"`
}

// RecipientList is hub secret recipients list's view.
type RecipientList interface {
	List(file string, rows []RecipientRow) error
}

// NewRecipientList returns hub secret recipients list's view: one indented
// JSON document with asJSON, else a table.
func NewRecipientList(v *View, asJSON bool) RecipientList {
	if asJSON {
		return recipientListJSON{v}
	}
	return recipientListHuman{v}
}

type recipientListJSON struct{ *View }

func (v recipientListJSON) List(file string, rows []RecipientRow) error {
	if rows == nil {
		rows = []RecipientRow{}
	}
	return writeDocument(v.View, map[string]any{"file": file, "recipients": rows})
}

type recipientListHuman struct{ *View }

func (v recipientListHuman) List(file string, rows []RecipientRow) error {
	if len(rows) == 0 {
		fmt.Fprintf(v.Out, "No recipients in %s. Add one with: hub secret recipients add age1... (hub secret keygen makes a key)\n", file)
		return nil
	}
	tw := tabwriter.NewWriter(v.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tFINGERPRINT\tKEY")
	for _, r := range rows {
		name := r.Name
		if name == "" {
			name = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", name, r.Fingerprint, r.Key)
	}
	return tw.Flush()
}

// Secret is the view of the hub secret commands that have no JSON form:
// set, rm, rekey, recipients add and rm, keygen and textconv. None of its
// methods takes a value; hub secret get writes the one value it prints
// itself.
type Secret struct{ *View }

// NewSecret returns the view of hub secret set, rm, rekey, recipients add
// and rm, keygen and textconv.
func NewSecret(v *View) Secret { return Secret{v} }

// Set says what hub secret set did: status is "new", "changed",
// "unchanged", "rekeyed" (the same value, to other recipients) or
// "replaced" (the old value could not be decrypted here);
// oldFP and newFP are value fingerprints, to the recipients named.
func (v Secret) Set(name, status, oldFP, newFP string, to []string) {
	what := fmt.Sprintf("%s (fingerprint %s)", status, newFP)
	switch status {
	case "changed":
		what = fmt.Sprintf("changed (fingerprint %s → %s)", oldFP, newFP)
	case "unchanged":
		what = fmt.Sprintf("unchanged (fingerprint %s; the file is left as it was)", newFP)
	case "rekeyed":
		what = fmt.Sprintf("same value (fingerprint %s), encrypted again", newFP)
	case "replaced":
		what = fmt.Sprintf("replaced (the old value could not be decrypted here; fingerprint %s)", newFP)
	}
	fmt.Fprintf(v.Out, "Secret %s set: %s, encrypted to %d %s: %s\n", name, what, len(to), noun(len(to), "recipient"), strings.Join(to, ", "))
}

// Removed says a secret's file was removed.
func (v Secret) Removed(name, file string) {
	fmt.Fprintf(v.Out, "Removed secret %s (%s).\n", name, file)
}

// Rekeyed says which secrets were encrypted again, to whom.
func (v Secret) Rekeyed(names []string, to []string) {
	if len(names) == 0 {
		fmt.Fprintf(v.Out, "Nothing to rekey: every secret is encrypted to the current %d %s.\n", len(to), noun(len(to), "recipient"))
		return
	}
	fmt.Fprintf(v.Out, "Rekeyed %d %s (%s) to %d %s: %s\n", len(names), noun(len(names), "secret"), strings.Join(names, ", "), len(to), noun(len(to), "recipient"), strings.Join(to, ", "))
}

// RevocationNote is what removing a recipient does not do.
func (v Secret) RevocationNote() {
	fmt.Fprintln(v.Out, "Note: removing a recipient does not revoke what they already saw, or what they can still decrypt from git history. Rotate those keys at the provider, then hub secret set them.")
}

// RecipientsAdded names the recipients added to file.
func (v Secret) RecipientsAdded(file string, labels []string) {
	if len(labels) == 0 {
		fmt.Fprintf(v.Out, "Nothing added: every key is already in %s.\n", file)
		return
	}
	for _, l := range labels {
		fmt.Fprintf(v.Out, "Added %s to %s\n", l, file)
	}
}

// RecipientsRemoved names the recipients removed from file.
func (v Secret) RecipientsRemoved(file string, labels []string) {
	for _, l := range labels {
		fmt.Fprintf(v.Out, "Removed %s from %s\n", l, file)
	}
}

// Stale says n secrets are encrypted to another set than the recipients.
func (v Secret) Stale(n int) {
	if n > 0 {
		fmt.Fprintf(v.Out, "%d %s encrypted to the old set: run hub secret rekey\n", n, noun(n, "secret is", "secrets are"))
	}
}

// PublicKey prints a new identity's public key, alone on stdout, so that
// $(hub secret keygen) is the key.
func (v Secret) PublicKey(key string) { fmt.Fprintln(v.Out, key) }

// TextConv prints git's view of a secret's file: its name, its value's
// fingerprint (or why it cannot be decrypted here) and its recipients.
func (v Secret) TextConv(name, value string, recipients []string) {
	fmt.Fprintf(v.Out, "secret %s\nvalue: %s\n", name, value)
	if recipients != nil {
		fmt.Fprintf(v.Out, "recipients: %s\n", strings.Join(recipients, ", "))
	}
}

// noun is one for n == 1, else many (one+"s" when many is not given).
func noun(n int, one string, many ...string) string {
	if n == 1 {
		return one
	}
	if len(many) > 0 {
		return many[0]
	}
	return one + "s"
}
