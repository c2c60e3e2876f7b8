package watchtest

import (
	"context"
	"errors"
	"path/filepath"
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

const freshness = 10 * time.Minute

// busyFleet populates a small fleet whose devices need attention often,
// so that a few simulated hours show many episodes at little cost (the
// long runs are make bench-watch's).
func busyFleet(t *testing.T, f *watchbench.Fake, users int) {
	t.Helper()
	if _, err := f.Srv.Populate(poderotest.Fleet{Users: users, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if err := f.Srv.StartChanges(poderotest.Changes{Seed: 2, AttentionPerDay: 12, AttentionMedian: 40 * time.Minute}); err != nil {
		t.Fatal(err)
	}
}

// TestAttentionEpisodes: every attention episode that lasts the freshness
// target is delivered once, within the target (plus a minute), with and
// without a cue; every device is announced once; with budget to spare,
// nothing is Stale.
func TestAttentionEpisodes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		busyFleet(t, f, 10)
		w, err := watch.New(f.Client, watch.Options{Store: watch.NewMemoryStore(), Freshness: freshness})
		if err != nil {
			t.Fatal(err)
		}
		r := watchbench.NewRecorder()
		start := time.Now()
		watchbench.Run(t, w, r, 100*time.Minute)
		events, count := r.Snapshot()
		if n := watchbench.Duplicates(count); n != 0 {
			t.Errorf("%d duplicates", n)
		}
		a := checkAttention(t, f, events, freshness, start, time.Now())
		if a.Detectable < 5 {
			t.Errorf("only %d detectable episodes: the test shows little", a.Detectable)
		}
		types := watchbench.Types(events)
		added := 0
		for _, c := range f.Srv.Changes() {
			if c.Type == poderotest.DeviceAdded {
				added++
			}
		}
		if types["DeviceAdded"] != added || types["Stale"] > 0 || types["NeedsAttention"] == 0 || types["AttentionResolved"] == 0 {
			t.Errorf("events %v; %d devices added", types, added)
		}
		if n := f.Srv.ConcurrentReads(); n != 0 {
			t.Errorf("%d concurrent reads of one device", n)
		}
	})
}

// TestRestart: a watcher on the file store killed twice and restarted
// announces nothing again that was acknowledged, and delivers the
// episodes that began while it was down.
func TestRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fleet.watch")
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		busyFleet(t, f, 10)
		r := watchbench.NewRecorder()
		start := time.Now()
		for range 3 {
			store, err := watch.OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			w, err := watch.New(f.Client, watch.Options{Store: store, Freshness: freshness})
			if err != nil {
				t.Fatal(err)
			}
			watchbench.Run(t, w, r, 30*time.Minute) // then "kill": Run returns writing nothing more
			store.Close()
			time.Sleep(20 * time.Second) // down, as a supervisor restarts it
		}
		events, count := r.Snapshot()
		if n := watchbench.Duplicates(count); n != 0 {
			t.Errorf("%d events announced again after a restart", n)
		}
		a := checkAttention(t, f, events, freshness, start, time.Now().Add(-20*time.Second))
		if a.Detectable < 5 {
			t.Errorf("only %d detectable episodes", a.Detectable)
		}
	})
}

// TestReplicas: three watchers share a store; one is killed. Its users are
// taken over within a lease, no event is missed or delivered twice, and
// no device is read by two at once.
func TestReplicas(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		busyFleet(t, f, 12)
		store := watch.NewMemoryStore()
		r := watchbench.NewRecorder()
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Minute)
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
		time.Sleep(40 * time.Minute)
		held := watchers[2].Stats().Users
		kill()
		<-done
		time.Sleep(time.Minute) // a lease (30 s) and a claim later
		if a, b := watchers[0].Stats().Users, watchers[1].Stats().Users; a+b != 12+countNewUsers(f) || held == 0 {
			t.Errorf("after c died the others hold %d and %d users (c held %d)", a, b, held)
		}
		<-done
		<-done
		events, count := r.Snapshot()
		if n := watchbench.Duplicates(count); n != 0 {
			t.Errorf("%d duplicates", n)
		}
		checkAttention(t, f, events, freshness, start, time.Now())
		if n := f.Srv.ConcurrentReads(); n != 0 {
			t.Errorf("%d concurrent reads of one device", n)
		}
	})
}

