package watchtest

import (
	"context"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
	"github.com/podero-go/podero/watch"
	"github.com/podero-go/podero/watch/internal/watchbench"
)

// TestBaseline: with Options.Baseline, the first run on a fresh file store
// records a populated fleet without UserAdded, DeviceAdded or
// OnboardingCompleted, but announces a device that needs reauthentication
// at start, and announces a user added later and its device. A second Run
// on the same store (a restart) announces nothing of the baselined users.
func TestBaseline(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fleet.watch")
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		users, err := f.Srv.Populate(poderotest.Fleet{Users: 20, Seed: 31})
		if err != nil {
			t.Fatal(err)
		}
		old := map[api.UUID]bool{}
		for _, u := range users {
			old[u.ID] = true
		}
		broken := users[3].Devices[0].ID
		if _, err := f.Srv.RequireReauthentication(broken); err != nil {
			t.Fatal(err)
		}
		run := func(d time.Duration, during func(ctx context.Context)) ([]watchbench.Delivered, map[string]int) {
			store, err := watch.OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			w, err := watch.New(f.Client, watch.Options{Store: store, Freshness: freshness, Baseline: true})
			if err != nil {
				t.Fatal(err)
			}
			r := watchbench.NewRecorder()
			ctx, cancel := context.WithTimeout(context.Background(), d)
			defer cancel()
			done := make(chan error)
			go func() { done <- w.Run(ctx, r.Handle) }()
			if during != nil {
				during(ctx)
			}
			<-done
			return r.Snapshot()
		}
		announced := func(events []watchbench.Delivered, user api.UUID) []string {
			var out []string
			for _, d := range events {
				switch d.Ev.(type) {
				case watch.UserAdded, watch.DeviceAdded, watch.OnboardingCompleted:
					if eventUser(d.Ev) == user {
						out = append(out, d.Ev.EventID())
					}
				}
			}
			return out
		}
		var newUser api.UUID
		var newDev api.UUID
		events, count := run(2*freshness, func(ctx context.Context) {
			time.Sleep(freshness)
			u, err := f.Client.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: "later@example.com"})
			if err != nil {
				t.Error(err)
				return
			}
			newUser = u.ID
			newDev, _ = f.Srv.AddDevice(u.ID, poderotest.ElectricVehicle)
		})
		for id := range old {
			if a := announced(events, id); len(a) > 0 {
				t.Errorf("baselined user %s announced: %v", id, a)
			}
		}
		needs := 0
		for _, d := range events {
			if na, ok := d.Ev.(watch.NeedsAttention); ok && na.Device.ID == broken {
				needs++
			}
		}
		if needs != 1 {
			t.Errorf("the device needing reauthentication at baseline: %d NeedsAttention, want 1; events %v", needs, watchbench.Types(events))
		}
		for _, id := range []string{"user-added:" + newUser.String(), "device-added:" + newDev.String()} {
			if count[id] != 1 {
				t.Errorf("%s delivered %d times, want 1; events %v", id, count[id], watchbench.Types(events))
			}
		}

		// A restart: nothing of the baselined users is announced, but a
		// device one of them adds later is.
		var added api.UUID
		events, count = run(2*freshness, func(ctx context.Context) {
			time.Sleep(freshness / 2)
			added, _ = f.Srv.AddDevice(users[0].ID, poderotest.ElectricVehicle)
		})
		for id := range old {
			a := announced(events, id)
			if id == users[0].ID && len(a) == 1 && a[0] == "device-added:"+added.String() {
				continue
			}
			if len(a) > 0 {
				t.Errorf("after a restart, baselined user %s announced: %v", id, a)
			}
		}
		if count["device-added:"+added.String()] != 1 {
			t.Errorf("a device added to a baselined user after the restart delivered %d times, want 1", count["device-added:"+added.String()])
		}
		for _, d := range events {
			if _, ok := d.Ev.(watch.NeedsAttention); ok {
				t.Errorf("after a restart, %s delivered again", d.Ev.EventID())
			}
		}
	})
}

func eventUser(ev watch.Event) api.UUID {
	switch e := ev.(type) {
	case watch.UserAdded:
		return e.User
	case watch.DeviceAdded:
		return e.User
	case watch.OnboardingCompleted:
		return e.User
	}
	return api.UUID{}
}

// TestBaselineRestartMidway: a restart in the middle of the first
// discovery (the users listed and written, their devices not all read)
// announces none of the baselined users or their devices.
func TestBaselineRestartMidway(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fleet.watch")
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		users, err := f.Srv.Populate(poderotest.Fleet{Users: 200, Seed: 32})
		if err != nil {
			t.Fatal(err)
		}
		r := watchbench.NewRecorder()
		for _, d := range []time.Duration{3 * time.Second, freshness} {
			store, err := watch.OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			w, err := watch.New(f.Client, watch.Options{Store: store, Freshness: freshness, Baseline: true})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), d)
			_ = w.Run(ctx, r.Handle)
			cancel()
			store.Close()
		}
		events, _ := r.Snapshot()
		for _, d := range events {
			switch d.Ev.(type) {
			case watch.UserAdded, watch.DeviceAdded, watch.OnboardingCompleted:
				t.Errorf("%s delivered", d.Ev.EventID())
			}
		}
		if len(users) != 200 {
			t.Fatal(len(users))
		}
	})
}
