package views

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/providers"
)

// Refresh is hub refresh's view.
type Refresh interface {
	Diagnoser
	// Refreshed shows one credential's refresh: r is what was read, rec
	// what the state now records.
	Refreshed(c *config.Credential, r *telemetry.Result, rec *telemetry.Record)
}

// NewRefresh returns hub refresh's view: one JSON line per credential with
// asJSON, else a line per credential and its errors.
func NewRefresh(v *View, asJSON bool) Refresh {
	if asJSON {
		return refreshJSON{newJSON(v)}
	}
	return refreshHuman{v}
}

type refreshHuman struct{ *View }

func (v refreshHuman) Refreshed(c *config.Credential, r *telemetry.Result, rec *telemetry.Record) {
	st := v.Style
	rec = printableRecord(rec)
	fmt.Fprintf(v.Out, "%s %s  %s\n", healthMark(st, rec.Health.Status), st.Bold(c.ID), summary(rec, v.now()))
	for _, err := range []error{r.ModelsErr, r.UsageErr, r.TodayErr} {
		if err == nil {
			continue
		}
		if err == r.TodayErr {
			fmt.Fprintf(v.Out, "    today: %s\n", printableErr(err))
			continue
		}
		if f, ok := providers.AsFailure(err); ok && f.Unsupported() && err == r.UsageErr {
			fmt.Fprintf(v.Out, "    usage: %s\n", printableErr(err))
			continue
		}
		fmt.Fprintf(v.Out, "    %s\n", printableErr(err))
	}
	if d := telemetry.ExpiryDisagreement(c, rec, v.now().Location()); d != "" {
		fmt.Fprintf(v.Out, "    %s expiry: %s\n", st.Paint("33", "!"), d)
	}
}

type refreshJSON struct{ jsonView }

func (v refreshJSON) Refreshed(c *config.Credential, r *telemetry.Result, rec *telemetry.Record) {
	fields := recordFields(c, rec)
	fields["duration_ms"] = r.Duration.Milliseconds()
	fields["requests"] = r.Requests
	level, msg := levelOf(rec.Health.Status), c.ID+": "+rec.Health.Status
	if d := telemetry.ExpiryDisagreement(c, rec, v.now().Location()); d != "" {
		fields["expiry_disagreement"] = d
		msg += "; expiry: " + d
		if level == "info" {
			level = "warn"
		}
	}
	v.j.Emit(level, "refresh", msg, fields)
}

// A StatusRow is one credential of hub status: its record (nil: never
// refreshed), stale when the key or base URL changed since.
type StatusRow struct {
	Credential *config.Credential
	Record     *telemetry.Record
	Stale      bool
	// Balances are the balance of each day of the window, oldest first
	// (NaN: no refresh read one that day), from the history; nil: none.
	Balances []float64
	// Days are those days (YYYY-MM-DD), for the JSON form.
	Days []string
	// ExpiryWarning is the hub block's expiry_warning: a key expiring
	// within it is named in the health column and listed first.
	ExpiryWarning time.Duration
}

// expiry is the row's key's expiry: the configured one, else the one the
// upstream reported at the last refresh (upstream true), if that refresh
// was of this key.
func (r StatusRow) expiry() (e credential.Expiry, upstream bool) {
	if e := r.Credential.Expires; !e.IsZero() || r.Stale {
		return e, false
	}
	e = r.Record.UpstreamExpiry()
	return e, !e.IsZero()
}

// expiring reports whether the row's key has expired or expires within
// the warning window.
func (r StatusRow) expiring(now time.Time) bool {
	e, _ := r.expiry()
	return e.Soon(now, r.ExpiryWarning)
}

