package watchbench

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/podero-go/podero/watch"
)

// TestBenchWatch runs the scenarios named in PODERO_BENCH_WATCH (steady,
// restart, storm; "all"), and prints a line for each: make bench-watch.
// It is not a timed test: it measures in simulated time, and fails only
// for broken promises (a miss, a duplicate, latency over its bound).
func TestBenchWatch(t *testing.T) {
	want := os.Getenv("PODERO_BENCH_WATCH")
	if want == "" {
		t.Skip("make bench-watch runs it (PODERO_BENCH_WATCH=steady,restart,storm)")
	}
	dir := os.Getenv("PODERO_BENCH_WATCH_DIR") // where the file stores go
	for _, name := range []string{"steady", "restart", "storm"} {
		if !Wanted(want, name) {
			continue
		}
		sc := Scenarios()[name]
		path := filepath.Join(t.TempDir(), "fleet.watch")
		if dir != "" {
			path = filepath.Join(dir, "podero-bench-"+name+".watch")
			os.Remove(path)
			t.Cleanup(func() { os.Remove(path); os.Remove(path + ".lock") })
		}
		sc.Store = func(t testing.TB, i int) watch.Store {
			s, err := watch.OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		t.Run(name, func(t *testing.T) {
			began := time.Now()
			res := RunScenario(t, sc)
			os.Stdout.WriteString(res.Line() + "\n")
			t.Logf("%s (%v of real time)", res.Summary(), time.Since(began).Round(time.Second))
		})
	}
}
