package usage

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/providers"
)

// newAPIReader is the newapi method: the balance from /api/usage/token/,
// and, as a providers.Explainer and providers.TodayReader, the reason a key
// is refused and today's figures from /api/log/token.
type newAPIReader struct{ single }

// Explain reads /api/usage/token/ for a key New API refused with 401 on a
// relay route: since upstream 59c582d1 (2026-04-12) every unusable token
// gets 401 "Invalid token" there, while this endpoint still answers an
// exhausted or expired key and calls a disabled one "unavailable"
// (newapi-real.md). The reason is named from what it says.
func (newAPIReader) Explain(ctx context.Context, cl *providers.Client, c *credential.Credential, refused *providers.Failure) (*providers.Usage, *providers.Failure, int) {
	r := &run{cl: cl, c: c, u: &providers.Usage{Source: MethodNewAPI}}
	err := readNewAPI(ctx, r)
	why := func(class providers.Class, msg string) *providers.Failure {
		return &providers.Failure{Class: class, Status: refused.Status, Endpoint: refused.Endpoint, Code: refused.Code,
			Message: msg + "; the relay routes answer every unusable key with 401 \"Invalid token\""}
	}
	if err != nil {
		if f, ok := providers.AsFailure(err); ok && f.Status == http.StatusUnauthorized && disabledMessage(f.Message) {
			return nil, why(providers.ClassDisabled, "the key is disabled (/api/usage/token/: \"This token status is unavailable\")"), r.u.Requests
		}
		return nil, nil, r.u.Requests
	}
	u := r.u
	now := cl.Now()
	switch {
	case u.ExpiresAt != nil && !u.ExpiresAt.After(now):
		return u, why(providers.ClassExpired, "the key expired on "+u.ExpiresAt.In(now.Location()).Format(time.DateOnly)+" (/api/usage/token/ expires_at)"), u.Requests
	case !u.Unlimited && u.Balance != nil && *u.Balance <= 0:
		msg := "the key's quota is used up: $0.00 left"
		if u.TotalGranted != nil {
			msg += fmt.Sprintf(" of $%.2f granted", *u.TotalGranted)
		}
		return u, why(providers.ClassQuota, msg+" (/api/usage/token/)"), u.Requests
	}
	return u, nil, u.Requests
}

// disabledMessage recognises New API's answer for a disabled token.
func disabledMessage(m string) bool {
	m = strings.ToLower(m)
	return strings.Contains(m, "token status is unavailable") || strings.Contains(m, "令牌状态不可用")
}

// maxPastDays bounds how many earlier days one log read gives the history.
const maxPastDays = 31

// wholeDays are the days before today (starting at today's local midnight)
// whose every row the log holds, oldest first, a day without a row there a
// zero: all from the oldest row's day when the log is the key's whole log
// (not full), else from the day after it.
func wholeDays(days map[string]*providers.DayFigures, today, oldest time.Time, whole bool) []providers.DayFigures {
	first := time.Date(oldest.Year(), oldest.Month(), oldest.Day(), 0, 0, 0, 0, today.Location())
	if !whole {
		first = first.AddDate(0, 0, 1)
	}
	if limit := today.AddDate(0, 0, -maxPastDays); first.Before(limit) {
		first = limit
	}
	var out []providers.DayFigures
	for d := first; d.Before(today); d = d.AddDate(0, 0, 1) {
		day := d.Format(time.DateOnly)
		if f := days[day]; f != nil {
			out = append(out, *f)
		} else {
			out = append(out, providers.DayFigures{Day: day})
		}
	}
	return out
}

// logCap is how many rows New API's /api/log/token returns at most (the
// newest): a key used more often in a day gets incomplete today figures.
const logCap = 100

