package watchtest

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
	"github.com/podero-go/podero/watch"
	"github.com/podero-go/podero/watch/internal/watchbench"
)

// TestAttentionCueAddedLater: a device that first needs attention without
// a cue (is_authenticated false, no pending action) and later shows a
// reauthenticate action is one episode: one NeedsAttention, nothing
// resolved until the device is reconnected.
func TestAttentionCueAddedLater(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		users, err := f.Srv.Populate(poderotest.Fleet{Users: 1, Seed: 21, Devices: map[poderotest.DeviceType]float64{poderotest.ElectricVehicle: 1}})
		if err != nil {
			t.Fatal(err)
		}
		dev := users[0].Devices[0].ID
		w, err := watch.New(f.Client, watch.Options{Store: watch.NewMemoryStore(), Freshness: freshness})
		if err != nil {
			t.Fatal(err)
		}
		r := watchbench.NewRecorder()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Hour)
		defer cancel()
		done := make(chan error)
		go func() { done <- w.Run(ctx, r.Handle) }()
		count := func() (needs, resolved int) {
			events, _ := r.Snapshot()
			for _, d := range events {
				switch d.Ev.(type) {
				case watch.NeedsAttention:
					needs++
				case watch.AttentionResolved:
					resolved++
				}
			}
			return needs, resolved
		}
		time.Sleep(time.Minute)
		if err := f.Srv.Disconnect(dev); err != nil {
			t.Fatal(err)
		}
		time.Sleep(30 * time.Minute)
		if n, res := count(); n != 1 || res != 0 {
			t.Fatalf("disconnected without a cue: %d NeedsAttention, %d AttentionResolved; want 1, 0", n, res)
		}
		if _, err := f.Srv.RequireReauthentication(dev); err != nil {
			t.Fatal(err)
		}
		time.Sleep(30 * time.Minute)
		if n, res := count(); n != 1 || res != 0 {
			t.Errorf("the cue added: %d NeedsAttention, %d AttentionResolved; want 1, 0 (the same episode)", n, res)
		}
		if err := f.Srv.Reconnect(dev); err != nil {
			t.Fatal(err)
		}
		time.Sleep(30 * time.Minute)
		if n, res := count(); n != 1 || res != 1 {
			t.Errorf("reconnected: %d NeedsAttention, %d AttentionResolved; want 1, 1", n, res)
		}
		cancel()
		<-done
	})
}

