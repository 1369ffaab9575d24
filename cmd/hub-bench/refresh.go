package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hubctl/hub/providers/fakerelay"
)

// refreshBench measures `hub refresh` over n credentials of one fake New API
// relay that answers every request after latency, and compares the wall time
// with the ideal: requests × latency ÷ parallelism, the time a perfectly
// packed pool of parallelism connections would take.
func refreshBench(hubBin, work string, n, parallelism, runs int, latency time.Duration) error {
	srv := fakerelay.New(fakerelay.NewAPI)
	defer srv.Close()
	srv.Latency = latency
	for i := range n {
		srv.AddKey(&fakerelay.Key{Value: benchKey(i), Models: []string{"gpt-4o-mini", "claude-sonnet-4-5"}, QuotaUsed: 1000, QuotaRemain: 5000000})
	}
	dir := filepath.Join(work, "refresh")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "credential \"c%d\" {\n  api_type = \"openai-compatible\"\n  base_url = %q\n  api_key  = %q\n}\n\n", i, srv.URL, benchKey(i))
	}
	if err := os.WriteFile(filepath.Join(dir, "hub.hcl"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Printf("\nhub refresh: %d credentials on one fake relay, %s per request, --parallelism %d, %d runs\n", n, latency, parallelism, runs)
	fmt.Printf("%-6s %10s %10s %10s %8s %12s\n", "run", "requests", "wall", "ideal", "ratio", "peak memory")
	var res result
	res.name = "refresh"
	ratios := make([]float64, 0, runs)
	for r := range runs {
		before := len(srv.Requests())
		s, err := measure(hubBin, dir, "refresh", "--parallelism", fmt.Sprint(parallelism))
		if err != nil {
			return err
		}
		reqs := len(srv.Requests()) - before
		ideal := time.Duration(reqs) * latency / time.Duration(parallelism)
		ratio := float64(s.wall) / float64(ideal)
		ratios = append(ratios, ratio)
		res.samples = append(res.samples, s)
		fmt.Printf("%-6d %10d %10s %10s %7.2fx %9.1f MiB\n", r+1, reqs, s.wall.Round(time.Millisecond), ideal.Round(time.Millisecond), ratio, float64(s.maxRSS)/1024)
	}
	slices.Sort(ratios)
	fmt.Printf("median wall %s, median ratio to ideal %.2fx, peak memory %.1f MiB\n", res.median().Round(time.Millisecond), ratios[len(ratios)/2], float64(res.peak())/1024)
	return nil
}

func benchKey(i int) string { return fmt.Sprintf("sk-test-refresh-%06d-0123456789abcdef", i) }

func runRefreshOnly(hubBin, keep string, n, runs int) error {
	work, hubBin, cleanup, err := setup(hubBin, keep)
	if err != nil {
		return err
	}
	defer cleanup()
	return refreshBench(hubBin, work, n, 16, runs, 50*time.Millisecond)
}
