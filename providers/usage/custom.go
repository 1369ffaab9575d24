package usage

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/providers"
)

// readCustom reads a read-only endpoint the user names, mapping its JSON
// answer with dot paths (All API Hub's custom telemetry). The endpoint is a
// root-relative path, resolved against the credential's origin, or an
// absolute http(s) URL. The credential's key goes only to its own origin;
// another origin gets the usage block's token, or no authorization at all.
// The client follows no redirect to another origin either way.
func readCustom(ctx context.Context, r *run) error {
	cfg := r.c.Usage
	if cfg.Endpoint == "" {
		return &providers.Failure{Class: providers.ClassBadRequest,
			Message: fmt.Sprintf("credential %s: usage method custom needs an endpoint", r.c.ID)}
	}
	target, same, err := credential.ResolveUsageEndpoint(r.c.BaseURL, cfg.Endpoint)
	if err != nil {
		return &providers.Failure{Class: providers.ClassWrongURL, Message: fmt.Sprintf("credential %s: %v", r.c.ID, err)}
	}
	auth := providers.AuthNone
	switch {
	case same:
		auth = providers.AuthBearer
	case cfg.Token.Reveal() != "":
		auth = providers.AuthToken
	}
	resp, err := r.get(ctx, MethodCustom, target, auth, true)
	if err != nil {
		return err
	}
	root, ok := decodeObject(resp.Body)
	if !ok {
		f := &providers.Failure{Class: providers.ClassBadAnswer, Status: resp.Status, Endpoint: resp.Endpoint,
			Message: "the answer is not a JSON object, so the dot paths cannot be followed"}
		r.fail(MethodCustom, resp.Endpoint, f)
		return f
	}
	var notes, mapped []string
	resolved := 0
	num := func(name, path string) (float64, bool) {
		if path == "" {
			return 0, false
		}
		mapped = append(mapped, fmt.Sprintf("%s %q", name, path))
		v, found := follow(root, path)
		if !found {
			notes = append(notes, fmt.Sprintf("%s path %q is not in the answer", name, path))
			return 0, false
		}
		f, ok := number(v)
		if !ok {
			notes = append(notes, fmt.Sprintf("%s path %q holds %s, not a number", name, path, kind(v)))
			return 0, false
		}
		resolved++
		return f, true
	}
	p := cfg.Paths
	if f, ok := num("balance", p.Balance); ok {
		r.u.Balance = ptr(f)
	}
	if f, ok := num("today_cost", p.TodayCost); ok {
		r.u.TodayCost = ptr(f)
	}
	if f, ok := num("today_requests", p.TodayRequests); ok {
		r.u.TodayRequests = ptr(int64(math.Round(f)))
	}
	if f, ok := num("today_tokens", p.TodayTokens); ok {
		r.u.TodayTokens = ptr(int64(math.Round(f)))
	}
	if len(mapped) == 0 {
		f := &providers.Failure{Class: providers.ClassBadRequest, Endpoint: resp.Endpoint,
			Message: fmt.Sprintf("credential %s: usage method custom maps no path; set balance, today_cost, today_requests or today_tokens", r.c.ID)}
		r.fail(MethodCustom, resp.Endpoint, f)
		return f
	}
	if resolved == 0 {
		f := &providers.Failure{Class: providers.ClassBadAnswer, Status: resp.Status, Endpoint: resp.Endpoint,
			Message: "none of the mapped paths gave a number: " + strings.Join(notes, "; ")}
		r.fail(MethodCustom, resp.Endpoint, f)
		return f
	}
	r.done(MethodCustom, resp, strings.Join(notes, "; "))
	return nil
}

// follow walks a dot path through plain JSON objects.
func follow(root map[string]any, path string) (any, bool) {
	var cur any = root
	for _, seg := range credential.UsagePathSegments(path) {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[seg]; !ok {
			return nil, false
		}
	}
	return cur, cur != nil
}

// kind names a JSON value's type for messages, without its content.
func kind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	}
	return "a value"
}
