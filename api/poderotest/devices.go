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
