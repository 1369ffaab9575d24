package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/plans"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/telemetry"
)

// A Session runs hub's operations against one state store: the one place
// that takes the lock, loads the state, plans, applies and saves (as
// Terraform's local backend does for its operations). Commands only parse
// flags, ask for confirmation and render what a Session returns.
type Session struct {
	Engine *Engine
	Store  states.Store
	// LockTimeout is how long an operation waits for another run's lock.
	LockTimeout time.Duration
	// Who names this run in lock information ("user@host").
	Who string
	// History is the directory RecordRefresh keeps the credentials'
	// series in (telemetry.RecordHistory, beside the state: a plan never
	// reads it); "" keeps none.
	History string
}

// ErrNoLocalCopy is wrapped when a plan from the local copy of a remote
// state is asked for and there is none.
var ErrNoLocalCopy = errors.New("there is no local copy of the state yet")

// PlanState is the state a plan starts from, read without the lock: the
// store's, or with refresh false the local copy of a remote state (stale
// reports that the copy may be out of date).
func (s *Session) PlanState(ctx context.Context, refresh bool) (st *states.State, stale bool, err error) {
	synced, remote := s.Store.(*states.Synced)
	if refresh || !remote {
		st, err := s.load(ctx)
		if err != nil {
			return nil, false, err
		}
		st, _, err = s.Engine.Recover(st)
		return st, false, err
	}
	st, err = synced.Cached()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("--refresh=false: %w (%s); run hub plan once with the server reachable", ErrNoLocalCopy, synced.Cache)
	}
	if err != nil {
		return nil, false, err
	}
	st, _, err = s.Engine.Recover(st)
	return st, true, err
}

// Load reads the state without the lock (hub status, hub state show).
func (s *Session) Load(ctx context.Context) (*states.State, error) { return s.load(ctx) }

// load reads the state, saying how to work offline when a remote cannot be
// read.
func (s *Session) load(ctx context.Context) (*states.State, error) {
	st, err := s.Store.Load(ctx)
	if err != nil {
		if _, remote := s.Store.(*states.Synced); remote && !errors.Is(err, states.ErrRemoteEmpty) && !errors.Is(err, states.ErrForeignLineage) {
			return nil, fmt.Errorf("%w (hub plan --refresh=false works offline from the local copy)", err)
		}
		return nil, err
	}
	return st, nil
}

// lock takes the state lock for operation op, waiting up to timeout.
func (s *Session) lock(ctx context.Context, op string, timeout time.Duration) (func() error, error) {
	info := states.LockInfo{ID: uuid.NewString(), Operation: op, Who: s.Who, PID: os.Getpid()}
	return states.Lock(ctx, s.Store, info, timeout)
}

// An Op is one operation holding the state lock: the state as it was
// loaded, planned against and applied. Close releases the lock.
type Op struct {
	s      *Session
	ctx    context.Context
	unlock func() error
	// State is the state as loaded under the lock, with what an
	// interrupted apply wrote recovered from the journal (Engine.Recover);
	// Apply moves it on to the state saved.
	State *states.State
	// base is the state as stored, what a save merges against; recovered
	// says State holds more than it.
	base      *states.State
	recovered bool
}

// Begin takes the lock for operation op ("apply", "destroy", "watch") and
// loads the state. A held lock is waited for up to LockTimeout; past it the
// error is a *states.LockedError.
func (s *Session) Begin(ctx context.Context, op string) (*Op, error) {
	unlock, err := s.lock(ctx, op, s.LockTimeout)
	if err != nil {
		return nil, err
	}
	st, err := s.load(ctx)
	if err != nil {
		unlock()
		return nil, err
	}
	o := &Op{s: s, ctx: ctx, unlock: unlock, base: st}
	if o.State, o.recovered, err = s.Engine.Recover(st); err != nil {
		unlock()
		return nil, err
	}
	return o, nil
}

// Tidy removes what interrupted writes left beside pl's documents
// (Engine.Tidy), changed or not.
func (o *Op) Tidy(pl *Planned) { o.s.Engine.Tidy(pl) }

// Close releases the lock.
func (o *Op) Close() error {
	if o.unlock == nil {
		return nil
	}
	err := o.unlock()
	o.unlock = nil
	return err
}

// Plan plans cfg against the loaded state.
func (o *Op) Plan(cfg *config.Config, opts PlanOptions) (*Planned, error) {
	return o.s.Engine.Plan(o.ctx, cfg, o.State, opts)
}

// PlanSaved re-plans a saved plan against the loaded state and refuses it
// unless it does exactly what the saved plan said.
func (o *Op) PlanSaved(cfg *config.Config, saved *SavedPlan) (*Planned, error) {
	if err := saved.Prepare(o.State); err != nil {
		return nil, err
	}
	planned, err := o.Plan(cfg, PlanOptions{Targets: saved.Filter, Destroy: saved.Destroy})
	if err != nil {
		return nil, err
	}
	if err := saved.Match(planned.Plan); err != nil {
		return nil, err
	}
	return planned, nil
}

