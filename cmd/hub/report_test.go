package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/internal/browser"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/views/report"
	"github.com/hubctl/hub/views/report/reporttest"
)

// startBrowser starts headless Chromium, or skips the test where there is
// none (make test installs it and sets HUB_BROWSER_REQUIRE, so CI fails).
func startBrowser(t *testing.T) *browser.Browser {
	t.Helper()
	path, err := browser.Find()
	if err != nil {
		if os.Getenv("HUB_BROWSER_REQUIRE") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	b, err := browser.Start(ctx, path, 1400, 1000)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// artifact is where a test keeps a file for people to look at: the
// directory HUB_ARTIFACTS names (make test sets it), else a temp dir.
func artifact(t *testing.T, name string, data []byte) {
	t.Helper()
	dir := os.Getenv("HUB_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "hub-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("kept %s", p)
}

// usd is an amount as the page writes it: $1,234.50.
func usd(sym string, v float64) string {
	s := fmt.Sprintf("%.2f", v)
	whole, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	if neg {
		sym = "-" + sym
	}
	return sym + whole + "." + frac
}

type pageRow struct {
	ID     string   `json:"id"`
	Line   string   `json:"line"`
	Bars   string   `json:"bars"`
	Rects  int      `json:"rects"`
	Labels []string `json:"labels"`
	Text   string   `json:"text"`
	Width  float64  `json:"width"`
}

const rowsJS = `[...document.querySelectorAll('tr.cred')].map(tr => ({
  id: tr.querySelector('.id').textContent,
  line: tr.querySelector('td.balance path.line')?.getAttribute('d') || '',
  bars: tr.querySelector('td.cost path.bars')?.getAttribute('d') || '',
  rects: tr.querySelectorAll('td.health rect').length,
  labels: [...tr.querySelectorAll('td.balance text, td.cost text')].map(t => t.textContent),
  text: tr.innerText,
  width: tr.querySelector('td.balance svg')?.getBoundingClientRect().width || 0,
}))`

// TestReportInBrowser writes hub report's page for credentials with four
// months of history and looks at it in headless Chromium: every chart
// drawn with its axis labels, the summary's figures those of the state,
// the filters narrowing the rows and the summary, the currency switch, the
// dark theme, and no request leaving the page. Screenshots are kept.
func TestReportInBrowser(t *testing.T) {
	b := startBrowser(t)
	h := newHubEnv(t)
	now := time.Now()
	const n, days = 40, 120
	fx, err := reporttest.Build(n, days, now, time.Local)
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.WriteRepo(context.Background(), h.cfg); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(h.root, "report.html")
	h.run("report", "--out", out, "--since", fmt.Sprint(days, "d"), "--cny-rate", "7.2").want(t, 0, "wrote", "40 credential(s)")
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	data, err := report.Decode(page)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		for _, where := range [][]byte{page, data} {
			if strings.Contains(string(where), reporttest.Key(i)) || strings.Contains(string(where), "canary0123456789") {
				t.Fatalf("LEAK: credential %d's key is in the page", i)
			}
		}
	}

	// What the page must say, from the state.
	var bal, cost float64
	var reqs int64
	failing := 0
	for _, rc := range fx.Creds {
		r := rc.Record
		if r == nil {
			continue
		}
		if u := r.Usage; u != nil {
			if u.Balance != nil && !u.Unlimited {
				bal += *u.Balance
			}
			cost += *u.TodayCost
			reqs += *u.TodayRequests
		}
		if r.Health.Status == telemetry.Error {
			failing++
		}
	}

	ctx := b.Ctx
	url := "file://" + out
	// Usable first (data-ready), then every row's charts drawn in the
	// background (data-charts).
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(`html[data-ready="1"]`), chromedp.WaitReady(`html[data-charts="done"]`)); err != nil {
		t.Fatalf("the page did not get ready: %v", err)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.TextContent(sel))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	eval := func(js string) int {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}

	// The summary holds the state's figures.
	for sel, want := range map[string]string{
		`#summary [data-k="balance"] .v`:     usd("$", bal),
		`#summary [data-k="cost"] .v`:        usd("$", cost),
		`#summary [data-k="requests"] .v`:    strings.ReplaceAll(fmt.Sprintf("%d", reqs), "", ""),
		`#summary [data-k="failing"] .v`:     fmt.Sprint(failing),
		`#summary [data-k="credentials"] .v`: fmt.Sprint(n),
	} {
		if got := text(sel); strings.ReplaceAll(got, ",", "") != strings.ReplaceAll(want, ",", "") || (strings.Contains(want, ",") && got != want) {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if got := text(`#attention`); !strings.Contains(got, "cred-0000") || !strings.Contains(got, "quota exhausted") {
		t.Errorf("needs attention lacks the failing credential: %q", got)
	}

	// Every credential's charts, with their axis labels.
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]pageRow](rowsJS))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n {
		t.Fatalf("%d rows, want %d", len(rows), n)
	}
	byID := map[string]pageRow{}
	for _, r := range rows {
		byID[r.ID] = r
	}
	first, last := time.Now().AddDate(0, 0, -(days-1)).Format(time.DateOnly), now.Format(time.DateOnly)
	for i, rc := range fx.Creds {
		r, ok := byID[rc.Credential.ID]
		switch {
		case !ok:
			t.Errorf("%s: no row", rc.Credential.ID)
		case rc.Series == nil:
			if r.Line != "" || !strings.Contains(r.Text, "no history") {
				t.Errorf("%s, never refreshed: want no charts and \"no history\", got %+v", r.ID, r)
			}
		default:
			if !strings.HasPrefix(r.Bars, "M") || strings.Count(r.Bars, "V") < days/2 {
				t.Errorf("%s: the daily cost bars are not drawn: %.80q", r.ID, r.Bars)
			}
			if r.Rects < 1 {
				t.Errorf("%s: no health timeline", r.ID)
			}
			if i%13 == 0 { // unlimited: no balance to draw
				if r.Line != "" || !strings.Contains(r.Text, "unlimited") {
					t.Errorf("%s, unlimited: want no balance line, got %+v", r.ID, r)
				}
				continue
			}
			if !strings.HasPrefix(r.Line, "M") || strings.Count(r.Line, "L") < days/2 || r.Width < 100 {
				t.Errorf("%s: the balance line is not drawn (width %.0f): %.80q", r.ID, r.Width, r.Line)
			}
			labels := strings.Join(r.Labels, " ")
			if !strings.Contains(labels, first) || !strings.Contains(labels, last) || !strings.Contains(labels, "$") {
				t.Errorf("%s: axis labels %q lack %s, %s or an amount", r.ID, labels, first, last)
			}
		}
	}
	for _, sel := range []string{"#cost-per-day path.bars", "#requests-per-day path.bars", "#by-tag rect", "#by-type rect"} {
		if eval(fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)) == 0 {
			t.Errorf("usage analysis: no %s", sel)
		}
	}
	// The filters: typed text, a tag and a type; the summary follows.
	matches := func(q, tag, typ string) int {
		c := 0
		for _, rc := range fx.Creds {
			cr := rc.Credential
			hay := strings.ToLower(strings.Join(append([]string{cr.ID, cr.Name, cr.BaseURL, cr.APIType}, cr.Tags...), "\n"))
			okTag := tag == ""
			for _, t := range cr.Tags {
				okTag = okTag || t == tag
			}
			if strings.Contains(hay, q) && okTag && (typ == "" || cr.APIType == typ) {
				c++
			}
		}
		return c
	}
	choose := func(sel, v string) {
		t.Helper()
		eval(fmt.Sprintf(`(e => { e.value = %q; e.dispatchEvent(new Event('input')); return 0 })(document.querySelector(%q))`, v, sel))
	}
	visible := func() int { return eval(`document.querySelectorAll('tr.cred:not([hidden])').length`) }
	// Typed as key events into the focused field (chromedp's SendKeys
	// waits on a visibility check that never answers on this page).
	if err := chromedp.Do(ctx, chromedp.Focus("#q"), chromedp.KeyEvent("relay7.")); err != nil {
		t.Fatal(err)
	}
	if got, want := visible(), matches("relay7.", "", ""); got != want || want == 0 || want == n {
		t.Errorf("filter relay7.: %d rows visible, want %d", got, want)
	}
	if got, want := text(`#summary [data-k="credentials"] .v`), fmt.Sprint(matches("relay7.", "", "")); got != want {
		t.Errorf("filtered summary counts %s credentials, want %s", got, want)
	}
	choose("#q", "")
	if got := visible(); got != n {
		t.Errorf("cleared filter: %d rows, want %d", got, n)
	}
	choose("#tag", "team-a")
	if got, want := visible(), matches("", "team-a", ""); got != want || want == 0 {
		t.Errorf("tag team-a: %d rows, want %d", got, want)
	}
	choose("#type", "anthropic")
	if got, want := visible(), matches("", "team-a", "anthropic"); got != want {
		t.Errorf("tag team-a, type anthropic: %d rows, want %d", got, want)
	}
	choose("#tag", "")
	choose("#type", "")

	// Yuan at the rate given.
	choose("#currency", "CNY")
	if got, want := text(`#summary [data-k="balance"] .v`), usd("¥", bal*7.2); got != want {
		t.Errorf("balance in CNY = %q, want %q", got, want)
	}
	if err := chromedp.Do(ctx, chromedp.WaitReady(`html[data-charts="done"]`)); err != nil {
		t.Fatal(err)
	}
	if got := text(`tr.cred[data-i="3"] td.balance text`); !strings.HasPrefix(got, "¥") {
		t.Errorf("balance axis in CNY = %q, want ¥", got)
	}
	choose("#currency", "USD")
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
	if err != nil {
		t.Fatal(err)
	}
	artifact(t, "report-light.jpg", shot)

	// The dark theme follows the system.
	bg := func() string {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	light := bg()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}); err != nil {
		t.Fatal(err)
	}
	if dark := bg(); dark == light {
		t.Errorf("dark scheme: background stays %s", dark)
	}
	if shot, err = chromedp.Run(ctx, chromedp.CaptureScreenshot()); err != nil {
		t.Fatal(err)
	}
	artifact(t, "report-dark.png", shot)

	// Nothing but the page itself was requested.
	for _, u := range b.Requests() {
		if u != url {
			t.Errorf("the page made a request: %s", u)
		}
	}
	if len(b.Requests()) == 0 {
		t.Error("no request recorded at all: the recorder is not working")
	}
}

