package webdav

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hubctl/hub/engine/states"
)

// A write goes like this (8 requests once the history is full):
//
//  1. PUT the new version to <doc>.writing/<name>.hub-tmp-<time>-<random>:
//     the upload, which is also this writer's token for the write mutex.
//  2. PROPFIND (Depth 1) <doc>.writing/: the writer holds the mutex if its
//     token is alone there (see mutex.go).
//  3. GET the document: the re-read; the guard refuses a conflicting write.
//  4. PUT the previous version to the history folder.
//  5. GET the upload back and compare it byte for byte.
//  6. MOVE it over the document (Overwrite: T), which also releases the
//     mutex.
//  7. PROPFIND (Depth 1) the history folder and DELETE the oldest version.
//
// Where MOVE cannot replace the document (Nutstore answers 409), the
// document is PUT directly instead, with If-Match where the server gave a
// strong ETag, and read back; a damaged result is replaced by the previous
// version again.

// write stores body, as states.DocStore encoded it, with g judging what
// the server holds.
func (s *Store) write(ctx context.Context, body []byte, g *states.Guard) error {
	replaced, err := s.replace(ctx, body, g)
	if err != nil {
		return err
	}
	// The new state is stored and the mutex released: pruning is best
	// effort and never fails the save (a caller would retry a save that did
	// happen).
	if replaced && s.keep > 0 {
		s.prune(ctx)
	}
	return nil
}

// replace does the part of a write that holds the mutex. replaced reports
// whether there was a document before.
func (s *Store) replace(ctx context.Context, body []byte, g *states.Guard) (replaced bool, err error) {
	s.mu.Lock()
	direct := s.directPut
	s.mu.Unlock()

	m, err := s.acquire(ctx, body)
	if err != nil {
		return false, err
	}
	moved := false
	defer func() {
		if !moved {
			m.release(ctx)
		}
	}()

	prev, err := s.read(ctx)
	if err != nil {
		return false, err
	}
	if err := g.Check(s.stored(prev)); err != nil {
		return false, err
	}
	if err := s.keepHistory(ctx, prev, g); err != nil {
		return false, err
	}
	now := prev // what the server holds, for a direct PUT
	if !direct {
		// Read back just before the document is replaced: this also checks
		// that the mutex still holds this run's upload.
		if err := s.verify(ctx, m.token, body); err != nil {
			var e *Error
			if errors.As(err, &e) && missing(e.Status) {
				m.lost = true
				return false, s.tookOver(http.MethodGet, m.token)
			}
			return false, err
		}
		if err := m.inBudget("MOVE"); err != nil {
			return false, err
		}
		done, fallback, after, err := s.move(ctx, m.token, body, prev, g)
		var e *Error
		switch {
		case errors.As(err, &e) && e.Method == "MOVE" && e.Status == http.StatusNotFound:
			m.lost = true
			return false, s.tookOver("MOVE", m.token)
		case err != nil:
			return false, err
		case done:
			moved = true
			return prev.found, nil
		case !fallback:
			return false, errors.New("webdav: internal error: MOVE neither done nor failed")
		}
		s.mu.Lock()
		s.directPut = true
		s.mu.Unlock()
		now = after
	}
	if err := m.inBudget(http.MethodPut); err != nil {
		return false, err
	}
	if err := s.putDirect(ctx, body, now, prev, g); err != nil {
		return false, err
	}
	return prev.found, nil
}

func (s *Store) tookOver(method, rel string) error {
	e := s.c.fail(method, rel, 0, errTookOver)
	e.Hint = "the stored state is unchanged by this run: run the command again"
	return e
}

// verify reads rel back and compares it with body.
func (s *Store) verify(ctx context.Context, rel string, body []byte) error {
	r, found, err := s.c.get(ctx, rel)
	if err != nil {
		return err
	}
	if !found {
		e := s.c.statusError(http.MethodGet, rel, r)
		e.Hint = "the upload vanished right after the server accepted it: retry; the stored state is unchanged"
		return e
	}
	if !bytes.Equal(r.body, body) {
		e := s.c.fail(http.MethodGet, rel, 0, fmt.Errorf("read back %d bytes that differ from the %d uploaded", len(r.body), len(body)))
		e.Hint = "the upload did not arrive whole (a half-finished upload): retry; the stored state is unchanged"
		return e
	}
	return nil
}