// urgentFirst orders rows so the keys that have expired or expire soon
// come first, soonest first; the others keep their order.
func urgentFirst(rows []StatusRow, now time.Time) []StatusRow {
	out := slices.Clone(rows)
	slices.SortStableFunc(out, func(a, b StatusRow) int {
		ua, ub := a.expiring(now), b.expiring(now)
		switch {
		case ua && ub:
			ea, _ := a.expiry()
			eb, _ := b.expiry()
			return ea.At.Compare(eb.At)
		case ua:
			return -1
		case ub:
			return 1
		}
		return 0
	})
	return out
}

// Status is hub status's view.
type Status interface {
	Diagnoser
	Status(rows []StatusRow)
	// History shows each credential's days (hub status --history).
	History(rows []HistoryRow)
}

// NewStatus returns hub status's view: one JSON line per credential with
// asJSON, else a table.
func NewStatus(v *View, asJSON bool) Status {
	if asJSON {
		return statusJSON{newJSON(v)}
	}
	return statusHuman{v}
}

type statusJSON struct{ jsonView }

func (v statusJSON) Status(rows []StatusRow) {
	now := v.now()
	for _, r := range urgentFirst(rows, now) {
		fields := recordFields(r.Credential, r.Record)
		level := ""
		if e, upstream := r.expiry(); !e.IsZero() {
			fields["expires"] = e.String()
			fields["expiry"] = map[string]any{"expired": e.Expired(now), "soon": r.expiring(now), "message": e.Describe(now), "from_upstream": upstream}
			if r.expiring(now) {
				level = "warn"
			}
		}
		if r.Stale {
			fields["stale"] = true
		}
		if hist := balanceHistory(r); len(hist) > 0 {
			fields["balance_history"] = hist
		}
		status := telemetry.Unknown
		if r.Record != nil {
			status = r.Record.Health.Status
		}
		msg := r.Credential.ID + ": " + status
		if e, _ := r.expiry(); r.expiring(now) {
			msg += ", " + e.Describe(now)
		}
		if level == "" || levelOf(status) == "error" {
			level = levelOf(status)
		}
		v.j.Emit(level, "status", msg, fields)
	}
}

type statusHuman struct{ *View }

func (v statusHuman) Status(rows []StatusRow) {
	now := v.now()
	tw := tabwriter.NewWriter(v.Out, 0, 0, 2, ' ', 0)
	// The balance's history as a sparkline, when any credential has two
	// days of it (one day is no trend).
	trend := false
	for _, r := range rows {
		trend = trend || countFigures(r.Balances) >= 2
	}
	// On a narrow terminal the table would wrap: the trend goes first.
	if v.Width > 0 && v.Width < 120 {
		trend = false
	}
	rows = urgentFirst(rows, now)
	// The expiry column, when any key has one.
	expiries := false
	for _, r := range rows {
		e, _ := r.expiry()
		expiries = expiries || !e.IsZero()
	}
	header := "CREDENTIAL\tTYPE\tBASE URL\tHEALTH\tBALANCE\tTODAY\tREQUESTS\tTOKENS\tMODELS\tREFRESHED\tLAST ERROR"
	if expiries {
		header = strings.Replace(header, "HEALTH\t", "HEALTH\tEXPIRES\t", 1)
	}
	if trend {
		header = strings.Replace(header, "BALANCE\t", fmt.Sprintf("BALANCE\t%dD\t", len(rows[0].Balances)), 1)
	}
	fmt.Fprintln(tw, header)
	never := 0
	for _, r := range rows {
		c, rec := r.Credential, printableRecord(r.Record)
		cols := []string{c.ID, c.APIType, c.BaseURL}
		switch {
		case rec == nil:
			never++
			cols = append(cols, "unknown", "-", "-", "-", "-", "-", "never", "")
		case r.Stale:
			cols = append(cols, "stale", "-", "-", "-", "-", "-", ago(now, rec.LastRefresh), "key or base URL changed since; run hub refresh")
		default:
			u := rec.Usage
			cost, reqs, toks := "-", "-", "-"
			if u != nil {
				if u.TodayCost != nil {
					cost = money(*u.TodayCost)
					if u.TodayAt != nil {
						cost += " (" + ago(now, *u.TodayAt) + ")"
					}
				}
				if u.TodayRequests != nil {
					reqs = thousands(*u.TodayRequests)
				}
				if u.TodayTokens != nil {
					toks = thousands(*u.TodayTokens)
				}
			}
			health := rec.Health.Status
			if rec.Health.Class != "" && health != telemetry.Healthy {
				health += ": " + rec.Health.Class.String()
			}
			bal := balance(u)
			if u != nil && rec.UsageAt.Before(rec.LastRefresh) {
				bal += " (" + ago(now, rec.UsageAt) + ")"
			}
			cols = append(cols, health, bal, cost, reqs, toks, fmt.Sprint(len(rec.Models)), ago(now, rec.LastRefresh), oneLine(rec.LastError, 70))
		}
		if trend {
			line := ""
			if countFigures(r.Balances) >= 2 {
				line = Sparkline(r.Balances)
			}
			cols = append(cols[:5], append([]string{line}, cols[5:]...)...)
		}
		e, upstream := r.expiry()
		if r.expiring(now) {
			cols[3] += ", " + e.Describe(now)
		}
		if expiries {
			exp := "-"
			switch {
			case upstream:
				exp = e.Day(now.Location()) + " (upstream)"
			case !e.IsZero():
				exp = e.String()
			}
			cols = append(cols[:4], append([]string{exp}, cols[4:]...)...)
		}
		fmt.Fprintln(tw, strings.Join(cols, "\t"))
	}
	tw.Flush()
	if never > 0 {
		fmt.Fprintf(v.Out, "\n%s never refreshed: run hub refresh to read models, balance and health.\n", plural(never, "credential"))
	}
}

