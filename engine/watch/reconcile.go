package watch

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/plans"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/engine/telemetry"
)

// RefreshedModels is the path of the synthetic change a telemetry refresh
// sends into the loop (Poker.Poke) when it found other models: targets that
// pick their model from a credential must be planned again.
const RefreshedModels = "\x00hub:refreshed-models"

// Drift policies: what a round does with a target whose owned values were
// changed outside hub.
const (
	DriftWarn   = "warn"   // report once, leave the target alone
	DriftRevert = "revert" // put hub's values back
)

// A Reconciler is hub watch's controller: each Round loads the
// configuration, plans, leaves out the targets it cannot apply now, applies
// the rest through the operation layer and says what happened; between
// rounds it remembers what hub wrote, so that its own writes start no new
// round (Filter), drift is reported once, and the right directories are
// watched (Dirs). It never prints.
type Reconciler struct {
	// Dir is the configuration directory, absolute.
	Dir string
	// Load is the configuration's load options; Dir and Cache are set by
	// the Reconciler.
	Load config.Options
	// Session opens the operation layer for a configuration.
	Session func(cfg *config.Config) (*engine.Session, error)
	// Targets limits the rounds to these addresses (none: all).
	Targets []string
	// OnDrift is DriftWarn or DriftRevert.
	OnDrift string

	mu      sync.Mutex
	inputs  map[string]bool   // configuration files and files it reads
	managed map[string]string // managed file → the sum hub last wrote ("" if none)
	dirs    map[string]bool   // directories watched
	drifted map[string]bool   // path + "\x00" + sum, reported already
	secrets map[string]bool   // handed out in Round.Secrets already
	parsed  *config.ParseCache
	lastCfg *config.Config    // the last configuration planned, for refreshes
	health  map[string]string // credential → health at the last refresh

	// stateMu keeps a round and a telemetry refresh from contending for the
	// state lock inside this process.
	stateMu sync.Mutex
	local   *states.FileStore // the local store, kept between rounds
}

// NewReconciler returns a Reconciler for the configuration in dir.
func NewReconciler(dir string) *Reconciler {
	return &Reconciler{Dir: dir, OnDrift: DriftWarn,
		inputs: map[string]bool{}, managed: map[string]string{}, dirs: map[string]bool{}, drifted: map[string]bool{},
		secrets: map[string]bool{}, health: map[string]string{}, parsed: config.NewParseCache()}
}

// EventKind says what an Event reports.
type EventKind int

const (
	// PlanFailed: the target (or one of its files) could not be planned;
	// it was left out of the round.
	PlanFailed EventKind = iota
	// Drifted: owned values were changed outside hub (reported once per
	// contents of the file); Action says what the round did.
	Drifted
	// Wrote: a file was written.
	Wrote
	// Reloaded: the target's tool was told to reload.
	Reloaded
)

// An Event is one thing a round did or found, in plan order.
type Event struct {
	Kind    EventKind
	Target  string
	Path    string   // the file, where one is concerned
	Message string   // PlanFailed: why
	Keys    []string // Drifted: the keys changed, sorted
	Action  string   // Drifted: DriftWarn or DriftRevert
	Backup  string   // Wrote: the backup made before the write, if any
	Items   int      // Wrote: items changed in the file
}

// A Round is what one round found and did.
type Round struct {
	// Secrets are secret values the configuration holds that no earlier
	// round handed out: give them to the redactor before printing anything.
	Secrets []string
	// Diags and Files are the configuration's diagnostics and sources.
	Diags hcl.Diagnostics
	Files map[string]*hcl.File
	// ConfigErr is set when the configuration has errors: nothing was
	// planned or written.
	ConfigErr bool
	Events    []Event
	// Warnings are problems that did not stop the round (a directory that
	// could not be watched), and the plan's warnings of the targets it
	// wrote (a key that has expired or expires soon).
	Warnings []error
}

// ErrStateNotSaved is wrapped when files were written but the state that
// records them could not be saved.
var ErrStateNotSaved = errors.New("the files above were written but the state could not be saved")

