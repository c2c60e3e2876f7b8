// Package watchtest tests otel.WatchMetrics on poderotest. It is a package
// of its own so that a service's go mod tidy, which reads the tests of the
// packages it imports, does not fetch poderotest's kin-openapi for otel.
package watchtest

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
	poderootel "github.com/podero-go/podero/otel"
	"github.com/podero-go/podero/watch"
)

// TestWatchMetrics: a watcher that ran half an hour of its fake time over a
// fleet of 12 users reports through WatchMetrics exactly what its Stats say,
// every metric with the replica's name; its events are the handler's.
func TestWatchMetrics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := poderotest.NewInProcessServer()
		defer srv.Close()
		if _, err := srv.Populate(poderotest.Fleet{Users: 12, Seed: 7}); err != nil {
			t.Fatal(err)
		}
		cfg := srv.Config()
		cfg.Clock = nil // the bubble's
		c, err := api.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		w, err := watch.New(c, watch.Options{Store: watch.NewMemoryStore(), Replica: "replica-a", Freshness: 10 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		reader := sdkmetric.NewManualReader()
		reg, err := poderootel.WatchMetrics(w, poderootel.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))))
		if err != nil {
			t.Fatal(err)
		}
		defer reg.Unregister()

		var handled atomic.Int64
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- w.Run(ctx, func(context.Context, watch.Event) error { handled.Add(1); return nil }) }()
		time.Sleep(30 * time.Minute)
		synctest.Wait() // the watcher sleeps: its stats hold still
		s := w.Stats()
		var rm metricdata.ResourceMetrics
		if err := reader.Collect(context.Background(), &rm); err != nil {
			t.Fatal(err)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Run: %v", err)
		}
		got := map[string]float64{}
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				var points []metricdata.DataPoint[float64]
				switch d := m.Data.(type) {
				case metricdata.Sum[int64]:
					for _, p := range d.DataPoints {
						points = append(points, metricdata.DataPoint[float64]{Attributes: p.Attributes, Value: float64(p.Value)})
					}
				case metricdata.Gauge[int64]:
					for _, p := range d.DataPoints {
						points = append(points, metricdata.DataPoint[float64]{Attributes: p.Attributes, Value: float64(p.Value)})
					}
				case metricdata.Gauge[float64]:
					points = d.DataPoints
				default:
					t.Errorf("%s: %T", m.Name, m.Data)
				}
				if len(points) != 1 {
					t.Errorf("%s: %d points, want 1", m.Name, len(points))
					continue
				}
				if r, _ := points[0].Attributes.Value(poderootel.ReplicaKey); r.AsString() != "replica-a" {
					t.Errorf("%s: podero.watch.replica %q, want replica-a", m.Name, r.AsString())
				}
				got[m.Name] = points[0].Value
			}
		}
		lagging := 0.0
		if s.Lagging {
			lagging = 1
		}
		want := map[string]float64{
			"podero.watch.requests": float64(s.Requests), "podero.watch.requests.failed": float64(s.Failed),
			"podero.watch.boost_polls": float64(s.BoostPolls), "podero.watch.attempts": float64(s.Attempts),
			"podero.watch.rate_limited": float64(s.RateLimited), "podero.watch.events": float64(s.Events),
			"podero.watch.events.delivered": float64(s.Delivered), "podero.watch.handler.errors": float64(s.HandlerErrors),
			"podero.watch.users": float64(s.Users), "podero.watch.units": float64(s.Units),
			"podero.watch.reading.oldest_age": s.OldestReading.Seconds(), "podero.watch.requests.rate": s.RequestsPerSecond,
			"podero.watch.sweep.duration": s.SweepDuration.Seconds(), "podero.watch.pace.need": s.Need,
			"podero.watch.pace.limit": s.Pace, "podero.watch.lagging": lagging,
		}
		for name, v := range want {
			if g, ok := got[name]; !ok || g != v {
				t.Errorf("%s = %v (reported: %v), want %v as Stats says", name, g, ok, v)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%d metrics, want %d: %v", len(got), len(want), got)
		}
		if s.Requests == 0 || s.Users != 12 || s.Units == 0 || s.Delivered == 0 || int64(s.Delivered) != handled.Load() {
			t.Errorf("the watcher's stats: %+v, handled %d: want requests, 12 users, units and delivered events the handler saw", s, handled.Load())
		}
	})
}

// TestWatchMetricsNil: a nil watcher is an error, not a panic at the first
// collection.
func TestWatchMetricsNil(t *testing.T) {
	if _, err := poderootel.WatchMetrics(nil); err == nil {
		t.Error("WatchMetrics(nil): no error")
	}
}
