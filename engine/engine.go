// Package engine turns a loaded configuration and a state into a plan, and a
// plan into written files and a new state. It never prints: the CLI renders
// the values it returns.
package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/plans"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/targets"
)

// Engine holds what planning and applying need from the outside world.
type Engine struct {
	Sys  system.System // used read-only for plans, for writes in Apply
	Env  targets.Env
	Host string
	Now  func() time.Time
	// SkipReload leaves out targets' reload steps (golden tests).
	SkipReload bool
	// Journal, if set, is the file where Apply records what it is about to
	// write before writing it (.hub/journal.json), so that a run
	// interrupted before the state was saved is recognised by the next one
	// as hub's own (Recover). Empty: no journal.
	Journal string
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// PlanOptions narrow a plan.
type PlanOptions struct {
	// Targets limits the plan to these addresses ("codex.default").
	Targets []string
	// Destroy plans the removal of everything hub owns.
	Destroy bool
}

// Planned is a plan with what apply needs to carry it out: the new contents of
// each file, held in memory only (they may contain keys).
type Planned struct {
	Plan    *plans.Plan
	files   map[string]*pending                    // by path
	reloads map[string]func(context.Context) error // by target address
	tidy    []tidyRef                              // every document planned
}

type pending struct {
	address string
	typ     string
	data    []byte    // new contents
	before  []byte    // contents at plan time
	existed bool      // the file existed at plan time
	store   documents // where it is written
	items   []targets.Item
	// forceReadOnly replaces the file even if read-only (force_readonly).
	forceReadOnly bool
}

// ErrUnknownTarget is wrapped when --target names nothing.
var ErrUnknownTarget = errors.New("no such target")

// Plan computes what applying cfg would change, against st. It reads files
// through a read-only view of e.Sys and writes nothing; only remote targets
// make (read-only) network requests, under ctx. Targets are planned
// concurrently; the plan lists them in configuration order, then the targets
// hub still owns that the configuration no longer has.
func (e *Engine) Plan(ctx context.Context, cfg *config.Config, st *states.State, opts PlanOptions) (*Planned, error) {
	if err := telemetry.FillModels(cfg, st); err != nil {
		return nil, err
	}
	p := &plans.Plan{FormatVersion: plans.FormatVersion, Lineage: st.Lineage, Serial: st.Serial, Host: e.Host,
		Destroy: opts.Destroy, Filter: opts.Targets}
	host := st.Hosts[e.Host]
	if host == nil {
		host = &states.Host{}
	}
	want := map[string]bool{}
	for _, a := range opts.Targets {
		want[a] = true
	}
	selected := func(addr string) bool { return len(want) == 0 || want[addr] }

	var jobs []*targetJob
	inConfig := map[string]bool{}
	for _, t := range cfg.Targets {
		addr := t.Address()
		inConfig[addr] = true
		if selected(addr) {
			jobs = append(jobs, &targetJob{addr: addr, typ: t.Type, impl: t.Impl, in: t.Input, owned: host.Targets[addr], forceReadOnly: t.ForceReadOnly})
		}
	}
	for _, addr := range host.Addresses() {
		if inConfig[addr] || !selected(addr) {
			continue
		}
		ot := host.Targets[addr]
		j := &targetJob{addr: addr, typ: ot.Type, owned: ot, removed: true}
		if info, err := targets.Lookup(ot.Type); err != nil {
			j.err = fmt.Sprintf("hub owns items of target type %q, which this hub does not know: %v", ot.Type, err)
		} else {
			j.impl = info.New()
		}
		jobs = append(jobs, j)
	}
	for _, a := range opts.Targets {
		found := false
		for _, j := range jobs {
			found = found || j.addr == a
		}
		if !found {
			return nil, fmt.Errorf("--target %s: %w in the configuration or the state", a, ErrUnknownTarget)
		}
	}

	ro := system.ReadOnly{System: e.Sys}
	salt := st.SaltBytes()
	sem := make(chan struct{}, 2*runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			e.planTarget(ctx, ro, j, opts.Destroy, salt)
		}()
	}
	wg.Wait()

	out := &Planned{Plan: p, files: map[string]*pending{}, reloads: map[string]func(context.Context) error{}}
	for _, j := range jobs {
		if !opts.Destroy && j.in != nil && j.plan.HasChanges() {
			j.plan.Warnings = expiryWarnings(j.addr, j.in, e.now(), cfg.ExpiryWarning)
		}
		p.Targets = append(p.Targets, j.plan)
		for path, pend := range j.pending {
			out.files[path] = pend
		}
		out.tidy = append(out.tidy, j.tidy...)
		if r, ok := j.impl.(targets.Reloader); ok && j.in != nil && !opts.Destroy && !e.SkipReload {
			in := j.in
			out.reloads[j.addr] = func(ctx context.Context) error { return r.Reload(ctx, in) }
		}
	}
	if err := checkSharedFiles(p); err != nil {
		return nil, err
	}
	return out, nil
}

