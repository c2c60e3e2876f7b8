package poderotest

import (
	"fmt"
	"net/http"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/podero-go/podero/internal/specserver"
)

// connectPath is where authentication_url points: the fake's stand-in for
// Podero's Connect UI.
const connectPath = "/connect"

// CompleteOnboarding does what the end user does in Podero's Connect UI:
// it finishes the onboarding session and returns the device's id. For a
// new-device session a device of the session's device_type (an electric
// vehicle when the session names none) appears for the session's user, in
// the session's building, and the session's object_id is set to it. For a
// session from a device's auth_session endpoint the device is
// authenticated again. Completing a session twice returns the same device.
func (s *Server) CompleteOnboarding(sessionID openapi_types.UUID) (deviceID openapi_types.UUID, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := s.completeOnboarding(sessionID.String())
	return parseID(id), err
}

func (s *Server) completeOnboarding(sessionID string) (string, error) {
	session := s.records[sessionID]
	if session == nil || session.kind.name != "onboarding" {
		return "", fmt.Errorf("poderotest: no onboarding session %q", sessionID)
	}
	if id, ok := session.obj["object_id"].(string); ok {
		s.authenticate(s.records[id])
		return id, nil
	}
	code, _ := session.obj["device_type"].(string)
	if code == "" {
		code = string(ElectricVehicle)
	}
	in := session.input
	dev := s.create(deviceKind(code), session.owner, map[string]any{
		"building_id":                  in["building_id"],
		"price_zone":                   in["price_zone_default"],
		"is_smart_optimization_active": in["is_smart_optimization_active_default"],
	})
	s.authenticate(dev)
	session.obj["object_id"] = dev.id()
	return dev.id(), nil
}

// AddDevice adds a connected device of the given type (ElectricVehicle,
// HeatPump, Inverter or Wallbox) for a user, as a completed onboarding
// would, and returns its id. Wallboxes have no create operation in the API;
// this is how a test gets one without an onboarding session.
func (s *Server) AddDevice(userID openapi_types.UUID, deviceType DeviceType) (openapi_types.UUID, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := deviceKind(string(deviceType))
	if k == nil {
		return openapi_types.UUID{}, fmt.Errorf("poderotest: unknown device type %q (want ev, hp, iv or wb)", deviceType)
	}
	if u := s.records[userID.String()]; u == nil || u.kind.name != "user" {
		return openapi_types.UUID{}, fmt.Errorf("poderotest: no user %s", userID)
	}
	dev := s.create(k, userID.String(), nil)
	s.authenticate(dev)
	return parseID(dev.id()), nil
}

// SetCharging says whether an electric vehicle or wallbox is charging, as
// the vehicle would report it. A boost of a charging device is refused with
// 409 already_charging. While it charges, the device has a current session
// (sessions/current for a vehicle, hems-sessions/current for a wallbox),
// begun when charging started; it ends, unrecorded, when charging stops.
func (s *Server) SetCharging(deviceID openapi_types.UUID, charging bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	dev := s.records[deviceID.String()]
	if dev == nil || dev.kind.charging == nil {
		return fmt.Errorf("poderotest: no electric vehicle or wallbox %s", deviceID)
	}
	if charging {
		setPresent(dev.obj, dev.kind.charging)
		setPresent(dev.obj, map[string]any{"boost_state": "unavailable"})
	} else {
		setPresent(dev.obj, dev.kind.idle)
		setPresent(dev.obj, map[string]any{"boost_state": "available"})
	}
	s.running(dev)
	return nil
}

// deviceKind returns the kind of a device code, or nil.
func deviceKind(code string) *kind {
	if k := kindNamed(code); k != nil && k.isDevice {
		return k
	}
	return nil
}

// authSession starts a reauthentication: an onboarding session for the
// existing device, which CompleteOnboarding (or opening its URL) completes.
func (s *Server) authSession(dev *record, input map[string]any) specserver.Response {
	session := s.create(kindNamed("onboarding"), dev.owner, input)
	session.obj["user"] = dev.owner
	session.obj["device_type"] = dev.kind.name
	session.obj["object_id"] = dev.id()
	return answer(http.StatusOK, map[string]any{
		"authentication_url": session.obj["authentication_url"], "device_id": dev.id(), "session_id": session.id(),
	})
}

// boost arms a boost (POST) or disarms it (DELETE). The fake does not
// simulate the charge: a boost stays "requested" until SetCharging.
func (s *Server) boost(dev *record, method string) specserver.Response {
	if method == http.MethodDelete {
		setPresent(dev.obj, map[string]any{"boost_state": "available"})
		return answer(http.StatusNoContent, nil)
	}
	state, _ := dev.obj["boost_state"].(string)
	if state == "" {
		state = "unavailable"
	}
	switch {
	case charging(dev):
		return answer(http.StatusConflict, map[string]any{"state": state, "reason": "already_charging"})
	case dev.obj["is_fully_charged"] == true:
		return answer(http.StatusConflict, map[string]any{"state": state, "reason": "fully_charged"})
	}
	setPresent(dev.obj, map[string]any{"boost_state": "requested"})
	return answer(http.StatusNoContent, nil)
}

func charging(dev *record) bool {
	for k, v := range dev.kind.charging {
		if dev.obj[k] != v {
			return false
		}
	}
	return dev.kind.charging != nil
}

// serveConnect stands in for the Connect UI: opening an authentication_url
// completes its session and redirects to the session's success_url, as an
// end user finishing the flow would.
func (s *Server) serveConnect(w http.ResponseWriter, r *http.Request) {
	id := canonicalID(r.URL.Query().Get("onboarding_session_id"))
	s.mu.Lock()
	_, err := s.completeOnboarding(id)
	var next string
	if err == nil {
		next, _ = s.records[id].obj["success_url"].(string)
	}
	s.mu.Unlock()

	status := http.StatusOK
	switch {
	case err != nil:
		status = http.StatusNotFound
		http.Error(w, err.Error(), status)
	case next != "":
		status = http.StatusSeeOther
		http.Redirect(w, r, next, status)
	default:
		_, _ = fmt.Fprintln(w, "poderotest: onboarding complete")
	}
	s.record(specserver.Recorded{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery,
		Header: r.Header.Clone(), Status: status})
}