// TestShutdownAcksHandled: an event the handler acknowledged as the Run
// context ended (a graceful shutdown) is not delivered again by the next
// Run on the same store.
func TestShutdownAcksHandled(t *testing.T) {
	stores := map[string]func(t *testing.T) (open func() watch.Store){
		"memory": func(t *testing.T) func() watch.Store {
			s := watch.NewMemoryStore()
			return func() watch.Store { return s }
		},
		"file": func(t *testing.T) func() watch.Store {
			path := filepath.Join(t.TempDir(), "fleet.watch")
			return func() watch.Store {
				s, err := watch.OpenFile(path)
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
		},
	}
	for name, mk := range stores {
		t.Run(name, func(t *testing.T) {
			open := mk(t)
			synctest.Test(t, func(t *testing.T) {
				f := newFake(t)
				if _, err := f.Srv.Populate(poderotest.Fleet{Users: 3, Seed: 22}); err != nil {
					t.Fatal(err)
				}
				var mu sync.Mutex
				count := map[string]int{}
				first := ""
				for i := range 2 {
					store := open()
					w, err := watch.New(f.Client, watch.Options{Store: store, Freshness: freshness})
					if err != nil {
						t.Fatal(err)
					}
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
					h := func(ctx context.Context, ev watch.Event) error {
						mu.Lock()
						defer mu.Unlock()
						count[ev.EventID()]++
						if i == 0 && first == "" {
							first = ev.EventID()
							cancel() // a deploy stops the watcher as this event is handled
						}
						return nil
					}
					_ = w.Run(ctx, h)
					cancel()
					if name == "file" {
						store.Close()
					}
				}
				if first == "" || count[first] != 1 {
					t.Errorf("the event handled at the shutdown, %q, was delivered %d times", first, count[first])
				}
			})
		})
	}
}

// TestChargeSeenDuringARead: a vehicle that starts charging while a read
// of it is on its way (sent, not answered) is seen by that read, and its
// ChargingStarted is observed when the answer came, not before the charge
// began: for a regular read (the user's list of vehicles) and a boost's
// poll (the vehicle). The events of a read used to carry the time the read
// started, so a charge that began during the read's latency was announced
// as seen before it began, and make bench-watch counted it as never
// delivered (in the replicas scenario, a boost's poll by a replica that
// took the boost at its claim could straddle the charge's start).
func TestChargeSeenDuringARead(t *testing.T) {
	t.Run("read", func(t *testing.T) { testChargeSeenDuringARead(t, "ListElectricVehicles", false) })
	t.Run("boost", func(t *testing.T) { testChargeSeenDuringARead(t, "GetElectricVehicle", true) })
}

func testChargeSeenDuringARead(t *testing.T, op string, boost bool) {
	synctest.Test(t, func(t *testing.T) {
		var f *watchbench.Fake
		var once sync.Once
		var armed atomic.Bool
		ev := api.UUID{}
		mw := api.Middleware{Attempt: func(ctx context.Context, a *api.Attempt, next api.Next) error {
			if a.Call.Operation == op && armed.Load() {
				once.Do(func() {
					// The charge begins while the request waits out the
					// fake's latency: the answer shows it.
					go func() {
						time.Sleep(10 * time.Millisecond)
						if err := f.Srv.SetVehicleState(ev, poderotest.VehicleState{Charging: ptr(true)}); err != nil {
							t.Error(err)
						}
					}()
				})
			}
			return next(ctx)
		}}
		f = watchbench.NewFake(t, 500, mw)
		f.Srv.SetLatency(50 * time.Millisecond)
		users, err := f.Srv.Populate(poderotest.Fleet{Users: 1, Seed: 21, Devices: map[poderotest.DeviceType]float64{poderotest.ElectricVehicle: 1}})
		if err != nil {
			t.Fatal(err)
		}
		ev = users[0].Devices[0].ID
		if err := f.Srv.SetVehicleState(ev, poderotest.VehicleState{PluggedIn: ptr(true), Charging: ptr(false), FullyCharged: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		w, err := watch.New(f.Client, watch.Options{Store: watch.NewMemoryStore(), Freshness: freshness})
		if err != nil {
			t.Fatal(err)
		}
		r := watchbench.NewRecorder()
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		done := make(chan error)
		go func() { done <- w.Run(ctx, r.Handle) }()
		time.Sleep(5 * time.Minute) // the vehicle is known, not charging
		if boost {
			if err := w.TrackBoost(ctx, users[0].ID, ev); err != nil {
				t.Fatal(err)
			}
		}
		armed.Store(true)
		time.Sleep(2 * freshness)
		cancel()
		<-done
		var began time.Time
		for _, c := range f.Srv.Changes() {
			if c.Type == poderotest.ChargingStarted && c.DeviceID == ev {
				began = c.At
			}
		}
		if began.IsZero() {
			t.Fatal("the vehicle never started charging")
		}
		events, _ := r.Snapshot()
		n := 0
		for _, d := range events {
			if e, ok := d.Ev.(watch.ChargingStarted); ok {
				n++
				if e.Observed().Before(began) {
					t.Errorf("ChargingStarted observed at %v, %v before the charge began", e.Observed(), began.Sub(e.Observed()))
				}
			}
		}
		if n != 1 {
			t.Errorf("%d ChargingStarted, want 1", n)
		}
	})
}
