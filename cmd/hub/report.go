package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/views/report"
)

type reportFlags struct {
	cred     credFlags
	out      string
	force    bool
	since    time.Duration
	cnyRate  float64
	currency string
	serve    bool
	listen   string
	reload   time.Duration
}

func (a *app) reportCommand() *cobra.Command {
	fl := reportFlags{since: 90 * 24 * time.Hour, currency: "USD", listen: "127.0.0.1:8473", reload: time.Minute}
	c := &cobra.Command{
		Use:   "report [CREDENTIAL...]",
		Short: "Write a page of balance, cost, requests and health over time (one self-contained HTML file)",
		Long: `Write one HTML file that shows the credentials over time: a summary (total
balance, today's cost and requests, failing credentials first), each
credential's balance and daily cost as charts with its health as a
timeline, and the usage across credentials per day, per tag and per API
type. Filters by text, tag and type work in the page, as hub status's do.

The figures come from the state and the history hub refresh keeps (run
hub refresh, or hub watch --refresh-every, to build it); nothing is sent
upstream. The file is self-contained: no request leaves it, and it holds
no key. It opens in the system's light or dark theme.

Amounts are in US dollars, converted as each upstream said (the page shows
how per credential); give --cny-rate to switch the page to yuan.

With --json, hub writes the page's data instead: one JSON document with the
window's days and, per credential, its latest figures and its daily
balance, cost, requests and health (the same figures, for another program).

With --serve, hub serves the page on 127.0.0.1 instead, built afresh from
the state on every load, and the page reloads itself (--reload).`,
		Example: `  hub report --out report.html
  hub report --tag work --since 365d --out work.html
  hub report --cny-rate 7.2 --currency CNY --out report.html
  hub report --json --since 30d > figures.json
  hub report --serve`,
		RunE: func(c *cobra.Command, names []string) error {
			return a.reportRun(names, &fl)
		},
	}
	fl.cred.register(c, false)
	f := c.Flags()
	f.StringVarP(&fl.out, "out", "o", "", "write the page to `FILE` (created 0600; a file that is not a hub report is refused without --force); default: standard output when it is not a terminal")
	f.BoolVar(&fl.force, "force", false, "with --out, replace a file that is not a hub report")
	f.Var(&dayFlag{&fl.since}, "since", "the window, in days (`90d` by default; 7d, 30d, 365d)")
	f.Float64Var(&fl.cnyRate, "cny-rate", 0, "yuan per US dollar (`RATE`, e.g. 7.2): the page can then show amounts in CNY")
	f.StringVar(&fl.currency, "currency", "USD", "the unit the page opens in: `USD` or CNY (CNY needs --cny-rate)")
	f.BoolVar(&fl.serve, "serve", false, "serve the page on --listen instead of writing it; it is built from the state on every load")
	f.StringVar(&fl.listen, "listen", fl.listen, "with --serve, the loopback `ADDRESS` to listen on (127.0.0.1:PORT or [::1]:PORT; port 0 picks one)")
	f.DurationVar(&fl.reload, "reload", fl.reload, "with --serve, how often the page reloads itself (`DURATION`; 0 never)")
	return c
}

func (a *app) reportRun(names []string, fl *reportFlags) error {
	switch {
	case fl.currency != "USD" && fl.currency != "CNY":
		return fmt.Errorf("--currency %q: give USD or CNY", fl.currency)
	case fl.currency == "CNY" && fl.cnyRate <= 0:
		return errors.New("--currency CNY needs --cny-rate RATE (yuan per US dollar, e.g. 7.2): hub keeps amounts in US dollars")
	case fl.cnyRate < 0:
		return errors.New("--cny-rate must be a positive number of yuan per US dollar")
	case fl.serve && fl.out != "":
		return errors.New("give one of --serve and --out")
	case fl.serve && fl.cred.json:
		return errors.New("give one of --serve and --json")
	case fl.serve:
		return a.reportServe(names, fl)
	case fl.out == "" && a.outTerminal && !fl.cred.json:
		return errors.New("the page is HTML: give --out report.html (or redirect standard output to a file), or --serve to look at it in a browser")
	}
	if fl.out != "" && !fl.force {
		if err := checkReportTarget(fl.out, fl.cred.json); err != nil {
			return err
		}
	}
	page, n, err := a.reportPage(names, fl, 0)
	if err != nil {
		return err
	}
	if fl.out == "" {
		_, err := a.out.Write(page)
		return err
	}
	if err := (system.OS{}).WriteFile(fl.out, page, 0o600); err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	if fl.cred.json {
		a.hint("wrote %s: the figures of %d credential(s), %s", fl.out, n, size(len(page)))
		return nil
	}
	a.hint("wrote %s: %d credential(s), %s; open it in a browser", fl.out, n, size(len(page)))
	return nil
}