// ReadToday sums today's rows of GET /api/log/token (key only; critical
// budget): consumption rows (type 2) whose created_at falls in the local
// day of the client's clock, cost in USD through quota_per_unit. It fills
// u's today figures and Day, and records the attempt in u.
func (newAPIReader) ReadToday(ctx context.Context, cl *providers.Client, c *credential.Credential, u *providers.Usage) error {
	r := &run{cl: cl, c: c, u: u}
	rawURL := strings.TrimRight(c.BaseURL, "/") + "/api/log/token"
	resp, err := r.do(ctx, MethodNewAPI, providers.Request{URL: rawURL, Auth: providers.AuthBearer, Critical: true})
	if err != nil {
		return err
	}
	rows, ok := logRows(resp.Body)
	if !ok {
		return r.wrongShape(MethodNewAPI, resp, "New API's token log (no data rows)")
	}
	st, err := statuses.get(ctx, cl, c)
	if err != nil {
		r.fail(MethodNewAPI, resp.Endpoint, err)
		return err
	}
	u.Requests += st.requests
	now := cl.Now()
	y, m, d := now.Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	end := start.AddDate(0, 0, 1)
	// Consumption per local day; the log is the newest rows, so a day
	// before today is whole only when the log reaches back past its start
	// (or the log is not full: then it is the key's whole log).
	days := map[string]*providers.DayFigures{}
	var consumed int64
	oldest := now
	for _, row := range rows {
		at, ok := field(row, "created_at")
		if !ok {
			continue
		}
		t := time.Unix(int64(at), 0).In(now.Location())
		if t.Before(oldest) {
			oldest = t
		}
		if typ, _ := field(row, "type"); typ != 2 {
			continue
		}
		consumed++
		if !t.Before(end) {
			continue
		}
		day := t.Format(time.DateOnly)
		f := days[day]
		if f == nil {
			f = &providers.DayFigures{Day: day}
			days[day] = f
		}
		q, _ := field(row, "quota")
		p, _ := field(row, "prompt_tokens")
		cpl, _ := field(row, "completion_tokens")
		f.Cost += math.Max(0, q) / st.quotaPerUnit
		f.PromptTokens += int64(math.Max(0, p))
		f.CompletionTokens += int64(math.Max(0, cpl))
		f.Tokens = f.PromptTokens + f.CompletionTokens
		f.Requests++
	}
	if consumed == 0 && (u.TotalUsed == nil || *u.TotalUsed > 0) {
		// A key that spent quota but logged none: the site keeps no
		// consumption log (LogConsumeEnabled off), so 0 would be false.
		r.done(MethodNewAPI, resp, "the key's log has no consumption rows though it has used quota (the site may not log consumption): today's figures unknown")
		return nil
	}
	today := days[start.Format(time.DateOnly)]
	if today == nil {
		today = &providers.DayFigures{}
	}
	u.TodayCost = ptr(today.Cost)
	u.TodayRequests, u.TodayTokens = ptr(today.Requests), ptr(today.Tokens)
	u.TodayPromptTokens, u.TodayCompletionTokens = ptr(today.PromptTokens), ptr(today.CompletionTokens)
	u.Day, u.TodayAt = start.Format(time.DateOnly), nil
	u.PastDays = wholeDays(days, start, oldest, len(rows) < logCap)
	note := st.note
	if len(rows) >= logCap && !oldest.Before(start) {
		note = strings.TrimPrefix(note+fmt.Sprintf("; the log holds only the newest %d rows, all of today: today's figures are a lower bound", len(rows)), "; ")
	}
	r.done(MethodNewAPI, resp, note)
	return nil
}

// logRows reads the rows of {"success":true,"data":[...]} (or data.items).
func logRows(body []byte) ([]map[string]any, bool) {
	m, ok := decodeObject(body)
	if !ok {
		return nil, false
	}
	var list []any
	switch d := m["data"].(type) {
	case []any:
		list = d
	case map[string]any:
		list, ok = d["items"].([]any)
		if !ok {
			return nil, false
		}
	case nil:
		if _, ok := m["data"]; !ok {
			return nil, false
		}
	default:
		return nil, false
	}
	rows := make([]map[string]any, 0, len(list))
	for _, v := range list {
		if row, ok := v.(map[string]any); ok {
			rows = append(rows, row)
		}
	}
	return rows, true
}
