// Command hub-bench measures hub at scale: it generates 1,000 credentials and
// 200 targets (each target with its own config_dir under a temp directory),
// then times the real hub binary for a first apply, a no-op plan and a plan
// after one credential's key changes, and reports each run's peak memory.
// With terraform on the PATH it runs a comparable Terraform workload (1,000
// terraform_data resources) and prints the ratios.
//
// It also measures hub watch's save-to-rewrite latency and hub refresh over
// 1,000 credentials of a fake relay with 50 ms latency against the ideal,
// and a no-op plan whose keys come from env() against one whose keys come
// from age-encrypted secret() files.
//
// It also measures hub report for 1,000 credentials with a year of daily
// history: writing the page, its size, and its time to usable in headless
// Chromium.
//
//	go run ./cmd/hub-bench [-runs 7] [-hub PATH] [-watch-only | -refresh-only | -secrets-only | -report-only]
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"
)

func main() {
	runs := flag.Int("runs", 7, "runs per measurement (the median is reported)")
	hubBin := flag.String("hub", "", "hub binary to measure (default: build ./cmd/hub)")
	creds := flag.Int("credentials", 1000, "number of credentials")
	tgts := flag.Int("targets", 200, "number of targets")
	keep := flag.String("keep", "", "work in `DIR` and keep it (for profiling); default a temp dir, removed")
	watchEdits := flag.Int("watch-edits", 200, "edits for the hub watch latency measurement (0 skips it)")
	watchOnly := flag.Bool("watch-only", false, "measure hub watch only")
	secretsOnly := flag.Bool("secrets-only", false, "measure the no-op plan with env() and secret() keys only")
	refreshCreds := flag.Int("refresh-credentials", 1000, "credentials for the hub refresh measurement (0 skips it)")
	refreshOnly := flag.Bool("refresh-only", false, "measure hub refresh only")
	reportOnly := flag.Bool("report-only", false, "measure hub report only")
	flag.Parse()
	if *reportOnly {
		work, bin, cleanup, err := setup(*hubBin, *keep)
		if err == nil {
			err = reportBench(bin, work, *creds, min(*runs, 5))
			cleanup()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "hub-bench:", err)
			os.Exit(1)
		}
		return
	}
	watchN, refreshN = *watchEdits, *refreshCreds
	if *refreshOnly {
		if err := runRefreshOnly(*hubBin, *keep, refreshN, min(*runs, 3)); err != nil {
			fmt.Fprintln(os.Stderr, "hub-bench:", err)
			os.Exit(1)
		}
		return
	}
	if *secretsOnly {
		work, bin, cleanup, err := setup(*hubBin, *keep)
		if err == nil {
			err = secretsBench(bin, work, *creds, *tgts, *runs)
			cleanup()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "hub-bench:", err)
			os.Exit(1)
		}
		return
	}
	if *watchOnly {
		if err := runWatchOnly(*hubBin, *keep); err != nil {
			fmt.Fprintln(os.Stderr, "hub-bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*runs, *hubBin, *creds, *tgts, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "hub-bench:", err)
		os.Exit(1)
	}
}

// watchN is the number of edits for the watch measurement, refreshN the
// number of credentials for the refresh measurement.
var watchN, refreshN int

type sample struct {
	wall   time.Duration
	maxRSS int64 // KiB
}

type result struct {
	name    string
	samples []sample
}

func (r result) median() time.Duration {
	ds := make([]time.Duration, len(r.samples))
	for i, s := range r.samples {
		ds[i] = s.wall
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2]
}

func (r result) peak() int64 {
	var m int64
	for _, s := range r.samples {
		m = max(m, s.maxRSS)
	}
	return m
}

// setup returns the work directory (and how to remove it) and the hub binary,
// built there unless given.
func setup(hubBin, keep string) (work, bin string, cleanup func(), err error) {
	work, cleanup = keep, func() {}
	if work == "" {
		if work, err = os.MkdirTemp("", "hub-bench-"); err != nil {
			return "", "", nil, err
		}
		cleanup = func() { os.RemoveAll(work) }
	}
	if hubBin == "" {
		hubBin = filepath.Join(work, "hub")
		build := exec.Command("go", "build", "-o", hubBin, "./cmd/hub")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			cleanup()
			return "", "", nil, fmt.Errorf("build hub: %w", err)
		}
	}
	return work, hubBin, cleanup, nil
}

