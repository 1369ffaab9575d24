package watch

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// fakeSource's channels are unbuffered: a send returns once Run has taken it.
type fakeSource struct {
	events chan string
	errs   chan error
}

func newFakeSource() *fakeSource {
	return &fakeSource{events: make(chan string), errs: make(chan error)}
}
func (s *fakeSource) Events() <-chan string { return s.events }
func (s *fakeSource) Errors() <-chan error  { return s.errs }
func (s *fakeSource) Add(string) error      { return nil }
func (s *fakeSource) Close() error          { return nil }

type call struct {
	paths   []string
	release chan error // the cycle returns what is sent here
}

type harness struct {
	t      *testing.T
	src    *fakeSource
	clock  *FakeClock
	calls  chan call
	logged chan error
	cancel context.CancelFunc
	result chan error
}

const debounce = 200 * time.Millisecond

func start(t *testing.T, mod func(*Options)) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, src: newFakeSource(), clock: NewFakeClock(time.Unix(0, 0)),
		calls: make(chan call), logged: make(chan error, 16), cancel: cancel, result: make(chan error, 1)}
	o := Options{Source: h.src, Clock: h.clock, Debounce: debounce,
		Cycle: func(ctx context.Context, paths []string) error {
			c := call{paths: paths, release: make(chan error)}
			h.calls <- c
			select {
			case err := <-c.release:
				return err
			case <-ctx.Done():
				return ctx.Err()
			}
		},
		Log: func(err error) { h.logged <- err },
	}
	if mod != nil {
		mod(&o)
	}
	go func() { h.result <- Run(ctx, o) }()
	t.Cleanup(cancel)
	return h
}

// send delivers events; each returns once the loop has taken it.
func (h *harness) send(paths ...string) {
	for _, p := range paths {
		h.src.events <- p
	}
}

// fire waits until the loop has asked for its nth timer, then lets the
// debounce elapse.
func (h *harness) fire(n int) {
	h.clock.WaitCalls(n)
	h.clock.Advance(debounce)
}

func (h *harness) nextCall(want ...string) call {
	h.t.Helper()
	c := <-h.calls
	if !slices.Equal(c.paths, want) && !(len(c.paths) == 0 && len(want) == 0) {
		h.t.Fatalf("cycle got %q, want %q", c.paths, want)
	}
	return c
}

func TestBurstMakesOneCycle(t *testing.T) {
	h := start(t, nil)
	h.send("b", "a", "b", "c")
	// Part of the debounce passes between events: the timer restarts.
	h.clock.Advance(debounce / 2)
	h.send("a")
	h.clock.WaitCalls(5)
	h.clock.Advance(debounce / 2) // the first timers are due, not the last
	h.clock.Advance(debounce / 2)
	c := h.nextCall("a", "b", "c")
	c.release <- nil
	// Nothing else happens: a fresh event makes a cycle with only itself.
	h.send("d")
	h.fire(6)
	h.nextCall("d").release <- nil
}

func TestEventsDuringCycleMakeExactlyOneMore(t *testing.T) {
	h := start(t, nil)
	h.send("a")
	h.fire(1)
	c := h.nextCall("a")
	h.send("b", "c", "b") // the loop takes them while the cycle runs
	if n := h.clock.Calls(); n != 1 {
		t.Fatalf("timer started during a cycle: %d calls", n)
	}
	c.release <- nil
	h.fire(2)
	h.nextCall("b", "c").release <- nil
	h.send("z")
	h.fire(3)
	h.nextCall("z").release <- nil
}

func TestFailingCycleIsLoggedAndLoopGoesOn(t *testing.T) {
	h := start(t, nil)
	h.send("a")
	h.fire(1)
	boom := errors.New("boom")
	h.nextCall("a").release <- boom
	if err := <-h.logged; err != boom {
		t.Fatalf("logged %v", err)
	}
	h.send("a")
	h.fire(2)
	h.nextCall("a").release <- ErrReported // not logged again
	h.src.errs <- errors.New("watcher overflow")
	if err := <-h.logged; err.Error() != "watcher overflow" {
		t.Fatalf("logged %v", err)
	}
	h.send("b")
	h.fire(3)
	h.nextCall("b").release <- nil
}

func TestCancelReturnsNil(t *testing.T) {
	h := start(t, nil)
	h.cancel()
	if err := <-h.result; err != nil {
		t.Fatal(err)
	}
}

func TestCancelDuringCycleWaitsForIt(t *testing.T) {
	h := start(t, nil)
	h.send("a")
	h.fire(1)
	h.nextCall("a") // never released: the cycle returns on ctx
	h.cancel()
	if err := <-h.result; err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-h.logged:
		t.Fatalf("cancelled cycle logged: %v", err)
	default:
	}
}

func TestInitialAndFilter(t *testing.T) {
	h := start(t, func(o *Options) {
		o.Initial = true
		o.Filter = func(p []string) []string {
			return slices.DeleteFunc(p, func(s string) bool { return s == "own" })
		}
	})
	h.nextCall().release <- nil
	h.send("own")
	h.fire(1)
	// Filtered out: no cycle. The next event's cycle sees only itself.
	h.send("x", "own")
	h.fire(3)
	h.nextCall("x").release <- nil
}

func TestSourceClosed(t *testing.T) {
	h := start(t, nil)
	close(h.src.events)
	if err := <-h.result; err == nil {
		t.Fatal("want an error when the source closes")
	}
}
