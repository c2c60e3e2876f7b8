package api

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The named waiters: each polls one operation until what a partner waits
// for has happened. See wait.go for the engine and its options.

// Default poll intervals. Podero's dashboard guide suggests polling about
// every 3 s while a boost is "requested" (guides §8).
const (
	boostPollInterval = 3 * time.Second
	// An end user in the Connect UI, or a charger connecting, takes
	// seconds to minutes.
	onboardingPollInterval, onboardingMaxPollInterval = 5 * time.Second, 30 * time.Second
	// Device state refreshes every 5 to 15 minutes (guides §8).
	healthPollInterval, healthMaxPollInterval = 15 * time.Second, 2 * time.Minute
)

// WaitForBoost polls an electric vehicle after a boost
// ([PartnerClient.TriggerElectricVehicleBoost]) until its boost_state is
// no longer "requested", about every 3 s as Podero's dashboard guide
// advises, and returns the vehicle as last read. Its GetBoostState() is
// the outcome:
//
//   - "ongoing": the vehicle charges because of the boost;
//   - "unavailable": it did not start (full, already charging without the
//     boost, or not connected). This is an answer, not an error: the boost
//     operation reports the same state in-band, and a dashboard shows it
//     as such ("Charge now" is not offered);
//   - "available" (or none): the boost was disarmed meanwhile.
//
// A boost armed on an unplugged vehicle stays "requested" until it is
// plugged in, so bound the wait with the context or [WithMaxWait]. When the
// wait gives up, the [*WaitTimeoutError]'s LastState is the
// *ElectricVehicleOutput last read.
//
//	GET /api/partners/v2.0/org/{org_id}/users/{user_id}/electric-vehicles/{electric_vehicle_id}, repeatedly
func (c *PartnerClient) WaitForBoost(ctx context.Context, userID, evID UUID, opts ...WaitOption) (*ElectricVehicleOutput, error) {
	w := &waiter[*ElectricVehicleOutput]{
		name: "WaitForBoost", interval: boostPollInterval, maxInterval: boostPollInterval,
		poll: func(ctx context.Context, call []CallOption) (*ElectricVehicleOutput, bool, error) {
			ev, err := c.GetElectricVehicle(ctx, userID, evID, call...)
			if err != nil {
				return nil, false, err
			}
			return ev, ev.GetBoostState() != BoostStateRequested, nil
		},
		describe: func(ev *ElectricVehicleOutput) string { return "boost_state " + quoted(string(ev.GetBoostState())) },
	}
	return w.run(ctx, c, opts)
}

// quoted quotes s for a message, and says so when it is empty.
func quoted(s string) string {
	if s == "" {
		return "absent"
	}
	return `"` + s + `"`
}

// OnboardingState is what [PartnerClient.WaitForOnboarding] saw of an
// onboarding session: its result, and the LastState of its
// [*WaitTimeoutError].
type OnboardingState struct {
	// Session is the session as last read.
	Session *DeviceOnboardingSessionOutput
	// DeviceID is the session's object_id: the new or reauthenticated
	// device. It is zero while object_id is null.
	DeviceID UUID
	// Kind is the device's kind: the session's device_type, or, when that
	// is null, the kind whose GET found the device. It is "" until known.
	Kind DeviceKind
	// Device is the device as last read (an *ElectricVehicleOutput,
	// *HeatPumpOutput, *InverterOutput or *WallboxOutput); nil while
	// object_id is null.
	Device Device
}

