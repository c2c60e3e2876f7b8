package watchbench

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/podero-go/podero/api/poderotest"
	"github.com/podero-go/podero/watch"
)

// Scenarios are make bench-watch's, at the scale of the environment:
// PODERO_BENCH_WATCH_DEVICES (10,000) and PODERO_BENCH_WATCH_HOURS (24).
func Scenarios() map[string]Scenario {
	devices, hours := 10000, 24.0
	if n, err := strconv.Atoi(os.Getenv("PODERO_BENCH_WATCH_DEVICES")); err == nil && n > 0 {
		devices = n
	}
	if h, err := strconv.ParseFloat(os.Getenv("PODERO_BENCH_WATCH_HOURS"), 64); err == nil && h > 0 {
		hours = h
	}
	day := time.Duration(hours * float64(time.Hour))
	at := func(frac float64) time.Time { return time.Time{}.Add(time.Duration(frac * float64(day))) }
	base := Scenario{Devices: devices, Duration: day, Freshness: 10 * time.Minute, Replicas: 1, BoostsPerHour: 10, Seed: 1}
	steady, restart, storm := base, base, base
	steady.Name = "steady"
	restart.Name, restart.Kills, restart.Restart = "restart", []time.Duration{day / 3, 2 * day / 3}, 15*time.Second
	storm.Name = "storm"
	storm.Windows = []poderotest.FaultWindow{
		{Start: at(0.3), End: at(0.3).Add(20 * time.Minute), PerSecond: 3},            // Podero's limit drops: 429s
		{Start: at(0.6), End: at(0.6).Add(15 * time.Minute), Status: 503, Share: 0.5}, // half the requests fail
	}
	return map[string]Scenario{"steady": steady, "restart": restart, "storm": storm}
}

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
		if want != "all" && !strings.Contains(","+want+",", ","+name+",") {
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
