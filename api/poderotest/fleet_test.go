package poderotest_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
)

var day0 = time.Date(2031, 6, 2, 0, 0, 0, 0, time.UTC)

// fleetServer is a fake on a manual clock at day0, with a client that
// keeps the clock and does not retry.
func fleetServer(t *testing.T) (*poderotest.Server, *poderotest.Clock, *api.PartnerClient) {
	t.Helper()
	srv := poderotest.New(t)
	clock := poderotest.NewClock(day0)
	srv.UseClock(clock)
	cfg := srv.Config()
	cfg.Retry = &api.RetryPolicy{}
	c, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return srv, clock, c
}

// TestPopulate: one call makes the users and their devices, connected and
// listed, in the mix asked for, and logs them in the ground truth.
func TestPopulate(t *testing.T) {
	srv, _, c := fleetServer(t)
	users, err := srv.Populate(poderotest.Fleet{Users: 200, Seed: 1,
		Devices: map[poderotest.DeviceType]float64{poderotest.ElectricVehicle: 1, poderotest.Wallbox: 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	listed, err := c.ListUsers(ctx, api.ListUsersParams{})
	if err != nil || len(listed) != 200 {
		t.Fatalf("ListUsers: %d users, %v", len(listed), err)
	}
	wallboxes := 0
	for i, u := range users {
		if listed[i].GetID() != u.ID || listed[i].GetNumElectricVehicles() != 1 || !listed[i].GetIsOnboarded() {
			t.Fatalf("user %d listed as %v", i, listed[i])
		}
		wallboxes += listed[i].GetNumWallboxes()
	}
	if wallboxes < 70 || wallboxes > 130 { // 100 expected; a seeded draw
		t.Errorf("%d wallboxes for 200 users at 0.5 each", wallboxes)
	}
	evs, err := c.ListElectricVehicles(ctx, users[7].ID)
	if err != nil || len(evs) != 1 || !evs[0].GetIsAuthenticated() || evs[0].GetCurrentStateLastUpdatedAt().After(day0) {
		t.Fatalf("a user's vehicles: %v, %v", evs, err)
	}
	added := map[poderotest.ChangeType]int{}
	for _, ch := range srv.Changes() {
		added[ch.Type]++
	}
	if added[poderotest.UserAdded] != 200 || added[poderotest.DeviceAdded] != 200+wallboxes || added[poderotest.OnboardingCompleted] != 200 {
		t.Errorf("ground truth %v", added)
	}
	if _, err := srv.Populate(poderotest.Fleet{Users: 1, Devices: map[poderotest.DeviceType]float64{"xx": 1}}); err == nil {
		t.Error("Populate took an unknown device type")
	}
}

// TestChanges: the change process, on the fake's clock, refreshes every
// device every 5 to 15 minutes, starts and ends attention with and without
// a cue, charges, and deletes and adds devices and users; the API shows
// each change the log records, when it records it.
func TestChanges(t *testing.T) {
	srv, clock, c := fleetServer(t)
	srv.SampleChecks(20, 100) // thousands of reads; new shapes are still all checked
	if _, err := srv.Populate(poderotest.Fleet{Users: 20, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	// High rates, so that ten simulated hours of 20 users show every change.
	if err := srv.StartChanges(poderotest.Changes{Seed: 3, AttentionPerDay: 6, GonePerDay: 0.5, ChargesPerDay: 3,
		OnboardingsPerDay: 40, NewUsersPerDay: 40}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	checked := 0
	from := len(srv.Changes())
	for clock.Now().Before(day0.Add(10 * time.Hour)) {
		clock.Advance(7 * time.Minute)
		// What the API shows now agrees with the last change logged of
		// each device.
		changes := srv.Changes()
		for _, ch := range changes[from:] {
			if ch.Device != poderotest.ElectricVehicle {
				continue
			}
			ev, err := c.GetElectricVehicle(ctx, ch.UserID, ch.DeviceID)
			last := lastChange(changes, ch.DeviceID)
			switch {
			case last.Type == poderotest.DeviceGone:
				if !api.IsNotFound(err) {
					t.Fatalf("a vehicle gone at %v: %v", last.At, err)
				}
			case err != nil:
				t.Fatal(err)
			case last.Type == poderotest.AttentionStarted && (!ev.NeedsAttention() || hasCue(ev) != (last.CueID != "")):
				t.Fatalf("attention started at %v (cue %q): the vehicle reads %v", last.At, last.CueID, ev)
			case last.Type == poderotest.StateUpdated && !ev.GetCurrentStateLastUpdatedAt().Equal(last.At):
				t.Fatalf("state updated at %v: the vehicle reads %v", last.At, ev.GetCurrentStateLastUpdatedAt())
			}
			checked++
		}
		from = len(changes)
	}
	if checked < 100 {
		t.Fatalf("only %d changes checked against the API", checked)
	}
	count := map[poderotest.ChangeType]int{}
	cueless, lastRefresh := 0, map[api.UUID]time.Time{}
	for _, ch := range srv.Changes() {
		count[ch.Type]++
		if ch.Type == poderotest.AttentionStarted && ch.CueID == "" {
			cueless++
		}
		if ch.Type == poderotest.StateUpdated {
			if prev, ok := lastRefresh[ch.DeviceID]; ok {
				if gap := ch.At.Sub(prev); gap < 5*time.Minute {
					t.Errorf("device %s refreshed %v after its last refresh", ch.DeviceID, gap)
				}
			}
			lastRefresh[ch.DeviceID] = ch.At
		}
		if ch.Type == poderotest.AttentionStarted || ch.Type == poderotest.DeviceGone {
			delete(lastRefresh, ch.DeviceID) // no refreshes while it needs attention
		}
	}
	for _, typ := range []poderotest.ChangeType{poderotest.UserAdded, poderotest.OnboardingCompleted, poderotest.DeviceAdded,
		poderotest.DeviceGone, poderotest.AttentionStarted, poderotest.AttentionEnded, poderotest.StateUpdated,
		poderotest.ChargingStarted, poderotest.ChargingStopped} {
		if count[typ] == 0 {
			t.Errorf("no %v in a day: %v", typ, count)
		}
	}
	if cueless == 0 || cueless == count[poderotest.AttentionStarted] {
		t.Errorf("%d of %d attention episodes without a cue", cueless, count[poderotest.AttentionStarted])
	}
}

func lastChange(changes []poderotest.Change, dev api.UUID) poderotest.Change {
	for i := len(changes) - 1; i >= 0; i-- {
		if changes[i].DeviceID == dev && changes[i].Type != poderotest.BoostRequested {
			return changes[i]
		}
	}
	return poderotest.Change{}
}

func hasCue(d api.Device) bool {
	for _, a := range d.PendingActions() {
		if a.Code == api.ActionReauthenticate {
			return true
		}
	}
	return false
}

// TestBoostOutcomes: with the change process running, boosts settle every
// way: ongoing, unavailable, or never (they stay requested); the log has
// each request and settlement at its time.
func TestBoostOutcomes(t *testing.T) {
	srv, clock, c := fleetServer(t)
	users, err := srv.Populate(poderotest.Fleet{Users: 60, Seed: 4, Devices: map[poderotest.DeviceType]float64{poderotest.ElectricVehicle: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.StartChanges(poderotest.Changes{Seed: 5, BoostUnavailable: 0.3, BoostNever: 0.3,
		AttentionPerDay: -1, GonePerDay: -1, ChargesPerDay: -1, OnboardingsPerDay: -1, NewUsersPerDay: -1}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	boosted := 0
	for _, u := range users {
		ev := u.Devices[0].ID
		if err := srv.SetVehicleState(ev, poderotest.VehicleState{PluggedIn: ptr(true), Charging: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if err := c.TriggerElectricVehicleBoost(ctx, u.ID, ev); err != nil {
			t.Fatal(err)
		}
		boosted++
	}
	clock.Advance(time.Minute) // past DefaultChanges.BoostDelayMax
	outcome := map[string]int{}
	for _, u := range users {
		ev, err := c.GetElectricVehicle(ctx, u.ID, u.Devices[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		outcome[string(ev.GetBoostState())]++
	}
	if outcome["ongoing"] == 0 || outcome["unavailable"] == 0 || outcome["requested"] == 0 || outcome["ongoing"]+outcome["unavailable"]+outcome["requested"] != boosted {
		t.Errorf("boost states a minute later: %v", outcome)
	}
	settled := map[string]int{}
	for _, ch := range srv.Changes() {
		if ch.Type == poderotest.BoostSettled {
			if d := ch.At.Sub(day0); d < 5*time.Second || d > 30*time.Second {
				t.Errorf("a boost settled %v after it was requested", d)
			}
			settled[ch.State]++
		}
	}
	if settled["ongoing"] != outcome["ongoing"] || settled["unavailable"] != outcome["unavailable"] {
		t.Errorf("settled in the log %v; read %v", settled, outcome)
	}
}

// TestRateLimit: beyond the burst, a token's requests get 429 with a true
// Retry-After: after waiting it on the fake's clock, the next request
// goes through. Each token has its own bucket.
func TestRateLimit(t *testing.T) {
	srv, clock, _ := fleetServer(t)
	srv.SetRateLimit(0.5, 2) // a request every 2 s
	tok, users := token(t, srv), path(srv, "/users")
	for i := range 2 {
		if status, _, _ := callHeader(t, http.MethodGet, users, tok); status != 200 {
			t.Fatalf("request %d of the burst: %d", i, status)
		}
	}
	status, _, h := callHeader(t, http.MethodGet, users, tok)
	if status != 429 || h.Get("Retry-After") != "2" || srv.RateLimited() != 1 {
		t.Fatalf("beyond the burst: %d, Retry-After %q; want 429, 2", status, h.Get("Retry-After"))
	}
	clock.Advance(time.Second) // half the wait: still limited, a second to go
	status, _, h = callHeader(t, http.MethodGet, users, tok)
	if status != 429 || h.Get("Retry-After") != "1" {
		t.Fatalf("a second on: %d, Retry-After %q; want 429, 1", status, h.Get("Retry-After"))
	}
	if status, _, _ := callHeader(t, http.MethodGet, users, token(t, srv)); status != 200 {
		t.Fatalf("another token: %d", status)
	}
	clock.Advance(time.Second)
	if status, _, _ := callHeader(t, http.MethodGet, users, tok); status != 200 {
		t.Fatalf("after Retry-After: %d", status)
	}
}

func callHeader(t *testing.T, method, url, tok string) (int, []byte, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil, resp.Header
}

// TestFaultWindows: inside a window requests fail, a 429 saying to retry
// when the window ends; outside it they go through.
func TestFaultWindows(t *testing.T) {
	srv, clock, _ := fleetServer(t)
	tok := token(t, srv)
	srv.AddFaultWindow(poderotest.FaultWindow{Start: day0.Add(time.Minute), End: day0.Add(3 * time.Minute), Status: 429})
	srv.AddFaultWindow(poderotest.FaultWindow{Start: day0.Add(5 * time.Minute), End: day0.Add(6 * time.Minute), Status: 503, Share: 0.5})
	users := path(srv, "/users")
	if status, _, _ := callHeader(t, http.MethodGet, users, tok); status != 200 {
		t.Fatalf("before the windows: %d", status)
	}
	clock.Advance(90 * time.Second)
	status, _, h := callHeader(t, http.MethodGet, users, tok)
	if status != 429 || h.Get("Retry-After") != "90" {
		t.Fatalf("in the 429 window: %d, Retry-After %q; want 429, 90", status, h.Get("Retry-After"))
	}
	clock.Advance(90 * time.Second)
	if status, _, _ := callHeader(t, http.MethodGet, users, tok); status != 200 {
		t.Fatalf("after Retry-After: %d", status)
	}
	clock.Advance(2 * time.Minute)
	got := map[int]int{}
	defer func() { // a window of a lower rate limit
		srv.AddFaultWindow(poderotest.FaultWindow{Start: day0.Add(10 * time.Minute), End: day0.Add(11 * time.Minute), PerSecond: 0.5})
		clock.Set(day0.Add(10 * time.Minute))
		if status, _, _ := callHeader(t, http.MethodGet, users, tok); status != 200 {
			t.Fatalf("the first request in a rate window: %d", status)
		}
		status, _, h := callHeader(t, http.MethodGet, users, tok)
		if status != 429 || h.Get("Retry-After") != "2" {
			t.Fatalf("the second at once: %d, Retry-After %q; want 429, 2", status, h.Get("Retry-After"))
		}
		clock.Advance(2 * time.Second)
		if status, _, _ := callHeader(t, http.MethodGet, users, tok); status != 200 {
			t.Fatalf("after Retry-After: %d", status)
		}
	}()
	for range 40 {
		status, _, _ := callHeader(t, http.MethodGet, users, tok)
		got[status]++
	}
	if got[503] < 8 || got[200] < 8 || got[503]+got[200] != 40 {
		t.Errorf("in a window failing half: %v", got)
	}
}

// TestConcurrentReads: two reads of one device that overlap are counted,
// one after the other are not, nor reads of two devices.
func TestConcurrentReads(t *testing.T) {
	srv, _, c := fleetServer(t)
	users, err := srv.Populate(poderotest.Fleet{Users: 2, Seed: 6, Devices: map[poderotest.DeviceType]float64{poderotest.ElectricVehicle: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, b := users[0], users[1]
	reads := func(f ...func()) {
		var wg sync.WaitGroup
		for _, g := range f {
			wg.Go(g)
		}
		wg.Wait()
	}
	getA := func() { _, _ = c.GetElectricVehicle(ctx, a.ID, a.Devices[0].ID) }
	listA := func() { _, _ = c.ListElectricVehicles(ctx, a.ID) }
	listB := func() { _, _ = c.ListElectricVehicles(ctx, b.ID) }
	getA()
	listA()
	if n := srv.ConcurrentReads(); n != 0 {
		t.Fatalf("serial reads: %d overlaps", n)
	}
	srv.SetLatency(100 * time.Millisecond) // real time: both are in flight at once
	reads(listA, listB)
	if n := srv.ConcurrentReads(); n != 0 {
		t.Fatalf("reads of two users' devices: %d overlaps", n)
	}
	reads(getA, listA)
	if n := srv.ConcurrentReads(); n != 1 {
		t.Fatalf("a read and a list of one device at once: %d overlaps, want 1", n)
	}
}

// TestObserve: a simulation can count what the fake answers without the
// fake keeping every request.
func TestObserve(t *testing.T) {
	srv, clock, c := fleetServer(t)
	srv.RecordRequests(false)
	var mu sync.Mutex
	var seen []poderotest.Answered
	srv.Observe(func(a poderotest.Answered) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, a)
	})
	clock.Advance(time.Minute)
	if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}); err != nil {
		t.Fatal(err)
	}
	if len(srv.Requests()) != 0 {
		t.Errorf("kept %d requests", len(srv.Requests()))
	}
	mu.Lock()
	defer mu.Unlock()
	last := seen[len(seen)-1]
	if len(seen) != 2 || seen[0].OperationID != "" || last.OperationID == "" || last.Status != 200 || !last.At.Equal(day0.Add(time.Minute)) {
		t.Errorf("observed %+v", seen)
	}
}