// checkReportTarget refuses to replace a file that is not a page hub
// report wrote (with asJSON, any file): --out may be a typo for another.
func checkReportTarget(name string, asJSON bool) error {
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("--out %s: %w", name, err)
	}
	if asJSON {
		return fmt.Errorf("%s exists; give another --out, or --force to replace it", name)
	}
	if _, err := report.Decode(b); err != nil {
		return fmt.Errorf("%s exists and is not a hub report; give another --out, or --force to replace it", name)
	}
	return nil
}

// reportPage builds the page from the configuration, the state and the
// history, as they are now; refresh is the page's reload interval (serve).
func (a *app) reportPage(names []string, fl *reportFlags, refresh int) ([]byte, int, error) {
	cfg, sel, err := a.loadSelected(&fl.cred, names, a.view())
	if err != nil {
		return nil, 0, err
	}
	store, err := a.store(cfg.Backend)
	if err != nil {
		return nil, 0, err
	}
	st, err := a.loadState(store)
	if err != nil {
		return nil, 0, err
	}
	salt, now := st.SaltBytes(), time.Now()
	creds := make([]report.Credential, len(sel))
	for i, c := range sel {
		rec, err := telemetry.Load(st, c.ID)
		if err != nil {
			return nil, 0, err
		}
		creds[i] = report.Credential{Credential: c, Record: rec, Stale: rec != nil && !rec.Matches(c, salt)}
	}
	// The series are read in parallel: a year of a thousand credentials is
	// most of the command's time, spent decoding.
	errs := make([]error, len(sel))
	work := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range work {
				creds[i].Series, errs[i] = a.series(cfg, sel[i], creds[i].Record, salt, now)
			}
		})
	}
	for i := range sel {
		work <- i
	}
	close(work)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			a.warnf("%v; its charts are left out", err)
		}
	}
	write := report.Write
	if fl.cred.json {
		write = report.WriteJSON
	}
	var buf bytes.Buffer
	err = write(&buf, creds, report.Options{
		Now: now, Location: time.Local, Days: int(fl.since / (24 * time.Hour)),
		CNYPerUSD: fl.cnyRate, Currency: fl.currency, Refresh: refresh, ExpiryWarning: cfg.ExpiryWarning,
		Scrub: func(s string) string { return secret.Printable(secret.RedactKeyLike(a.redactor.Redact(s))) },
	})
	return buf.Bytes(), len(creds), err
}

// reportServe serves the page on a loopback address until interrupted.
func (a *app) reportServe(names []string, fl *reportFlags) error {
	host, _, err := net.SplitHostPort(fl.listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", fl.listen, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--listen %s: the page shows your balances; serve it on a loopback address only (127.0.0.1:PORT)", fl.listen)
	}
	// Build it once first, so a broken configuration fails here and not in
	// the browser.
	if _, _, err := a.reportPage(names, fl, 0); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", fl.listen)
	if err != nil {
		return fmt.Errorf("serve the report: %w", err)
	}
	a.hint("serving the report on http://%s/ (Ctrl-C stops)", ln.Addr())
	return a.serveReport(ln, names, fl)
}

// serveReport answers on ln until the command's context ends.
func (a *app) serveReport(ln net.Listener, names []string, fl *reportFlags) error {
	srv := &http.Server{Handler: a.reportHandler(names, fl), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-a.ctx.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve the report: %w", err)
	}
	return nil
}

// reportHandler answers GET / with a fresh page. Requests naming another
// host are refused: a web page could otherwise read the report through a
// name it points at 127.0.0.1 (DNS rebinding).
func (a *app) reportHandler(names []string, fl *reportFlags) http.Handler {
	var building sync.Mutex // one page at a time: the app's loading is not shared
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.Trim(host, "[]")
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			http.Error(w, "hub report answers only on a loopback address", http.StatusForbidden)
			return
		}
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		building.Lock()
		page, _, err := a.reportPage(names, fl, int(fl.reload/time.Second))
		building.Unlock()
		if err != nil {
			a.errorf("%v", err)
			http.Error(w, "hub report could not build the page; see hub's output", http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'")
		h.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(page)
	})
}

// size is a byte count for people: 2.1 MB.
func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
