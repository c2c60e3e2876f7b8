package poderotest_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
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
// (10 s) of the fake's time without sleeping at all (issue 24, item 9). It
// runs in a synctest bubble with an in-process server: a real sleep would
// move the bubble's clock, so that clock standing still shows none was
// made, whatever the machine's speed.
func TestWaitForBoostOnFakeClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := poderotest.NewInProcessServer()
		defer srv.Close()
		c, err := api.New(srv.Config())
		if err != nil {
			t.Fatal(err)
		}
		user, ev := boostedVehicle(t, srv, c)
		fakeStart, bubbleStart := srv.Clock().Now(), time.Now()
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
		// The bubble's clock moves only when something sleeps or waits on
		// a timer: the client's waits went to the fake's clock instead.
		if slept := time.Since(bubbleStart); slept != 0 {
			t.Errorf("WaitForBoost slept %v: the client did not keep the fake's clock", slept)
		}
	})
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
// in a second of real time, and Sleep waits d/speed. It runs in a synctest
// bubble, whose time is fake and exact, so the rate is checked exactly.
// The server keeps it (UseClock) and hands it to clients (Config).
func TestAcceleratedClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Date(2031, 5, 1, 8, 0, 0, 0, time.UTC)
		c := poderotest.NewAcceleratedClock(start, 3600)
		if !c.Now().Equal(start) {
			t.Fatalf("Now %v, want %v", c.Now(), start)
		}
		// A second of (the bubble's) real time is an hour of the clock's.
		time.Sleep(time.Second)
		if got, want := c.Now(), start.Add(time.Hour); !got.Equal(want) {
			t.Errorf("after a second the clock reads %v, want %v", got, want)
		}
		// Sleep(6m) waits 6m/3600 = 100 ms of real time (a whole number of
		// nanoseconds, so nothing is rounded).
		bubbleStart := time.Now()
		if err := c.Sleep(context.Background(), 6*time.Minute); err != nil {
			t.Fatal(err)
		}
		if waited, want := time.Since(bubbleStart), 100*time.Millisecond; waited != want {
			t.Errorf("Sleep(6m) waited %v of real time, want %v", waited, want)
		}
		if got, want := c.Now(), start.Add(time.Hour+6*time.Minute); !got.Equal(want) {
			t.Errorf("after Sleep(6m) the clock reads %v, want %v", got, want)
		}

		srv := poderotest.NewInProcessServer()
		defer srv.Close()
		srv.UseClock(c)
		if got, want := srv.Config().Clock.Now(), start.Add(time.Hour+6*time.Minute); !got.Equal(want) {
			t.Errorf("Config().Clock reads %v, not the accelerated clock's %v", got, want)
		}
	})
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
