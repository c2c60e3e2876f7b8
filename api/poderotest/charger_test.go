package poderotest_test

import (
	"net/http"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/podero-go/podero/api/poderotest"
)

// chargerFixture is a user with a device on a fake clock, read and boosted
// over plain HTTP.
type chargerFixture struct {
	t     *testing.T
	srv   *poderotest.Server
	clock *fakeClock
	tok   string
	uid   string
	id    openapi_types.UUID
	url   string // the device's path
}

func newCharger(t *testing.T, dt poderotest.DeviceType) *chargerFixture {
	t.Helper()
	srv := poderotest.New(t)
	clock := newClock(time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC))
	srv.SetClock(clock.Now)
	tok := token(t, srv)
	uid := newUser(t, srv, tok, "a@example.com")
	id, err := srv.AddDevice(parseUUID(t, uid), dt)
	if err != nil {
		t.Fatal(err)
	}
	segment := map[poderotest.DeviceType]string{poderotest.ElectricVehicle: "electric-vehicles", poderotest.Wallbox: "wallboxes"}[dt]
	return &chargerFixture{t: t, srv: srv, clock: clock, tok: tok, uid: uid, id: id,
		url: path(srv, "/users/"+uid+"/"+segment+"/"+id.String())}
}

func (f *chargerFixture) get() map[string]any {
	f.t.Helper()
	return object(f.t, http.MethodGet, f.url, f.tok, nil, 200)
}

// current is the device's current session, or nil.
func (f *chargerFixture) current() any {
	f.t.Helper()
	cur := "/sessions/current"
	if f.get()["mode"] != nil {
		cur = "/hems-sessions/current"
	}
	return object(f.t, http.MethodGet, f.url+cur, f.tok, nil, 200)["session"]
}

// boost POSTs (or DELETEs) a boost and returns the status and body.
func (f *chargerFixture) boost(method string) (int, map[string]any) {
	f.t.Helper()
	status, b := call(f.t, method, f.url+"/boost", f.tok, nil)
	var out map[string]any
	if len(b) > 0 {
		decode(f.t, b, &out)
	}
	return status, out
}

// expect checks fields of the device as read now.
func (f *chargerFixture) expect(what string, want map[string]any) {
	f.t.Helper()
	got := f.get()
	for k, v := range want {
		if got[k] != v {
			f.t.Errorf("%s: %s = %v, want %v", what, k, got[k], v)
		}
	}
}