// targetJob is one target to plan: from the configuration, or (removed) one
// hub still owns items for.
type targetJob struct {
	addr, typ string
	impl      targets.Target // nil when err is set
	in        *targets.Input // nil for a removed target: nothing is desired
	owned     *states.Target
	removed   bool
	err       string
	// forceReadOnly is the block's force_readonly.
	forceReadOnly bool

	plan    plans.TargetPlan
	pending map[string]*pending
	tidy    []tidyRef
}

func (e *Engine) planTarget(ctx context.Context, sys system.System, j *targetJob, destroy bool, salt []byte) {
	j.plan = plans.TargetPlan{Address: j.addr, Type: j.typ, Removed: j.removed, Error: j.err}
	j.pending = map[string]*pending{}
	if j.err != "" {
		return
	}
	var paths []string
	if !destroy && j.in != nil {
		var err error
		if paths, err = j.impl.Files(e.Env); err != nil {
			j.plan.Error = err.Error()
			return
		}
		if c, ok := j.impl.(targets.Chooser); ok {
			paths = c.Choose(paths, func(p string) bool {
				_, err := sys.ReadFile(p)
				return !errors.Is(err, fs.ErrNotExist)
			})
		}
		if n, ok := j.impl.(targets.Noter); ok {
			j.plan.Notes = n.Notes(j.in)
		}
		if n, ok := j.impl.(targets.StandingNoter); ok {
			j.plan.Standing = n.StandingNotes(j.in)
		}
	}
	for _, path := range withOwnedFiles(paths, j.owned) {
		var spec *targets.Spec
		if slices.Contains(paths, path) {
			var err error
			if spec, err = j.impl.Desired(path, j.in); err != nil {
				j.plan.Files = append(j.plan.Files, plans.FileChange{Path: path, Error: err.Error()})
				continue
			}
		}
		fc, pend := e.planFile(ctx, documentsOf(sys, j.impl, path), j.impl, path, spec, ownedFile(j.owned, path), salt)
		j.plan.Files = append(j.plan.Files, fc)
		j.tidy = append(j.tidy, tidyRef{addr: j.addr, path: path, docs: documentsOf(e.Sys, j.impl, path)})
		if pend != nil {
			pend.address, pend.typ, pend.forceReadOnly = j.addr, j.typ, j.forceReadOnly
			pend.store = documentsOf(e.Sys, j.impl, path)
			j.pending[path] = pend
		}
	}
}

// checkSharedFiles refuses two targets writing the same file: their plans
// would each be computed from the same old contents and one would undo the
// other.
func checkSharedFiles(p *plans.Plan) error {
	seen := map[string]string{}
	for _, t := range p.Targets {
		for _, f := range t.Files {
			if other, dup := seen[f.Path]; dup && other != t.Address {
				return fmt.Errorf("targets %s and %s both manage %s; give one of them another config_dir", other, t.Address, f.Path)
			}
			seen[f.Path] = t.Address
		}
	}
	return nil
}

func ownedFile(t *states.Target, path string) *states.File {
	if t == nil {
		return nil
	}
	return t.Files[path]
}