func countNewUsers(f *watchbench.Fake) int {
	n := 0
	for _, c := range f.Srv.Changes() {
		if c.Type == poderotest.UserAdded {
			n++
		}
	}
	return n - 12
}

// TestStorm: a window of 429s, one where most requests fail with 503, and
// an outage. A failed read never resolves an episode; the devices not read
// in time are reported Stale; no episode that could be seen is missed.
func TestStorm(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		busyFleet(t, f, 10)
		now := time.Now()
		outage := [2]time.Time{now.Add(70 * time.Minute), now.Add(82 * time.Minute)}
		f.Srv.AddFaultWindow(poderotest.FaultWindow{Start: now.Add(20 * time.Minute), End: now.Add(25 * time.Minute), Status: 429})
		f.Srv.AddFaultWindow(poderotest.FaultWindow{Start: now.Add(40 * time.Minute), End: now.Add(55 * time.Minute), Status: 503, Share: 0.6})
		f.Srv.AddFaultWindow(poderotest.FaultWindow{Start: outage[0], End: outage[1], Status: 503})
		w, err := watch.New(f.Client, watch.Options{Store: watch.NewMemoryStore(), Freshness: freshness})
		if err != nil {
			t.Fatal(err)
		}
		r := watchbench.NewRecorder()
		watchbench.Run(t, w, r, 110*time.Minute)
		events, count := r.Snapshot()
		if n := watchbench.Duplicates(count); n != 0 {
			t.Errorf("%d duplicates", n)
		}
		// Detection is late in the windows: check only that nothing is
		// missed that was visible to a poller (an episode that ends in the
		// outage is not).
		a := watchbench.AnalyzeAttention(f.Srv.Changes(), events, freshness, now, time.Now(), nil)
		for _, e := range a.MissedEps {
			if e.End.Before(outage[1]) && e.End.After(outage[0]) {
				continue
			}
			t.Errorf("an episode of %s from %v to %v was never delivered", e.Device, e.Start.Sub(now), e.End.Sub(now))
			watchbench.DumpDevice(t, f, events, e.Device, now)
		}
		// Every resolution matches an episode that had ended by then.
		eps := watchbench.Episodes(f.Srv.Changes(), time.Now())
		for _, d := range events {
			res, ok := d.Ev.(watch.AttentionResolved)
			if !ok {
				continue
			}
			for _, e := range eps {
				if e.Device == res.Device.ID && !e.Start.After(res.Since) && e.End.After(res.At) {
					t.Errorf("AttentionResolved of %s at %v while its episode lasted until %v", e.Device, res.At.Sub(now), e.End.Sub(now))
				}
			}
		}
		if types := watchbench.Types(events); types["Stale"] == 0 {
			t.Errorf("no Stale event in a 12-minute outage: %v", types)
		}
	})
}

