package newapichannels

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/hubctl/hub/targets"
)

var _ targets.Tester = (*Target)(nil)

// Test implements targets.Tester: each of in's credentials' channels is
// tested by the panel itself (GET /api/channel/test/:id, with the
// channel's first model), which sends a request through the channel to
// its upstream. A credential without a channel on the panel yet is a
// failure saying so (apply first). Nothing is changed.
func (t *Target) Test(ctx context.Context, in *targets.Input) ([]targets.TestResult, error) {
	base, err := t.base()
	if err != nil {
		return nil, err
	}
	all, err := t.list(ctx, base)
	if err != nil {
		return nil, err
	}
	byCred := map[string]channel{}
	for _, c := range all {
		if c.Remark == nil {
			continue
		}
		if id, _, ok := parseMarker(*c.Remark); ok {
			byCred[id] = c
		}
	}
	var out []targets.TestResult
	for _, c := range in.Credentials {
		r := targets.TestResult{Credential: c.ID, Where: "the New API panel at " + base}
		ch, ok := byCred[c.ID]
		if !ok {
			r.Message = "hub has no channel for it on the panel yet; run hub apply first"
			out = append(out, r)
			continue
		}
		r.Where = fmt.Sprintf("channel %d on %s", ch.ID, base)
		p := "/api/channel/test/" + strconv.FormatInt(ch.ID, 10)
		if models := t.models(c); len(models) > 0 {
			p += "?model=" + url.QueryEscape(models[0])
		}
		env, err := t.request(ctx, base, "GET", p, nil)
		if err != nil {
			r.Message = t.scrub(err).Error()
		} else {
			r.OK, r.Seconds = true, env.Time
		}
		out = append(out, r)
	}
	return out, nil
}
