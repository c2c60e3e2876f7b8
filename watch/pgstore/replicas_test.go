package pgstore_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/podero-go/podero/api/poderotest"
	"github.com/podero-go/podero/watch"
	"github.com/podero-go/podero/watch/internal/watchbench"
)

// TestReplicas: three watchers share a small fleet through Postgres; one
// is killed. Its users are taken over within a lease, no event is missed
// or delivered twice, and no device is read by two replicas at once. It
// runs in a synctest bubble: the watchers' clock is the bubble's, while
// Postgres answers in real time.
func TestReplicas(t *testing.T) {
	url := pgURL(t)
	synctest.Test(t, func(t *testing.T) {
		pool, err := pgxpool.New(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		store := open(t, pool)
		f := watchbench.NewFake(t, 500)
		if _, err := f.Srv.Populate(poderotest.Fleet{Users: 12, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		if err := f.Srv.StartChanges(poderotest.Changes{Seed: 2, AttentionPerDay: 12, AttentionMedian: 40 * time.Minute}); err != nil {
			t.Fatal(err)
		}
		const freshness = 10 * time.Minute
		r := watchbench.NewRecorder()
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 80*time.Minute)
		defer cancel()
		killCtx, kill := context.WithCancel(ctx)
		watchers := make([]*watch.Watcher, 3)
		done := make(chan error, 3)
		for i := range watchers {
			w, err := watch.New(f.Client, watch.Options{Store: store, Freshness: freshness, Replica: string(rune('a' + i))})
			if err != nil {
				t.Fatal(err)
			}
			watchers[i] = w
			runCtx := ctx
			if i == 2 {
				runCtx = killCtx
			}
			go func() { done <- w.Run(runCtx, r.Handle) }()
		}
		time.Sleep(30 * time.Minute)
		held := watchers[2].Stats().Users
		kill()
		<-done
		time.Sleep(time.Minute) // a lease (30 s) and a claim later
		if a, b := watchers[0].Stats().Users, watchers[1].Stats().Users; held == 0 || a == 0 || b == 0 || a+b < 12 {
			t.Errorf("after c died the others hold %d and %d users (c held %d)", a, b, held)
		}
		<-done
		<-done
		events, count := r.Snapshot()
		if n := watchbench.Duplicates(count); n != 0 {
			t.Errorf("%d duplicates", n)
		}
		a := watchbench.AnalyzeAttention(f.Srv.Changes(), events, freshness, start, time.Now(), nil)
		for _, e := range a.MissedEps {
			t.Errorf("an episode of %s from %v to %v was never delivered", e.Device, e.Start.Sub(start), e.End.Sub(start))
		}
		if p99 := watchbench.Percentile(a.Delays, 0.99); p99 > freshness+time.Minute {
			t.Errorf("attention p99 %v", p99)
		}
		if n := f.Srv.ConcurrentReads(); n != 0 {
			t.Errorf("%d concurrent reads of one device", n)
		}
		t.Logf("%d events, %v; %d detectable episodes", len(events), watchbench.Types(events), a.Detectable)
	})
}
