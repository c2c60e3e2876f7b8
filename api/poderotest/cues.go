package poderotest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/podero-go/podero/internal/specserver"
)

// The codes of the actions ("cues") a device can have pending: the
// discriminator of the spec's ReauthenticateAction and InformationAction.
const (
	reauthenticate = "reauthenticate"
	information    = "information"
)

// cueSecretLifetime: "the secret is a signed token bound to a member and
// expires 1 hour after it is issued".
const cueSecretLifetime = time.Hour

// cue is an action pending on a device; its id is the action's id, the
// cue_id of the cue operations and the action_id they answer. It stays
// listed, started by /resolve or not, until it ends: /state reports
// success, /information/resolve marks it read, or the device is
// reauthenticated another way.
type cue struct {
	id     string
	code   string // reauthenticate or information
	device *record
}

// addCue adds an action to a device.
func (s *Server) addCue(dev *record, code string) *cue {
	c := &cue{id: newID(), code: code, device: dev}
	s.cues[c.id] = c
	dev.actions = append(dev.actions, c)
	return c
}

// removeCue ends an action: it leaves the device's actions, and the cue
// operations answer 404 for it.
func (s *Server) removeCue(c *cue) {
	delete(s.cues, c.id)
	c.device.actions = slices.DeleteFunc(c.device.actions, func(a *cue) bool { return a == c })
}

// RequireReauthentication breaks a device's connection to its cloud
// account, as an expired or revoked authorization at the manufacturer
// would, and returns the cue id of the pending action that asks the partner
// to reauthenticate: the device reads is_authenticated false, action_needed
// true, lifecycle_state "error" (lifecycle_error says why) and
// connection_status, monitoring_status and steering_status "error" (a
// wallbox: mode UNAVAILABLE, connection offline), and its actions list a
// ReauthenticateAction: {"code": "reauthenticate", "resolution_link":
// {"url": ".../api/partners/v2.0/cues/<cue_id>/resolve?secret=<secret>",
// "required_parameters": ["successUrl", "cancelUrl"]}}, the body fields
// POST /cues/{cue_id}/resolve requires. The secret is issued when the
// device is read, and is good for an hour on the fake's clock: read the
// device again for a fresh one.
//
// The reauthentication completes, and the action leaves the device's
// actions with is_authenticated true again, in any of these ways:
//
//   - the end user completes a session from the device's auth_session
//     endpoint ([Server.CompleteOnboarding], or [Server.OpenLink] of its
//     authentication_url);
//   - the cue flow: POST /cues/{cue_id}/resolve answers a redirect_url,
//     a Connect link; opening it ([Server.OpenLink]) authenticates the
//     device, but the action, now started, stays listed until POST
//     /cues/{cue_id}/state reports {"state": "success"}, as the spec says.
//     {"state": "fail"} leaves it for another /resolve. The fake takes a
//     success report at its word: it authenticates the device even if the
//     link was never opened.
//
// A device has at most one reauthenticate action: calling
// RequireReauthentication again returns the pending action's cue id.
func (s *Server) RequireReauthentication(deviceID openapi_types.UUID) (cueID string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	dev := s.records[deviceID.String()]
	if dev == nil || !dev.kind.isDevice {
		return "", fmt.Errorf("poderotest: no device %s", deviceID)
	}
	s.tick()
	s.disconnect(dev, true, s.now())
	s.note(dev, s.now())
	for _, c := range dev.actions {
		if c.code == reauthenticate {
			return c.id, nil
		}
	}
	panic("poderotest: disconnect added no reauthenticate action") // unreachable
}

// AddInformation adds an information action to a device, as Podero does
// to tell its owner something, and returns its cue id. The device's actions
// list an InformationAction: {"code": "information", "resolution_link":
// {"url": ".../api/partners/v2.0/cues/<cue_id>/information/resolve?secret=<secret>",
// "required_parameters": []}}, until POST /cues/{cue_id}/information/resolve
// marks it read (or /state reports success). It does not set action_needed,
// which is for actions the device needs before it can resume normal
// operation. (Podero's guides mention a flag for unread information, but
// the spec's device outputs have none, so the fake sets none.)
func (s *Server) AddInformation(deviceID openapi_types.UUID) (cueID string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	dev := s.records[deviceID.String()]
	if dev == nil || !dev.kind.isDevice {
		return "", fmt.Errorf("poderotest: no device %s", deviceID)
	}
	return s.addCue(dev, information).id, nil
}