// Round runs one round. want is told the directories to watch (those of the
// configuration and of every managed file). The error is what stopped the
// round or failed in it (a lock held too long is a *states.LockedError);
// what happened before that is in the Round all the same.
func (r *Reconciler) Round(ctx context.Context, want func(dirs []string) error) (*Round, error) {
	out := &Round{}
	cfg, err := r.load(out)
	if err != nil {
		r.watchDirs(out, want)
		return out, err
	}
	sess, err := r.session(cfg)
	if err != nil {
		return out, err
	}
	r.stateMu.Lock()
	defer r.stateMu.Unlock()
	op, err := sess.Begin(ctx, "watch")
	if err != nil {
		return out, err
	}
	defer op.Close()
	planned, err := op.Plan(cfg, engine.PlanOptions{Targets: r.Targets})
	if err != nil {
		return out, err
	}
	r.mu.Lock()
	r.lastCfg = cfg
	r.mu.Unlock()
	r.remember(planned.Plan, op.State, sess.Engine.Host, true)
	r.watchDirs(out, want)

	// Leave out targets that cannot be applied now: those whose plan failed,
	// and under DriftWarn those with drift.
	var keep []string
	skipped := false
	for _, t := range planned.Plan.Targets {
		skip := false
		for _, fc := range t.Files {
			if fc.Error != "" {
				out.Events = append(out.Events, Event{Kind: PlanFailed, Target: t.Address, Path: fc.Path, Message: fc.Error})
				skip = true
			}
			if len(fc.Drift) > 0 {
				if ev, fresh := r.drift(t.Address, fc); fresh {
					out.Events = append(out.Events, ev)
				}
				skip = skip || r.OnDrift != DriftRevert
			}
		}
		if t.Error != "" {
			out.Events = append(out.Events, Event{Kind: PlanFailed, Target: t.Address, Message: t.Error})
			skip = true
		}
		if skip {
			skipped = true
		} else {
			keep = append(keep, t.Address)
		}
	}
	if skipped {
		if len(keep) == 0 {
			return out, nil
		}
		planned = planned.Narrow(keep)
	}
	if !planned.Plan.HasChanges() {
		return out, nil
	}
	res, err := op.Apply(planned)
	if err != nil {
		return out, err
	}
	if res.Changed && res.SaveErr == nil {
		r.remember(planned.Plan, res.State, sess.Engine.Host, false)
	}
	out.Events = append(out.Events, written(planned.Plan, res)...)
	// What the plan warned of before writing (a key past or near its
	// expiry), once per round that writes the target.
	for _, t := range planned.Plan.Targets {
		for _, w := range t.Warnings {
			out.Warnings = append(out.Warnings, errors.New(w))
		}
	}
	if err := res.Err(); err != nil {
		return out, err
	}
	if res.SaveErr != nil {
		return out, fmt.Errorf("%w: %w", ErrStateNotSaved, res.SaveErr)
	}
	return out, nil
}

// load loads the configuration with the parse cache: only the blocks that
// changed since the last round are parsed again.
func (r *Reconciler) load(out *Round) (*config.Config, error) {
	opts := r.Load
	opts.Dir, opts.Cache = r.Dir, r.parsed
	cfg, diags := config.Load(opts)
	for _, s := range cfg.Secrets {
		if !r.secrets[s] {
			r.secrets[s] = true
			out.Secrets = append(out.Secrets, s)
		}
	}
	out.Diags, out.Files = diags, cfg.Files
	r.mu.Lock()
	clear(r.inputs)
	for _, n := range cfg.FileNames {
		if abs, err := filepath.Abs(n); err == nil {
			r.inputs[abs] = true
		}
	}
	r.mu.Unlock()
	if diags.HasErrors() {
		out.ConfigErr = true
		return cfg, errors.New("the configuration has errors")
	}
	return cfg, nil
}

// session opens the operation layer. The local store is kept from one
// round to the next: it does not parse the state again while the file
// holds what it last read or wrote.
func (r *Reconciler) session(cfg *config.Config) (*engine.Session, error) {
	sess, err := r.Session(cfg)
	if err != nil {
		return nil, err
	}
	if fs, ok := sess.Store.(*states.FileStore); ok {
		if r.local != nil && r.local.Path == fs.Path {
			sess.Store = r.local
		} else {
			r.local = fs
		}
	}
	return sess, nil
}

// Filter keeps the changes that matter: configuration files, a watched
// directory that (re)appeared, a refresh's poke, and managed files whose
// contents are not what hub last wrote. hub's own writes are dropped here.
func (r *Reconciler) Filter(paths []string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, p := range paths {
		switch sum, managed := r.managed[p]; {
		case p == RefreshedModels, r.dirs[p], r.inputs[p]:
		case filepath.Dir(p) == r.Dir && strings.HasSuffix(p, ".hcl"):
		case managed:
			if b, err := system.ReadFile(context.Background(), p); err == nil && sum != "" && engine.Sum(b) == sum {
				continue
			}
		default:
			continue
		}
		out = append(out, p)
	}
	return out
}

// remember records the managed files of p and the sums hub last wrote to
// them according to st; reset forgets the files of earlier rounds first.
func (r *Reconciler) remember(p *plans.Plan, st *states.State, host string, reset bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if reset {
		clear(r.managed)
	}
	var h *states.Host
	if st != nil {
		h = st.Hosts[host]
	}
	for _, t := range p.Targets {
		for _, fc := range t.Files {
			sum := ""
			if h != nil {
				if ts := h.Targets[t.Address]; ts != nil {
					if sf := ts.Files[fc.Path]; sf != nil {
						sum = sf.Sum
					}
				}
			}
			r.managed[fc.Path] = sum
		}
	}
}

