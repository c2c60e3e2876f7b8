package watchtest

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
	"github.com/podero-go/podero/watch"
	"github.com/podero-go/podero/watch/internal/watchbench"
)

// service is the README's "Watching a fleet" service, as the README shows
// it between the markers (TestReadmeService holds the two together).
func service(ctx context.Context, client *api.PartnerClient, path string,
	notify func(context.Context, api.UUID, watch.Device, string) error,
	report func(context.Context, watch.Device, api.BoostState) error,
	chargeButtons func(*watch.Watcher)) error {
	// README: begin
	store, err := watch.OpenFile(path) // one process; watch/pgstore for replicas
	if err != nil {
		return err
	}
	defer store.Close()
	w, err := watch.New(client, watch.Options{Store: store})
	if err != nil {
		return err
	}
	go chargeButtons(w) // your app: w.Boost(ctx, user, vehicle) when one is pressed
	return w.Run(ctx, func(ctx context.Context, ev watch.Event) error {
		switch e := ev.(type) {
		case watch.NeedsAttention: // nil acknowledges; an error delivers it again later
			return notify(ctx, e.User, e.Device, e.Reason)
		case watch.BoostSettled:
			return report(ctx, e.Device, e.State)
		}
		return nil
	})
	// README: end
}

// TestReadmeService: the README's service is the one above, and it
// notifies of attention and reports a boost against the fake.
func TestReadmeService(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := regexp.MustCompile("(?s)## Watching a fleet.*?```go\n(.*?)```").FindSubmatch(readme)
	src, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	body := regexp.MustCompile(`(?s)// README: begin\n(.*?)\t// README: end`).FindSubmatch(src)
	squash := func(b []byte) string { return strings.Join(strings.Fields(string(b)), " ") }
	if section == nil || body == nil || squash(section[1]) != squash(body[1]) {
		t.Fatalf("the README's service is not the one under test:\nREADME:\n%s\ntest:\n%s", section, body)
	}

	path := filepath.Join(t.TempDir(), "fleet.watch")
	synctest.Test(t, func(t *testing.T) {
		f := watchbench.NewFake(t, 500)
		users, err := f.Srv.Populate(poderotest.Fleet{Users: 3, Seed: 9, Devices: map[poderotest.DeviceType]float64{poderotest.ElectricVehicle: 1}})
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var notified []string
		var reported []api.BoostState
		notify := func(ctx context.Context, user api.UUID, d watch.Device, reason string) error {
			mu.Lock()
			defer mu.Unlock()
			notified = append(notified, reason)
			return nil
		}
		report := func(ctx context.Context, d watch.Device, state api.BoostState) error {
			mu.Lock()
			defer mu.Unlock()
			reported = append(reported, state)
			return nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		// A user presses "charge now" a minute in.
		press := func(w *watch.Watcher) {
			time.Sleep(time.Minute)
			ev := users[1].Devices[0].ID
			if err := f.Srv.SetVehicleState(ev, poderotest.VehicleState{PluggedIn: ptr(true), Charging: ptr(false)}); err != nil {
				t.Error(err)
			}
			if err := w.Boost(ctx, users[1].ID, ev); err != nil {
				t.Error(err)
			}
		}
		done := make(chan error)
		go func() { done <- service(ctx, f.Client, path, notify, report, press) }()
		time.Sleep(2 * time.Minute)
		if _, err := f.Srv.RequireReauthentication(users[0].Devices[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != context.DeadlineExceeded {
			t.Fatalf("the service ended with %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(notified) != 1 || !strings.Contains(notified[0], "reauthentication required") ||
			len(reported) != 1 || reported[0] != api.BoostStateOngoing {
			t.Errorf("notified %q, reported %v; want one reauthentication and one boost ongoing", notified, reported)
		}
	})
}
