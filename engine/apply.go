package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/hubctl/hub/engine/plans"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
)

// StaleError reports a file changed between plan and apply, or (During)
// while apply was writing it: either way nothing was written to it.
type StaleError struct {
	Path   string
	During bool
}

func (e *StaleError) Error() string {
	if e.During {
		return fmt.Sprintf("%s changed while hub was writing it; hub wrote nothing to it and kept the changes: run hub apply again", e.Path)
	}
	return fmt.Sprintf("%s changed since the plan was made; run hub plan again", e.Path)
}

// FileResult is what apply did to one file.
type FileResult struct {
	Path    string
	Written bool   // the file's bytes changed
	Backup  string // backup made before this write, if any
	Err     error
}

// TargetResult is what apply did for one target.
type TargetResult struct {
	Address string
	Files   []FileResult
	// Reloaded is set when the target's reload step ran; ReloadErr is its
	// failure (the files were written all the same).
	Reloaded  bool
	ReloadErr error
}

// Failed reports whether any file of the target, or its reload, failed.
func (t *TargetResult) Failed() bool {
	if t.ReloadErr != nil {
		return true
	}
	for _, f := range t.Files {
		if f.Err != nil {
			return true
		}
	}
	return false
}

// ApplyResult is the outcome of an apply. State is the state to save: it
// records exactly the files that were written.
type ApplyResult struct {
	Targets []TargetResult
	State   *states.State
	Changed bool // State differs from the input state
	// SaveErr is set by Op.Apply when the files were written but State
	// could not be saved.
	SaveErr error
}

