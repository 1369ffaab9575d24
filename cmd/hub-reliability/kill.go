package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gofrs/flock"

	"github.com/hubctl/hub/engine/states"
)

// host is the HUB_HOST of every run (the state's host section).
const host = "reliability"

// hubRun is one finished run of the hub binary.
type hubRun struct {
	code   int
	output string
	wall   time.Duration
}

// hubCmd prepares a run of hub in dir with key generation gen.
func hubCmd(bin, dir string, gen int, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, append([]string{"--chdir", dir}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+dir, "HUB_HOST="+host, "HUB_VAR_gen="+strconv.Itoa(gen), "NO_COLOR=1")
	return cmd
}

// runHub runs hub to the end; a failure to start is an error, an exit code is not.
func runHub(bin, dir string, gen int, args ...string) (hubRun, error) {
	cmd := hubCmd(bin, dir, gen, args...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	r := hubRun{output: string(out), wall: time.Since(start)}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		return r, fmt.Errorf("run hub %v: %w", args, err)
	}
	return r, nil
}

// killStats are the SIGKILL loop's counts; the invariants are violations.
type killStats struct {
	kills, finishedFirst, attempts int
	applyWall                      time.Duration
	walls                          []time.Duration // the latest applies to the end

	torn, lostContent, invalidState, stuckLock int
	notConverged, planNotEmpty, driftReported  int
	converges                                  int

	// Temp files: those the kills left (each counted once), the kills that
	// left any, those others may read, and those still there after an
	// apply to the end.
	tmpLeft, tmpKills, tmpReadable int
	tmpSeen, orphansAfterApply     map[string]bool
	examples                       []string
}

func (s *killStats) example(format string, args ...any) {
	if len(s.examples) < 8 {
		s.examples = append(s.examples, fmt.Sprintf(format, args...))
	}
}

