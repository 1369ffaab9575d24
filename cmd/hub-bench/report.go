package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hubctl/hub/internal/browser"
	"github.com/hubctl/hub/views/report/reporttest"
)

// reportBench measures hub report for n credentials with a year of daily
// history: the real binary writing the page (median of runs), the page's
// size, and how long headless Chromium takes from navigation to the page
// being usable (its "hub-ready" performance mark: data inflated, summary,
// usage charts and every credential's charts drawn, filters live).
func reportBench(hubBin, work string, n, runs int) error {
	dir := filepath.Join(work, "report")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	fx, err := reporttest.Build(n, 365, time.Now(), time.Local)
	if err != nil {
		return err
	}
	if err := fx.WriteRepo(context.Background(), dir); err != nil {
		return err
	}
	out := filepath.Join(dir, "report.html")
	gen := result{name: "hub report"}
	for range runs {
		s, err := measure(hubBin, dir, "report", "--since", "365d", "--out", out, "--force")
		if err != nil {
			return err
		}
		gen.samples = append(gen.samples, s)
	}
	fi, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Printf("\nhub report, %d credentials with 365 days of history each (goals: under 1 s, under 5 MB, usable in under 1 s)\n", n)
	fmt.Printf("  %-30s %10s   peak memory %.1f MiB\n", "write the page (median)", gen.median().Round(time.Millisecond), float64(gen.peak())/1024)
	fmt.Printf("  %-30s %10.2f MB\n", "page size", float64(fi.Size())/1e6)

	path, err := browser.Find()
	if err != nil {
		fmt.Printf("  %-30s %s\n", "page usable in Chromium", "not measured: "+err.Error())
		return nil
	}
	var ready, charts result
	for range runs {
		r, c, err := pageReady(path, "file://"+out)
		if err != nil {
			return fmt.Errorf("chromium: %w", err)
		}
		ready.samples, charts.samples = append(ready.samples, sample{wall: r}), append(charts.samples, sample{wall: c})
	}
	fmt.Printf("  %-30s %10s   (median of %d loads from navigation start, a fresh browser each: summary, usage charts, table and filters)\n", "page usable in Chromium", ready.median().Round(time.Millisecond), runs)
	fmt.Printf("  %-30s %10s   (the rows' charts: those in view at once, the rest drawn in the background)\n", "every chart drawn", charts.median().Round(time.Millisecond))
	return nil
}

// pageReady loads url in a fresh headless Chromium and returns the times
// from navigation start to the page's hub-ready and hub-charts marks.
func pageReady(path, url string) (ready, charts time.Duration, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := browser.Start(ctx, path, 1400, 1000)
	if err != nil {
		return 0, 0, err
	}
	defer b.Close()
	if err := chromedp.Do(b.Ctx, chromedp.Navigate(url), chromedp.WaitReady(`html[data-charts="done"]`)); err != nil {
		return 0, 0, err
	}
	ms, err := chromedp.Run(b.Ctx, chromedp.Evaluate[[]float64](`["hub-ready", "hub-charts"].map((m) => performance.getEntriesByName(m)[0].startTime)`))
	if err != nil {
		return 0, 0, err
	}
	return time.Duration(ms[0] * float64(time.Millisecond)), time.Duration(ms[1] * float64(time.Millisecond)), nil
}