// WaitForOnboarding polls an onboarding session until the device it
// onboards is connected, and returns the device's id and kind (and the
// session and device as last read).
//
// The signal is the same for the two kinds of session, and is read on the
// device, not on the session alone: the session's object_id is set, AND
// that device reports is_authenticated true with no pending reauthenticate
// action.
//
//   - A new-device session (POST /device-onboarding) has object_id null
//     until the end user completes the Connect flow; then object_id names
//     the new device, which reports is_authenticated.
//   - A reauthentication session (a device's auth_session, or the
//     redirect_url of [PartnerClient.StartReauthentication]) has object_id
//     set from its creation, so object_id alone says nothing: completion
//     shows on the device, as is_authenticated true and no reauthenticate
//     action. A session that a cue's /resolve started keeps its action
//     listed until [PartnerClient.ReportActionOutcome] reports success, so
//     the wait ends only after that report.
//
// The evidence: the guides show object_id null in a new session's example
// and infer it is filled when onboarding completes (guides §6.4); for a
// broken connection they tell the partner to check is_authenticated and
// the actions' resolution_link, send the user to reconnect, and verify
// afterwards on the device (§6.7); and a reauthentication session is
// created for an existing device, whose id it carries (auth_session
// answers device_id with session_id). poderotest documents and implements
// this reading.
//
// The device's kind is the session's device_type. When that is null, the
// waiter finds the kind by probing the device GETs for object_id, electric
// vehicle, heat pump, inverter and wallbox in turn, until one does not
// answer 404, and then keeps to that kind. A session that names no user,
// or an object_id that no GET finds, ends the wait with an error.
//
// It polls every 5 s at first, backing off to 30 s. Sessions are valid
// until the end of the next day; bound the wait with the context or
// [WithMaxWait]. The [*WaitTimeoutError]'s LastState is an
// *OnboardingState.
//
//	GET /api/partners/v2.0/device-onboarding/{onboarding_session_id}, repeatedly, and the device's GET
func (c *PartnerClient) WaitForOnboarding(ctx context.Context, sessionID UUID, opts ...WaitOption) (*OnboardingState, error) {
	var probed DeviceKind // the kind a probe found, kept between polls
	w := &waiter[*OnboardingState]{
		name: "WaitForOnboarding", interval: onboardingPollInterval, maxInterval: onboardingMaxPollInterval,
		poll: func(ctx context.Context, call []CallOption) (*OnboardingState, bool, error) {
			s, err := c.GetOnboardingSession(ctx, sessionID, call...)
			if err != nil {
				return nil, false, err
			}
			st := &OnboardingState{Session: s, Kind: s.GetDeviceType()}
			if s.ObjectID == nil {
				return st, false, nil
			}
			st.DeviceID = *s.ObjectID
			if s.User == nil {
				return nil, false, fmt.Errorf("the session's object_id is %s, but it names no user, whose device it would be", st.DeviceID)
			}
			if st.Kind == "" {
				st.Kind = probed
			}
			if st.Kind == "" {
				st.Device, err = c.probeDevice(ctx, *s.User, st.DeviceID, call)
				if err != nil {
					return nil, false, err
				}
				st.Kind, probed = st.Device.Kind(), st.Device.Kind()
			} else if st.Device, err = c.getDevice(ctx, st.Kind, *s.User, st.DeviceID, call); err != nil {
				return nil, false, err
			}
			return st, onboarded(st.Device), nil
		},
		describe: func(st *OnboardingState) string {
			if st.Device == nil {
				return "object_id null: the end user has not completed the Connect flow"
			}
			return fmt.Sprintf("%s %s: %s", st.Kind, st.DeviceID, deviceState(st.Device))
		},
	}
	return w.run(ctx, c, opts)
}

// onboarded is the signal that an onboarding or reauthentication session
// completed, seen on its device: authenticated, with no reauthenticate
// action pending.
func onboarded(d Device) bool {
	return d.GetIsAuthenticated() && !hasAction(d.PendingActions(), ActionReauthenticate)
}

// WaitForWallboxClaim polls a wallbox claim token's status (minted by
// [PartnerClient.CreateWallboxClaimToken] for the session's user) until
// a charger has claimed it, and returns the new wallbox's id. Claim tokens
// expire (expires_at); bound the wait with the context or [WithMaxWait].
// It polls every 5 s at first, backing off to 30 s.
//
// The token is a credential, and it is in the operation's path: the
// errors this method returns have it redacted. The [*WaitTimeoutError]'s
// LastState is a *WallboxClaimTokenStatusOutput.
//
//	GET /api/partners/v2.0/device-onboarding/{onboarding_session_id}/wallbox-claim-tokens/{token}/status, repeatedly
func (c *PartnerClient) WaitForWallboxClaim(ctx context.Context, sessionID UUID, token string, opts ...WaitOption) (UUID, error) {
	var wallbox UUID // the claimed wallbox_id, parsed by the last poll
	w := &waiter[*WallboxClaimTokenStatusOutput]{
		name: "WaitForWallboxClaim", interval: onboardingPollInterval, maxInterval: onboardingMaxPollInterval,
		poll: func(ctx context.Context, call []CallOption) (*WallboxClaimTokenStatusOutput, bool, error) {
			st, err := c.GetWallboxClaimTokenStatus(ctx, sessionID, token, call...)
			if err != nil {
				return nil, false, err // the token redacted (see operation.secretPath)
			}
			if !st.Claimed || st.GetWallboxID() == "" {
				return st, false, nil // claimed without a wallbox_id yet: keep polling
			}
			if wallbox, err = ParseUUID(st.GetWallboxID()); err != nil {
				return nil, false, fmt.Errorf("the token was claimed, but its wallbox_id %q is not a UUID", st.GetWallboxID())
			}
			return st, true, nil
		},
		describe: func(st *WallboxClaimTokenStatusOutput) string {
			if st.Claimed {
				return "claimed, without a wallbox_id"
			}
			return "not claimed"
		},
	}
	if _, err := w.run(ctx, c, opts); err != nil {
		return UUID{}, err
	}
	return wallbox, nil
}

