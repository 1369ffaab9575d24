package engine

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hubctl/hub/engine/plans"
	"github.com/hubctl/hub/engine/states"
)

// ErrStalePlan is wrapped by every refusal of a saved plan.
var ErrStalePlan = errors.New("saved plan is stale")

// SavedPlan is the file written by plan --out. It holds no secret: sensitive
// values appear only as salted hashes. Salt is recorded only for a plan made
// before any state existed, so that the first apply creates the state with
// the plan's lineage and a second apply of the same plan is refused.
type SavedPlan struct {
	plans.Plan
	Salt string `json:"salt,omitempty"`
}

// NewSaved wraps a plan for saving.
func NewSaved(p *plans.Plan, st *states.State) *SavedPlan {
	s := &SavedPlan{Plan: *p}
	if st.Serial == 0 {
		s.Salt = st.Salt
	}
	return s
}

// DecodeSaved parses a saved plan file.
func DecodeSaved(b []byte) (*SavedPlan, error) {
	var s SavedPlan
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("not a hub plan file: %w", err)
	}
	if s.FormatVersion != plans.FormatVersion || s.Lineage == "" {
		return nil, fmt.Errorf("not a hub plan file, or one from another version of hub (format %d)", s.FormatVersion)
	}
	return &s, nil
}

// Prepare checks a saved plan against the current state before re-planning:
// the state must be the very one the plan was made against. For a plan made
// before any state existed, it gives st the plan's lineage and salt.
func (s *SavedPlan) Prepare(st *states.State) error {
	if s.Serial == 0 && st.Serial == 0 {
		if s.Salt == "" {
			return fmt.Errorf("%w: the plan file has no salt", ErrStalePlan)
		}
		st.Lineage, st.Salt = s.Lineage, s.Salt
		return nil
	}
	if st.Lineage != s.Lineage {
		return fmt.Errorf("%w: it was made against another state (lineage %s, now %s)", ErrStalePlan, s.Lineage, st.Lineage)
	}
	if st.Serial != s.Serial {
		return fmt.Errorf("%w: the state changed since the plan was made (serial %d, now %d); run hub plan again", ErrStalePlan, s.Serial, st.Serial)
	}
	return nil
}

// Match checks that a fresh plan does exactly what the saved plan said: the
// same files at the same contents, the same item changes to the same values.
func (s *SavedPlan) Match(fresh *plans.Plan) error {
	if s.Host != fresh.Host {
		return fmt.Errorf("%w: it was made on host %q, this is %q", ErrStalePlan, s.Host, fresh.Host)
	}
	type fileKey struct{ addr, path string }
	savedFiles := map[fileKey]plans.FileChange{}
	for _, t := range s.Targets {
		for _, f := range t.Files {
			savedFiles[fileKey{t.Address, f.Path}] = f
		}
	}
	n := 0
	for _, t := range fresh.Targets {
		for _, f := range t.Files {
			if !f.HasChanges() {
				continue
			}
			n++
			sf, ok := savedFiles[fileKey{t.Address, f.Path}]
			if !ok || !sf.HasChanges() {
				return fmt.Errorf("%w: %s would now change %s, which the plan did not; run hub plan again", ErrStalePlan, t.Address, f.Path)
			}
			if sf.BeforeSum != f.BeforeSum || sf.Exists != f.Exists {
				return fmt.Errorf("%w: %s changed since the plan was made; run hub plan again", ErrStalePlan, f.Path)
			}
			if !sameChanges(sf.Changes, f.Changes) {
				return fmt.Errorf("%w: the configuration changed since the plan was made (%s); run hub plan again", ErrStalePlan, f.Path)
			}
		}
	}
	for _, sf := range savedFiles {
		if sf.HasChanges() {
			n--
		}
	}
	if n != 0 {
		return fmt.Errorf("%w: some planned changes are no longer needed; run hub plan again", ErrStalePlan)
	}
	return nil
}

func sameChanges(a, b []plans.ItemChange) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key || a[i].Action != b[i].Action || a[i].AfterHash != b[i].AfterHash {
			return false
		}
	}
	return true
}