// TestBoosts: a tracked boost is polled in its lane and settles every way
// it can, through failed polls; Boost sends the request again when its
// answer is lost and tracks the boost the first one made; a boost Podero
// refuses is returned and not tracked.
func TestBoosts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		users, err := f.Srv.Populate(poderotest.Fleet{Users: 8, Seed: 3, Devices: map[poderotest.DeviceType]float64{poderotest.ElectricVehicle: 1}})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Srv.StartChanges(poderotest.Changes{Seed: 4, AttentionPerDay: -1, GonePerDay: -1, ChargesPerDay: -1,
			OnboardingsPerDay: -1, NewUsersPerDay: -1, BoostUnavailable: 0.3, BoostNever: 0.01}); err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			if err := f.Srv.SetVehicleState(u.Devices[0].ID, poderotest.VehicleState{PluggedIn: ptr(true), Charging: ptr(false), FullyCharged: ptr(false)}); err != nil {
				t.Fatal(err)
			}
		}
		full := users[7]
		if err := f.Srv.SetVehicleState(full.Devices[0].ID, poderotest.VehicleState{FullyCharged: ptr(true)}); err != nil {
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
		time.Sleep(time.Minute)

		// Tracked boosts, with failed polls on the way.
		f.Srv.FailNextOp("GetElectricVehicle", 4, 503)
		for _, u := range users[:5] {
			if err := f.Client.TriggerElectricVehicleBoost(ctx, u.ID, u.Devices[0].ID); err != nil {
				t.Fatal(err)
			}
			if err := w.TrackBoost(ctx, u.ID, u.Devices[0].ID); err != nil {
				t.Fatal(err)
			}
		}
		// Boost with its answer lost: sent again, 409 "requested", tracked.
		lost := users[5]
		f.Srv.DropNextAnswers("TriggerElectricVehicleBoost", 1)
		if err := w.Boost(ctx, lost.ID, lost.Devices[0].ID); err != nil {
			t.Fatalf("Boost after a lost answer: %v", err)
		}
		if err := w.Boost(ctx, users[6].ID, users[6].Devices[0].ID); err != nil {
			t.Fatal(err)
		}
		// A boost Podero refuses.
		err = w.Boost(ctx, full.ID, full.Devices[0].ID)
		var apiErr *api.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 409 {
			t.Fatalf("Boost of a full vehicle: %v, want the 409", err)
		}
		<-done
		events, count := r.Snapshot()
		if n := watchbench.Duplicates(count); n != 0 {
			t.Errorf("%d duplicates", n)
		}
		settledAt := map[api.UUID]time.Time{}
		for _, c := range f.Srv.Changes() {
			if c.Type == poderotest.BoostSettled {
				settledAt[c.DeviceID] = c.At
			}
		}
		settled := map[api.UUID]watch.BoostSettled{}
		for _, d := range events {
			if b, ok := d.Ev.(watch.BoostSettled); ok {
				settled[b.Device.ID] = b
				if truth, ok := settledAt[b.Device.ID]; !ok {
					t.Errorf("BoostSettled %s for a boost that never settled", b.State)
				} else if late := d.At.Sub(truth); late > 10*time.Second {
					t.Errorf("BoostSettled %v after the boost settled", late)
				}
			}
		}
		for _, u := range users[:7] {
			b, ok := settled[u.Devices[0].ID]
			if !ok || b.State == "" {
				t.Errorf("no BoostSettled for %s: %+v", u.Devices[0].ID, b)
			}
		}
		if _, ok := settled[full.Devices[0].ID]; ok {
			t.Error("a refused boost was tracked")
		}
		states := map[api.BoostState]int{}
		for _, b := range settled {
			states[b.State]++
		}
		if states[api.BoostStateOngoing] == 0 || states[api.BoostStateUnavailable] == 0 {
			t.Errorf("boosts settled %v: want both ongoing and unavailable", states)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestHandlerErrors: an event whose handler fails is retried with backoff
// while the others are delivered, and acknowledged once in the end.
func TestHandlerErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		if _, err := f.Srv.Populate(poderotest.Fleet{Users: 5, Seed: 5}); err != nil {
			t.Fatal(err)
		}
		w, err := watch.New(f.Client, watch.Options{Store: watch.NewMemoryStore(), Freshness: freshness})
		if err != nil {
			t.Fatal(err)
		}
		r := watchbench.NewRecorder()
		var tries []time.Time
		victim := ""
		r.Fail = func(ev watch.Event) error {
			if _, ok := ev.(watch.UserAdded); ok && (victim == "" || victim == ev.EventID()) {
				victim = ev.EventID()
				if len(tries) < 4 {
					tries = append(tries, time.Now())
					return errors.New("the notification service is down")
				}
			}
			return nil
		}
		watchbench.Run(t, w, r, 10*time.Minute)
		events, count := r.Snapshot()
		if count[victim] != 1 || len(tries) != 4 {
			t.Fatalf("the failing event: acknowledged %d times after %d failures", count[victim], len(tries))
		}
		if watchbench.Types(events)["DeviceAdded"] == 0 {
			t.Fatal("nothing else delivered")
		}
		for i := 1; i < len(tries); i++ {
			if gap := tries[i].Sub(tries[i-1]); gap < 900*time.Millisecond<<(i-1) {
				t.Errorf("retry %d came %v after the one before: no backoff", i, gap)
			}
		}
		// The other events went on while the victim waited.
		for _, d := range events {
			if d.Ev.EventID() != victim && d.At.After(tries[3]) {
				return
			}
		}
		var first time.Time
		for _, d := range events {
			if d.Ev.EventID() != victim {
				first = d.At
				break
			}
		}
		if !first.Before(tries[3]) {
			t.Error("the other events waited for the failing one")
		}
	})
}

