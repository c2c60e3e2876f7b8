package watchtest

import (
	"testing"
	"time"

	"github.com/podero-go/podero/watch/internal/watchbench"
)

// checkAttention fails t for attention episodes missed and deliveries
// later than the freshness target and a minute.
func checkAttention(t testing.TB, f *watchbench.Fake, events []watchbench.Delivered, freshness time.Duration, from, until time.Time) watchbench.Attention {
	t.Helper()
	a := watchbench.AnalyzeAttention(f.Srv.Changes(), events, freshness, from, until, nil)
	for _, e := range a.MissedEps {
		t.Errorf("an episode of %s (cue %q) from %v to %v was never delivered", e.Device, e.Cue, e.Start.Sub(from), e.End.Sub(from))
		watchbench.DumpDevice(t, f, events, e.Device, from)
	}
	if p99 := watchbench.Percentile(a.Delays, 0.99); p99 > freshness+time.Minute {
		t.Errorf("attention p99 %v, more than the freshness target %v and a minute", p99, freshness)
	}
	return a
}

func newFake(t testing.TB) *watchbench.Fake { return watchbench.NewFake(t, 500) }