// TestReportServe serves the page on a loopback port: a fresh page per
// load (it follows the state), the reload interval in it, and requests for
// another host (DNS rebinding), other paths and other methods refused.
func TestReportServe(t *testing.T) {
	h := newHubEnv(t)
	fx, err := reporttest.Build(5, 30, time.Now(), time.Local)
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.WriteRepo(context.Background(), h.cfg); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	red := &secret.Redactor{}
	var stderr strings.Builder
	a := &app{ctx: ctx, in: strings.NewReader(""), out: red.Writer(io.Discard), errw: red.Writer(&stderr), env: h.env, redactor: red}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	fl := &reportFlags{since: 30 * 24 * time.Hour, currency: "USD", reload: 30 * time.Second}
	go func() { done <- a.serveReport(ln, nil, fl) }()
	base := "http://" + ln.Addr().String()
	get := func(method, path, host string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, nil)
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	code, body := get("GET", "/", "")
	if code != 200 {
		t.Fatalf("GET / = %d %s", code, body)
	}
	d, err := report.Decode([]byte(body))
	if err != nil || !strings.Contains(string(d), `"refresh":30`) || !strings.Contains(string(d), "cred-0004") {
		t.Fatalf("served page data: %v %.200s", err, d)
	}
	// The next load follows the state: credential 0004 removed.
	if err := os.WriteFile(filepath.Join(h.cfg, "hub.hcl"), []byte(strings.Split(fx.HCL(), `credential "cred-0004"`)[0]), 0o600); err != nil {
		t.Fatal(err)
	}
	_, body = get("GET", "/", "")
	if d, _ := report.Decode([]byte(body)); strings.Contains(string(d), "cred-0004") {
		t.Error("the page did not follow the configuration")
	}
	for _, c := range []struct {
		method, path, host string
		want               int
	}{
		{"GET", "/", "evil.example.com", 403},
		{"GET", "/", "localhost:1", 200},
		{"GET", "/favicon.ico", "", 404},
		{"POST", "/", "", 405},
	} {
		if code, body := get(c.method, c.path, c.host); code != c.want {
			t.Errorf("%s %s (Host %q) = %d, want %d: %s", c.method, c.path, c.host, code, c.want, body)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve ended with %v", err)
	}
}

// TestReportRefusesTerminal: HTML is not for a terminal; the error says
// where it can go, and nothing is printed.
func TestReportRefusesTerminal(t *testing.T) {
	h := newHubEnv(t)
	h.write("cfg/hub.hcl", basicHCL)
	h.env["RELAY_API_KEY"] = "sk-test-report-tty-0101"
	var out, errb strings.Builder
	code := run([]string{"report"}, streams{in: strings.NewReader(""), out: &out, err: &errb, terminal: true, outTerminal: true}, h.environ())
	if code != 1 || out.Len() != 0 || !strings.Contains(errb.String(), "give --out report.html") {
		t.Errorf("exit %d, stdout %d bytes, stderr %s", code, out.Len(), errb.String())
	}
}
