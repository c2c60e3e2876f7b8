package watchtest

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

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