// killLoop applies, with every key rotated, and SIGKILLs hub at a random
// moment of each apply, n times; after each kill it checks the files, the
// state and the lock, and every convergeEvery kills runs an apply to the end
// and the plan after it.
func killLoop(bin, work string, nTargets, nCreds, n, convergeEvery int, rng *rand.Rand) (*killStats, error) {
	w, err := generate(filepath.Join(work, "kill"), nTargets, nCreds)
	if err != nil {
		return nil, err
	}
	s := &killStats{tmpSeen: map[string]bool{}, orphansAfterApply: map[string]bool{}}
	gen := 0
	// A first apply to the end takes over the users' files; a second, with
	// every key rotated, says how long an apply that rewrites all of them takes.
	for range 2 {
		r, err := runHub(bin, w.dir, gen, "apply", "--auto-approve")
		if err != nil {
			return nil, err
		}
		if r.code != 0 {
			return nil, fmt.Errorf("setup apply failed (exit %d):\n%s", r.code, r.output)
		}
		s.applyWall = r.wall
		s.sample(r.wall)
		if err := s.checkAll(w, gen, true); err != nil {
			return nil, fmt.Errorf("setup apply: %w", err)
		}
		gen++
	}
	for s.kills < n && s.attempts < 4*n {
		s.attempts++
		gen++
		cmd := hubCmd(bin, w.dir, gen, "apply", "--auto-approve")
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("start hub apply: %w", err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		at := time.Duration(rng.Int64N(int64(s.window()) + 1))
		started := time.Now()
		select {
		case err := <-done:
			s.finishedFirst++
			s.sample(time.Since(started))
			if err != nil {
				s.failedRun("killed apply", out.String())
			}
			continue
		case <-time.After(at):
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
		s.kills++
		s.afterKill(w)
		if s.kills%convergeEvery == 0 || s.kills == n {
			if err := s.converge(bin, w, gen); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// sample records how long an apply to the end took; the kill moments are
// drawn over the median of the latest ones, so a slow moment of a shared
// machine does not make most runs end before their kill.
func (s *killStats) sample(d time.Duration) {
	s.walls = append(s.walls, d)
	if len(s.walls) > 15 {
		s.walls = s.walls[1:]
	}
}

// window is the span the kill moments are drawn from.
func (s *killStats) window() time.Duration {
	ws := slices.Clone(s.walls)
	slices.Sort(ws)
	return ws[len(ws)/2]
}

// failedRun counts an apply that failed on its own: a held lock is a stuck one.
func (s *killStats) failedRun(what, output string) {
	if strings.Contains(strings.ToLower(output), "lock") {
		s.stuckLock++
		s.example("%s: lock held: %s", what, whatFailed(output))
		return
	}
	s.notConverged++
	s.example("%s failed: %s", what, whatFailed(output))
}

// afterKill checks what a kill left: the files (whole, the user's content
// kept), the state, the lock, and hub's temp files.
func (s *killStats) afterKill(w *workload) {
	s.checkAll(w, -1, false)
	s.checkState(w)
	lockPath := filepath.Join(w.dir, ".hub", "state.json.lock")
	fl := flock.New(lockPath)
	if ok, err := fl.TryLock(); err != nil || !ok {
		s.stuckLock++
		s.example("lock %s still held after the kill (%v)", lockPath, err)
	} else {
		fl.Unlock()
	}
	fresh := 0
	for _, t := range tempFiles(w.dir) {
		if !s.tmpSeen[t.path] {
			s.tmpSeen[t.path] = true
			fresh++
			if t.readable {
				s.tmpReadable++
			}
		}
	}
	if fresh > 0 {
		s.tmpKills++
		s.tmpLeft += fresh
	}
}

// checkAll judges every target file; with gen >= 0 each must hold that
// generation's key. In setup mode a failure is returned, else counted.
func (s *killStats) checkAll(w *workload, gen int, setup bool) error {
	stale := 0
	for i := 0; i < w.targets; i++ {
		c := w.check(i)
		if setup && (c.torn || c.lost || c.gen != gen) {
			return fmt.Errorf("target %d: %+v", i, c)
		}
		if c.torn {
			s.torn++
			s.example("torn: %s", c.why)
		}
		if c.lost {
			s.lostContent++
			s.example("lost user content: %s", c.why)
		}
		if gen >= 0 && !c.torn && c.gen != gen {
			stale++
		}
	}
	if stale > 0 {
		s.notConverged++
		s.example("%d files do not hold the newest key after an apply to the end", stale)
	}
	return nil
}

// checkState decodes the state: it must parse, and every target of this
// host must have its files recorded.
func (s *killStats) checkState(w *workload) {
	b, err := os.ReadFile(filepath.Join(w.dir, ".hub", "state.json"))
	if err == nil {
		var st *states.State
		if st, err = states.Decode(b); err == nil {
			h := st.Hosts[host]
			switch {
			case h == nil:
				err = fmt.Errorf("no host %q", host)
			default:
				for addr, t := range h.Targets {
					if t == nil || t.Files == nil {
						err = fmt.Errorf("target %s without files", addr)
						break
					}
				}
			}
		}
	}
	if err != nil {
		s.invalidState++
		s.example("invalid state: %v", err)
	}
}

// converge runs an apply to the end, then a plan: the apply must succeed
// and bring every file to the newest key, and the plan must be empty.
func (s *killStats) converge(bin string, w *workload, gen int) error {
	s.converges++
	r, err := runHub(bin, w.dir, gen, "apply", "--auto-approve")
	if err != nil {
		return err
	}
	if r.code != 0 {
		s.failedRun("next apply", r.output)
	}
	if strings.Contains(r.output, "changed outside hub") {
		s.driftReported++
	}
	s.checkAll(w, gen, false)
	s.checkState(w)
	for _, t := range tempFiles(w.dir) {
		if !s.orphansAfterApply[t.path] {
			s.example("orphan temp file after the next apply: %s", t.path)
		}
		s.orphansAfterApply[t.path] = true
	}
	p, err := runHub(bin, w.dir, gen, "plan", "--detailed-exitcode")
	if err != nil {
		return err
	}
	if p.code != 0 {
		s.planNotEmpty++
		s.example("plan after the next apply: exit %d: %s", p.code, whatFailed(p.output))
	}
	return nil
}

// whatFailed returns the line of a run's output that says what went wrong:
// the last holding "error" but not the summary, else the last line.
func whatFailed(s string) string {
	found, last := "", ""
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		last = l
		if low := strings.ToLower(l); strings.Contains(low, "error") && !strings.Contains(low, "finished with errors") {
			found = l
		}
	}
	if found != "" {
		return found
	}
	return last
}