func runWatchOnly(hubBin, keep string) error {
	work, hubBin, cleanup, err := setup(hubBin, keep)
	if err != nil {
		return err
	}
	defer cleanup()
	fmt.Printf("hub-bench: hub watch only, %d CPUs, %s/%s\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	return watchBench(hubBin, work, watchN, 10000, 200*time.Millisecond)
}

func run(runs int, hubBin string, nCreds, nTargets int, keep string) error {
	work, hubBin, cleanup, err := setup(hubBin, keep)
	if err != nil {
		return err
	}
	defer cleanup()
	fmt.Printf("hub-bench: %d credentials, %d targets, %d runs each (median), %d CPUs, %s/%s\n\n",
		nCreds, nTargets, runs, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)

	var first, noop, rotate result
	first.name, noop.name, rotate.name = "first apply", "no-op plan", "plan after one key change"
	for i := 0; i < runs; i++ {
		dir := filepath.Join(work, fmt.Sprintf("cfg%d", i))
		if err := generate(dir, nCreds, nTargets, "0"); err != nil {
			return err
		}
		s, err := measure(hubBin, dir, "apply", "--auto-approve")
		if err != nil {
			return err
		}
		first.samples = append(first.samples, s)
	}
	dir := filepath.Join(work, "cfg0")
	for i := 0; i < runs; i++ {
		s, err := measure(hubBin, dir, "plan", "--detailed-exitcode")
		if err != nil {
			return err
		}
		noop.samples = append(noop.samples, s)
	}
	if err := generate(dir, nCreds, nTargets, "1"); err != nil { // credential 0 gets a new key
		return err
	}
	for i := 0; i < runs; i++ {
		s, err := measure(hubBin, dir, "plan", "--detailed-exitcode")
		if err != nil && !isExit(err, 2) {
			return err
		}
		rotate.samples = append(rotate.samples, s)
	}
	fmt.Printf("%-28s %12s %14s\n", "hub", "median", "peak memory")
	for _, r := range []result{first, noop, rotate} {
		fmt.Printf("%-28s %12s %11.1f MiB\n", r.name, r.median().Round(100*time.Microsecond), float64(r.peak())/1024)
	}

	if watchN > 0 {
		if err := watchBench(hubBin, work, watchN, 10000, 200*time.Millisecond); err != nil {
			return fmt.Errorf("watch: %w", err)
		}
	}

	if err := secretsBench(hubBin, work, nCreds, nTargets, runs); err != nil {
		return fmt.Errorf("secrets: %w", err)
	}

	if refreshN > 0 {
		if err := refreshBench(hubBin, work, refreshN, 16, 3, 50*time.Millisecond); err != nil {
			return fmt.Errorf("refresh: %w", err)
		}
	}

	if err := reportBench(hubBin, work, nCreds, min(runs, 5)); err != nil {
		return fmt.Errorf("report: %w", err)
	}

	if tf, err := exec.LookPath("terraform"); err == nil {
		if err := terraform(tf, work, nCreds, runs, first, noop); err != nil {
			fmt.Printf("\nterraform comparison failed: %v\n", err)
		}
	} else {
		fmt.Println("\nterraform is not on the PATH: no side-by-side comparison (for scale, Terraform 1.11 takes about 1.5 s for a no-op plan and 31 s to apply 1,000 terraform_data resources on a 2-core machine)")
	}
	return nil
}

// generate writes the configuration: credential i is used by target i*nCreds/nTargets.
func generate(dir string, nCreds, nTargets int, keyGen string) error {
	return generateKeys(dir, nCreds, nTargets, keyGen, literalKey)
}

// A keyExpr is the api_key expression of credential i with key key.
type keyExpr func(i int, key string) string

func literalKey(_ int, key string) string { return fmt.Sprintf("%q", key) }

// generateKeys is generate with the keys written as keyExpr says.
func generateKeys(dir string, nCreds, nTargets int, keyGen string, expr keyExpr) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	for i := 0; i < nCreds; i++ {
		gen := "0"
		if i == 0 {
			gen = keyGen
		}
		key := fmt.Sprintf("sk-test-bench-%d-%s-0123456789abcdef", i, gen)
		fmt.Fprintf(&b, "credential \"c%d\" {\n  name     = \"Relay %d\"\n  api_type = \"openai-compatible\"\n  base_url = \"https://relay%d.example.com/v1\"\n  api_key  = %s\n  tags     = [\"bench\"]\n}\n\n", i, i, i, expr(i, key))
	}
	for i := 0; i < nTargets; i++ {
		typ, extra := "claude_code", "  model      = \"claude-sonnet-4-5\"\n"
		if i%2 == 1 {
			typ, extra = "codex", "  model      = \"gpt-5\"\n"
		}
		fmt.Fprintf(&b, "target %q \"t%d\" {\n  credential = credential.c%d\n  config_dir = \"home/t%d\"\n%s}\n\n", typ, i, i*nCreds/nTargets, i, extra)
	}
	return os.WriteFile(filepath.Join(dir, "hub.hcl"), []byte(b.String()), 0o644)
}

