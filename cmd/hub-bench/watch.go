package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// watchBench measures hub watch: the time from saving a config file to the
// target file being rewritten, over edits, minus the debounce; and the
// process's memory before and after many irrelevant events.
func watchBench(hubBin, work string, edits, events int, debounce time.Duration) error {
	dir := filepath.Join(work, "watch")
	if err := generate(dir, 100, 50, "0"); err != nil {
		return err
	}
	cmd := exec.Command(hubBin, "--chdir", dir, "watch", "--debounce", debounce.String())
	cmd.Env = append(os.Environ(), "HUB_HOST=bench", "HOME="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	// Wait for the first apply (50 targets written).
	waitWrites := func(n int, timeout time.Duration) error {
		deadline := time.After(timeout)
		for seen := 0; seen < n; {
			select {
			case l, ok := <-lines:
				if !ok {
					return fmt.Errorf("hub watch exited")
				}
				if strings.Contains(l, ": wrote ") {
					seen++
				}
			case <-deadline:
				return fmt.Errorf("no write after %s", timeout)
			}
		}
		return nil
	}
	if err := waitWrites(50, time.Minute); err != nil {
		return fmt.Errorf("first apply: %w", err)
	}
	cfg := filepath.Join(dir, "hub.hcl")
	base, err := os.ReadFile(cfg)
	if err != nil {
		return err
	}
	var lat []time.Duration
	for i := 0; i < edits; i++ {
		// Rename credential 0's display name: one codex file changes? target t0
		// is claude_code with credential c0, whose model we change instead.
		edited := strings.Replace(string(base), "target \"claude_code\" \"t0\" {\n  credential = credential.c0\n  config_dir = \"home/t0\"\n  model      = \"claude-sonnet-4-5\"",
			fmt.Sprintf("target \"claude_code\" \"t0\" {\n  credential = credential.c0\n  config_dir = \"home/t0\"\n  model      = \"m-%d\"", i), 1)
		if edited == string(base) {
			return fmt.Errorf("bench config changed shape")
		}
		start := time.Now()
		if err := os.WriteFile(cfg, []byte(edited), 0o644); err != nil {
			return err
		}
		if err := waitWrites(1, 30*time.Second); err != nil {
			return fmt.Errorf("edit %d: %w", i, err)
		}
		lat = append(lat, time.Since(start)-debounce)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))].Round(100 * time.Microsecond) }
	fmt.Printf("\nhub watch: 100 credentials, 50 targets, %d edits, debounce %s\n", edits, debounce)
	fmt.Printf("%-28s %12s\n%-28s %12s\n", "save to rewrite, p50", pct(0.5), "save to rewrite, p95", pct(0.95))

	before := rss(cmd.Process.Pid)
	noise := filepath.Join(dir, "notes.txt")
	for i := 0; i < events; i++ {
		if err := os.WriteFile(noise, []byte(strconv.Itoa(i)), 0o644); err != nil {
			return err
		}
	}
	time.Sleep(2 * debounce)
	after := rss(cmd.Process.Pid)
	fmt.Printf("%-28s %9.1f MiB -> %.1f MiB after %d events\n", "memory (RSS)", before, after, events)
	return nil
}

// rss reads a process's resident memory in MiB from /proc.
func rss(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}