// moveFallback reports a MOVE failure after which the document may be
// written directly: servers whose MOVE cannot overwrite (Nutstore: 409,
// cstcloud: 500), does not exist (405, 501), is refused (403), or breaks
// behind a proxy that rewrites the Host (x/net/webdav: 502).
func moveFallback(status int) bool {
	switch status {
	case http.StatusForbidden, http.StatusMethodNotAllowed, http.StatusConflict,
		http.StatusInternalServerError, http.StatusNotImplemented, http.StatusBadGateway:
		return true
	}
	return false
}

// move MOVEs tmp over the document. The MOVE carries no If-Match: a server
// would compare it with the upload (the request's target), not the
// document; the mutex does that job. It is not repeated blindly: after a
// failure the document is read again to learn what happened.
func (s *Store) move(ctx context.Context, tmp string, body []byte, prev *current, g *states.Guard) (done, fallback bool, after *current, err error) {
	r, moveErr := s.c.move(ctx, tmp, s.doc)
	switch {
	case moveErr == nil && r.ok():
		return true, false, nil, nil
	case moveErr == nil && r.status == http.StatusNotFound:
		// The upload is gone: the mutex was broken (write reports it).
		return false, false, nil, s.c.statusError("MOVE", tmp, r)
	}
	after, err = s.read(ctx)
	if err != nil {
		if moveErr != nil {
			return false, false, nil, moveErr
		}
		return false, false, nil, err
	}
	if after.found && bytes.Equal(after.raw, body) {
		// It moved after all (its answer was lost); should the server
		// have kept the source, it must not hold up other writers.
		_, _ = s.c.remove(context.WithoutCancel(ctx), tmp, nil)
		return true, false, after, nil
	}
	if prev.found && !after.found {
		// The failed MOVE deleted the document (x/net/webdav deletes the
		// destination before it renames): this run holds the mutex, so it
		// writes the document directly.
		return false, true, after, nil
	}
	if !after.same(prev) {
		if err := g.Conflict(s.stored(after)); err != nil {
			return false, false, nil, err
		}
		e := s.c.fail("MOVE", tmp, 0, errors.New("the document changed while hub replaced it"))
		e.Hint = "another client wrote it meanwhile: run the command again"
		return false, false, nil, e
	}
	if moveErr != nil {
		return false, false, nil, addHint(moveErr, "the stored state is unchanged")
	}
	if moveFallback(r.status) {
		return false, true, after, nil
	}
	return false, false, nil, addHint(s.c.statusError("MOVE", tmp, r), "the stored state is unchanged")
}

