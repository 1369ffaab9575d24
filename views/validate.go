package views

import "fmt"

// Validate is hub validate's view.
type Validate interface {
	Diagnoser
	// Valid says the configuration loaded without errors, and its size.
	Valid(credentials, targets int)
}

// NewValidate returns hub validate's view: JSON lines with asJSON, else text.
func NewValidate(v *View, asJSON bool) Validate {
	if asJSON {
		return validateJSON{newJSON(v)}
	}
	return validateHuman{v}
}

func validMessage(credentials, targets int) string {
	return fmt.Sprintf("The configuration is valid: %d credentials, %d targets.", credentials, targets)
}

type validateHuman struct{ *View }

func (v validateHuman) Valid(credentials, targets int) {
	fmt.Fprintln(v.Out, "Success! "+validMessage(credentials, targets))
}

type validateJSON struct{ jsonView }

func (v validateJSON) Valid(credentials, targets int) {
	v.j.Emit("info", "validate", validMessage(credentials, targets), map[string]any{"valid": true})
}
