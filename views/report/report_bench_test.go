package report_test

import (
	"io"
	"testing"
	"time"

	"github.com/hubctl/hub/views/report"
	"github.com/hubctl/hub/views/report/reporttest"
)

// BenchmarkWrite measures building the page for 1,000 credentials with a
// year of daily history, once their records and series are loaded (make
// bench times the whole command, loading included).
func BenchmarkWrite(b *testing.B) {
	fx, err := reporttest.Build(1000, 365, time.Now(), time.Local)
	if err != nil {
		b.Fatal(err)
	}
	opt := report.Options{Now: fx.Now, Location: fx.Loc, Days: 365, Scrub: func(s string) string { return s }}
	var n countWriter
	for b.Loop() {
		n = 0
		if err := report.Write(&n, fx.Creds, opt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/1e6, "MB/page")
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)
