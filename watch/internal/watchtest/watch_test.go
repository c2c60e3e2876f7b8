package watchtest

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/podero-go/podero/api/poderotest"
	"github.com/podero-go/podero/watch"
)

// TestAttentionEpisodes: against a fleet whose devices need attention
// often, every episode that lasts the freshness target is delivered once,
// within the target (plus a minute), with and without a cue.
func TestAttentionEpisodes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		if _, err := f.srv.Populate(poderotest.Fleet{Users: 30, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		if err := f.srv.StartChanges(poderotest.Changes{Seed: 2, AttentionPerDay: 4}); err != nil {
			t.Fatal(err)
		}
		const freshness = 10 * time.Minute
		w, err := watch.New(f.client, watch.Options{Store: watch.NewMemoryStore(), Freshness: freshness})
		if err != nil {
			t.Fatal(err)
		}
		r := newRecorder()
		start := time.Now()
		run(t, w, r, 6*time.Hour)
		events, count := r.snapshot()
		if n := duplicates(count); n != 0 {
			t.Errorf("%d duplicates", n)
		}
		eps := episodes(f.srv.Changes(), time.Now())
		seen := matchAttention(eps, events)
		detectable, missed := 0, 0
		for _, e := range eps {
			if e.end.Sub(e.start) < freshness || e.start.Before(start) {
				continue
			}
			detectable++
			at, ok := seen[e]
			switch {
			case !ok:
				missed++
				t.Errorf("episode of %s (cue %q) from %v to %v: never delivered", e.device, e.cue, e.start.Sub(start), e.end.Sub(start))
				dumpDevice(t, f, events, e.device, start)
			case at.Sub(e.start) > freshness+time.Minute:
				t.Errorf("episode of %s from %v delivered %v later", e.device, e.start.Sub(start), at.Sub(e.start))
			}
		}
		if detectable < 10 {
			t.Errorf("only %d detectable episodes: the test shows little", detectable)
		}
		types := map[string]int{}
		for _, d := range events {
			types[fmt.Sprintf("%T", d.ev)]++
		}
		if types["watch.Stale"] > 0 {
			t.Errorf("%d Stale events with a budget to spare", types["watch.Stale"])
		}
		t.Log(types)
		st := w.Stats()
		t.Logf("%d events, %d episodes (%d detectable, %d missed); stats %+v; fake: %d requests", len(events), len(eps), detectable, missed, st, len(f.srv.Requests()))
	})
}