// watchDirs asks want for the configuration directory and the directories
// of the configuration's inputs and of the managed files.
func (r *Reconciler) watchDirs(out *Round, want func([]string) error) {
	r.mu.Lock()
	set := map[string]bool{r.Dir: true}
	for p := range r.inputs {
		set[filepath.Dir(p)] = true
	}
	for p := range r.managed {
		set[filepath.Dir(p)] = true
	}
	clear(r.dirs)
	var dirs []string
	for d := range set {
		r.dirs[d] = true
		dirs = append(dirs, d)
	}
	r.mu.Unlock()
	sort.Strings(dirs)
	if want == nil {
		return
	}
	if err := want(dirs); err != nil {
		out.Warnings = append(out.Warnings, err)
	}
}

// drift returns the event for a file's drift, fresh only the first time
// the file has these contents.
func (r *Reconciler) drift(addr string, fc plans.FileChange) (Event, bool) {
	key := fc.Path + "\x00" + fc.BeforeSum
	r.mu.Lock()
	seen := r.drifted[key]
	r.drifted[key] = true
	r.mu.Unlock()
	var keys []string
	for _, d := range fc.Drift {
		keys = append(keys, d.Key)
	}
	slices.Sort(keys)
	action := DriftWarn
	if r.OnDrift == DriftRevert {
		action = DriftRevert
	}
	return Event{Kind: Drifted, Target: addr, Path: fc.Path, Keys: keys, Action: action}, !seen
}

// written lists the files an apply wrote and the tools it reloaded, each
// target's reload after its files.
func written(p *plans.Plan, res *engine.ApplyResult) []Event {
	files := res.Files(p)
	var out []Event
	for _, t := range res.Targets {
		for ; len(files) > 0 && files[0].Target == t.Address; files = files[1:] {
			if f := files[0]; f.Err == nil {
				out = append(out, Event{Kind: Wrote, Target: f.Target, Path: f.Path, Backup: f.Backup, Items: f.Items})
			}
		}
		if t.ReloadErr == nil && t.Reloaded {
			out = append(out, Event{Kind: Reloaded, Target: t.Address})
		}
	}
	return out
}

// A HealthChange is a credential whose health differs from the last
// refresh's (or is not healthy at the first).
type HealthChange struct {
	Credential string
	Health     telemetry.Health
}

// A Refreshed is what one scheduled refresh found.
type Refreshed struct {
	Credentials int            // credentials recorded
	Counts      map[string]int // by health status
	Changes     []HealthChange // in credential order
	// NewModels is set when a credential that lists no models was found to
	// have other ones: targets that pick their model from it must be
	// planned again (Poker.Poke).
	NewModels bool
}

// Refresh refreshes the telemetry of every credential of the last
// configuration planned (nothing before the first round): the network work
// outside any lock, then the records saved as hub refresh saves them, in
// step with rounds. A refresh cut off by ctx records nothing and returns
// nil, nil.
func (r *Reconciler) Refresh(ctx context.Context, o telemetry.Options) (*Refreshed, error) {
	r.mu.Lock()
	cfg := r.lastCfg
	r.mu.Unlock()
	if cfg == nil || len(cfg.Credentials) == 0 {
		return nil, nil
	}
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range cfg.Credentials {
			if !yield(id) {
				return
			}
		}
	})
	creds := make([]*credential.Credential, len(ids))
	for i, id := range ids {
		creds[i] = cfg.Credentials[id]
	}
	res := telemetry.Refresh(ctx, creds, o)
	if ctx.Err() != nil {
		return nil, nil // stopping: a watch ends without recording a cut-off refresh
	}
	sess, err := r.session(cfg)
	if err != nil {
		return nil, err
	}
	r.stateMu.Lock()
	recs, err := sess.RecordRefresh(ctx, cfg, creds, res)
	r.stateMu.Unlock()
	if err != nil {
		return nil, err
	}
	out := &Refreshed{Credentials: len(recs), Counts: map[string]int{}}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		rec := recs[id]
		if rec == nil {
			continue
		}
		out.Counts[rec.Health.Status]++
		if prev, seen := r.health[id]; seen && prev != rec.Health.Status || !seen && rec.Health.Status != telemetry.Healthy {
			out.Changes = append(out.Changes, HealthChange{Credential: id, Health: rec.Health})
		}
		r.health[id] = rec.Health.Status
		// What the refresh found may now give targets another model (a
		// credential that lists none), or a panel channel that follows its
		// key's upstream (sync_models) another list.
		c := cfg.Credentials[id]
		if !slices.Equal(c.Discovered, rec.Models) {
			out.NewModels = true
		}
	}
	return out, nil
}
