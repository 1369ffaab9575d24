// Package watch runs a debounced loop: events from a Source start a cycle
// once they stop arriving for a while, one cycle at a time. It knows nothing
// of hub's configuration; the caller's cycle does the work.
package watch

import (
	"context"
	"errors"
	"sort"
	"time"
)

// A Source delivers the paths of changed files.
type Source interface {
	// Events delivers changed paths.
	Events() <-chan string
	// Errors delivers errors of the underlying watcher; they are logged.
	Errors() <-chan error
	// Add watches a directory.
	Add(dir string) error
	// Close stops the source.
	Close() error
}

// A Clock tells the time and waits; tests use a fake one.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// RealClock is the system clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// After returns time.After(d).
func (RealClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// ErrReported is returned by a cycle whose failure has already been shown:
// the loop does not log it again.
var ErrReported = errors.New("watch: cycle failed (reported)")

// Options configure Run.
type Options struct {
	Source Source
	Clock  Clock // nil means RealClock
	// Debounce is how long events must stop arriving before a cycle starts.
	Debounce time.Duration
	// Cycle does the work, given the changed paths (sorted, deduplicated;
	// empty for the initial cycle). It runs in its own goroutine, one at a
	// time; it gets ctx and should return soon after ctx is cancelled.
	Cycle func(ctx context.Context, changed []string) error
	// Filter, if set, is called just before a cycle would start (never while
	// one runs) with the changed paths, and returns those that matter; when
	// none do, no cycle starts. Filtering then, rather than when the event
	// arrives, lets it see what the previous cycle wrote.
	Filter func(changed []string) []string
	// Log receives cycle failures and source errors; nil drops them.
	Log func(err error)
	// Initial runs a cycle at once, before any event.
	Initial bool
}

// Run loops until ctx is cancelled, then waits for the running cycle (which
// sees ctx cancelled) to return, and returns nil. A failing cycle is logged
// and the loop goes on: the next event retries. Run returns an error only if
// the source closes its event channel.
func Run(ctx context.Context, o Options) error {
	clock := o.Clock
	if clock == nil {
		clock = RealClock{}
	}
	log := o.Log
	if log == nil {
		log = func(error) {}
	}
	var (
		changed = map[string]bool{}
		pending = o.Initial
		timer   <-chan time.Time
		done    chan error // non-nil while a cycle runs
	)
	fire := make(chan time.Time, 1)
	if o.Initial {
		fire <- clock.Now()
		timer = fire
	}
	start := func() {
		paths := make([]string, 0, len(changed))
		for p := range changed {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		clear(changed)
		pending = false
		if o.Filter != nil && len(paths) > 0 {
			paths = o.Filter(paths)
			if len(paths) == 0 {
				return
			}
		}
		done = make(chan error, 1)
		go func(d chan error) {
			d <- o.Cycle(ctx, paths)
		}(done)
	}
	events, errs := o.Source.Events(), o.Source.Errors()
	for {
		select {
		case <-ctx.Done():
			if done != nil {
				<-done
			}
			return nil
		case p, ok := <-events:
			if !ok {
				if done != nil {
					<-done
				}
				if ctx.Err() != nil {
					return nil
				}
				return errors.New("watch: the event source closed")
			}
			changed[p] = true
			pending = true
			if done == nil {
				timer = clock.After(o.Debounce)
			}
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			log(err)
		case <-timer:
			timer = nil
			if done == nil && pending {
				start()
			}
		case err := <-done:
			done = nil
			if err != nil && !errors.Is(err, ErrReported) && ctx.Err() == nil {
				log(err)
			}
			if pending {
				timer = clock.After(o.Debounce)
			}
		}
	}
}
