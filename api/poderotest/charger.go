package poderotest

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/podero-go/podero/internal/specserver"
)

// BoostStartDelay is how long, on the fake's clock ([Server.SetClock]), a
// boost stays "requested" before the device starts charging: after a boost
// of a plugged-in, idle device, or after a device whose boost was armed
// while it was unplugged is plugged in. Podero signals the vehicle or
// wallbox, which takes a moment to start; a client polls boost_state
// meanwhile (Podero's dashboard guide suggests every 3 s).
const BoostStartDelay = 10 * time.Second

// charger is what an electric vehicle or wallbox reports about charging,
// and its boost. What the API shows is derived from it when the device is
// rendered: is_plugged_in and is_charging (vehicles), mode and connection
// (wallboxes), and boost_state.
type charger struct {
	plugged, charging bool
	boost             *boost // nil: no boost requested or running
	// failed: the last boost ended "unavailable" (SetBoostOutcome), until
	// the device's state changes or a boost is requested again.
	failed bool
	// failBoosts: requested boosts end "unavailable" instead of starting.
	failBoosts bool
}

// boost is a boost requested of a charger. It is live (it started: the
// device charges because of it) exactly while the charger is charging: a
// boost cannot be requested of a charging device, charging makes a
// requested boost live, and stopping ends the boost.
type boost struct {
	// startAt is when the device starts charging; zero while the boost is
	// armed on an unplugged device.
	startAt time.Time
	// delay is how long after the request (or the plug-in) it starts:
	// BoostStartDelay, or the change process's draw.
	delay time.Duration
	// outcome is how it ends once started: boostOngoing (charging, or
	// "unavailable" when the charger fails its boosts), boostUnavailable,
	// or boostNever (it stays "requested").
	outcome boostOutcome
}

type boostOutcome uint8

const (
	boostOngoing boostOutcome = iota
	boostUnavailable
	boostNever
)

// boostState is the device's boost_state:
//
//   - "ongoing": charging because of a boost;
//   - "requested": a boost is about to start, or armed while unplugged;
//   - "available": plugged in and idle, not fully charged;
//   - "unavailable": charging without a boost, fully charged, unplugged
//     (as the boost operation's description has it), or the last boost
//     failed.
func (c *charger) boostState(fullyCharged bool) string {
	switch {
	case c.charging && c.boost != nil:
		return "ongoing"
	case c.charging || c.failed:
		return "unavailable"
	case c.boost != nil:
		return "requested"
	case fullyCharged || !c.plugged:
		return "unavailable"
	}
	return "available"
}

// render writes the fields derived from c into a device being rendered.
func (c *charger) render(obj map[string]any) {
	full := obj["is_fully_charged"] == true
	setPresent(obj, map[string]any{"is_plugged_in": c.plugged, "is_charging": c.charging,
		"boost_state": c.boostState(full)})
	if _, ok := obj["mode"]; ok { // a wallbox: "derived from is_authenticated, is_plugged_in, and is_charging"
		auth := obj["is_authenticated"] == true
		mode, connection := "READY", "online"
		switch {
		case !auth:
			mode, connection = "UNAVAILABLE", "offline"
		case c.charging:
			mode = "CHARGING"
		case c.plugged:
			mode = "PLUGGED_IN"
		}
		obj["mode"], obj["connection"] = mode, connection
	}
}

// startBoost starts (or fails) a charger's requested boost whose delay
// ends at t, if it is still the boost that was due then. s.mu must be held.
func (s *Server) startBoost(dev *record, at time.Time) {
	c := dev.ch
	if s.records[dev.id()] != dev || c.boost == nil || c.charging || !c.boost.startAt.Equal(at) {
		return // ended, or rescheduled, meanwhile
	}
	switch {
	case c.boost.outcome == boostNever:
		return // stays "requested"
	case c.failBoosts || c.boost.outcome == boostUnavailable:
		c.boost, c.failed = nil, true
	default:
		s.setCharging(dev, true, at)
	}
	s.reported(dev, at)
	s.note(dev, at)
}