// withOwnedFiles returns paths plus the files of ot not among them, sorted
// after them.
func withOwnedFiles(paths []string, ot *states.Target) []string {
	out := append([]string(nil), paths...)
	if ot == nil {
		return out
	}
	var extra []string
	for p := range ot.Files {
		if !slices.Contains(paths, p) {
			extra = append(extra, p)
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}

// planFile compares one file's desired items (spec, nil for none), its actual
// contents and what hub owns there.
func (e *Engine) planFile(ctx context.Context, store documents, impl targets.Target, path string, spec *targets.Spec, owned *states.File, salt []byte) (plans.FileChange, *pending) {
	fc := plans.FileChange{Path: path}
	data, err := store.read(ctx, path)
	switch {
	case errors.Is(err, fs.ErrNotExist) || (err == nil && data == nil):
		data = nil
	case err != nil:
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) && pe.Path == path {
			fc.Error = err.Error() // names the file already
		} else {
			fc.Error = fmt.Sprintf("read %s: %v", path, err)
		}
		return fc, nil
	default:
		fc.Exists = true
		fc.BeforeSum = Sum(data)
	}
	if spec == nil && owned == nil {
		return fc, nil
	}
	if spec == nil && !fc.Exists {
		// Hub owned items in a file that is gone: nothing to remove.
		return fc, &pending{}
	}
	doc, err := impl.Open(path, data)
	if err != nil {
		fc.Error = fmt.Sprintf("%s: %v; hub will not touch this file until it parses", path, err)
		return fc, nil
	}
	ownedItem := func(k string) *states.Item {
		if owned == nil {
			return nil
		}
		return owned.Items[k]
	}
	var items []targets.Item
	desired := map[string]bool{}
	if spec != nil {
		items = spec.Items
		for _, it := range items {
			desired[it.Key.String()] = true
		}
		for _, c := range spec.Conflicts {
			k := c.Key.String()
			if _, present := doc.Get(c.Key); present && ownedItem(k) == nil && !desired[k] {
				fc.Error = fmt.Sprintf("%s: %s is set, and hub did not set it: %s", path, k, c.Reason)
				return fc, nil
			}
		}
	}
	var sets []targets.Item
	for _, it := range items {
		k := it.Key.String()
		oi := ownedItem(k)
		actual, present := doc.Get(it.Key)
		sensitive := it.Sensitive || (oi != nil && oi.Sensitive) || looksSecret(it.Key, it.Value)
		if oi != nil {
			if d, drifted := drift(k, actual, present, oi, salt, sensitive); drifted {
				fc.Drift = append(fc.Drift, d)
			}
		}
		ch := plans.ItemChange{Key: k, Sensitive: sensitive, AfterHash: HashValue(salt, it.Value), Origin: it.Origin}
		switch {
		case !present:
			ch.Action = plans.Create
		case equal(actual, it.Value):
			if oi != nil && oi.Hash == ch.AfterHash {
				continue
			}
			ch.Action = plans.Adopt
		default:
			ch.Action = plans.Update
			ch.Unowned = oi == nil
			if !sensitive {
				ch.Before = actual
			}
		}
		if !sensitive {
			ch.After = it.Value
		}
		fc.Changes = append(fc.Changes, ch)
		if ch.Action != plans.Adopt {
			sets = append(sets, it)
		}
	}
	var dels []targets.Key
	if owned != nil {
		for _, k := range slices.Sorted(maps.Keys(owned.Items)) {
			if desired[k] {
				continue
			}
			key, err := targets.ParseKey(k)
			if err != nil {
				fc.Error = fmt.Sprintf("state for %s: %v", path, err)
				return fc, nil
			}
			actual, present := doc.Get(key)
			if !present {
				continue
			}
			oi := owned.Items[k]
			sensitive := oi.Sensitive || looksSecret(key, actual)
			if d, drifted := drift(k, actual, present, oi, salt, sensitive); drifted {
				fc.Drift = append(fc.Drift, d)
			}
			ch := plans.ItemChange{Key: k, Action: plans.Delete, Sensitive: sensitive}
			if !sensitive {
				ch.Before = actual
			}
			fc.Changes = append(fc.Changes, ch)
			dels = append(dels, key)
		}
	}
	if len(fc.Changes) == 0 {
		if owned != nil && len(owned.Items) != len(items) {
			// Owned items already gone from the file: only the state changes.
			return fc, &pending{items: items, before: data, data: data, existed: fc.Exists}
		}
		return fc, nil
	}
	for _, it := range sets {
		if err := doc.Set(it.Key, it.Value); err != nil {
			fc.Error = fmt.Sprintf("%s: set %s: %v", path, it.Key, err)
			fc.Changes = nil
			return fc, nil
		}
	}
	for _, k := range dels {
		if err := doc.Delete(k); err != nil {
			fc.Error = fmt.Sprintf("%s: delete %s: %v", path, k, err)
			fc.Changes = nil
			return fc, nil
		}
	}
	return fc, &pending{data: doc.Bytes(), before: data, existed: fc.Exists, items: items}
}

// secretNames are item names whose values hub treats as secret even when
// nothing else says so (a value the user wrote by hand, a state from before),
// as a second line of defence.
var secretNames = regexp.MustCompile(`(?i)(token|api[_-]?keys?|api[_-]?key[_-]entries|secret|password|passwd)$`)

// envRef matches values that only name an environment variable ($VAR, ${VAR},
// {env:VAR}, os.environ/VAR, ${{ secrets.VAR }}): what key_mode = "env"
// writes; safe to show.
var envRef = regexp.MustCompile(`^(\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\}|\{env:[A-Za-z_][A-Za-z0-9_]*\}|os\.environ/[A-Za-z_][A-Za-z0-9_]*|\$\{\{ *secrets\.[A-Za-z_][A-Za-z0-9_]* *\}\})$`)

func looksSecret(k targets.Key, v any) bool {
	if s, ok := v.(string); ok && envRef.MatchString(s) {
		return false
	}
	return len(k) > 0 && secretNames.MatchString(k[len(k)-1])
}

// drift reports an owned item whose actual value is not what hub last wrote.
func drift(k string, actual any, present bool, oi *states.Item, salt []byte, sensitive bool) (plans.Drift, bool) {
	if !present {
		return plans.Drift{Key: k, Deleted: true, Sensitive: sensitive}, true
	}
	if HashValue(salt, actual) == oi.Hash {
		return plans.Drift{}, false
	}
	d := plans.Drift{Key: k, Sensitive: sensitive}
	if !sensitive {
		d.Actual = actual
	}
	return d, true
}

// Sum is the hex sha256 of data.
func Sum(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// canonical encodes a JSON-like value so that equal values encode alike
// whichever format they were read from (int64 5 and float64 5 both give 5).
func canonical(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte(fmt.Sprintf("%#v", v))
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func equal(a, b any) bool { return bytes.Equal(canonical(a), canonical(b)) }

// HashValue is the salted hash recorded for a value in state and plans.
func HashValue(salt []byte, v any) string { return secret.Hash(salt, canonical(v)) }

// Narrow returns the part of pl that concerns the targets keep: what a plan
// of only those targets gives, without planning again (hub watch leaves out
// the targets it cannot apply now).
func (pl *Planned) Narrow(keep []string) *Planned {
	want := map[string]bool{}
	for _, a := range keep {
		want[a] = true
	}
	p := *pl.Plan
	p.Filter = keep
	p.Targets = nil
	out := &Planned{Plan: &p, files: map[string]*pending{}, reloads: map[string]func(context.Context) error{}}
	for _, t := range pl.Plan.Targets {
		if want[t.Address] {
			p.Targets = append(p.Targets, t)
		}
	}
	for path, pend := range pl.files {
		if want[pend.address] {
			out.files[path] = pend
		}
	}
	for addr, r := range pl.reloads {
		if want[addr] {
			out.reloads[addr] = r
		}
	}
	for _, t := range pl.tidy {
		if want[t.addr] {
			out.tidy = append(out.tidy, t)
		}
	}
	return out
}

// tidyRef is a document of the plan, for Tidy.
type tidyRef struct {
	addr, path string
	docs       documents // seen through the writable System
}

// Tidy removes what interrupted writes left beside every document of pl
// (hub's temporary files, which may hold a key), whether or not pl changes
// the document: a crash after a write leaves its file as planned. Best
// effort; it is called with the state lock held (Op), never by a plan.
func (e *Engine) Tidy(pl *Planned) {
	for _, t := range pl.tidy {
		_ = t.docs.clean(t.path)
	}
}