// Verify is hub verify's view.
type Verify interface {
	Diagnoser
	// Verified shows one credential's checks.
	Verified(c *config.Credential, ver *telemetry.Verification)
	// Verifications closes the output: how many were verified, how many
	// failed.
	Verifications(total, failed int)
}

// NewVerify returns hub verify's view: one JSON line per credential with
// asJSON, else a block of checks per credential and a count. as is hub
// verify --as: every line then says that the keys were probed as that API
// type, for this run only.
func NewVerify(v *View, asJSON bool, as string) Verify {
	if asJSON {
		return verifyJSON{newJSON(v)}
	}
	return verifyHuman{v, as}
}

type verifyHuman struct {
	*View
	as string
}

// asLabel is the override's label for a human line: "  [as openai]".
func asLabel(ver *telemetry.Verification) string {
	if ver.As == "" {
		return ""
	}
	return "  [as " + ver.As + "]"
}

func (v verifyHuman) Verified(c *config.Credential, ver *telemetry.Verification) {
	st := v.Style
	mark := st.Paint("32", "✓")
	if !ver.OK() {
		mark = st.Paint("31", "✗")
	}
	typ, label := c.APIType, asLabel(ver)
	if ver.As != "" {
		typ = st.Paint("33", fmt.Sprintf("as %s, temporary: the saved type is %s", ver.As, ver.SavedType))
	}
	fmt.Fprintf(v.Out, "%s %s  %s  %s\n", mark, st.Bold(c.ID), typ, c.BaseURL)
	for i, ck := range ver.Checks {
		if i == 1 && ver.Model != "" {
			fmt.Fprintf(v.Out, "    model for probes: %s (%s)%s\n", printable(ver.Model), ver.ModelFrom, label)
		}
		if ck.OK() {
			detail := printable(ck.Detail)
			if ck.Name == "models" && ver.Models != nil && ver.Models.Endpoint != "" {
				detail += " from " + printable(ver.Models.Endpoint)
			}
			fmt.Fprintf(v.Out, "    %s %-10s %s%s%s\n", st.Paint("32", "✓"), ck.Name, detail, ms(ck.Duration), label)
			continue
		}
		fmt.Fprintf(v.Out, "    %s %-10s %s%s%s\n", st.Paint("31", "✗"), ck.Name, printableErr(ck.Err), ms(ck.Duration), label)
	}
}

