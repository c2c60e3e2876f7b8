package apitest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
)

// fakeClock is the clock of a waiter, of the client's retries and of
// poderotest in a test: time moves only when something sleeps on it.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
	// block, when set, makes Sleep wait for its context to end instead of
	// moving the clock on, after telling sleeping.
	block    bool
	sleeping chan struct{}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	if c.block {
		c.mu.Unlock()
		c.sleeping <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	}
	c.now = c.now.Add(d)
	c.sleeps = append(c.sleeps, d)
	c.mu.Unlock()
	return nil
}

// Sleeps returns the waits so far.
func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// waitEnv is a fake Podero, a client for it and one fake clock for both,
// the client's retries included.
type waitEnv struct {
	srv   *poderotest.Server
	c     *api.PartnerClient
	clock *fakeClock
	user  api.UUID
}

func newWaitEnv(t *testing.T) *waitEnv {
	t.Helper()
	srv := poderotest.New(t)
	clock := &fakeClock{now: time.Now()}
	srv.SetClock(clock.Now)
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: srv.OrgID, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret,
		Retry: &api.RetryPolicy{MaxRetries: 1}, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	user, err := c.CreateUser(context.Background(), api.UserCreateInput{Role: api.RoleUser, Email: "wait@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	return &waitEnv{srv: srv, c: c, clock: clock, user: user.ID}
}

// opts are the options of a wait of the test: a record of the progress,
// and more.
func (e *waitEnv) opts(progress *[]api.WaitProgress, more ...api.WaitOption) []api.WaitOption {
	var opts []api.WaitOption
	if progress != nil {
		opts = append(opts, api.WithProgress(func(p api.WaitProgress) { *progress = append(*progress, p) }))
	}
	return append(opts, more...)
}

// boosted returns a vehicle whose boost was just requested: plugged in and
// idle, so that it starts poderotest.BoostStartDelay later; or unplugged,
// so that it stays requested.
func (e *waitEnv) boosted(t *testing.T, plugged bool) api.UUID {
	t.Helper()
	ev, err := e.srv.AddDevice(e.user, poderotest.ElectricVehicle)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.srv.SetVehicleState(ev, poderotest.VehicleState{PluggedIn: &plugged}); err != nil {
		t.Fatal(err)
	}
	if err := e.c.TriggerElectricVehicleBoost(context.Background(), e.user, ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// timeoutError checks that err is a *WaitTimeoutError of the waiter whose
// cause is cause, and returns it.
func timeoutError(t *testing.T, err error, waiter string, cause error) *api.WaitTimeoutError {
	t.Helper()
	var te *api.WaitTimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v (%T), want a *api.WaitTimeoutError", err, err)
	}
	if te.Waiter != waiter || !errors.Is(err, cause) {
		t.Errorf("err = %v: waiter %q, want %q, caused by %v", err, te.Waiter, waiter, cause)
	}
	return te
}

func TestWaitForBoostStarts(t *testing.T) {
	e := newWaitEnv(t)
	ev := e.boosted(t, true)
	start := e.clock.Now()
	var progress []api.WaitProgress
	got, err := e.c.WaitForBoost(context.Background(), e.user, ev, e.opts(&progress)...)
	if err != nil {
		t.Fatal(err)
	}
	if s := got.GetBoostState(); s != api.BoostStateOngoing || !got.GetIsCharging() {
		t.Errorf("boost_state %q, charging %t; want ongoing and charging", s, got.GetIsCharging())
	}
	if waited := e.clock.Now().Sub(start); waited < poderotest.BoostStartDelay {
		t.Errorf("the wait ended after %v on the fake clock, before the boost could start", waited)
	}
	// About every 3 s, as the guide advises: jittered, never longer.
	for _, d := range e.clock.Sleeps() {
		if d < 2400*time.Millisecond || d > 3*time.Second {
			t.Errorf("a wait of %v between polls, want 2.4 s to 3 s", d)
		}
	}
	last := progress[len(progress)-1]
	if len(progress) < 4 || !last.Done || last.Next != 0 || last.Poll != len(progress) || progress[0].Done {
		t.Errorf("progress %+v", progress)
	}
	if s := progress[0].State.(*api.ElectricVehicleOutput).GetBoostState(); s != api.BoostStateRequested {
		t.Errorf("the first poll saw %q, want requested", s)
	}
}

// A boost that does not start ends "unavailable": an answer, not an error.
func TestWaitForBoostUnavailable(t *testing.T) {
	e := newWaitEnv(t)
	ev := e.boosted(t, true)
	if err := e.srv.SetBoostOutcome(ev, "unavailable"); err != nil {
		t.Fatal(err)
	}
	got, err := e.c.WaitForBoost(context.Background(), e.user, ev, e.opts(nil)...)
	if err != nil || got.GetBoostState() != api.BoostStateUnavailable {
		t.Fatalf("WaitForBoost: %v, %v; want unavailable and no error", got.GetBoostState(), err)
	}
}

// The maximum wait ends a boost armed on an unplugged vehicle, with the
// last state in the error; so does the context's deadline.
func TestWaitForBoostTimeout(t *testing.T) {
	e := newWaitEnv(t)
	ev := e.boosted(t, false)
	start := e.clock.Now()
	_, err := e.c.WaitForBoost(context.Background(), e.user, ev, e.opts(nil, api.WithMaxWait(20*time.Second))...)
	te := timeoutError(t, err, "WaitForBoost", context.DeadlineExceeded)
	last, ok := te.LastState.(*api.ElectricVehicleOutput)
	if !ok || last.GetBoostState() != api.BoostStateRequested {
		t.Errorf("LastState = %#v, want the vehicle, still requested", te.LastState)
	}
	if te.Polls < 6 || te.Waited > 20*time.Second || e.clock.Now().Sub(start) > 20*time.Second {
		t.Errorf("%d polls in %v: want about one every 3 s, never past the maximum wait", te.Polls, te.Waited)
	}
	if msg := err.Error(); msg == "" || !containsAll(msg, "WaitForBoost", `boost_state "requested"`, "deadline exceeded") {
		t.Errorf("the error says %q", msg)
	}

	// The context's deadline, on the same clock: the waiter gives up when
	// the next poll would come after it, without sleeping until then.
	ctx, cancel := context.WithDeadline(context.Background(), e.clock.Now().Add(10*time.Second))
	defer cancel()
	_, err = e.c.WaitForBoost(ctx, e.user, ev, e.opts(nil)...)
	te = timeoutError(t, err, "WaitForBoost", context.DeadlineExceeded)
	if te.Polls < 3 || te.LastState == nil {
		t.Errorf("%+v", te)
	}
}

// Cancelling the context ends the wait at once, in a wait between polls as
// from the progress callback.
func TestWaitForBoostCancel(t *testing.T) {
	e := newWaitEnv(t)
	ev := e.boosted(t, false)

	ctx, cancel := context.WithCancel(context.Background())
	polls := 0
	_, err := e.c.WaitForBoost(ctx, e.user, ev, e.opts(nil, api.WithProgress(func(p api.WaitProgress) {
		if polls = p.Poll; polls == 2 {
			cancel()
		}
	}))...)
	te := timeoutError(t, err, "WaitForBoost", context.Canceled)
	if te.Polls != 2 || polls != 2 {
		t.Errorf("%d polls after a cancel in the second's callback", te.Polls)
	}

	// Cancelled while it waits: the sleep ends with the context, and the
	// clock has not moved.
	e.clock.block, e.clock.sleeping = true, make(chan struct{})
	ctx, cancel = context.WithCancel(context.Background())
	go func() {
		<-e.clock.sleeping
		cancel()
	}()
	before := e.clock.Now()
	_, err = e.c.WaitForBoost(ctx, e.user, ev, e.opts(nil)...)
	te = timeoutError(t, err, "WaitForBoost", context.Canceled)
	if te.Polls != 1 || !e.clock.Now().Equal(before) {
		t.Errorf("%d polls, clock moved %v", te.Polls, e.clock.Now().Sub(before))
	}
}

// A 503 that survives the client's own retry does not end the wait; a 404
// or a 401 does, at once.
func TestWaitForBoostErrors(t *testing.T) {
	e := newWaitEnv(t)
	ev := e.boosted(t, true)
	e.srv.FailNextOp("GetElectricVehicle", 2, http.StatusServiceUnavailable) // the first poll and its retry
	var progress []api.WaitProgress
	got, err := e.c.WaitForBoost(context.Background(), e.user, ev, e.opts(&progress)...)
	if err != nil || got.GetBoostState() != api.BoostStateOngoing {
		t.Fatalf("after a 503: %v, %v", got.GetBoostState(), err)
	}
	if p := progress[0]; p.Err == nil || !api.IsRetryable(p.Err) || p.State != nil || p.Done {
		t.Errorf("the first poll's progress is %+v, want its 503", p)
	}

	for _, tc := range []struct {
		name   string
		fail   func()
		target api.UUID
		is     func(error) bool
	}{
		{"404", func() {}, e.user, api.IsNotFound}, // no such vehicle
		{"401", func() { e.srv.FailNextOp("GetElectricVehicle", 2, http.StatusUnauthorized) }, ev, api.IsUnauthorized},
	} {
		tc.fail()
		polls := 0
		_, err := e.c.WaitForBoost(context.Background(), e.user, tc.target, e.opts(nil, api.WithProgress(func(api.WaitProgress) { polls++ }))...)
		var te *api.WaitTimeoutError
		if !tc.is(err) || errors.As(err, &te) || polls != 0 {
			t.Errorf("%s: %v after %d polls reported; want the error at once", tc.name, err, polls)
		}
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// The poll intervals: WithPollInterval the first, each later one half as
// long again up to WithMaxPollInterval (raised to the poll interval when
// below it; zero keeps the default), each jittered to 80-100 %.
func TestWaitPollIntervals(t *testing.T) {
	s := time.Second
	for _, tc := range []struct {
		name          string
		interval, max time.Duration
		want          []time.Duration // nominal; the last repeats
	}{
		{"1s to 2s", 1 * s, 2 * s, []time.Duration{1 * s, 1500 * time.Millisecond, 2 * s}},
		{"a maximum below the interval", 2 * s, 1 * s, []time.Duration{2 * s}},
		{"the defaults", 0, 0, []time.Duration{3 * s}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newWaitEnv(t)
			ev := e.boosted(t, false) // stays requested
			_, err := e.c.WaitForBoost(context.Background(), e.user, ev,
				api.WithPollInterval(tc.interval), api.WithMaxPollInterval(tc.max), api.WithMaxWait(30*s))
			timeoutError(t, err, "WaitForBoost", context.DeadlineExceeded)
			sleeps := e.clock.Sleeps()
			jittered := false
			for i, d := range sleeps {
				want := tc.want[min(i, len(tc.want)-1)]
				if d < want*4/5 || d > want {
					t.Errorf("wait %d is %v, want %v jittered to %v-%v (all: %v)", i, d, want, want*4/5, want, sleeps)
				}
				jittered = jittered || d != want
			}
			if len(sleeps) < 5 || !jittered {
				t.Errorf("waits %v: want several, jittered", sleeps)
			}
		})
	}
}

// WithPollOptions reaches every poll's request.
func TestWaitPollOptions(t *testing.T) {
	e := newWaitEnv(t)
	ev := e.boosted(t, true)
	before := len(e.srv.Requests())
	if _, err := e.c.WaitForBoost(context.Background(), e.user, ev, api.WithPollOptions(api.WithHeader("X-Request-Tag", "wait-7"))); err != nil {
		t.Fatal(err)
	}
	polls := e.srv.Requests()[before:]
	for _, r := range polls {
		if !strings.HasSuffix(r.Path, "/electric-vehicles/"+ev.String()) || r.Header.Get("X-Request-Tag") != "wait-7" {
			t.Errorf("a poll %s %s with X-Request-Tag %q", r.Method, r.Path, r.Header.Get("X-Request-Tag"))
		}
	}
	if len(polls) < 2 {
		t.Errorf("%d polls", len(polls))
	}
}
