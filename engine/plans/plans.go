// Package plans holds the plan as a value: what hub would change, item by item,
// in each target's files. A plan is computed without writing anything and holds
// no secret values, so it can be printed, saved to a file and compared later.
package plans

// Action is what a plan does to one item. Its values are the symbols printed.
type Action rune

// The actions. Adopt records ownership of a value that already matches.
const (
	NoOp   Action = 0
	Create Action = '+'
	Update Action = '~'
	Delete Action = '-'
	Adopt  Action = '='
)

// String returns the action's word.
func (a Action) String() string {
	switch a {
	case Create:
		return "create"
	case Update:
		return "update"
	case Delete:
		return "delete"
	case Adopt:
		return "adopt"
	}
	return "no-op"
}

// MarshalText implements encoding.TextMarshaler.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (a *Action) UnmarshalText(b []byte) error {
	switch string(b) {
	case "create":
		*a = Create
	case "update":
		*a = Update
	case "delete":
		*a = Delete
	case "adopt":
		*a = Adopt
	default:
		*a = NoOp
	}
	return nil
}

// An ItemChange is one item's planned change. Before and After are nil when
// the value is sensitive or absent; AfterHash identifies the new value without
// revealing it, so a saved plan can be checked against a fresh one.
type ItemChange struct {
	Key       string `json:"key"`
	Action    Action `json:"action"`
	Before    any    `json:"before,omitempty"`
	After     any    `json:"after,omitempty"`
	Sensitive bool   `json:"sensitive,omitempty"`
	AfterHash string `json:"after_hash,omitempty"`
	// Unowned is set when hub takes over a value it did not write.
	Unowned bool `json:"unowned,omitempty"`
	// Origin says where a value hub chose came from (a model picked from the
	// credential's models), when the configuration did not name it.
	Origin string `json:"origin,omitempty"`
}

// A Drift is an owned item changed outside hub since hub last wrote it.
type Drift struct {
	Key       string `json:"key"`
	Deleted   bool   `json:"deleted,omitempty"` // the item is gone from the file
	Actual    any    `json:"actual,omitempty"`  // nil when sensitive or deleted
	Sensitive bool   `json:"sensitive,omitempty"`
}

// A FileChange is everything planned for one file.
type FileChange struct {
	Path string `json:"path"`
	// Exists reports whether the file existed at plan time; BeforeSum is its
	// sha256 then ("" if absent). Apply refuses if the file changed since.
	Exists    bool         `json:"exists"`
	BeforeSum string       `json:"before_sum"`
	Changes   []ItemChange `json:"changes,omitempty"`
	Drift     []Drift      `json:"drift,omitempty"`
	// Error is set when the file could not be planned (for example it is not
	// valid JSON); such a file is never written.
	Error string `json:"error,omitempty"`
}

// HasChanges reports whether applying would write the file or the state.
func (f *FileChange) HasChanges() bool { return len(f.Changes) > 0 }

// A TargetPlan is the plan for one target block.
type TargetPlan struct {
	Address string       `json:"address"` // "claude_code.default"
	Type    string       `json:"type"`
	Files   []FileChange `json:"files"`
	Notes   []string     `json:"notes,omitempty"`
	// Standing are notes shown on every plan, changes or not (targets.
	// StandingNoter: a value the tool will send as another).
	Standing []string `json:"standing_notes,omitempty"`
	// Warnings are what the user should know before this target is
	// written: a key that has expired or expires soon.
	Warnings []string `json:"warnings,omitempty"`
	// Removed is set for a target that is no longer in the configuration.
	Removed bool `json:"removed,omitempty"`
	// Error is set when the target as a whole could not be planned.
	Error string `json:"error,omitempty"`
}

// Errored reports whether any part of the target failed to plan.
func (t *TargetPlan) Errored() bool {
	if t.Error != "" {
		return true
	}
	for _, f := range t.Files {
		if f.Error != "" {
			return true
		}
	}
	return false
}

// HasChanges reports whether any file of the target has changes.
func (t *TargetPlan) HasChanges() bool {
	for i := range t.Files {
		if t.Files[i].HasChanges() {
			return true
		}
	}
	return false
}

// A Plan is the whole plan. Lineage and Serial are those of the state it was
// computed against; apply of a saved plan refuses if the state moved on.
type Plan struct {
	FormatVersion int          `json:"format_version"`
	Lineage       string       `json:"lineage"`
	Serial        uint64       `json:"serial"`
	Host          string       `json:"host"`
	Destroy       bool         `json:"destroy,omitempty"`
	Targets       []TargetPlan `json:"targets"`
	// Filter is the --target addresses the plan was limited to, if any.
	Filter []string `json:"filter,omitempty"`
}

// FormatVersion is the saved plan format this build writes and reads.
const FormatVersion = 1

// Summary counts the planned item changes.
type Summary struct {
	Create, Update, Delete, Adopt int
}

// Summary counts the item changes by action.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, t := range p.Targets {
		for _, f := range t.Files {
			for _, c := range f.Changes {
				switch c.Action {
				case Create:
					s.Create++
				case Update:
					s.Update++
				case Delete:
					s.Delete++
				case Adopt:
					s.Adopt++
				}
			}
		}
	}
	return s
}

// HasChanges reports whether applying the plan would change anything.
func (p *Plan) HasChanges() bool {
	for i := range p.Targets {
		if p.Targets[i].HasChanges() {
			return true
		}
	}
	return false
}

// Errored reports whether any target failed to plan.
func (p *Plan) Errored() bool {
	for i := range p.Targets {
		if p.Targets[i].Errored() {
			return true
		}
	}
	return false
}

// HasDrift reports whether any owned item changed outside hub.
func (p *Plan) HasDrift() bool {
	for _, t := range p.Targets {
		for _, f := range t.Files {
			if len(f.Drift) > 0 {
				return true
			}
		}
	}
	return false
}