func measure(bin, dir string, args ...string) (sample, error) {
	return measureEnv(bin, dir, nil, args...)
}

// measureEnv is measure with more environment variables.
func measureEnv(bin, dir string, env []string, args ...string) (sample, error) {
	cmd := exec.Command(bin, append([]string{"--chdir", dir}, args...)...)
	cmd.Env = append(append(os.Environ(), "HUB_HOST=bench", "HOME="+dir), env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	s := sample{wall: wall}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.maxRSS = int64(ru.Maxrss)
	}
	if err != nil && !isExit(err, 2) {
		return s, fmt.Errorf("hub %v: %w\n%s", args, err, out)
	}
	return s, err
}

func isExit(err error, code int) bool {
	ee, ok := err.(*exec.ExitError)
	return ok && ee.ExitCode() == code
}

func terraform(tf, work string, n, runs int, hubFirst, hubNoop result) error {
	dir := filepath.Join(work, "tf")
	os.MkdirAll(dir, 0o755)
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "resource \"terraform_data\" \"r%d\" {\n  input = \"sk-test-bench-%d\"\n}\n", i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	tfRun := func(args ...string) (time.Duration, error) {
		cmd := exec.Command(tf, append([]string{"-chdir=" + dir}, args...)...)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("terraform %v: %w\n%s", args, err, out)
		}
		return time.Since(start), nil
	}
	if _, err := tfRun("init", "-input=false"); err != nil {
		return err
	}
	applyT, err := tfRun("apply", "-auto-approve", "-input=false")
	if err != nil {
		return err
	}
	var plans []time.Duration
	for i := 0; i < runs; i++ {
		d, err := tfRun("plan", "-input=false")
		if err != nil {
			return err
		}
		plans = append(plans, d)
	}
	sort.Slice(plans, func(i, j int) bool { return plans[i] < plans[j] })
	tfPlan := plans[len(plans)/2]
	fmt.Printf("\n%-28s %12s %12s %8s\n", "vs terraform", "terraform", "hub", "ratio")
	fmt.Printf("%-28s %12s %12s %7.1fx\n", "first apply", applyT.Round(time.Millisecond), hubFirst.median().Round(time.Millisecond), float64(applyT)/float64(hubFirst.median()))
	fmt.Printf("%-28s %12s %12s %7.1fx\n", "no-op plan", tfPlan.Round(time.Millisecond), hubNoop.median().Round(time.Millisecond), float64(tfPlan)/float64(hubNoop.median()))
	return nil
}