// armBoost requests a boost of a charger: it starts after its delay once
// the charger is plugged in. s.mu must be held.
func (s *Server) armBoost(dev *record, now time.Time) {
	c := dev.ch
	if c.boost == nil {
		c.boost = &boost{delay: BoostStartDelay}
		if s.proc != nil {
			c.boost.outcome, c.boost.delay = s.proc.boostOutcome(dev)
		}
	}
	if c.plugged {
		s.scheduleBoost(dev, now)
	}
}

// scheduleBoost starts the delay of a requested boost at t.
func (s *Server) scheduleBoost(dev *record, t time.Time) {
	b := dev.ch.boost
	b.startAt = t.Add(b.delay)
	s.schedule(&due{at: b.startAt, what: dueBoost, rec: dev})
}

// setCharging starts or stops a charger charging at t. Charging starts a
// current session (and makes a requested boost live) and means plugged in
// and not fully charged; stopping ends the session, unrecorded, and any
// boost.
func (s *Server) setCharging(dev *record, charging bool, t time.Time) {
	c := dev.ch
	if charging == c.charging {
		return
	}
	c.charging, c.failed = charging, false
	if charging {
		c.plugged = true
		setPresent(dev.obj, map[string]any{"is_fully_charged": false})
		s.startSession(dev, t)
		return
	}
	c.boost, dev.current = nil, nil
}

// setPlugged plugs a charger in or out at t. Plugging in starts the delay
// of a boost armed while unplugged; unplugging stops charging and ends or
// clears any boost.
func (s *Server) setPlugged(dev *record, plugged bool, t time.Time) {
	c := dev.ch
	if plugged == c.plugged {
		return
	}
	c.failed = false
	if !plugged {
		s.setCharging(dev, false, t)
		c.plugged, c.boost = false, nil
		return
	}
	c.plugged = true
	if c.boost != nil && c.boost.startAt.IsZero() {
		s.scheduleBoost(dev, t)
	}
}

// reported stamps a device's state as reported at t.
func (s *Server) reported(dev *record, t time.Time) {
	setPresent(dev.obj, map[string]any{"updated_at": timestamp(t), "current_state_last_updated_at": timestamp(t)})
	s.log(StateUpdated, t, dev, "")
}

// chargerDevice returns the electric vehicle or wallbox with the id.
func (s *Server) chargerDevice(id openapi_types.UUID) (*record, error) {
	dev := s.records[id.String()]
	if dev == nil || dev.ch == nil {
		return nil, fmt.Errorf("poderotest: no electric vehicle or wallbox %s", id)
	}
	return dev, nil
}

// VehicleState is what an electric vehicle reports, for
// [Server.SetVehicleState]. A nil field is left as it is.
type VehicleState struct {
	BatteryLevel *int  // battery_level, 0 to 100
	PluggedIn    *bool // is_plugged_in
	Charging     *bool // is_charging; true means plugged in
	FullyCharged *bool // is_fully_charged; true stops charging
}

// SetVehicleState sets what an electric vehicle reports, as the vehicle
// would, at the fake's clock's now (its updated_at and
// current_state_last_updated_at). boost_state follows:
//
//   - charging: "ongoing" when a boost was requested, else "unavailable";
//   - plugged in and idle: "available", or "requested" while a boost is
//     about to start;
//   - unplugged: "unavailable", or "requested" while a boost is armed;
//   - fully charged: "unavailable".
//
// Plugging in a vehicle whose boost was armed while it was unplugged starts
// the boost [BoostStartDelay] later. Starting to charge begins a current
// session (sessions/current); stopping, unplugging or becoming fully
// charged ends it, and ends a boost. Charging with PluggedIn or
// FullyCharged set against it is an error.
//
// A wallbox takes PluggedIn and Charging too (its mode follows: READY,
// PLUGGED_IN or CHARGING); it reports no battery, so BatteryLevel and
// FullyCharged are errors for one.
func (s *Server) SetVehicleState(evID openapi_types.UUID, st VehicleState) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	dev, err := s.chargerDevice(evID)
	if err != nil {
		return err
	}
	isTrue := func(b *bool) bool { return b != nil && *b }
	isFalse := func(b *bool) bool { return b != nil && !*b }
	switch {
	case dev.kind.name == string(Wallbox) && (st.BatteryLevel != nil || st.FullyCharged != nil):
		return errors.New("poderotest: a wallbox reports no battery level and no fully-charged state")
	case st.BatteryLevel != nil && (*st.BatteryLevel < 0 || *st.BatteryLevel > 100):
		return fmt.Errorf("poderotest: battery level %d is not 0 to 100", *st.BatteryLevel)
	case isTrue(st.Charging) && isFalse(st.PluggedIn):
		return errors.New("poderotest: a vehicle that is not plugged in cannot charge")
	case isTrue(st.Charging) && isTrue(st.FullyCharged):
		return errors.New("poderotest: a fully charged vehicle does not charge")
	}
	s.tick()
	now := s.now()
	if st.BatteryLevel != nil {
		dev.obj["battery_level"] = *st.BatteryLevel
	}
	if st.PluggedIn != nil {
		s.setPlugged(dev, *st.PluggedIn, now)
	}
	if st.FullyCharged != nil {
		dev.obj["is_fully_charged"] = *st.FullyCharged
		if *st.FullyCharged {
			s.setCharging(dev, false, now)
			dev.ch.boost, dev.ch.failed = nil, false
		}
	}
	if st.Charging != nil {
		s.setCharging(dev, *st.Charging, now)
	}
	s.reported(dev, now)
	s.note(dev, now)
	return nil
}

