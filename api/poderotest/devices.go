package poderotest

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/podero-go/podero/internal/specserver"
)

// connectPath is where authentication_url points: the fake's stand-in for
// Podero's Connect UI.
const connectPath = "/connect"

// CompleteOnboarding does what the end user does in Podero's Connect UI:
// it finishes the onboarding session and returns the device's id.
//
// A new-device session (POST /device-onboarding) has object_id null until
// it completes: then a device of the session's device_type (an electric
// vehicle when the session names none) appears for the session's user, in
// the session's building, and object_id is set to it.
//
// A reauthentication session (from a device's auth_session endpoint, or
// the redirect_url of POST /cues/{cue_id}/resolve) has object_id set to the
// device from its creation, so object_id alone does not say it completed:
// completion shows as the device reading is_authenticated true with no
// reauthenticate action in its actions. Completing one authenticates the
// device again (lifecycle_state "authenticated", statuses "ok") and ends
// its pending reauthenticate actions, except the cue whose /resolve made
// the session: that one stays listed until POST /cues/{cue_id}/state
// reports its outcome (see [Server.RequireReauthentication]).
//
// Completing a session twice returns the same device.
func (s *Server) CompleteOnboarding(sessionID openapi_types.UUID) (deviceID openapi_types.UUID, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := s.completeOnboarding(sessionID.String())
	return parseID(id), err
}

func (s *Server) completeOnboarding(sessionID string) (string, error) {
	return s.completeOnboardingAt(sessionID, s.now())
}

// completeOnboardingAt is completeOnboarding at the time t.
func (s *Server) completeOnboardingAt(sessionID string, t time.Time) (string, error) {
	session := s.records[sessionID]
	if session == nil || session.kind.name != "onboarding" {
		return "", fmt.Errorf("poderotest: no onboarding session %q", sessionID)
	}
	if id, ok := session.obj["object_id"].(string); ok {
		if dev := s.records[id]; dev != nil {
			s.authenticateAt(dev, s.cues[session.cue], t)
			return id, nil
		}
		return "", fmt.Errorf("poderotest: the device %s of onboarding session %s was deleted", id, sessionID)
	}
	code, _ := session.obj["device_type"].(string)
	if code == "" {
		code = string(ElectricVehicle)
	}
	in := session.input
	dev := s.createAt(deviceKind(code), session.owner, map[string]any{
		"building_id":                  in["building_id"],
		"price_zone":                   in["price_zone_default"],
		"is_smart_optimization_active": in["is_smart_optimization_active_default"],
	}, t)
	s.authenticateAt(dev, nil, t)
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
	s.authenticate(dev, nil)
	return parseID(dev.id()), nil
}

// deviceKind returns the kind of a device code, or nil.
func deviceKind(code string) *kind {
	if k := kindNamed(code); k != nil && k.isDevice {
		return k
	}
	return nil
}

// authSession answers a device's auth_session operation: it starts a
// reauthentication session, which CompleteOnboarding (or opening its
// authentication_url) completes.
func (s *Server) authSession(dev *record, input map[string]any) specserver.Response {
	session := s.reauthSession(dev, input)
	return answer(http.StatusOK, map[string]any{
		"authentication_url": session.obj["authentication_url"], "device_id": dev.id(), "session_id": session.id(),
	})
}

// reauthSession creates an onboarding session that reauthenticates the
// existing device: its object_id is the device from the start.
func (s *Server) reauthSession(dev *record, input map[string]any) *record {
	session := s.create(kindNamed("onboarding"), dev.owner, input)
	session.obj["user"] = dev.owner
	session.obj["device_type"] = dev.kind.name
	session.obj["object_id"] = dev.id()
	return session
}

// ConnectResult is what opening a Connect link did; see [Server.OpenLink].
type ConnectResult struct {
	// DeviceID is the device the session onboarded or reauthenticated.
	DeviceID openapi_types.UUID
	// RedirectURL is where Connect sends the browser next: the session's
	// success_url, or "" when it has none.
	RedirectURL string
}

// OpenLink does what an end user's browser opening a Connect link does on
// the fake's stand-in for Podero's Connect UI: the authentication_url of an
// onboarding or auth_session session, or the redirect_url of POST
// /cues/{cue_id}/resolve. It completes the session, as
// [Server.CompleteOnboarding] does (a new device, or a reauthentication),
// and says where Connect would redirect the browser: the session's
// success_url. It does not go there: the partner's success_url is not
// requested, and OpenLink sends no HTTP request at all, so the link is not
// listed in [Server.Requests] and latency and failures do not apply. (A
// browser's GET of the link does go through the fake's HTTP server, and is
// answered 303 to success_url.) A link that is not one of this fake's
// Connect links, or names no session of it, is an error.
func (s *Server) OpenLink(link string) (ConnectResult, error) {
	u, err := url.Parse(link)
	if err != nil {
		return ConnectResult{}, fmt.Errorf("poderotest: OpenLink: %w", err)
	}
	if base, _ := url.Parse(s.URL); u.Scheme != base.Scheme || u.Host != base.Host || u.Path != connectPath {
		return ConnectResult{}, fmt.Errorf("poderotest: OpenLink: %q is not a Connect link of this fake (%s%s?onboarding_session_id=...)", link, s.URL, connectPath)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, next, err := s.openConnect(u.Query().Get("onboarding_session_id"))
	if err != nil {
		return ConnectResult{}, err
	}
	return ConnectResult{DeviceID: parseID(id), RedirectURL: next}, nil
}

// openConnect completes the session a Connect link names, returning the
// device and the session's success_url. s.mu must be held.
func (s *Server) openConnect(sessionID string) (deviceID, next string, err error) {
	s.tick()
	sessionID = canonicalID(sessionID)
	if deviceID, err = s.completeOnboarding(sessionID); err != nil {
		return "", "", err
	}
	next, _ = s.records[sessionID].obj["success_url"].(string)
	return deviceID, next, nil
}

// serveConnect stands in for the Connect UI: opening an authentication_url
// completes its session and redirects to the session's success_url, as an
// end user finishing the flow would.
func (s *Server) serveConnect(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	_, next, err := s.openConnect(r.URL.Query().Get("onboarding_session_id"))
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
	s.record(s.recorded(r, status, ""))
}