// TestLagging: a budget too small for the fleet is reported once, as a
// Lagging event, and in Stats.
func TestLagging(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		if _, err := f.Srv.Populate(poderotest.Fleet{Users: 20, Seed: 6}); err != nil {
			t.Fatal(err)
		}
		w, err := watch.New(f.Client, watch.Options{Store: watch.NewMemoryStore(), Freshness: freshness, Rate: 0.02})
		if err != nil {
			t.Fatal(err)
		}
		r := watchbench.NewRecorder()
		watchbench.Run(t, w, r, 5*time.Minute)
		events, _ := r.Snapshot()
		var lag []watch.Lagging
		for _, d := range events {
			if l, ok := d.Ev.(watch.Lagging); ok {
				lag = append(lag, l)
			}
		}
		if len(lag) != 1 || lag[0].Need <= lag[0].Rate || lag[0].Rate != 0.02 {
			t.Fatalf("Lagging events %+v, want one with the need above the rate", lag)
		}
	})
}

// TestDiscovery: users and devices come and go through the users list,
// the lists and, for wallboxes, the charging configuration and 404s.
func TestDiscovery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		w, err := watch.New(f.Client, watch.Options{Store: watch.NewMemoryStore(), Freshness: freshness})
		if err != nil {
			t.Fatal(err)
		}
		r := watchbench.NewRecorder()
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		done := make(chan error)
		go func() { done <- w.Run(ctx, r.Handle) }()
		user, err := f.Client.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: "new@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Minute)
		wb, _ := f.Srv.AddDevice(user.ID, poderotest.Wallbox)
		ev, _ := f.Srv.AddDevice(user.ID, poderotest.ElectricVehicle)
		time.Sleep(freshness + 5*time.Minute) // what lasts the target is seen
		f.Srv.RemoveDevice(wb)
		f.Srv.RemoveDevice(ev)
		<-done
		events, count := r.Snapshot()
		if n := watchbench.Duplicates(count); n != 0 {
			t.Errorf("%d duplicates", n)
		}
		want := []string{"user-added:" + user.ID.String(), "onboarded:" + user.ID.String(),
			"device-added:" + wb.String(), "device-added:" + ev.String(), "device-gone:" + wb.String(), "device-gone:" + ev.String()}
		for _, id := range want {
			if count[id] != 1 {
				t.Errorf("%s delivered %d times; events %v", id, count[id], watchbench.Types(events))
			}
		}
		for _, d := range events {
			if d.Ev.EventID() == "device-added:"+wb.String() && d.At.Sub(d.Ev.Observed()) > time.Second {
				t.Errorf("delivered %v after it was seen", d.At.Sub(d.Ev.Observed()))
			}
		}
	})
}