func (v verifyHuman) Verifications(total, failed int) {
	as := ""
	if v.as != "" {
		as = fmt.Sprintf(" as %s (temporary: the saved API types and the state are unchanged)", v.as)
	}
	fmt.Fprintf(v.Out, "\n%s verified%s: %d ok, %d failing.\n", plural(total, "credential"), as, total-failed, failed)
}

type verifyJSON struct{ jsonView }

// checkJSON is one check in verify's JSON view.
type checkJSON struct {
	Name       string          `json:"name"`
	OK         bool            `json:"ok"`
	Class      providers.Class `json:"class,omitempty"`
	Error      string          `json:"error,omitempty"`
	Detail     string          `json:"detail,omitempty"`
	DurationMS int64           `json:"duration_ms"`
	// As is the override's API type, on every check it applies to.
	As string `json:"as,omitempty"`
}

func (v verifyJSON) Verified(c *config.Credential, ver *telemetry.Verification) {
	fields := map[string]any{"credential": c.ID, "api_type": c.APIType, "base_url": c.BaseURL, "ok": ver.OK()}
	suffix := ""
	if ver.As != "" {
		fields["api_type"] = ver.As
		fields["as"] = map[string]any{"api_type": ver.As, "saved_api_type": ver.SavedType, "temporary": true}
		suffix = fmt.Sprintf(" (as %s, temporary: the saved type is %s)", ver.As, ver.SavedType)
	}
	if ver.Models != nil {
		fields["models"], fields["models_endpoint"] = printableIDs(ver.Models.IDs()), printable(ver.Models.Endpoint)
	}
	if ver.Model != "" {
		fields["model"], fields["model_from"] = printable(ver.Model), ver.ModelFrom
	}
	var checks []checkJSON
	for _, ck := range ver.Checks {
		cj := checkJSON{Name: ck.Name, OK: ck.OK(), Detail: printable(ck.Detail), DurationMS: ck.Duration.Milliseconds(), As: ver.As}
		if ck.Err != nil {
			cj.Error = printableErr(ck.Err)
			if f, ok := providers.AsFailure(ck.Err); ok {
				cj.Class = f.Class
			}
		}
		checks = append(checks, cj)
	}
	fields["checks"] = checks
	level, msg := "info", c.ID+": every check passed"
	if !ver.OK() {
		level, msg = "error", c.ID+": "+firstError(ver)
	}
	v.j.Emit(level, "verify", msg+suffix, fields)
}

// Verifications says nothing: each line carries its own verdict.
func (verifyJSON) Verifications(int, int) {}

func firstError(v *telemetry.Verification) string {
	for _, ck := range v.Checks {
		if ck.Err != nil {
			return ck.Name + ": " + printableErr(ck.Err)
		}
	}
	return "not verified"
}

// Models is hub models's view.
type Models interface {
	Diagnoser
	// Models shows the models credential id's key can use.
	Models(id string, list *providers.ModelList)
}

// NewModels returns hub models's view: one JSON object with asJSON, else
// the ids one per line on stdout (for pipes) and where they came from on
// stderr.
func NewModels(v *View, asJSON bool) Models {
	if asJSON {
		return modelsJSON{newJSON(v)}
	}
	return modelsHuman{v}
}

type modelsHuman struct{ *View }

func (v modelsHuman) Models(_ string, list *providers.ModelList) {
	for _, m := range list.Models {
		fmt.Fprintln(v.Out, printable(m.ID))
	}
	fmt.Fprintf(v.Err, "%s from %s\n", plural(len(list.Models), "model"), printable(list.Endpoint))
}

type modelsJSON struct{ jsonView }

func (v modelsJSON) Models(id string, list *providers.ModelList) {
	v.j.Emit("info", "models", fmt.Sprintf("%s: %d models", id, len(list.Models)),
		map[string]any{"credential": id, "endpoint": printable(list.Endpoint), "models": printableModels(list.Models)})
}