// putDirect PUTs body on the document, conditionally where the server
// honours it (If-Match with the ETag of cur, what the server holds now, or
// If-None-Match: * when it holds nothing), reads it back, and puts prev,
// the version this save replaces, back if the upload did not arrive whole.
func (s *Store) putDirect(ctx context.Context, body []byte, cur, prev *current, g *states.Guard) error {
	hdr := http.Header{}
	if !g.Force {
		switch {
		case !cur.found:
			hdr.Set("If-None-Match", "*")
		case cur.etag != "" && !strings.HasPrefix(cur.etag, "W/"):
			hdr.Set("If-Match", cur.etag) // weak ETags never match If-Match
		}
	}
	r, err := s.c.putOnce(ctx, s.doc, body, hdr, false)
	if err == nil && r.status == http.StatusPreconditionFailed {
		after, rerr := s.read(ctx)
		if rerr == nil {
			if err := g.Conflict(s.stored(after)); err != nil {
				return err
			}
		}
		return s.c.statusError(http.MethodPut, s.doc, r)
	}
	if err == nil && !r.ok() {
		err = s.c.statusError(http.MethodPut, s.doc, r)
	}
	if err == nil {
		err = s.verify(ctx, s.doc, body)
	}
	if err == nil {
		return nil
	}
	// The PUT failed or did not arrive whole: make sure the server holds
	// either this version or the previous one, never a damaged document.
	after, rerr := s.read(ctx)
	var conflict error // another client wrote meanwhile
	if rerr == nil && !after.same(cur) {
		conflict = g.Conflict(s.stored(after))
	}
	switch {
	case rerr != nil:
		return addHint(err, fmt.Sprintf("the document may be damaged: check it, its previous version is in %s/ on the server", s.history))
	case after.found && bytes.Equal(after.raw, body):
		return nil // it arrived after all
	case after.same(prev):
		return addHint(err, "the stored state is unchanged")
	case conflict != nil:
		return conflict
	case prev.found:
		if rr, perr := s.c.putOnce(context.WithoutCancel(ctx), s.doc, prev.raw, nil, true); perr == nil && rr.ok() {
			return addHint(err, "the previous state was put back")
		}
		return addHint(err, fmt.Sprintf("the document may be damaged: its previous version is in %s/ on the server", s.history))
	default:
		_, _ = s.c.remove(context.WithoutCancel(ctx), s.doc, nil)
		return addHint(err, "the damaged upload was removed; no state is stored")
	}
}

func addHint(err error, hint string) error {
	var e *Error
	if errors.As(err, &e) {
		if e.Hint != "" {
			e.Hint += "; "
		}
		e.Hint += hint
	}
	return err
}

// historyTime formats the time in history names; it sorts as text.
const historyTime = "20060102T150405.000Z"

func (s *Store) stemExt() (string, string) {
	base := path.Base(s.doc)
	ext := path.Ext(base)
	if ext == "" {
		ext = ".json"
	}
	return strings.TrimSuffix(base, path.Ext(base)), ext
}

// keepHistory stores prev, as stored (encoded), in the history folder as
// <stem>-<serial>-<time><ext>.
func (s *Store) keepHistory(ctx context.Context, prev *current, g *states.Guard) error {
	if !prev.found || s.keep <= 0 {
		return nil
	}
	stem, ext := s.stemExt()
	serial := "x" // unreadable: kept all the same
	if n, ok := g.Serial(s.stored(prev)); ok {
		serial = strconv.FormatUint(n, 10)
	}
	name := path.Join(s.history, fmt.Sprintf("%s-%s-%s%s", stem, serial, s.now().UTC().Format(historyTime), ext))
	r, err := s.c.put(ctx, name, prev.raw, nil, true)
	if err == nil && !r.ok() {
		err = s.c.statusError(http.MethodPut, name, r)
	}
	return addHint(err, "could not keep the previous version; the stored state is unchanged")
}

type snapshot struct{ name, time string }

// prune deletes all but the newest History snapshots.
func (s *Store) prune(ctx context.Context) {
	entries, _, found, err := s.c.list(ctx, s.history+"/")
	if err != nil || !found {
		return
	}
	stem, ext := s.stemExt()
	var snaps []snapshot
	for _, e := range entries {
		if e.collection {
			continue
		}
		rest, ok := strings.CutPrefix(e.name, stem+"-")
		if !ok {
			continue
		}
		if rest, ok = strings.CutSuffix(rest, ext); !ok {
			continue
		}
		_, tm, ok := strings.Cut(rest, "-")
		if !ok {
			continue
		}
		if _, err := time.Parse(historyTime, tm); err != nil {
			continue
		}
		snaps = append(snaps, snapshot{e.name, tm})
	}
	if len(snaps) <= s.keep {
		return
	}
	slices.SortFunc(snaps, func(a, b snapshot) int {
		if c := strings.Compare(b.time, a.time); c != 0 {
			return c
		}
		return strings.Compare(b.name, a.name)
	})
	for _, old := range snaps[s.keep:] {
		if _, err := s.c.remove(ctx, path.Join(s.history, old.name), nil); err != nil {
			return
		}
	}
}
