package states

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The protocol every command that changes the state follows: take the lock
// (waiting for another run to finish), load, change, save; and when another
// host saved meanwhile, merge or redo the change on its state instead of
// failing. It lives here once so that no command carries its own copy.

// lockPoll is how often a held lock is tried again while waiting.
var lockPoll = time.Second

// Lock takes store's lock for info's operation, trying again every second
// while another run holds it, until timeout has passed (then the last
// *LockedError is returned) or ctx ends. A store that cannot lock needs no
// lock: the returned unlock does nothing.
func Lock(ctx context.Context, store Store, info LockInfo, timeout time.Duration) (unlock func() error, err error) {
	locker, ok := store.(Locker)
	if !ok {
		return func() error { return nil }, nil
	}
	deadline := time.Now().Add(timeout)
	for {
		unlock, err := locker.Lock(ctx, info)
		var le *LockedError
		if !errors.As(err, &le) || !time.Now().Before(deadline) {
			return unlock, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(min(lockPoll, time.Until(deadline))):
		}
	}
}

// maxAttempts bounds how often a save is redone after another host's save.
const maxAttempts = 4

// SaveMerged saves next, which this run made from base for host. When
// another host saved meanwhile (same lineage), its writes are in other
// sections: the stored state is read again, host's section and the shared
// sections this run changed are laid over it (Merge), and the save is tried
// again. A change to the same section, or another lineage, is refused.
func SaveMerged(ctx context.Context, store Store, base, next *State, host string) error {
	for attempt := 1; ; attempt++ {
		err := store.Save(ctx, next)
		if !sameLineageConflict(err) || attempt == maxAttempts {
			return err
		}
		remote, lerr := store.Load(ctx)
		if lerr != nil {
			return fmt.Errorf("%w; reading it again to merge: %v", err, lerr)
		}
		merged, merr := Merge(base, next, remote, host, store.Describe())
		if merr != nil {
			return merr
		}
		base, next = remote, merged
	}
}

// ErrUnchanged is returned by an Update function that changed nothing: the
// state is not saved.
var ErrUnchanged = errors.New("states: unchanged")

// Update is a read-modify-write of the stored state: it loads the state,
// lets change alter it, and saves it with the next serial. When another
// host saved meanwhile, change runs again on the newest state, so both
// hosts' writes stay. change returning ErrUnchanged skips the save; any
// other error stops the update. The caller holds the lock. Update returns
// the state as saved (or as loaded, when unchanged).
func Update(ctx context.Context, store Store, change func(*State) error) (*State, error) {
	for attempt := 1; ; attempt++ {
		st, err := store.Load(ctx)
		if err != nil {
			return nil, err
		}
		if err := change(st); errors.Is(err, ErrUnchanged) {
			return st, nil
		} else if err != nil {
			return nil, err
		}
		st.Serial++
		err = store.Save(ctx, st)
		if err == nil {
			return st, nil
		}
		if !sameLineageConflict(err) || attempt == maxAttempts {
			return nil, err
		}
	}
}

// sameLineageConflict reports whether err is another save of the same
// state having come first: one that a merge or a redo can get past.
func sameLineageConflict(err error) bool {
	var ce *ConflictError
	return errors.As(err, &ce) && ce.WantLineage == ce.HaveLineage && ce.Section == ""
}
