package pgstore_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/podero-go/podero/watch"
	"github.com/podero-go/podero/watch/internal/watchbench"
)

// TestBenchWatch is make bench-watch's replicas scenario: three replicas
// on Postgres, one killed half way. It runs when PODERO_BENCH_WATCH names
// it (replicas, or all) and a server is at PODERO_PG_URL.
func TestBenchWatch(t *testing.T) {
	if !watchbench.Wanted(os.Getenv("PODERO_BENCH_WATCH"), "replicas") {
		t.Skip("make bench-watch runs it (PODERO_BENCH_WATCH=replicas)")
	}
	url := pgURL(t)
	sc := watchbench.Scenarios()["replicas"]
	var store watch.Store
	sc.Store = func(t testing.TB, i int) watch.Store {
		if store == nil {
			// The pool is made in the bubble, where the watchers run.
			pool, err := pgxpool.New(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(pool.Close)
			store = open(t, pool)
		}
		return store
	}
	began := time.Now()
	res := watchbench.RunScenario(t, sc)
	os.Stdout.WriteString(res.Line() + "\n")
	t.Logf("%s (%v of real time)", res.Summary(), time.Since(began).Round(time.Second))
}