func (f *chargerFixture) set(st poderotest.VehicleState) {
	f.t.Helper()
	if err := f.srv.SetVehicleState(f.id, st); err != nil {
		f.t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// TestSetVehicleState: what a vehicle reports reads back, boost_state
// follows it, and a charge has a current session.
func TestSetVehicleState(t *testing.T) {
	f := newCharger(t, poderotest.ElectricVehicle)
	f.expect("a new vehicle", map[string]any{"is_plugged_in": false, "is_charging": false, "boost_state": "unavailable"})

	f.clock.Advance(time.Minute)
	f.set(poderotest.VehicleState{PluggedIn: ptr(true), BatteryLevel: ptr(55)})
	f.expect("plugged in", map[string]any{"is_plugged_in": true, "is_charging": false, "battery_level": 55.0,
		"boost_state": "available", "current_state_last_updated_at": "2031-06-01T12:01:00Z"})
	if f.current() != nil {
		t.Error("a current session before charging")
	}

	f.set(poderotest.VehicleState{Charging: ptr(true)})
	f.expect("charging", map[string]any{"is_plugged_in": true, "is_charging": true, "boost_state": "unavailable", "battery_level": 55.0})
	if cur, _ := f.current().(map[string]any); cur == nil || cur["plug_in_time"] != "2031-06-01T12:01:00Z" {
		t.Errorf("current session while charging: %v", cur)
	}
	if status, body := f.boost(http.MethodPost); status != 409 || body["reason"] != "already_charging" || body["state"] != "unavailable" {
		t.Errorf("boost while charging: %d %v", status, body)
	}

	f.set(poderotest.VehicleState{FullyCharged: ptr(true), BatteryLevel: ptr(100)})
	f.expect("full", map[string]any{"is_plugged_in": true, "is_charging": false, "is_fully_charged": true, "boost_state": "unavailable"})
	if f.current() != nil {
		t.Error("a current session after the vehicle is full")
	}
	if status, body := f.boost(http.MethodPost); status != 409 || body["reason"] != "fully_charged" {
		t.Errorf("boost of a full vehicle: %d %v", status, body)
	}

	f.set(poderotest.VehicleState{PluggedIn: ptr(false), FullyCharged: ptr(false)})
	f.expect("unplugged", map[string]any{"is_plugged_in": false, "is_charging": false, "is_fully_charged": false, "boost_state": "unavailable"})
	// SetCharging still plugs in and charges.
	if err := f.srv.SetCharging(f.id, true); err != nil {
		t.Fatal(err)
	}
	f.expect("SetCharging", map[string]any{"is_plugged_in": true, "is_charging": true})

	for name, st := range map[string]poderotest.VehicleState{
		"battery over 100":    {BatteryLevel: ptr(101)},
		"battery below 0":     {BatteryLevel: ptr(-1)},
		"charging unplugged":  {Charging: ptr(true), PluggedIn: ptr(false)},
		"charging while full": {Charging: ptr(true), FullyCharged: ptr(true)},
	} {
		if err := f.srv.SetVehicleState(f.id, st); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if err := f.srv.SetVehicleState(parseUUID(t, f.uid), poderotest.VehicleState{}); err == nil {
		t.Error("SetVehicleState of a user id: no error")
	}
	wb, err := f.srv.AddDevice(parseUUID(t, f.uid), poderotest.Wallbox)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.srv.SetVehicleState(wb, poderotest.VehicleState{BatteryLevel: ptr(50)}); err == nil {
		t.Error("a wallbox's battery level: no error")
	}
}

// TestBoostStartsAfterDelay: a boost of a plugged-in, idle vehicle is
// "requested" until BoostStartDelay has passed on the fake's clock, then
// "ongoing", charging, with a current session from that moment.
func TestBoostStartsAfterDelay(t *testing.T) {
	f := newCharger(t, poderotest.ElectricVehicle)
	f.set(poderotest.VehicleState{PluggedIn: ptr(true)})
	if status, _ := f.boost(http.MethodPost); status != 204 {
		t.Fatalf("boost: %d", status)
	}
	f.expect("just boosted", map[string]any{"boost_state": "requested", "is_charging": false})
	if status, body := f.boost(http.MethodPost); status != 409 || body["reason"] != "already_charging" || body["state"] != "requested" {
		t.Errorf("a second boost while requested: %d %v, want 409 already_charging (the spec: in flight)", status, body)
	}
	f.clock.Advance(poderotest.BoostStartDelay - time.Second)
	f.expect("just before the delay", map[string]any{"boost_state": "requested", "is_charging": false})
	if f.current() != nil {
		t.Error("a current session before the boost started")
	}
	f.clock.Advance(5 * time.Second) // read a little late: the charge started on time
	f.expect("after the delay", map[string]any{"boost_state": "ongoing", "is_charging": true,
		"current_state_last_updated_at": "2031-06-01T12:00:10Z"})
	if cur, _ := f.current().(map[string]any); cur == nil || cur["plug_in_time"] != "2031-06-01T12:00:10Z" {
		t.Errorf("current session of the boost: %v", cur)
	}
	if status, body := f.boost(http.MethodPost); status != 409 || body["state"] != "ongoing" || body["reason"] != "already_charging" {
		t.Errorf("boost while boosting: %d %v", status, body)
	}
	// A vehicle's DELETE does not stop a live boost (the spec: unplug).
	if status, _ := f.boost(http.MethodDelete); status != 204 {
		t.Errorf("DELETE boost: %d", status)
	}
	f.expect("DELETE of a live boost", map[string]any{"boost_state": "ongoing", "is_charging": true})
	f.set(poderotest.VehicleState{Charging: ptr(false)})
	f.expect("charge stopped", map[string]any{"boost_state": "available", "is_charging": false, "is_plugged_in": true})

	// A boost disarmed before it starts never starts.
	f.boost(http.MethodPost)
	f.boost(http.MethodDelete)
	f.clock.Advance(time.Minute)
	f.expect("disarmed before the start", map[string]any{"boost_state": "available", "is_charging": false})
}

// TestBoostArmedUntilPluggedIn: a boost of an unplugged vehicle is armed
// ("requested", idempotently) and starts BoostStartDelay after plug-in.
func TestBoostArmedUntilPluggedIn(t *testing.T) {
	f := newCharger(t, poderotest.ElectricVehicle)
	for range 2 {
		if status, _ := f.boost(http.MethodPost); status != 204 {
			t.Fatalf("boost of an unplugged vehicle: %d, want 204 (armed)", status)
		}
	}
	f.clock.Advance(time.Hour)
	f.expect("armed", map[string]any{"boost_state": "requested", "is_charging": false, "is_plugged_in": false})
	f.set(poderotest.VehicleState{PluggedIn: ptr(true)})
	f.expect("just plugged in", map[string]any{"boost_state": "requested", "is_charging": false})
	f.clock.Advance(poderotest.BoostStartDelay)
	f.expect("after the delay", map[string]any{"boost_state": "ongoing", "is_charging": true})
	f.set(poderotest.VehicleState{PluggedIn: ptr(false)})
	f.expect("unplugged", map[string]any{"boost_state": "unavailable", "is_charging": false})
	if f.current() != nil {
		t.Error("a current session after unplugging")
	}

	// Disarmed while unplugged, nothing starts at plug-in.
	f.boost(http.MethodPost)
	f.boost(http.MethodDelete)
	f.set(poderotest.VehicleState{PluggedIn: ptr(true)})
	f.clock.Advance(time.Minute)
	f.expect("disarmed, then plugged in", map[string]any{"boost_state": "available", "is_charging": false})
}

// TestWallboxBoost: a wallbox's boost is armed while no car is plugged in,
// starts after plug-in and the delay (mode CHARGING, a current HEMS
// session), and DELETE cancels it live.
func TestWallboxBoost(t *testing.T) {
	f := newCharger(t, poderotest.Wallbox)
	f.expect("a new wallbox", map[string]any{"mode": "READY", "connection": "online", "boost_state": "unavailable"})
	if status, _ := f.boost(http.MethodPost); status != 204 {
		t.Fatalf("boost: %d", status)
	}
	f.set(poderotest.VehicleState{PluggedIn: ptr(true)})
	f.expect("plugged in, armed", map[string]any{"mode": "PLUGGED_IN", "boost_state": "requested"})
	f.clock.Advance(poderotest.BoostStartDelay)
	f.expect("boosting", map[string]any{"mode": "CHARGING", "boost_state": "ongoing"})
	if f.current() == nil {
		t.Error("no current HEMS session while boosting")
	}
	if status, _ := f.boost(http.MethodDelete); status != 204 {
		t.Errorf("DELETE boost: %d", status)
	}
	f.expect("cancelled", map[string]any{"mode": "PLUGGED_IN", "boost_state": "available"})
	if f.current() != nil {
		t.Error("a current HEMS session after the boost was cancelled")
	}
}

// TestBoostOutcomeUnavailable: with SetBoostOutcome "unavailable" a
// requested boost ends "unavailable" without charging; "ongoing" restores
// the default.
func TestBoostOutcomeUnavailable(t *testing.T) {
	f := newCharger(t, poderotest.ElectricVehicle)
	f.set(poderotest.VehicleState{PluggedIn: ptr(true)})
	f.boost(http.MethodPost)
	if err := f.srv.SetBoostOutcome(f.id, "unavailable"); err != nil { // applies to the boost already requested
		t.Fatal(err)
	}
	f.clock.Advance(poderotest.BoostStartDelay)
	f.expect("failed boost", map[string]any{"boost_state": "unavailable", "is_charging": false})
	if f.current() != nil {
		t.Error("a current session for a failed boost")
	}
	f.clock.Advance(time.Hour)
	f.expect("an hour after the failed boost", map[string]any{"boost_state": "unavailable"})

	if status, _ := f.boost(http.MethodPost); status != 204 {
		t.Fatalf("boost again after a failure: %d", status)
	}
	f.expect("boosted again", map[string]any{"boost_state": "requested"})
	if err := f.srv.SetBoostOutcome(f.id, "ongoing"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(poderotest.BoostStartDelay)
	f.expect("default outcome", map[string]any{"boost_state": "ongoing", "is_charging": true})

	if err := f.srv.SetBoostOutcome(f.id, "failed"); err == nil {
		t.Error("an unknown outcome: no error")
	}
	if err := f.srv.SetBoostOutcome(parseUUID(t, f.uid), "unavailable"); err == nil {
		t.Error("SetBoostOutcome of a user id: no error")
	}
}

// TestBoostEndsWithTheDevicesState: unplugging or becoming full ends a
// boost that has not started; charging again means not fully charged; a
// failed boost's "unavailable" lasts until the device's state changes; and
// a running boost does not stamp its start over later reports.
func TestBoostEndsWithTheDevicesState(t *testing.T) {
	f := newCharger(t, poderotest.ElectricVehicle)
	stamp := func() string { return f.clock.Now().UTC().Format(time.RFC3339) }
	f.set(poderotest.VehicleState{PluggedIn: ptr(true)})

	f.boost(http.MethodPost)
	f.set(poderotest.VehicleState{PluggedIn: ptr(false)})
	f.expect("unplugged while requested", map[string]any{"boost_state": "unavailable"})
	f.set(poderotest.VehicleState{PluggedIn: ptr(true)})
	f.clock.Advance(poderotest.BoostStartDelay)
	f.expect("plugged in again", map[string]any{"boost_state": "available", "is_charging": false})

	f.boost(http.MethodPost)
	f.set(poderotest.VehicleState{FullyCharged: ptr(true)})
	f.expect("full while requested", map[string]any{"boost_state": "unavailable"})
	f.clock.Advance(poderotest.BoostStartDelay)
	f.expect("after the delay, full", map[string]any{"boost_state": "unavailable", "is_charging": false})

	f.set(poderotest.VehicleState{Charging: ptr(true)})
	f.expect("charging after full", map[string]any{"is_fully_charged": false, "is_charging": true})
	f.set(poderotest.VehicleState{Charging: ptr(false)})

	if err := f.srv.SetBoostOutcome(f.id, "unavailable"); err != nil {
		t.Fatal(err)
	}
	f.boost(http.MethodPost)
	f.clock.Advance(poderotest.BoostStartDelay)
	f.expect("failed boost", map[string]any{"boost_state": "unavailable"})
	f.set(poderotest.VehicleState{Charging: ptr(true)})
	f.set(poderotest.VehicleState{Charging: ptr(false)})
	f.expect("charged and stopped after the failure", map[string]any{"boost_state": "available"})

	if err := f.srv.SetBoostOutcome(f.id, "ongoing"); err != nil {
		t.Fatal(err)
	}
	f.boost(http.MethodPost)
	f.clock.Advance(poderotest.BoostStartDelay)
	f.expect("boosting", map[string]any{"boost_state": "ongoing"})
	f.clock.Advance(time.Minute)
	f.set(poderotest.VehicleState{BatteryLevel: ptr(70)})
	want := stamp()
	f.clock.Advance(time.Minute)
	f.expect("a report while boosting", map[string]any{"battery_level": 70.0, "current_state_last_updated_at": want, "updated_at": want})
}