// TestLanesAndMetrics: each lane's calls carry its priority for the
// client's pace (a client middleware sees them), and Stats counts what the
// watcher's middleware saw.
func TestLanesAndMetrics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		users, err := f.Srv.Populate(poderotest.Fleet{Users: 3, Seed: 7, Devices: map[poderotest.DeviceType]float64{poderotest.ElectricVehicle: 1}})
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		prio := map[string]map[api.Priority]int{}
		cfg := f.Srv.Config()
		cfg.Clock = nil
		cfg.RateLimit = &api.RateLimit{PerSecond: 5, Burst: 2}
		cfg.Middleware = []api.Middleware{{Call: func(ctx context.Context, c *api.Call, next api.Next) error {
			mu.Lock()
			if prio[c.Operation] == nil {
				prio[c.Operation] = map[api.Priority]int{}
			}
			prio[c.Operation][c.Priority]++
			mu.Unlock()
			return next(ctx)
		}}}
		client, err := api.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		w, err := watch.New(client, watch.Options{Store: watch.NewMemoryStore(), Freshness: freshness})
		if err != nil {
			t.Fatal(err)
		}
		r := watchbench.NewRecorder()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
		defer cancel()
		done := make(chan error)
		go func() { done <- w.Run(ctx, r.Handle) }()
		time.Sleep(2 * time.Minute)
		u := users[0]
		if err := f.Srv.SetVehicleState(u.Devices[0].ID, poderotest.VehicleState{PluggedIn: ptr(true), Charging: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if err := w.Boost(ctx, u.ID, u.Devices[0].ID); err != nil {
			t.Fatal(err)
		}
		time.Sleep(27 * time.Minute)
		st := w.Stats()
		<-done
		mu.Lock()
		defer mu.Unlock()
		switch {
		case prio["ListUsers"][api.PriorityLow] == 0 || len(prio["ListUsers"]) != 1:
			t.Errorf("ListUsers priorities %v, want low (discovery)", prio["ListUsers"])
		case prio["GetElectricVehicle"][api.PriorityUrgent] == 0 || prio["TriggerElectricVehicleBoost"][api.PriorityUrgent] != 1:
			t.Errorf("boost priorities %v %v, want urgent", prio["GetElectricVehicle"], prio["TriggerElectricVehicleBoost"])
		case prio["ListElectricVehicles"][api.PriorityHigh] == 0 || prio["ListElectricVehicles"][api.PriorityNormal] == 0:
			t.Errorf("list priorities %v, want high (first reads) and normal (the rest)", prio["ListElectricVehicles"])
		}
		if st.Attempts < st.Requests || st.Requests == 0 || st.BoostPolls == 0 || st.RequestsPerSecond <= 0 ||
			st.SweepDuration < 5*time.Minute || st.SweepDuration > freshness+5*time.Minute || st.OldestReading == 0 {
			t.Errorf("stats %+v", st)
		}
	})
}

// TestCatchUpWithoutBurst: after half an hour down, every read is overdue;
// the restarted watcher catches up at its rate, not in a burst, and the
// fleet is read again within a few minutes.
func TestCatchUpWithoutBurst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fleet.watch")
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		if _, err := f.Srv.Populate(poderotest.Fleet{Users: 60, Seed: 11}); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		perSecond := map[int64]int{}
		f.Srv.Observe(func(a poderotest.Answered) {
			if a.OperationID == "" {
				return // token requests
			}
			mu.Lock()
			perSecond[a.At.Unix()]++
			mu.Unlock()
		})
		const rate = 2.0
		start := func(d time.Duration) {
			store, err := watch.OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			w, err := watch.New(f.Client, watch.Options{Store: store, Freshness: freshness, Rate: rate})
			if err != nil {
				t.Fatal(err)
			}
			watchbench.Run(t, w, watchbench.NewRecorder(), d)
		}
		start(20 * time.Minute)
		time.Sleep(30 * time.Minute) // down: every read is overdue
		mu.Lock()
		clear(perSecond)
		mu.Unlock()
		restart := time.Now()
		start(15 * time.Minute)
		mu.Lock()
		defer mu.Unlock()
		busiest, total, last := 0, 0, int64(0)
		for sec, n := range perSecond {
			busiest, total = max(busiest, n), total+n
			if sec < restart.Add(5*time.Minute).Unix() {
				last = max(last, sec)
			}
		}
		if busiest > int(rate)+1 {
			t.Errorf("%d requests in one second after the restart, at a rate of %v: a burst", busiest, rate)
		}
		// 60 users have about 114 units: at 2 a second, a minute or so.
		if caughtUp := time.Unix(last, 0).Sub(restart); total < 100 || caughtUp > 3*time.Minute {
			t.Errorf("%d requests after the restart, the catch-up lasting %v", total, caughtUp)
		}
	})
}

