package apitest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
)

// at returns a progress callback that runs f once, after poll n, as the
// end user or the device would act while the partner waits.
func at(t *testing.T, n int, f func() error) api.WaitOption {
	return api.WithProgress(func(p api.WaitProgress) {
		if p.Poll == n {
			if err := f(); err != nil {
				t.Error(err)
			}
		}
	})
}

// faulty runs a test twice: as it is, and with the first poll of op
// failing with a 503 that survives the client's retry, which must not end
// the wait.
func faulty(t *testing.T, op string, test func(t *testing.T, e *waitEnv)) {
	for _, fail := range []bool{false, true} {
		t.Run(fmt.Sprintf("503=%t", fail), func(t *testing.T) {
			e := newWaitEnv(t)
			if fail {
				e.srv.FailNextOp(op, 2, http.StatusServiceUnavailable)
			}
			test(t, e)
			if fail && e.srv.Requests()[len(e.srv.Requests())-1].Status != http.StatusOK {
				t.Error("the wait did not end on a success")
			}
		})
	}
}

func (e *waitEnv) newSession(t *testing.T, kind api.DeviceKind) *api.DeviceOnboardingSessionOutput {
	t.Helper()
	in := api.DeviceOnboardingSessionCreateInput{UserID: e.user, Language: api.LanguageEn, PriceZoneDefault: api.PriceZoneAT,
		SuccessURL: "https://p.example/ok", CancelURL: "https://p.example/no"}
	if kind != "" {
		in.DeviceType = api.Value(kind)
	}
	s, err := e.c.CreateOnboardingSession(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A new device: object_id is null until the end user completes the flow,
// then names the device. The kind is the session's device_type, or what
// probing the device GETs finds when it is null.
func TestWaitForOnboardingNewDevice(t *testing.T) {
	for _, tc := range []struct {
		kind   api.DeviceKind
		hideIt bool // the session's device_type reads null: probe
	}{{"", false}, {api.DeviceKindEV, false}, {api.DeviceKindHp, false}, {api.DeviceKindIv, false}, {api.DeviceKindWb, false},
		{api.DeviceKindIv, true}, {api.DeviceKindWb, true}} {
		t.Run(fmt.Sprintf("%s hidden=%t", tc.kind, tc.hideIt), func(t *testing.T) {
			faulty(t, "GetOnboardingSession", func(t *testing.T, e *waitEnv) {
				s := e.newSession(t, tc.kind)
				if tc.hideIt {
					e.srv.Tamper("GetOnboardingSession", func(b map[string]any) { b["device_type"] = nil })
				}
				var device api.UUID
				var progress []api.WaitProgress
				st, err := e.c.WaitForOnboarding(context.Background(), s.GetID(), e.opts(&progress, at(t, 3, func() error {
					r, err := e.srv.OpenLink(s.GetAuthenticationURL())
					device = r.DeviceID
					return err
				}))...)
				if err != nil {
					t.Fatal(err)
				}
				want := tc.kind
				if want == "" {
					want = api.DeviceKindEV // poderotest's default
				}
				if st.DeviceID != device || st.Kind != want || st.Device.Kind() != want || st.Device.GetID() != device || !st.Device.GetIsAuthenticated() {
					t.Errorf("got device %s of kind %q (%T), want %s of kind %q", st.DeviceID, st.Kind, st.Device, device, want)
				}
				for _, p := range progress[:len(progress)-1] {
					if st, ok := p.State.(*api.OnboardingState); ok && (st.Device != nil || st.DeviceID != (api.UUID{})) {
						t.Errorf("poll %d saw a device before the flow completed", p.Poll)
					}
				}
			})
		})
	}
}

// A reauthentication session names its device from the start: the wait
// ends when the device is authenticated with no reauthenticate action,
// not when object_id is set.
func TestWaitForOnboardingReauthentication(t *testing.T) {
	faulty(t, "GetOnboardingSession", func(t *testing.T, e *waitEnv) {
		ctx := context.Background()
		ev, _ := e.srv.AddDevice(e.user, poderotest.ElectricVehicle)
		_, _ = e.srv.RequireReauthentication(ev)
		auth, err := e.c.ReauthenticateElectricVehicle(ctx, e.user, ev, api.AuthSessionInput{})
		if err != nil {
			t.Fatal(err)
		}
		var progress []api.WaitProgress
		st, err := e.c.WaitForOnboarding(ctx, auth.GetSessionID(), e.opts(&progress, at(t, 3, func() error {
			_, err := e.srv.OpenLink(auth.GetAuthenticationURL())
			return err
		}))...)
		if err != nil {
			t.Fatal(err)
		}
		if st.DeviceID != ev || st.Kind != api.DeviceKindEV || !st.Device.Healthy() {
			t.Errorf("got %s %q, healthy %t", st.DeviceID, st.Kind, st.Device.Healthy())
		}
		var before *api.OnboardingState
		for _, p := range progress {
			if s, ok := p.State.(*api.OnboardingState); ok && !p.Done {
				before = s
			}
		}
		if before == nil || before.DeviceID != ev || before.Device.GetIsAuthenticated() {
			t.Errorf("before the link, a poll saw %+v: want object_id set and the device not authenticated", before)
		}
	})
}

// The cue flow's session: after the end user's link the device is
// authenticated, but its reauthenticate action stays until the partner
// reports success; only then is the wait over.
func TestWaitForOnboardingCue(t *testing.T) {
	e := newWaitEnv(t)
	ctx := context.Background()
	ev, _ := e.srv.AddDevice(e.user, poderotest.ElectricVehicle)
	_, _ = e.srv.RequireReauthentication(ev)
	car, _ := e.c.GetElectricVehicle(ctx, e.user, ev)
	action := car.PendingActions()[0]
	redirect, err := e.c.StartReauthentication(ctx, action, api.ReauthenticateResolveInput{SuccessURL: "https://p.example/ok", CancelURL: "https://p.example/no"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(redirect)
	session, err := api.ParseUUID(u.Query().Get("onboarding_session_id"))
	if err != nil {
		t.Fatalf("the redirect %s names no session: %v", redirect, err)
	}
	if _, err := e.srv.OpenLink(redirect); err != nil {
		t.Fatal(err)
	}
	reported := false
	st, err := e.c.WaitForOnboarding(ctx, session, e.opts(nil, at(t, 2, func() error {
		reported = true
		return e.c.ReportActionOutcome(ctx, action, api.CueStateInput{State: api.CueStateSuccess})
	}))...)
	if err != nil || !reported || st.DeviceID != ev {
		t.Fatalf("WaitForOnboarding: %v, %v; reported %t", st, err, reported)
	}
}

func TestWaitForOnboardingGivesUp(t *testing.T) {
	e := newWaitEnv(t)
	s := e.newSession(t, api.DeviceKindEV)

	_, err := e.c.WaitForOnboarding(context.Background(), s.GetID(), e.opts(nil, api.WithMaxWait(5*time.Minute))...)
	te := timeoutError(t, err, "WaitForOnboarding", context.DeadlineExceeded)
	last, ok := te.LastState.(*api.OnboardingState)
	if !ok || last.Session.GetID() != s.GetID() || last.Device != nil || !strings.Contains(err.Error(), "object_id null") {
		t.Errorf("LastState %+v, error %q", te.LastState, err)
	}
	// It backs off from 5 s to 30 s.
	sleeps := e.clock.Sleeps()
	if sleeps[0] > 5*time.Second || sleeps[len(sleeps)-1] < 24*time.Second || sleeps[len(sleeps)-1] > 30*time.Second {
		t.Errorf("waits %v, want 4-5 s growing to 24-30 s", sleeps)
	}

	// A reauthentication that the end user never finishes: the last state
	// says why the device is not done.
	ev, _ := e.srv.AddDevice(e.user, poderotest.ElectricVehicle)
	_, _ = e.srv.RequireReauthentication(ev)
	auth, _ := e.c.ReauthenticateElectricVehicle(context.Background(), e.user, ev, api.AuthSessionInput{})
	_, err = e.c.WaitForOnboarding(context.Background(), auth.GetSessionID(), e.opts(nil, api.WithMaxWait(time.Minute))...)
	te = timeoutError(t, err, "WaitForOnboarding", context.DeadlineExceeded)
	if !strings.Contains(err.Error(), "is_authenticated false, actions [reauthenticate]") || te.LastState.(*api.OnboardingState).DeviceID != ev {
		t.Errorf("error %q", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	_, err = e.c.WaitForOnboarding(ctx, s.GetID(), e.opts(nil, at(t, 1, func() error { cancel(); return nil }))...)
	if te := timeoutError(t, err, "WaitForOnboarding", context.Canceled); te.Polls != 1 {
		t.Errorf("%d polls after a cancel in the first's callback", te.Polls)
	}

	// An unknown session is a 404: no wait.
	if _, err := e.c.WaitForOnboarding(context.Background(), e.user, e.opts(nil)...); !api.IsNotFound(err) || !strings.Contains(err.Error(), "WaitForOnboarding") {
		t.Errorf("an unknown session: %v", err)
	}
	// An object_id that no device GET finds ends the wait.
	e.srv.Tamper("GetOnboardingSession", func(b map[string]any) { b["object_id"], b["device_type"] = e.user.String(), nil })
	if _, err := e.c.WaitForOnboarding(context.Background(), s.GetID(), e.opts(nil)...); err == nil || !strings.Contains(err.Error(), "is no electric vehicle, heat pump, inverter or wallbox") {
		t.Errorf("an object_id of no device: %v", err)
	}
}

// claimToken mints a claim token for the user and an onboarding session to
// ask its status with.
func (e *waitEnv) claimToken(t *testing.T) (api.UUID, string) {
	t.Helper()
	tok, err := e.c.CreateWallboxClaimToken(context.Background(), e.user)
	if err != nil {
		t.Fatal(err)
	}
	return e.newSession(t, api.DeviceKindWb).GetID(), tok.Token
}

func TestWaitForWallboxClaim(t *testing.T) {
	faulty(t, "GetWallboxClaimTokenStatus", func(t *testing.T, e *waitEnv) {
		session, token := e.claimToken(t)
		var wallbox api.UUID
		got, err := e.c.WaitForWallboxClaim(context.Background(), session, token, e.opts(nil, at(t, 3, func() (err error) {
			wallbox, err = e.srv.ClaimWallbox(token) // the charger connects
			return err
		}))...)
		if err != nil || got != wallbox {
			t.Fatalf("WaitForWallboxClaim: %s, %v; want %s", got, err, wallbox)
		}
	})
}

// A token claimed without a wallbox_id yet does not end the wait: the
// waiter needs the id it returns.
func TestWaitForWallboxClaimWithoutID(t *testing.T) {
	e := newWaitEnv(t)
	session, token := e.claimToken(t)
	e.srv.Tamper("GetWallboxClaimTokenStatus", func(b map[string]any) {
		b["claimed"] = true
		delete(b, "wallbox_id")
	})
	got, err := e.c.WaitForWallboxClaim(context.Background(), session, token, e.opts(nil, api.WithMaxWait(5*time.Minute))...)
	te := timeoutError(t, err, "WaitForWallboxClaim", context.DeadlineExceeded)
	if st, ok := te.LastState.(*api.WallboxClaimTokenStatusOutput); !ok || !st.Claimed || got != (api.UUID{}) ||
		te.Polls < 3 || !strings.Contains(err.Error(), "claimed, without a wallbox_id") {
		t.Errorf("got %s; LastState %+v after %d polls, error %q", got, te.LastState, te.Polls, err)
	}
}

// The claim token is a credential: it is in no error of the waiter.
func TestWaitForWallboxClaimGivesUp(t *testing.T) {
	e := newWaitEnv(t)
	session, token := e.claimToken(t)
	_, err := e.c.WaitForWallboxClaim(context.Background(), session, token, e.opts(nil, api.WithMaxWait(10*time.Minute))...)
	te := timeoutError(t, err, "WaitForWallboxClaim", context.DeadlineExceeded)
	if st, ok := te.LastState.(*api.WallboxClaimTokenStatusOutput); !ok || st.Claimed || !strings.Contains(err.Error(), "not claimed") {
		t.Errorf("LastState %+v, error %q", te.LastState, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	_, err = e.c.WaitForWallboxClaim(ctx, session, token, e.opts(nil, at(t, 2, func() error { cancel(); return nil }))...)
	timeoutError(t, err, "WaitForWallboxClaim", context.Canceled)

	// A 503 on every poll: the last error is kept, redacted.
	e.srv.FailNextOp("GetWallboxClaimTokenStatus", 1000, http.StatusServiceUnavailable)
	_, err = e.c.WaitForWallboxClaim(context.Background(), session, token, e.opts(nil, api.WithMaxWait(time.Minute))...)
	te = timeoutError(t, err, "WaitForWallboxClaim", context.DeadlineExceeded)
	if te.LastState != nil || !api.IsRetryable(te.LastErr) {
		t.Errorf("after only 503s: LastState %v, LastErr %v", te.LastState, te.LastErr)
	}
	printed := fmt.Sprintf("%v %+v %#v", err, te.LastErr, te.LastErr)
	e.srv.FailNextOp("GetWallboxClaimTokenStatus", 0, http.StatusServiceUnavailable)

	// A token of another user is a 404, at once.
	other := "unknown-" + token[:8]
	_, err = e.c.WaitForWallboxClaim(context.Background(), session, other, e.opts(nil)...)
	if !api.IsNotFound(err) {
		t.Errorf("an unknown token: %v", err)
	}
	printed += fmt.Sprintf("%v %+v", err, err)
	if strings.Contains(printed, token) || strings.Contains(printed, other) || !strings.Contains(printed, "wallbox-claim-tokens/{token}/status") {
		t.Errorf("the errors show the token:\n%s", printed)
	}
}

func TestWaitForDeviceHealthy(t *testing.T) {
	faulty(t, "GetInverter", func(t *testing.T, e *waitEnv) {
		ctx := context.Background()
		iv, _ := e.srv.AddDevice(e.user, poderotest.Inverter)
		_, _ = e.srv.RequireReauthentication(iv)
		auth, err := e.c.ReauthenticateInverter(ctx, e.user, iv, api.AuthSessionInput{})
		if err != nil {
			t.Fatal(err)
		}
		d, err := e.c.WaitForDeviceHealthy(ctx, api.DeviceKindIv, e.user, iv, e.opts(nil, at(t, 2, func() error {
			_, err := e.srv.CompleteOnboarding(auth.GetSessionID())
			return err
		}))...)
		if err != nil {
			t.Fatal(err)
		}
		if inv, ok := d.(*api.InverterOutput); !ok || inv.GetID() != iv || !inv.Healthy() || inv.NeedsAttention() {
			t.Errorf("got %T %v", d, d)
		}
	})
}

func TestWaitForDeviceHealthyGivesUp(t *testing.T) {
	e := newWaitEnv(t)
	hp, _ := e.srv.AddDevice(e.user, poderotest.HeatPump)
	_, _ = e.srv.RequireReauthentication(hp)
	_, err := e.c.WaitForDeviceHealthy(context.Background(), api.DeviceKindHp, e.user, hp, e.opts(nil, api.WithMaxWait(time.Hour))...)
	te := timeoutError(t, err, "WaitForDeviceHealthy", context.DeadlineExceeded)
	if d, ok := te.LastState.(*api.HeatPumpOutput); !ok || d.GetIsAuthenticated() ||
		!strings.Contains(err.Error(), `is_authenticated false, actions [reauthenticate], connection_status "error"`) {
		t.Errorf("LastState %T, error %q", te.LastState, err)
	}
	if sleeps := e.clock.Sleeps(); sleeps[len(sleeps)-1] > 2*time.Minute || sleeps[len(sleeps)-1] < 96*time.Second {
		t.Errorf("waits %v, want them to grow to 1.6-2 minutes", sleeps)
	}

	ctx, cancel := context.WithCancel(context.Background())
	_, err = e.c.WaitForDeviceHealthy(ctx, api.DeviceKindHp, e.user, hp, e.opts(nil, at(t, 1, func() error { cancel(); return nil }))...)
	timeoutError(t, err, "WaitForDeviceHealthy", context.Canceled)

	if _, err := e.c.WaitForDeviceHealthy(context.Background(), api.DeviceKindEV, e.user, hp, e.opts(nil)...); !api.IsNotFound(err) {
		t.Errorf("a heat pump read as a vehicle: %v, want a 404", err)
	}
	before := len(e.srv.Requests())
	_, err = e.c.WaitForDeviceHealthy(context.Background(), "heatpump", e.user, hp, e.opts(nil)...)
	if want := `podero: WaitForDeviceHealthy: "heatpump" is not a device kind (ev, hp, iv, wb)`; err == nil || err.Error() != want || len(e.srv.Requests()) != before {
		t.Errorf("an unknown kind: %v, want %s and no request", err, want)
	}
}

// A session whose device_type is null: the waiter probes the device's kind
// once, and then reads only that kind's GET on every later poll.
func TestWaitForOnboardingProbesOnce(t *testing.T) {
	e := newWaitEnv(t)
	ctx := context.Background()
	wb, _ := e.srv.AddDevice(e.user, poderotest.Wallbox)
	_, _ = e.srv.RequireReauthentication(wb)
	auth, err := e.c.ReauthenticateWallbox(ctx, e.user, wb, api.AuthSessionInput{})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Tamper("GetOnboardingSession", func(b map[string]any) { b["device_type"] = nil })
	before := len(e.srv.Requests())
	st, err := e.c.WaitForOnboarding(ctx, auth.GetSessionID(), e.opts(nil, at(t, 4, func() error {
		_, err := e.srv.OpenLink(auth.GetAuthenticationURL())
		return err
	}))...)
	if err != nil || st.Kind != api.DeviceKindWb || st.DeviceID != wb {
		t.Fatalf("WaitForOnboarding: %+v, %v", st, err)
	}
	reads := map[string]int{}
	for _, r := range e.srv.Requests()[before:] {
		for _, seg := range []string{"electric-vehicles", "heat-pumps", "inverters", "wallboxes"} {
			if strings.HasSuffix(r.Path, "/"+seg+"/"+wb.String()) {
				reads[seg]++
			}
		}
	}
	if reads["electric-vehicles"] != 1 || reads["heat-pumps"] != 1 || reads["inverters"] != 1 || reads["wallboxes"] != 5 {
		t.Errorf("device reads over 5 polls: %v; want one probe of each other kind, and the wallbox read on every poll", reads)
	}
}
