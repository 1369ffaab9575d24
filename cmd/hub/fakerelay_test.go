package main

import (
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hubctl/hub/providers/fakerelay"
)

// fakerelay FLAVOR NAME KEY...: starts a fake upstream of FLAVOR (newapi,
// newapi-old, oneapi, sub2api, openai, anthropic, gemini) on 127.0.0.1 and
// sets $NAME_URL to it. Each KEY is value[:field=v]... with fields
// models=a,b  fault=exhausted|rate_limited|model_not_found|success_false|
// challenge|slow|disabled  used=N remain=N (quota units)  unlimited=true
// balance=USD  cost=USD  requests=N  tokens=N (today's, as input tokens)
// expires=UNIX  log=AGO/QUOTA/PROMPT/COMPLETION (a New API consumption row
// AGO before it is asked for; repeatable).
// Options before NAME: latency=DURATION, slow=DURATION, qpu=N,
// current=true (New API's 401 "Invalid token" for every unusable key),
// display=USD|CNY|TOKENS, rate=N (usd_exchange_rate), critical=N.
func cmdFakerelay(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: fakerelay FLAVOR [latency=D] [slow=D] [qpu=N] NAME KEY...")
	}
	flavor := fakerelay.Flavor(args[0])
	args = args[1:]
	var opts []string
	for len(args) > 0 && strings.Contains(args[0], "=") {
		opts, args = append(opts, args[0]), args[1:]
	}
	if len(args) == 0 {
		ts.Fatalf("fakerelay: no NAME")
	}
	name, keySpecs := args[0], args[1:]
	var keys []*fakerelay.Key
	for _, spec := range keySpecs {
		parts := strings.Split(spec, ":")
		k := &fakerelay.Key{Value: parts[0]}
		for _, p := range parts[1:] {
			f, v, ok := strings.Cut(p, "=")
			if !ok {
				ts.Fatalf("fakerelay: key field %q is not name=value", p)
			}
			switch f {
			case "models":
				k.Models = strings.Split(v, ",")
			case "fault":
				k.Fault = fakerelay.Fault(v)
			case "used":
				k.QuotaUsed = atoi(ts, v)
			case "remain":
				k.QuotaRemain = atoi(ts, v)
			case "unlimited":
				k.Unlimited = v == "true"
			case "balance":
				k.Balance = atof(ts, v)
			case "cost":
				k.TodayCost = atof(ts, v)
			case "requests":
				k.TodayRequests = atoi(ts, v)
			case "tokens":
				k.TodayInput = atoi(ts, v)
			case "expires":
				k.ExpiresAt = atoi(ts, v)
			case "log":
				f := strings.Split(v, "/")
				if len(f) != 4 {
					ts.Fatalf("fakerelay: log=%s is not AGO/QUOTA/PROMPT/COMPLETION", v)
				}
				ago, err := time.ParseDuration(f[0])
				ts.Check(err)
				k.Logs = append(k.Logs, fakerelay.Log{Ago: ago, Type: 2, Quota: atoi(ts, f[1]), PromptTokens: atoi(ts, f[2]), Completion: atoi(ts, f[3])})
			default:
				ts.Fatalf("fakerelay: unknown key field %q", f)
			}
		}
		keys = append(keys, k)
	}
	srv := fakerelay.New(flavor, keys...)
	for _, o := range opts {
		f, v, _ := strings.Cut(o, "=")
		switch f {
		case "latency", "slow":
			d, err := time.ParseDuration(v)
			ts.Check(err)
			srv.Set(func(s *fakerelay.Server) {
				if f == "latency" {
					s.Latency = d
				} else {
					s.SlowDelay = d
				}
			})
		case "qpu":
			q := atof(ts, v)
			srv.Set(func(s *fakerelay.Server) { s.QuotaPerUnit = q })
		case "current":
			srv.Set(func(s *fakerelay.Server) { s.InvalidTokenOnly = v == "true" })
		case "display":
			srv.Set(func(s *fakerelay.Server) { s.DisplayType = v })
		case "rate":
			r := atof(ts, v)
			srv.Set(func(s *fakerelay.Server) { s.USDExchangeRate = r })
		case "critical":
			n := int(atoi(ts, v))
			srv.Set(func(s *fakerelay.Server) { s.CriticalLimit = n })
		default:
			ts.Fatalf("fakerelay: unknown option %q", f)
		}
	}
	ts.Defer(srv.Close)
	ts.Setenv(name+"_URL", srv.URL)
}

func atoi(ts *testscript.TestScript, s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	ts.Check(err)
	return n
}

func atof(ts *testscript.TestScript, s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	ts.Check(err)
	return f
}