// WaitForDeviceHealthy polls a device of the kind until it is healthy
// ([Device].Healthy: authenticated, no reauthenticate action pending,
// connection_status "ok", and neither monitoring_status nor
// steering_status "error"), and returns it: an *ElectricVehicleOutput,
// *HeatPumpOutput, *InverterOutput or *WallboxOutput. Use it after a
// reauthentication, say, to know when the device reports again. Device
// state refreshes every 5 to 15 minutes, so it polls every 15 s at first,
// backing off to 2 minutes; bound the wait with the context or
// [WithMaxWait]. The [*WaitTimeoutError]'s LastState is the Device.
//
//	GET /api/partners/v2.0/org/{org_id}/users/{user_id}/<kind's segment>/{id}, repeatedly
func (c *PartnerClient) WaitForDeviceHealthy(ctx context.Context, kind DeviceKind, userID, deviceID UUID, opts ...WaitOption) (Device, error) {
	// getDevice refuses a kind that is none, on the first poll.
	w := &waiter[Device]{
		name: "WaitForDeviceHealthy", interval: healthPollInterval, maxInterval: healthMaxPollInterval,
		poll: func(ctx context.Context, call []CallOption) (Device, bool, error) {
			d, err := c.getDevice(ctx, kind, userID, deviceID, call)
			if err != nil {
				return nil, false, err
			}
			return d, d.Healthy(), nil
		},
		describe: deviceState,
	}
	return w.run(ctx, c, opts)
}

// deviceState describes what makes a device healthy or not.
func deviceState(d Device) string {
	var codes []string
	for _, a := range d.PendingActions() {
		codes = append(codes, string(a.Code))
	}
	return fmt.Sprintf("is_authenticated %t, actions [%s], connection_status %s, monitoring_status %s, steering_status %s",
		d.GetIsAuthenticated(), strings.Join(codes, " "), quoted(string(d.GetConnectionStatus())),
		quoted(string(d.GetMonitoringStatus())), quoted(string(d.GetSteeringStatus())))
}

// getDevice reads a device of a known kind.
func (c *PartnerClient) getDevice(ctx context.Context, kind DeviceKind, userID, id UUID, call []CallOption) (Device, error) {
	switch kind {
	case DeviceKindEV:
		return asDevice(c.GetElectricVehicle(ctx, userID, id, call...))
	case DeviceKindHp:
		return asDevice(c.GetHeatPump(ctx, userID, id, GetHeatPumpParams{}, call...))
	case DeviceKindIv:
		return asDevice(c.GetInverter(ctx, userID, id, call...))
	case DeviceKindWb:
		return asDevice(c.GetWallbox(ctx, userID, id, call...))
	}
	return nil, fmt.Errorf("%s is not a device kind (ev, hp, iv, wb)", quoted(string(kind)))
}

// asDevice returns a device output as a Device, and a nil Device with an
// error: a nil *ElectricVehicleOutput in a Device would not be nil.
func asDevice[T Device](d T, err error) (Device, error) {
	if err != nil {
		return nil, err
	}
	return d, nil
}

// probeKinds is the order probeDevice tries the kinds in.
var probeKinds = []DeviceKind{DeviceKindEV, DeviceKindHp, DeviceKindIv, DeviceKindWb}

// probeDevice finds a device whose kind is not known: the first device GET
// that does not answer 404. Another error ends the probe.
func (c *PartnerClient) probeDevice(ctx context.Context, userID, id UUID, call []CallOption) (Device, error) {
	for _, kind := range probeKinds {
		d, err := c.getDevice(ctx, kind, userID, id, call)
		if !IsNotFound(err) {
			return d, err
		}
	}
	return nil, errors.New("the session's object_id " + id.String() + " is no electric vehicle, heat pump, inverter or wallbox of its user")
}