// Err joins the per-file errors, naming which targets were applied and which not.
func (r *ApplyResult) Err() error {
	var failed, done []string
	var errs []error
	for _, t := range r.Targets {
		if t.Failed() {
			failed = append(failed, t.Address)
			for _, f := range t.Files {
				if f.Err != nil {
					errs = append(errs, f.Err)
				}
			}
			if t.ReloadErr != nil {
				errs = append(errs, fmt.Errorf("%s: files written, but reloading the tool failed: %w", t.Address, t.ReloadErr))
			}
		} else {
			done = append(done, t.Address)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	applied := "none"
	if len(done) > 0 {
		applied = strings.Join(done, ", ")
	}
	errs = append(errs, fmt.Errorf("not applied: %s; applied: %s", strings.Join(failed, ", "), applied))
	return errors.Join(errs...)
}

// A FileOutcome is a file an apply wrote or failed to write, with its
// target and the number of items the plan changed in it.
type FileOutcome struct {
	Target string
	Path   string
	Backup string // the backup made before the write, if any
	Items  int
	Err    error // the write failed; nothing else is set but Target and Path
}

// Files lists the files written or failed, target by target in the order
// applied; p is the plan applied, which counts the items. The apply and
// destroy output and hub watch's rounds are both read from it.
func (r *ApplyResult) Files(p *plans.Plan) []FileOutcome {
	items := map[string]int{}
	for _, t := range p.Targets {
		for _, fc := range t.Files {
			items[fc.Path] = len(fc.Changes)
		}
	}
	var out []FileOutcome
	for _, t := range r.Targets {
		for _, fr := range t.Files {
			switch {
			case fr.Err != nil:
				out = append(out, FileOutcome{Target: t.Address, Path: fr.Path, Err: fr.Err})
			case fr.Written:
				out = append(out, FileOutcome{Target: t.Address, Path: fr.Path, Backup: fr.Backup, Items: items[fr.Path]})
			}
		}
	}
	return out
}

// ErrPlanErrored is returned when asked to apply a plan with errors.
var ErrPlanErrored = errors.New("the plan has errors; fix them or leave those targets out with --target")

// Apply writes the planned files and returns the new state. Each file is
// re-read first and refused if it changed since the plan (or changes while
// it is written); it is backed up the first time hub changes it; writes are
// atomic. What is about to be written is recorded in the journal first
// (Engine.Journal). A file that fails does not stop the others, and the
// state records only what was written.
func (e *Engine) Apply(ctx context.Context, pl *Planned, st *states.State) (*ApplyResult, error) {
	if pl.Plan.Errored() {
		return nil, ErrPlanErrored
	}
	next := st.Clone()
	res := &ApplyResult{State: next}
	host := next.Host(e.Host)
	salt := next.SaltBytes()
	now := e.now().UTC()
	backups, err := e.journalIntents(pl, next, host, now)
	if err != nil {
		return nil, err
	}
	for _, tp := range pl.Plan.Targets {
		tr := TargetResult{Address: tp.Address}
		for _, fc := range tp.Files {
			pend := pl.files[fc.Path]
			if pend == nil {
				continue
			}
			// Best effort: a temporary file a crash left may hold a key.
			_ = pend.store.clean(fc.Path)
			fr := FileResult{Path: fc.Path}
			owned := ownedFile(host.Targets[tp.Address], fc.Path)
			if !bytes.Equal(pend.data, pend.before) {
				fr.Backup, fr.Err = e.writeFile(ctx, tp.Address, fc, pend, backups[fc.Path])
				fr.Written = fr.Err == nil
			}
			if fr.Err == nil {
				put(host, tp.Address, tp.Type, fc.Path, fileRecord(pend, owned, fr.Backup, salt, now))
				res.Changed = true
			}
			tr.Files = append(tr.Files, fr)
		}
		if reload := pl.reloads[tp.Address]; reload != nil && wrote(tr) && !tr.Failed() {
			tr.Reloaded, tr.ReloadErr = true, reload(ctx)
		}
		if len(tr.Files) > 0 {
			res.Targets = append(res.Targets, tr)
		}
	}
	if len(host.Targets) == 0 {
		delete(next.Hosts, e.Host)
	}
	if res.Changed {
		next.Serial++
	}
	return res, nil
}

func wrote(t TargetResult) bool {
	for _, f := range t.Files {
		if f.Written {
			return true
		}
	}
	return false
}

// needsBackup says whether hub must back a file up before changing its
// bytes: owning items is not enough to skip it, since a first apply that
// only adopted values wrote nothing.
func needsBackup(owned *states.File) bool {
	return owned == nil || (owned.Backup == "" && !owned.Created)
}

// writeFile re-checks, backs up (to backup, if named) and writes one file.
// The backup is made by the write itself once the file is known to be as
// planned and replaceable, so a write refused at once (a read-only file)
// leaves none behind.
func (e *Engine) writeFile(ctx context.Context, address string, fc plans.FileChange, pend *pending, backup string) (string, error) {
	cur, err := pend.store.read(ctx, fc.Path)
	exists := err == nil && cur != nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s: %w", fc.Path, err)
	}
	if exists != fc.Exists || (exists && Sum(cur) != fc.BeforeSum) {
		return "", &StaleError{Path: fc.Path}
	}
	c := system.Cond{Exists: fc.Exists, Data: pend.before, ReplaceReadOnly: pend.forceReadOnly}
	made := ""
	if backup != "" && exists {
		c.Before = func(cur []byte) error {
			if err := e.backupTo(fc.Path, backup, cur); err != nil {
				return err
			}
			made = backup
			return nil
		}
	}
	err = pend.store.write(ctx, fc.Path, pend.data, c)
	var ro *system.ReadOnlyFileError
	switch {
	case err == nil:
		return made, nil
	case errors.Is(err, system.ErrChanged):
		return made, &StaleError{Path: fc.Path, During: true}
	case errors.As(err, &ro):
		return made, fmt.Errorf("%w, or set force_readonly = true in target %s to replace it anyway", err, address)
	}
	return made, err
}

// backupName picks the backup for path, whose contents are data: the one
// an earlier, interrupted apply made of the same contents (prev, from its
// journal), so failing applies do not pile up copies; else a new
// <path>.hub-backup-<time>[-N] name, never an earlier backup's.
func (e *Engine) backupName(path string, data []byte, prev string) (string, error) {
	if prev != "" {
		if b, err := e.Sys.ReadFile(prev); err == nil && bytes.Equal(b, data) {
			return prev, nil
		}
	}
	base := fmt.Sprintf("%s.hub-backup-%s", path, e.now().UTC().Format("20060102T150405Z"))
	name := base
	for n := 1; ; n++ {
		_, err := e.Sys.ReadFile(name)
		if errors.Is(err, fs.ErrNotExist) {
			return name, nil
		}
		if err != nil {
			return "", fmt.Errorf("back up %s: %w", path, err)
		}
		name = fmt.Sprintf("%s-%d", base, n)
	}
}

// backupTo copies data to the backup name, unless it holds data already.
func (e *Engine) backupTo(path, name string, data []byte) error {
	if b, err := e.Sys.ReadFile(name); err == nil && bytes.Equal(b, data) {
		return nil
	}
	if err := e.Sys.WriteFile(name, data, 0o600); err != nil {
		return fmt.Errorf("back up %s: %w", path, err)
	}
	return nil
}

// fileRecord is what the state records for a file hub just wrote (or
// adopted): nil when hub owns nothing there any more.
func fileRecord(pend *pending, owned *states.File, backup string, salt []byte, t time.Time) *states.File {
	if len(pend.items) == 0 {
		return nil
	}
	f := &states.File{Sum: Sum(pend.data), Items: map[string]*states.Item{}}
	if owned != nil {
		f.Backup, f.Created = owned.Backup, owned.Created
	} else {
		f.Created = !pend.existed
	}
	if backup != "" {
		f.Backup = backup
	}
	for _, it := range pend.items {
		k := it.Key.String()
		si := &states.Item{Hash: HashValue(salt, it.Value), Sensitive: it.Sensitive, Since: t, Updated: t}
		if !it.Sensitive {
			si.Value = it.Value
		}
		if owned != nil {
			if prev := owned.Items[k]; prev != nil {
				si.Since = prev.Since
				if prev.Hash == si.Hash {
					si.Updated = prev.Updated
				}
			}
		}
		f.Items[k] = si
	}
	return f
}

// put records f for path in the host's target (nil f: hub owns nothing
// there any more).
func put(host *states.Host, address, typ, path string, f *states.File) {
	ts := host.Targets[address]
	if f == nil {
		if ts != nil {
			delete(ts.Files, path)
			if len(ts.Files) == 0 {
				delete(host.Targets, address)
			}
		}
		return
	}
	if ts == nil {
		ts = &states.Target{Type: typ, Files: map[string]*states.File{}}
		host.Targets[address] = ts
	}
	ts.Files[path] = f
}