func levelOf(health string) string {
	switch health {
	case telemetry.Error:
		return "error"
	case telemetry.Warning:
		return "warn"
	}
	return "info"
}

func healthMark(st Style, health string) string {
	switch health {
	case telemetry.Healthy:
		return st.Paint("32", "✓")
	case telemetry.Warning:
		return st.Paint("33", "!")
	case telemetry.Error:
		return st.Paint("31", "✗")
	}
	return "?"
}

// summary is a record in one line: health, models, balance, today.
// Figures that could not be read this time are the last ones read, with
// their age.
func summary(r *telemetry.Record, now time.Time) string {
	s := r.Health.Status
	if r.Health.Status != telemetry.Healthy && r.Health.Class != "" {
		s += " (" + r.Health.Class.String() + ")"
	}
	s += fmt.Sprintf(", %s", plural(len(r.Models), "model"))
	if u := r.Usage; u != nil {
		s += ", balance " + balance(u)
		if r.UsageAt.Before(r.LastRefresh) {
			s += " (read " + ago(now, r.UsageAt) + ")"
		}
		if t := today(u); t != "" {
			s += ", today " + t
			if u.TodayAt != nil {
				s += " (read " + ago(now, *u.TodayAt) + ")"
			}
		}
	}
	return s
}

func balance(u *providers.Usage) string {
	switch {
	case u == nil:
		return "-"
	case u.Unlimited:
		return "unlimited"
	case u.Balance == nil:
		return "-"
	}
	return money(*u.Balance)
}

func money(v float64) string { return fmt.Sprintf("$%.2f", v) }

func today(u *providers.Usage) string {
	var parts []string
	if u.TodayCost != nil {
		parts = append(parts, money(*u.TodayCost))
	}
	if u.TodayRequests != nil {
		parts = append(parts, plural(int(*u.TodayRequests), "request"))
	}
	if u.TodayTokens != nil {
		parts = append(parts, fmt.Sprintf("%s tokens", thousands(*u.TodayTokens)))
	}
	return strings.Join(parts, " / ")
}

// thousands writes n with comma separators: 1234567 → 1,234,567.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return neg + s
}

// recordFields is a record for JSON output.
func recordFields(c *config.Credential, r *telemetry.Record) map[string]any {
	r = printableRecord(r)
	m := map[string]any{"credential": c.ID, "name": c.Name, "api_type": c.APIType, "base_url": c.BaseURL, "tags": c.Tags}
	if r == nil {
		m["health"] = telemetry.Health{Status: telemetry.Unknown, Reason: "never refreshed"}
		return m
	}
	m["health"] = r.Health
	m["models"] = r.Models
	m["model_count"] = len(r.Models)
	if r.Usage != nil {
		m["usage"] = r.Usage
		m["usage_at"] = r.UsageAt
	}
	m["last_refresh"] = r.LastRefresh
	if !r.LastSuccess.IsZero() {
		m["last_success"] = r.LastSuccess
	}
	if r.LastError != "" {
		m["last_error"] = r.LastError
	}
	return m
}

// ago is a short age: "3m ago", "2h ago", "4d ago".
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len([]rune(s)) > n {
		return string([]rune(s)[:n-1]) + "…"
	}
	return s
}

func ms(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return fmt.Sprintf("  %d ms", d.Milliseconds())
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// countFigures counts the values that are figures (not NaN).
func countFigures(vs []float64) int {
	n := 0
	for _, v := range vs {
		if !math.IsNaN(v) {
			n++
		}
	}
	return n
}

// balanceHistory is a row's balances by day, for JSON: days without a
// figure left out.
func balanceHistory(r StatusRow) []map[string]any {
	var out []map[string]any
	for i, v := range r.Balances {
		if !math.IsNaN(v) && i < len(r.Days) {
			out = append(out, map[string]any{"day": r.Days[i], "balance": v})
		}
	}
	return out
}