// renderActions returns a device's actions as the API lists them, each
// with a secret issued now, and whether one needs the partner to act.
func (s *Server) renderActions(dev *record) (actions []any, needed bool) {
	actions = []any{}
	for _, c := range dev.actions {
		link, required := s.URL+apiPrefix+"cues/"+c.id+"/resolve", []any{"successUrl", "cancelUrl"}
		if c.code == information {
			link, required = s.URL+apiPrefix+"cues/"+c.id+"/information/resolve", []any{}
		} else {
			needed = true
		}
		actions = append(actions, map[string]any{"code": c.code, "resolution_link": map[string]any{
			"url": link + "?secret=" + url.QueryEscape(s.secret(c.id, s.now())), "required_parameters": required}})
	}
	return actions, needed
}

// secret is the cue's secret issued at t: the time, and an HMAC of it, the
// cue and the partner's organization (the "member" it is bound to), so
// that the fake need not keep it.
func (s *Server) secret(cueID string, t time.Time) string {
	issued := strconv.FormatInt(t.Unix(), 10)
	return issued + "." + s.sign(cueID, issued)
}

func (s *Server) sign(cueID, issued string) string {
	mac := hmac.New(sha256.New, s.secretKey)
	mac.Write([]byte(s.OrgID.String() + "|" + cueID + "|" + issued))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// checkSecret answers 403 unless secret is one the fake issued for the cue
// less than an hour ago on its clock.
//
// 403 rather than 404: the caller has reached the cue and, for /resolve
// and /information/resolve, authenticated with its bearer token; the
// secret, a signed token, is what does not authorise it. The spec keeps
// 404 for a cue that is no longer active, and the fake checks the secret
// first, as a signed token can be checked without looking the cue up.
func (s *Server) checkSecret(cueID, secret string) *specserver.Response {
	issued, mac, ok := strings.Cut(secret, ".")
	unix, err := strconv.ParseInt(issued, 10, 64)
	if !ok || err != nil || !hmac.Equal([]byte(mac), []byte(s.sign(cueID, issued))) {
		r := answer(http.StatusForbidden, map[string]any{"detail": "Invalid secret."})
		return &r
	}
	if s.now().Sub(time.Unix(unix, 0)) >= cueSecretLifetime {
		r := answer(http.StatusForbidden, map[string]any{"detail": "The secret has expired: it is valid for 1 hour after it is issued."})
		return &r
	}
	return nil
}

// serveCue answers the cue operations: POST /cues/{cue_id}/resolve,
// /cues/{cue_id}/state and /cues/{cue_id}/information/resolve. A wrong or
// expired secret is 403, a cue no longer active 404, and a cue of the
// other code 400. /state takes an outcome for any active cue, whether or
// not /resolve started it.
func (s *Server) serveCue(x *exchange) specserver.Response {
	id := x.params["cue_id"]
	if problem := s.checkSecret(id, x.r.URL.Query().Get("secret")); problem != nil {
		return *problem
	}
	c := s.cues[id]
	if c == nil {
		return notFound
	}
	wrongCode := func(endpoint string) specserver.Response {
		return answer(http.StatusBadRequest, map[string]any{"detail": fmt.Sprintf(
			"Action %s is a %s action: resolve it with POST /cues/%s/%s.", c.id, c.code, c.id, endpoint)})
	}
	switch {
	case x.last(2) == information: // information/resolve
		if c.code != information {
			return wrongCode("resolve")
		}
		s.removeCue(c)
	case x.last(1) == "resolve":
		if c.code != reauthenticate {
			return wrongCode("information/resolve")
		}
		session := s.reauthSession(c.device, map[string]any{
			"success_url": x.body["successUrl"], "cancel_url": x.body["cancelUrl"]})
		session.cue = c.id
		return answer(http.StatusOK, map[string]any{"redirect_url": session.obj["authentication_url"]})
	case x.last(1) == "state":
		switch {
		case x.body["state"] == "fail": // recorded; the action stays for a retry
		case c.code == reauthenticate:
			s.authenticate(c.device, nil) // removes c
		default:
			s.removeCue(c)
		}
	}
	return answer(http.StatusOK, map[string]any{"action_id": c.id})
}
