package targets

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hubctl/hub/credential"
)

// KeyMode is a block's key_mode and key_env: whether the tool's file holds a
// credential's key (the inline mode) or names an environment variable the
// tool reads it from ("env"), and which variable. Targets build one from
// their block's attributes, so the default variable, the checks and the
// choice between the key and the reference are the same for every tool;
// only the tool's syntax for a reference and its wording of the modes are
// its own.
type KeyMode struct {
	// Mode is key_mode as written; "" means Inline.
	Mode string
	// Vars is key_env of a multi-credential target: a variable per
	// credential id. Var is key_env of a single-credential target.
	Vars map[string]string
	Var  string
	// Inline names the mode that writes the key: "inline", or "dotenv" for
	// a tool that reads it from a .env hub writes (Qwen Code).
	Inline string
	// InlineDoc and EnvDoc say what each mode means for this tool, for the
	// error about an unknown key_mode: "the key in config.json".
	InlineDoc, EnvDoc string
	// AnyMode is set when key_env names the variable in every mode (the
	// .env entry in dotenv mode), so key_env without key_mode = "env" is
	// not a mistake.
	AnyMode bool
}

// Name returns the mode in effect: Mode, else Inline.
func (k KeyMode) Name() string {
	if k.Mode == "" {
		return k.inline()
	}
	return k.Mode
}

func (k KeyMode) inline() string {
	if k.Inline == "" {
		return "inline"
	}
	return k.Inline
}

// Env reports whether the tool reads the key from an environment variable,
// so hub writes a reference instead of the key.
func (k KeyMode) Env() bool { return k.Name() == "env" }

// EnvVar returns the variable holding credential c's key: key_env's entry
// for it (or the block's single key_env), else KeyEnvName(c.ID).
func (k KeyMode) EnvVar(c *credential.Credential) string {
	if v := k.Vars[c.ID]; v != "" {
		return v
	}
	if k.Var != "" {
		return k.Var
	}
	return KeyEnvName(c.ID)
}

// Item returns the item for credential c's key at key: in env mode ref of
// its variable (the tool's syntax for a reference, such as "$VAR" or
// "{env:VAR}"), else the key itself, marked sensitive.
func (k KeyMode) Item(key Key, c *credential.Credential, ref func(name string) string) Item {
	if k.Env() {
		return Item{Key: key, Value: ref(k.EnvVar(c))}
	}
	return Item{Key: key, Value: c.Key.Reveal(), Sensitive: true}
}

// Validate checks key_mode and, when given as one variable, key_env: an
// unknown mode, key_env set where no mode reads it, and a variable name a
// shell could not export. Per-credential key_env entries are checked by
// ValidateVars, or by the target where its wording differs.
func (k KeyMode) Validate() []error {
	var errs []error
	switch k.Name() {
	case k.inline(), "env":
	default:
		errs = append(errs, fmt.Errorf("key_mode is %q; it must be %q (%s) or \"env\" (%s)", k.Mode, k.inline(), k.InlineDoc, k.EnvDoc))
	}
	if (len(k.Vars) > 0 || k.Var != "") && !k.AnyMode && !k.Env() {
		errs = append(errs, fmt.Errorf("key_env is set but key_mode is %q; set key_mode = \"env\" too, or remove key_env", k.Name()))
	}
	if k.Var != "" && !ValidEnvName(k.Var) {
		errs = append(errs, fmt.Errorf("key_env %q is not a valid environment variable name", k.Var))
	}
	return errs
}

// ValidateVars checks each key_env entry, in id order: it must name one of
// the target's credentials and a valid variable.
func (k KeyMode) ValidateVars(in *Input) []error {
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(k.Vars)) {
		if err := NotACredential("key_env", id, in); err != nil {
			errs = append(errs, err)
		}
		if v := k.Vars[id]; !ValidEnvName(v) {
			errs = append(errs, fmt.Errorf("key_env for %q is %q, which is not a valid environment variable name", id, v))
		}
	}
	return errs
}

// NotACredential returns the error for an attribute entry (key_env, models,
// ...) that names id when id is not among the target's credentials, or nil.
func NotACredential(attr, id string, in *Input) error {
	ids := make([]string, 0, len(in.Credentials))
	for _, c := range in.Credentials {
		if c.ID == id {
			return nil
		}
		ids = append(ids, c.ID)
	}
	return fmt.Errorf("%s names %q, which is not one of this target's credentials (%s)", attr, id, strings.Join(ids, ", "))
}