// SetCharging says whether an electric vehicle or wallbox is charging, as
// the vehicle would report it: [Server.SetVehicleState] with only
// Charging. Charging means plugged in; stopping leaves the device plugged
// in. A boost of a charging device is refused with 409 already_charging.
// While it charges, the device has a current session (sessions/current for
// a vehicle, hems-sessions/current for a wallbox), begun when charging
// started; it ends, unrecorded, when charging stops.
func (s *Server) SetCharging(deviceID openapi_types.UUID, charging bool) error {
	return s.SetVehicleState(deviceID, VehicleState{Charging: &charging})
}

// SetBoostOutcome says how the boosts of an electric vehicle or wallbox end
// once [BoostStartDelay] has passed: "ongoing" (the default: the device
// charges) or "unavailable" (the device does not start: boost_state reads
// "unavailable" until the device's state changes or a boost is requested
// again). It applies to a boost already requested that has not started.
func (s *Server) SetBoostOutcome(deviceID openapi_types.UUID, outcome string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	dev, err := s.chargerDevice(deviceID)
	if err != nil {
		return err
	}
	if outcome != "ongoing" && outcome != "unavailable" {
		return fmt.Errorf("poderotest: boost outcome %q: want ongoing or unavailable", outcome)
	}
	s.tick()
	dev.ch.failBoosts = outcome == "unavailable"
	return nil
}

// boost answers the boost operations, as their descriptions in the spec
// say. POST: a charging device, or one whose boost is about to start, is
// refused with 409 already_charging, a fully charged one with 409
// fully_charged; an unplugged one has the boost armed (again: idempotent),
// to start BoostStartDelay after it is plugged in; a plugged-in, idle one
// starts BoostStartDelay from now. DELETE: a vehicle's boost that has not
// started is disarmed (a live one is left: it ends when the vehicle is
// full or unplugged); a wallbox's boost is cancelled, live or not, and a
// live one stops the charge (the fake's HEMS control finds no surplus).
func (s *Server) boost(dev *record, method string) specserver.Response {
	c, now := dev.ch, s.now()
	if method == http.MethodDelete {
		switch {
		case c.boost != nil && c.charging && dev.kind.name == string(Wallbox):
			s.setCharging(dev, false, now)
		case c.boost != nil && !c.charging:
			c.boost = nil
		}
		c.failed = false
		s.note(dev, now)
		return answer(http.StatusNoContent, nil)
	}
	full := dev.obj["is_fully_charged"] == true
	state := c.boostState(full)
	switch {
	case c.charging || (c.boost != nil && c.plugged):
		return answer(http.StatusConflict, map[string]any{"state": state, "reason": "already_charging"})
	case full:
		return answer(http.StatusConflict, map[string]any{"state": state, "reason": "fully_charged"})
	default: // armed until plugged in, or starting after its delay
		s.armBoost(dev, now)
	}
	c.failed = false
	s.note(dev, now)
	return answer(http.StatusNoContent, nil)
}