// TestBoostResumedAfterRestart: a boost tracked before a crash is followed
// by the watcher that restarts on the same store, and settles once.
func TestBoostResumedAfterRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fleet.watch")
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		users, err := f.Srv.Populate(poderotest.Fleet{Users: 2, Seed: 12, Devices: map[poderotest.DeviceType]float64{poderotest.ElectricVehicle: 1}})
		if err != nil {
			t.Fatal(err)
		}
		u := users[0]
		if err := f.Srv.SetVehicleState(u.Devices[0].ID, poderotest.VehicleState{PluggedIn: ptr(true), Charging: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		r := watchbench.NewRecorder()
		for i := range 2 {
			store, err := watch.OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			w, err := watch.New(f.Client, watch.Options{Store: store, Freshness: freshness})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			done := make(chan error)
			go func() { done <- w.Run(ctx, r.Handle) }()
			if i == 0 {
				time.Sleep(time.Second)
				if err := w.Boost(ctx, u.ID, u.Devices[0].ID); err != nil {
					t.Fatal(err)
				}
				cancel() // killed before the boost starts (10 s)
			}
			<-done
			cancel()
			store.Close()
		}
		events, count := r.Snapshot()
		var settled []watch.BoostSettled
		for _, d := range events {
			if b, ok := d.Ev.(watch.BoostSettled); ok {
				settled = append(settled, b)
			}
		}
		if len(settled) != 1 || settled[0].State != api.BoostStateOngoing || watchbench.Duplicates(count) != 0 {
			t.Fatalf("after the restart: %+v", settled)
		}
	})
}

// TestTwoWallboxes: a user's wallboxes are read one GET each; reading one
// says nothing of the other (it was taken for gone, announced gone and
// found again, in a loop of reads that starved discovery).
func TestTwoWallboxes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		ops := map[string]int{}
		f := newFake(t)
		f.Client = watchbench.NewClient(t, f.Srv, nil, api.Middleware{Attempt: func(ctx context.Context, a *api.Attempt, next api.Next) error {
			mu.Lock()
			ops[a.Call.Operation]++
			mu.Unlock()
			return next(ctx)
		}})
		users, err := f.Srv.Populate(poderotest.Fleet{Users: 1, Seed: 13, Devices: map[poderotest.DeviceType]float64{poderotest.Wallbox: 2}})
		if err != nil {
			t.Fatal(err)
		}
		w, err := watch.New(f.Client, watch.Options{Store: watch.NewMemoryStore(), Freshness: freshness})
		if err != nil {
			t.Fatal(err)
		}
		r := watchbench.NewRecorder()
		watchbench.Run(t, w, r, time.Hour)
		events, count := r.Snapshot()
		for _, d := range users[0].Devices {
			if count["device-added:"+d.ID.String()] != 1 || count["device-gone:"+d.ID.String()] != 0 {
				t.Errorf("wallbox %s: %v", d.ID, watchbench.Types(events))
			}
		}
		mu.Lock()
		defer mu.Unlock()
		// An hour: each wallbox every 10 to 15 minutes, the search once.
		if ops["GetWallbox"] > 2*7 || ops["GetChargingConfig"] > 2 {
			t.Errorf("requests in an hour: %v", ops)
		}
	})
}