// Apply writes pl and saves the state it leads to, merging with another
// host's save that came meanwhile. Per-file failures are in the result
// (Err); a failure to save, after files were written, is its SaveErr.
func (o *Op) Apply(pl *Planned) (*ApplyResult, error) {
	res, err := o.s.Engine.Apply(o.ctx, pl, o.State)
	if err != nil {
		return nil, err
	}
	if res.Changed || o.recovered {
		if !res.Changed {
			res.State.Serial++
		}
		res.SaveErr = o.save(res.State)
	}
	return res, nil
}

// SaveRecovered saves the state when it holds what an interrupted apply
// wrote (recovered from the journal) and nothing else is to be applied.
func (o *Op) SaveRecovered() error {
	if !o.recovered {
		return nil
	}
	next := o.State.Clone()
	next.Serial++
	return o.save(next)
}

// save saves next, made from the loaded state by this host; once saved,
// the journal is done with.
func (o *Op) save(next *states.State) error {
	err := o.saveMerged(next)
	if err == nil {
		o.State, o.base, o.recovered = next, next, false
		o.s.Engine.clearJournal()
	}
	return err
}

func (o *Op) saveMerged(next *states.State) error {
	err := states.SaveMerged(o.ctx, o.s.Store, o.base, next, o.s.Engine.Host)
	var ce *states.ConflictError
	if errors.As(err, &ce) && ce.Section != "" {
		return fmt.Errorf("%w; the files above were written, but hub could not record them: run hub plan to see where things stand", err)
	}
	return err
}

// ApplyOptions say what Session.Apply applies.
type ApplyOptions struct {
	// Op names the operation in the lock: "apply" or "destroy".
	Op   string
	Plan PlanOptions
	// Saved, if set, is applied exactly, or refused if stale; Review is
	// not called (the plan was reviewed when it was made).
	Saved *SavedPlan
	// Review is given the fresh plan before anything is written: it shows
	// it and asks for confirmation. An error stops the operation with
	// nothing written. A plan without changes is not applied.
	Review func(p *plans.Plan) error
}

// Applied is what Session.Apply did.
type Applied struct {
	Plan   *plans.Plan
	Result *ApplyResult // nil when nothing was applied
}

// Apply runs a whole apply or destroy: lock, load, plan (or check a saved
// plan), review, apply, save, unlock.
func (s *Session) Apply(ctx context.Context, cfg *config.Config, opts ApplyOptions) (*Applied, error) {
	op, err := s.Begin(ctx, opts.Op)
	if err != nil {
		return nil, err
	}
	defer op.Close()
	var planned *Planned
	if opts.Saved != nil {
		planned, err = op.PlanSaved(cfg, opts.Saved)
	} else {
		planned, err = op.Plan(cfg, opts.Plan)
	}
	if err != nil {
		return nil, err
	}
	out := &Applied{Plan: planned.Plan}
	if opts.Saved == nil && opts.Review != nil {
		if err := opts.Review(planned.Plan); err != nil {
			return out, err
		}
	}
	if planned.Plan.Errored() {
		return out, ErrPlanErrored
	}
	// What a crashed run left beside any planned file goes, whether or not
	// the file changes now (hub watch leaves that to the files it writes).
	op.Tidy(planned)
	if !planned.Plan.HasChanges() {
		return out, op.SaveRecovered()
	}
	out.Result, err = op.Apply(planned)
	return out, err
}

// Update is a read-modify-write of the state under the lock (states.Update),
// for operations that record rather than apply (hub refresh). It waits at
// least wait for the lock, and finishes even when ctx is cancelled: what it
// records was already paid for.
func (s *Session) Update(ctx context.Context, op string, wait time.Duration, change func(*states.State) error) (*states.State, error) {
	ctx = context.WithoutCancel(ctx)
	unlock, err := s.lock(ctx, op, max(wait, s.LockTimeout))
	if err != nil {
		return nil, err
	}
	defer unlock()
	return states.Update(ctx, s.Store, change)
}

// RecordRefresh folds a refresh's results into the state under the lock
// (waiting at least 10 s for it), redoing the fold on the newest state when
// another host saved meanwhile, so both hosts' refreshes stay, and adds them
// to the series in History, kept as cfg's hub block says (creds are some or
// all of cfg's credentials; the others' series are not theirs to take). It
// returns the new records by credential id.
func (s *Session) RecordRefresh(ctx context.Context, cfg *config.Config, creds []*credential.Credential, res []telemetry.Result) (map[string]*telemetry.Record, error) {
	hist := telemetry.HistoryOptions{Dir: s.History, Retention: cfg.History.Retention,
		Configured: func(id string) bool { return cfg.Credentials[id] != nil }}
	var recs map[string]*telemetry.Record
	_, err := s.Update(ctx, "refresh", 10*time.Second, func(st *states.State) (err error) {
		recs, err = telemetry.Fold(st, creds, res)
		if err == nil && s.History != "" {
			// Under the state's lock, so two refreshes do not interleave
			// their writes of the history; a redone fold (another host
			// saved meanwhile) folds the same results, which the series
			// takes once (a point per refresh time).
			err = telemetry.RecordHistory(context.WithoutCancel(ctx), hist, st.SaltBytes(), creds, res, recs)
		}
		return err
	})
	var le *states.LockedError
	if err != nil && !errors.As(err, &le) {
		return nil, fmt.Errorf("record the refresh: %w", err)
	}
	return recs, err
}
