package views

import "fmt"

// SecretMigrate is hub secret migrate's output.
type SecretMigrate struct{ *View }

// NewSecretMigrate returns the view.
func NewSecretMigrate(v *View) SecretMigrate { return SecretMigrate{v} }

// Moved says credential's key moved from the variable into the secret.
func (v SecretMigrate) Moved(credential, variable, name string, dryRun bool) {
	verb := "moved"
	if dryRun {
		verb = "would move"
	}
	fmt.Fprintf(v.Out, "credential.%s: %s the key from $%s into secrets/%s.age, api_key = secret(%q)\n", credential, verb, variable, name, name)
}

// Nothing says no credential reads its key with env().
func (v SecretMigrate) Nothing() {
	fmt.Fprintln(v.Out, "No credential reads its key with env(\"VAR\"): nothing to move.")
}

// Done closes the run.
func (v SecretMigrate) Done(n int, dryRun bool) {
	if dryRun {
		fmt.Fprintf(v.Out, "\n%d keys would move; nothing was written (without --dry-run they will).\n", n)
		return
	}
	fmt.Fprintf(v.Out, "\n%d keys moved. hub plan should now show no changes: the keys are the same. Commit secrets/ and the *.hcl files; the variables are no longer needed.\n", n)
}
