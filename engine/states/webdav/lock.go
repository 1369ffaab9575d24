package webdav

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/hubctl/hub/engine/states"
)

// LockError is a *states.LockedError (errors.As finds it) that says whether
// the lock looks stale and how to break it. hub never breaks a lock by
// itself: a run that is merely slow would lose it.
type LockError struct {
	*states.LockedError
	Stale bool
	TTL   time.Duration
	// Object is the lock object's URL, for locks that cannot be read.
	Object string
}

func (e *LockError) Unwrap() error { return e.LockedError }

func (e *LockError) Error() string {
	msg := e.LockedError.Error()
	switch {
	case e.Holder == nil:
		return msg + fmt.Sprintf("; its lock object %s cannot be read: if no hub run is using this state, delete it on the server", e.Object)
	case e.Stale:
		return msg + fmt.Sprintf("; the lock is older than %s, so its run may have died: if no hub run is using this state, break it with hub state unlock %s", e.TTL, e.Holder.ID)
	default:
		return msg + fmt.Sprintf("; wait for that run to finish (if it died, hub state unlock %s breaks the lock)", e.Holder.ID)
	}
}

// lockObject is the lock as read from the server.
type lockObject struct {
	found  bool
	holder *states.LockInfo // nil if unreadable
	etag   string
}

func (s *Store) readLock(ctx context.Context) (*lockObject, error) {
	r, found, err := s.c.get(ctx, s.lock)
	if err != nil {
		return nil, err
	}
	if !found {
		return &lockObject{}, nil
	}
	lo := &lockObject{found: true, etag: r.etag()}
	var info states.LockInfo
	if json.Unmarshal(r.body, &info) == nil && info.ID != "" {
		lo.holder = &info
	}
	return lo, nil
}

func (s *Store) lockedError(lo *lockObject) error {
	e := &LockError{LockedError: &states.LockedError{Where: s.Describe(), Holder: lo.holder}, TTL: s.ttl, Object: s.c.url(s.lock).String()}
	if lo.holder != nil && !lo.holder.Created.IsZero() && s.now().Sub(lo.holder.Created) > s.ttl {
		e.Stale = true
	}
	return e
}

// Lock implements states.Locker with a lock object beside the document
// (<document>.lock, holding the LockInfo as JSON), created only if absent.
// The check and the creation happen under the write mutex, so two hosts
// taking the lock at once cannot both succeed even on servers that ignore
// If-None-Match (sent all the same); the object is read back to confirm it
// holds this lock's ID. Six requests; the unlock function takes two.
func (s *Store) Lock(ctx context.Context, info states.LockInfo) (func() error, error) {
	if info.ID == "" {
		info.ID = uuid.NewString()
	}
	if info.Created.IsZero() {
		info.Created = s.now()
	}
	body, err := json.Marshal(info)
	if err != nil {
		return nil, err
	}
	m, err := s.acquire(ctx, body)
	if err != nil {
		return nil, err
	}
	defer m.release(ctx)
	lo, err := s.readLock(ctx)
	if err != nil {
		return nil, err
	}
	if lo.found {
		return nil, s.lockedError(lo)
	}
	// Repeating the PUT is harmless: the read-back decides.
	r, putErr := s.c.put(ctx, s.lock, body, http.Header{"If-None-Match": {"*"}}, true)
	if putErr == nil && !r.ok() && r.status != http.StatusPreconditionFailed {
		return nil, s.c.statusError(http.MethodPut, s.lock, r)
	}
	lo, err = s.readLock(ctx)
	if err != nil {
		if putErr != nil {
			return nil, putErr
		}
		return nil, err
	}
	switch {
	case lo.found && lo.holder != nil && lo.holder.ID == info.ID:
		return func() error { return s.release(context.WithoutCancel(ctx), info.ID) }, nil
	case lo.found && lo.holder == nil && putErr == nil && r.ok():
		// This run's upload arrived damaged: take it away again.
		_, _ = s.c.remove(ctx, s.lock, nil)
		e := s.c.fail(http.MethodGet, s.lock, 0, errors.New("the lock object read back damaged"))
		e.Hint = "the upload did not arrive whole: retry"
		return nil, e
	case lo.found:
		return nil, s.lockedError(lo)
	case putErr != nil:
		return nil, putErr
	}
	e := s.c.fail(http.MethodPut, s.lock, 0, errors.New("the lock object vanished right after it was written"))
	e.Hint = "another client removed it: retry"
	return nil, e
}

// release deletes the lock object if it still holds id.
func (s *Store) release(ctx context.Context, id string) error {
	lo, err := s.readLock(ctx)
	if err != nil {
		return err
	}
	switch {
	case !lo.found:
		return fmt.Errorf("the lock %s on %s was removed while this run held it (hub state unlock?)", id, s.Describe())
	case lo.holder == nil || lo.holder.ID != id:
		return fmt.Errorf("the lock on %s is no longer this run's (%s): %s; it was left in place", s.Describe(), id, s.holderText(lo))
	}
	return s.deleteLock(ctx, lo)
}

func (s *Store) holderText(lo *lockObject) string {
	if lo.holder == nil {
		return "its lock object cannot be read"
	}
	h := lo.holder
	return fmt.Sprintf("it is held by lock ID %s (%s by %s, pid %d, since %s)", h.ID, h.Operation, h.Who, h.PID, h.Created.Format(time.RFC3339))
}

func (s *Store) deleteLock(ctx context.Context, lo *lockObject) error {
	var hdr http.Header
	if lo.etag != "" && lo.etag[0] == '"' {
		hdr = http.Header{"If-Match": {lo.etag}}
	}
	r, err := s.c.remove(ctx, s.lock, hdr)
	if err != nil && r != nil && r.status == http.StatusPreconditionFailed {
		return fmt.Errorf("the lock on %s changed while hub removed it; it was left in place: run the command again", s.Describe())
	}
	return err
}

// ForceUnlock implements states.ForceUnlocker: it deletes the lock object
// only if it holds id, so a lock taken since is never broken.
func (s *Store) ForceUnlock(ctx context.Context, id string) error {
	lo, err := s.readLock(ctx)
	if err != nil {
		return err
	}
	switch {
	case !lo.found:
		return fmt.Errorf("%s is not locked: there is no lock %s to remove", s.Describe(), id)
	case lo.holder == nil:
		return fmt.Errorf("the lock object %s cannot be read, so hub cannot tell its ID: if no hub run is using this state, delete it on the server", s.c.url(s.lock))
	case lo.holder.ID != id:
		return fmt.Errorf("the lock on %s is not %s: %s; it was left in place", s.Describe(), id, s.holderText(lo))
	}
	return s.deleteLock(ctx, lo)
}
