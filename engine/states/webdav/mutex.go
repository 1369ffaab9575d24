package webdav

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

// The write mutex keeps two hub runs from replacing the document at once,
// on any server. Servers differ in what they do atomically: MKCOL on an
// existing folder is refused by Apache (405, or 403 to the loser of a
// race), SabreDAV and x/net/webdav, but succeeds on rclone (201); most
// servers ignore If-None-Match. So the mutex relies only on a finished PUT
// being visible to a PROPFIND that starts after it:
//
//   - a writer PUTs a token with a name of its own into <doc>.writing/ (for
//     a save the token is the new document, to be moved into place), then
//     lists that folder (PROPFIND Depth 1);
//   - if its token is alone there, it holds the mutex; otherwise it deletes
//     its token, waits a random while and tries again. Of two writers, the
//     one that lists second sees the other's token, so both cannot go on
//     (both may back off, and try again at different times);
//   - the holder releases it by moving its token onto the document, or
//     deleting it.
//
// A token older than the grace period (3×Timeout + 1s, measured on the
// server's clock where the listing gives one) belongs to a run that died
// or stalled, and is deleted by the next writer. A holder never replaces
// the document after its budget (2×Timeout after it uploaded its token),
// so no live writer is overtaken; and deleting its token (its upload) stops
// it at its read-back. (The MOVE itself is no fence: x/net/webdav, and so
// rclone, deletes the destination before it notices that the source is
// missing.)

// errTookOver means the mutex was broken while this run held it.
var errTookOver = errors.New("another hub run took over this run's write lock (this run took longer than the timeout)")

// abandoned holds the URLs of tokens this process could not delete (the
// server went away): no write of its own uses them any more, so its later
// writes delete them at once instead of waiting for them to go stale.
var abandoned sync.Map

// pollBase is the first pause before trying the mutex again; it grows to
// 16 times that, with jitter.
var pollBase = 200 * time.Millisecond

const tokenInfix = ".hub-tmp-"

type mutex struct {
	s     *Store
	token string    // path below the server URL
	took  time.Time // just before the token was uploaded
	lost  bool      // the token is gone: someone broke the mutex
}

// tokenName is a fresh token name; its time only helps a reader of the
// server's folder.
func (s *Store) tokenName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%s%s%d-%s", s.writing, path.Base(s.doc), tokenInfix, s.now().Unix(), hex.EncodeToString(b))
}

// acquire takes the write mutex with a token holding body.
func (s *Store) acquire(ctx context.Context, body []byte) (*mutex, error) {
	prefix := path.Base(s.doc) + tokenInfix
	firstSeen := map[string]time.Time{} // for servers that give no times
	parents := false
	var mkcolErr error
	for round := 0; ; round++ {
		if round > 40 {
			e := s.c.fail(http.MethodPut, s.writing+"/", 0, errors.New("other hub runs kept the state busy"))
			e.Hint = "retry later"
			return nil, e
		}
		m := &mutex{s: s, token: s.tokenName(), took: time.Now()}
		r, err := s.c.putOnce(ctx, m.token, body, nil, true)
		if err != nil {
			m.release(ctx) // it may have arrived
			return nil, err
		}
		if missing(r.status) || r.status == http.StatusMethodNotAllowed {
			if !parents {
				// The folders do not exist yet. (Their MKCOL may fail
				// because another writer made them meanwhile: Apache says
				// 403 then. The PUT tells.)
				parents = true
				mkcolErr = s.c.mkcolAll(ctx, s.writing)
				round--
				continue
			}
			if mkcolErr != nil {
				return nil, mkcolErr
			}
		}
		if !r.ok() {
			return nil, s.c.statusError(http.MethodPut, m.token, r)
		}
		entries, date, found, err := s.c.list(ctx, s.writing+"/")
		if err == nil && !found {
			err = s.c.fail("PROPFIND", s.writing+"/", http.StatusNotFound, errors.New("the folder vanished right after an upload to it"))
		}
		if err != nil {
			m.release(ctx)
			return nil, err
		}
		others := false
		now := time.Now()
		for _, e := range entries {
			if e.collection || !strings.HasPrefix(e.name, prefix) || e.name == path.Base(m.token) {
				continue
			}
			rel := path.Join(s.writing, e.name)
			key := s.c.url(rel).String()
			if _, ok := abandoned.Load(key); ok {
				if _, err := s.c.remove(ctx, rel, nil); err == nil {
					abandoned.Delete(key)
				}
				continue
			}
			var age time.Duration
			if !e.modified.IsZero() && !date.IsZero() {
				age = date.Sub(e.modified)
			} else {
				if _, ok := firstSeen[e.name]; !ok {
					firstSeen[e.name] = now
				}
				age = now.Sub(firstSeen[e.name])
			}
			if age > s.grace {
				// A run that died or stalled left it; deleting it also
				// stops that run, should it wake up, at its read-back.
				if _, err := s.c.remove(ctx, rel, nil); err == nil {
					continue
				}
			}
			others = true
		}
		if !others {
			return m, nil
		}
		m.release(ctx)
		d := pollBase << min(round, 4)
		select {
		case <-ctx.Done():
			e := s.c.fail(http.MethodPut, s.writing+"/", 0, ctx.Err())
			e.Hint = "another hub run is writing the state: retry when it is done"
			return nil, e
		case <-time.After(d + mrand.N(d)):
		}
	}
}

// inBudget refuses to replace the document when the mutex has been held
// so long that another run may have broken it.
func (m *mutex) inBudget(method string) error {
	if time.Since(m.took) <= m.s.budget {
		return nil
	}
	rel := m.s.doc
	if method == "MOVE" {
		rel = m.token
	}
	e := m.s.c.fail(method, rel, 0, fmt.Errorf("this write took longer than %s, too long to replace the document safely", m.s.budget))
	e.Hint = "the server is slow: the stored state is unchanged; retry, or raise the timeout"
	return e
}

// release deletes the token, unless it is gone already.
func (m *mutex) release(ctx context.Context) {
	if m.lost {
		return
	}
	if _, err := m.s.c.remove(context.WithoutCancel(ctx), m.token, nil); err != nil {
		abandoned.Store(m.s.c.url(m.token).String(), struct{}{})
	}
}
