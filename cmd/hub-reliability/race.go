package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// raceStats are the user-edit race's counts.
type raceStats struct {
	saves, lost, tornReads int
	applies, applyFailed   int
	failures               map[string]int
	every                  time.Duration
}

// perThousand is lost saves per 1,000 saves.
func (r *raceStats) perThousand() float64 {
	if r.saves == 0 {
		return 0
	}
	return float64(r.lost) * 1000 / float64(r.saves)
}

// topFailures returns the commonest apply failures, most frequent first.
func (r *raceStats) topFailures(n int) []string {
	type kv struct {
		k string
		v int
	}
	var all []kv
	for k, v := range r.failures {
		all = append(all, kv{k, v})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v || all[i].v == all[j].v && all[i].k < all[j].k })
	var out []string
	for i := 0; i < len(all) && i < n; i++ {
		out = append(out, fmt.Sprintf("%d× %s", all[i].v, all[i].k))
	}
	return out
}

var userSaveRe = regexp.MustCompile(`"userSave": [0-9]+`)

// editRace has a user save settings.json every `every` (a key of their own,
// "userSave", counting up; written as editors do, to a temp file renamed
// over it) while hub applies run back to back, each with a rotated key, so
// each rewrites that file. A save is lost when, just before the user's next
// save, the file no longer shows it: a later write put older content back.
func editRace(bin, work string, saves int, every time.Duration) (*raceStats, error) {
	dir := filepath.Join(work, "race")
	w, err := generate(dir, 1, 1)
	if err != nil {
		return nil, err
	}
	path := w.path(0)
	seed := []byte("{\n  \"userSave\": 0,\n  \"theme\": \"dark\"\n}\n")
	if err := os.WriteFile(path, seed, 0o644); err != nil {
		return nil, err
	}
	if r, err := runHub(bin, dir, 0, "apply", "--auto-approve"); err != nil || r.code != 0 {
		return nil, fmt.Errorf("race setup apply: %v %s", err, r.output)
	}
	s := &raceStats{failures: map[string]int{}, every: every}

	var stop atomic.Bool
	var wg sync.WaitGroup
	var applyErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for gen := 1; !stop.Load(); gen++ {
			r, err := runHub(bin, dir, gen, "apply", "--auto-approve")
			if err != nil {
				applyErr = err
				return
			}
			s.applies++
			if r.code != 0 {
				s.applyFailed++
				s.failures[whatFailed(r.output)]++
			}
		}
	}()

	read := func() (int, bool) {
		b, err := os.ReadFile(path)
		if err != nil {
			return -1, false
		}
		return userSave(b)
	}
	tmp := filepath.Join(filepath.Dir(path), ".settings.json.user-save")
	next := time.Now()
	for n := 1; n <= saves; n++ {
		next = next.Add(every)
		time.Sleep(time.Until(next))
		b, err := os.ReadFile(path)
		if err != nil {
			stop.Store(true)
			wg.Wait()
			return nil, fmt.Errorf("user read: %w", err)
		}
		if n > 1 {
			if got, ok := userSave(b); !ok {
				s.tornReads++
			} else if got != n-1 {
				s.lost++
			}
		}
		val := []byte(fmt.Sprintf(`"userSave": %d`, n))
		var nb []byte
		if userSaveRe.Match(b) {
			nb = userSaveRe.ReplaceAll(b, val)
		} else if i := bytes.IndexByte(b, '{'); i >= 0 {
			nb = append(append(append(append([]byte(nil), b[:i+1]...), "\n  "...), append(val, ',')...), b[i+1:]...)
		} else {
			nb = bytes.Replace(seed, []byte(`"userSave": 0`), val, 1)
		}
		if err := os.WriteFile(tmp, nb, 0o644); err != nil {
			return nil, err
		}
		if err := os.Rename(tmp, path); err != nil {
			return nil, err
		}
		s.saves++
	}
	stop.Store(true)
	wg.Wait()
	if applyErr != nil {
		return nil, applyErr
	}
	if got, ok := read(); !ok {
		s.tornReads++
	} else if got != saves {
		s.lost++
	}
	return s, nil
}

// userSave reads the user's counter from a file's bytes; false when they do not parse.
func userSave(b []byte) (int, bool) {
	m, err := parseJSON(b)
	if err != nil {
		return -1, false
	}
	v, ok := m["userSave"].(float64)
	if !ok {
		return -1, true
	}
	return int(v), true
}