// TestLanesDoNotStarve: a budget the regular reads fill still lists the
// users: a job overdue by a quarter of the target goes first, whatever its
// lane.
func TestLanesDoNotStarve(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		var mu sync.Mutex
		lists := 0
		f.Srv.Observe(func(a poderotest.Answered) {
			if strings.HasSuffix(a.OperationID, "retrieve_organization_users") {
				mu.Lock()
				lists++
				mu.Unlock()
			}
		})
		if _, err := f.Srv.Populate(poderotest.Fleet{Users: 100, Seed: 14, Devices: map[poderotest.DeviceType]float64{poderotest.ElectricVehicle: 1}}); err != nil {
			t.Fatal(err)
		}
		// 100 lists to read every 10 minutes need a sixth of a request a
		// second: the budget is below it, the reads are always due.
		w, err := watch.New(f.Client, watch.Options{Store: watch.NewMemoryStore(), Freshness: freshness, Rate: 0.15})
		if err != nil {
			t.Fatal(err)
		}
		watchbench.Run(t, w, watchbench.NewRecorder(), time.Hour)
		mu.Lock()
		defer mu.Unlock()
		// Every 5 minutes, give or take a starved quarter of the target.
		if lists < 8 {
			t.Errorf("the users were listed %d times in an hour of a budget the reads fill", lists)
		}
	})
}

// TestBoostsThroughA429Storm: when Podero lowers its limit below what the
// schedule sends, the watcher lowers its pace, and its boost lane gets
// through first: boosts settle within 10 s all the same (they waited
// minutes when every lane met 429s alike).
func TestBoostsThroughA429Storm(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t)
		// The client's pace orders the calls that wait by priority.
		f.Client = watchbench.NewClient(t, f.Srv, &api.RateLimit{PerSecond: 5, Burst: 2})
		users, err := f.Srv.Populate(poderotest.Fleet{Users: 400, Seed: 16, Devices: map[poderotest.DeviceType]float64{poderotest.ElectricVehicle: 1, poderotest.HeatPump: 1}})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Srv.StartChanges(poderotest.Changes{Seed: 17, BoostNever: -1, BoostUnavailable: -1}); err != nil {
			t.Fatal(err)
		}
		// 800 lists every 10 to 15 minutes: about a request a second; for
		// 20 minutes Podero lets through one every 2 s.
		now := time.Now()
		f.Srv.AddFaultWindow(poderotest.FaultWindow{Start: now.Add(20 * time.Minute), End: now.Add(40 * time.Minute), PerSecond: 0.5})
		w, err := watch.New(f.Client, watch.Options{Store: watch.NewMemoryStore(), Freshness: freshness, Rate: 4})
		if err != nil {
			t.Fatal(err)
		}
		r := watchbench.NewRecorder()
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Minute)
		defer cancel()
		done := make(chan error)
		go func() { done <- w.Run(ctx, r.Handle) }()
		time.Sleep(22 * time.Minute)
		for i, u := range users[:6] {
			time.Sleep(2 * time.Minute)
			ev := u.Devices[0].ID
			if err := f.Srv.SetVehicleState(ev, poderotest.VehicleState{PluggedIn: ptr(true), Charging: ptr(false)}); err != nil {
				t.Fatal(err)
			}
			if err := w.Boost(ctx, u.ID, ev); err != nil {
				t.Fatalf("boost %d: %v", i, err)
			}
		}
		<-done
		events, _ := r.Snapshot()
		settled := map[api.UUID]time.Time{}
		for _, c := range f.Srv.Changes() {
			if c.Type == poderotest.BoostSettled {
				settled[c.DeviceID] = c.At
			}
		}
		n := 0
		for _, d := range events {
			if b, ok := d.Ev.(watch.BoostSettled); ok {
				n++
				if late := d.At.Sub(settled[b.Device.ID]); late > 10*time.Second {
					t.Errorf("a boost settled in the storm was delivered %v later", late)
				}
			}
		}
		if st := w.Stats(); n != 6 || st.RateLimited == 0 {
			t.Errorf("%d boosts settled, %d 429s: the storm did not happen as planned", n, st.RateLimited)
		}
	})
}
