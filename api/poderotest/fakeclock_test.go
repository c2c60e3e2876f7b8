package poderotest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
)

// boostedVehicle makes a user with a plugged-in vehicle through c and
// boosts it.
func boostedVehicle(t *testing.T, srv *poderotest.Server, c *api.PartnerClient) (user, ev api.UUID) {
	t.Helper()
	ctx := context.Background()
	u, err := c.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	ev, err = srv.AddDevice(u.ID, poderotest.ElectricVehicle)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.SetVehicleState(ev, poderotest.VehicleState{PluggedIn: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if err := c.TriggerElectricVehicleBoost(ctx, u.ID, ev); err != nil {
		t.Fatal(err)
	}
	return u.ID, ev
}

// TestWaitForBoostOnFakeClock: a client made from srv.Config() keeps the
// fake's clock, so WaitForBoost sees the boost start after BoostStartDelay
// (10 s) of the fake's time in next to no real time (issue 24, item 9).
func TestWaitForBoostOnFakeClock(t *testing.T) {
	srv := poderotest.New(t)
	c, err := api.New(srv.Config())
	if err != nil {
		t.Fatal(err)
	}
	user, ev := boostedVehicle(t, srv, c)
	fakeStart, realStart := srv.Clock().Now(), time.Now()
	out, err := c.WaitForBoost(context.Background(), user, ev)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.GetBoostState(); got != api.BoostStateOngoing {
		t.Errorf("boost_state %q, want ongoing", got)
	}
	if fake := srv.Clock().Now().Sub(fakeStart); fake < poderotest.BoostStartDelay {
		t.Errorf("the fake's clock moved %v, want at least BoostStartDelay", fake)
	}
	// The 10 s were never slept: this bounds a broken clock, not speed.
	if real := time.Since(realStart); real >= poderotest.BoostStartDelay {
		t.Errorf("WaitForBoost took %v of real time", real)
	}
}

// TestManualClock: a manual clock reads its start until moved; Sleep
// moves it by d at once, or returns the context's error.
func TestManualClock(t *testing.T) {
	start := time.Date(2031, 5, 1, 8, 0, 0, 0, time.UTC)
	c := poderotest.NewClock(start)
	if !c.Now().Equal(start) {
		t.Fatalf("Now %v, want %v", c.Now(), start)
	}
	c.Advance(time.Minute)
	if err := c.Sleep(context.Background(), 3*time.Second); err != nil {
		t.Fatal(err)
	}
	if want := start.Add(time.Minute + 3*time.Second); !c.Now().Equal(want) {
		t.Errorf("Now %v, want %v", c.Now(), want)
	}
	c.Set(start)
	if !c.Now().Equal(start) {
		t.Errorf("after Set: %v", c.Now())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) || !c.Now().Equal(start) {
		t.Errorf("Sleep with a cancelled context: %v, clock %v", err, c.Now())
	}
}

// TestAcceleratedClock: at speed 3600 an hour of the clock's time passes
// in a second of real time, and Sleep waits d/speed. The server keeps it
// (UseClock) and hands it to clients (Config).
func TestAcceleratedClock(t *testing.T) {
	start := time.Date(2031, 5, 1, 8, 0, 0, 0, time.UTC)
	c := poderotest.NewAcceleratedClock(start, 3600)
	realStart := time.Now()
	if err := c.Sleep(context.Background(), 10*time.Minute); err != nil { // 1/6 s of real time
		t.Fatal(err)
	}
	elapsed, fake := time.Since(realStart), c.Now().Sub(start)
	if fake < 10*time.Minute {
		t.Errorf("after Sleep(10m) the clock moved %v", fake)
	}
	// The clock runs speed times the real time, whatever the machine's load.
	if lo, hi := time.Duration(float64(elapsed)*3600*0.99), time.Duration(float64(time.Since(realStart))*3600*1.01); fake < lo || fake > hi {
		t.Errorf("the clock moved %v in %v of real time: not 3600 times faster", fake, elapsed)
	}

	srv := poderotest.New(t)
	srv.UseClock(c)
	if got := srv.Config().Clock.Now(); got.Sub(start) < 10*time.Minute || got.Sub(start) > time.Hour*24 {
		t.Errorf("Config().Clock reads %v, not the accelerated clock", got)
	}
}

// TestInProcessServer: a server on no network answers the client of its
// Config, and refuses any other host.
func TestInProcessServer(t *testing.T) {
	srv := poderotest.NewInProcessServer()
	defer srv.Close()
	if srv.URL != poderotest.InProcessURL {
		t.Errorf("URL %q", srv.URL)
	}
	c, err := api.New(srv.Config())
	if err != nil {
		t.Fatal(err)
	}
	user, ev := boostedVehicle(t, srv, c)
	out, err := c.WaitForBoost(context.Background(), user, ev)
	if err != nil || out.GetBoostState() != api.BoostStateOngoing {
		t.Fatalf("WaitForBoost: %v, %v", out.GetBoostState(), err)
	}
	if n := len(srv.Requests()); n < 4 {
		t.Errorf("the server recorded %d requests", n)
	}
	resp, err := srv.Client().Get("https://example.com/")
	if err == nil {
		resp.Body.Close()
		t.Fatal("the in-process client reached another host")
	}
	srv.Close()
	if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}); err == nil {
		t.Error("a call after Close succeeded")
	}
}
