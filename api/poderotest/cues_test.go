package poderotest_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/podero-go/podero/api/poderotest"
)

// cueFixture is a user with a device, on a fake clock, and a partner
// site that counts the browser visits it gets.
type cueFixture struct {
	t      *testing.T
	srv    *poderotest.Server
	clock  *fakeClock
	tok    string
	uid    string
	dev    openapi_types.UUID
	devURL string
	site   *httptest.Server
	visits atomic.Int32
}

func newCueFixture(t *testing.T, dt poderotest.DeviceType) *cueFixture {
	t.Helper()
	f := &cueFixture{t: t, srv: poderotest.New(t), clock: newClock(time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC))}
	f.srv.SetClock(f.clock.Now)
	f.tok = token(t, f.srv)
	f.uid = newUser(t, f.srv, f.tok, "a@example.com")
	var err error
	if f.dev, err = f.srv.AddDevice(parseUUID(t, f.uid), dt); err != nil {
		t.Fatal(err)
	}
	segment := map[poderotest.DeviceType]string{poderotest.ElectricVehicle: "electric-vehicles", poderotest.HeatPump: "heat-pumps",
		poderotest.Inverter: "inverters", poderotest.Wallbox: "wallboxes"}[dt]
	f.devURL = path(f.srv, "/users/"+f.uid+"/"+segment+"/"+f.dev.String())
	f.site = httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { f.visits.Add(1) }))
	t.Cleanup(f.site.Close)
	return f
}

func (f *cueFixture) device() map[string]any {
	f.t.Helper()
	return object(f.t, http.MethodGet, f.devURL, f.tok, nil, 200)
}

// cueURL is a cue operation's URL, with a secret read from the device now.
func (f *cueFixture) cueURL(cue, op string) string {
	f.t.Helper()
	_, secret := resolutionLink(f.t, f.tok, f.devURL, cue)
	return f.srv.URL + "/api/partners/v2.0/cues/" + cue + "/" + op + "?secret=" + url.QueryEscape(secret)
}

// resolve starts a reauthenticate cue and returns its redirect_url.
func (f *cueFixture) resolve(cue string) string {
	f.t.Helper()
	out := object(f.t, http.MethodPost, f.cueURL(cue, "resolve"), f.tok,
		map[string]any{"successUrl": f.site.URL + "/ok", "cancelUrl": f.site.URL + "/cancel", "language": "de"}, 200)
	link, _ := out["redirect_url"].(string)
	if link == "" {
		f.t.Fatalf("resolve: %v", out)
	}
	return link
}

// report posts a cue's outcome, without a bearer token.
func (f *cueFixture) report(cue, state string, want int) map[string]any {
	f.t.Helper()
	return object(f.t, http.MethodPost, f.cueURL(cue, "state"), "", map[string]any{"state": state}, want)
}

// codes are the codes of the device's actions.
func (f *cueFixture) codes() []string {
	f.t.Helper()
	var codes []string
	for _, a := range f.device()["actions"].([]any) {
		codes = append(codes, a.(map[string]any)["code"].(string))
	}
	return codes
}

func (f *cueFixture) expect(what string, want map[string]any) {
	f.t.Helper()
	got := f.device()
	for k, v := range want {
		if got[k] != v {
			f.t.Errorf("%s: %s = %v, want %v", what, k, got[k], v)
		}
	}
}

var (
	broken = map[string]any{"is_authenticated": false, "action_needed": true, "lifecycle_state": "error",
		"connection_status": "error", "monitoring_status": "error", "steering_status": "error"}
	healthy = map[string]any{"is_authenticated": true, "lifecycle_state": "authenticated", "lifecycle_error": nil,
		"connection_status": "ok", "monitoring_status": "ok", "steering_status": "ok"}
)

// TestRequireReauthentication: the device reads as a broken connection,
// with one reauthenticate action whose resolution link names the cue and
// a secret and requires the /resolve body's fields.
func TestRequireReauthentication(t *testing.T) {
	f := newCueFixture(t, poderotest.ElectricVehicle)
	f.expect("a connected vehicle", map[string]any{"is_authenticated": true, "action_needed": false})
	cue, err := f.srv.RequireReauthentication(f.dev)
	if err != nil {
		t.Fatal(err)
	}
	f.expect("after RequireReauthentication", broken)
	if f.device()["lifecycle_error"] == nil {
		t.Error("lifecycle_error is null while lifecycle_state is error")
	}
	link, secret := resolutionLink(t, f.tok, f.devURL, cue)
	u, _ := url.Parse(link["url"].(string))
	if u.Path != "/api/partners/v2.0/cues/"+cue+"/resolve" || secret == "" || !strings.HasPrefix(link["url"].(string), f.srv.URL) {
		t.Errorf("resolution_link.url = %v", link["url"])
	}
	if req, _ := link["required_parameters"].([]any); !slices.Equal(req, []any{"successUrl", "cancelUrl"}) {
		t.Errorf("required_parameters = %v, want successUrl and cancelUrl", link["required_parameters"])
	}
	if again, err := f.srv.RequireReauthentication(f.dev); err != nil || again != cue || !slices.Equal(f.codes(), []string{"reauthenticate"}) {
		t.Errorf("again: cue %s (%v), actions %v; want the same single action", again, err, f.codes())
	}
	if _, err := f.srv.RequireReauthentication(parseUUID(t, f.uid)); err == nil {
		t.Error("RequireReauthentication of a user id: no error")
	}

	// A wallbox's mode and connection follow.
	wb, err := f.srv.AddDevice(parseUUID(t, f.uid), poderotest.Wallbox)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.srv.RequireReauthentication(wb); err != nil {
		t.Fatal(err)
	}
	got := object(t, http.MethodGet, path(f.srv, "/users/"+f.uid+"/wallboxes/"+wb.String()), f.tok, nil, 200)
	if got["mode"] != "UNAVAILABLE" || got["connection"] != "offline" || got["action_needed"] != true {
		t.Errorf("a wallbox to reauthenticate: mode %v, connection %v, action_needed %v", got["mode"], got["connection"], got["action_needed"])
	}
}

// TestCueFlow: /resolve answers a Connect link; opening it authenticates
// the device without visiting the partner's site; the started action stays
// until /state reports success, and the cue is then gone (404).
func TestCueFlow(t *testing.T) {
	f := newCueFixture(t, poderotest.ElectricVehicle)
	cue, err := f.srv.RequireReauthentication(f.dev)
	if err != nil {
		t.Fatal(err)
	}
	// The body's required fields are checked, and the bearer token.
	if status, b := call(t, http.MethodPost, f.cueURL(cue, "resolve"), f.tok, map[string]any{"successUrl": "https://partner.example/ok"}); status != 422 {
		t.Errorf("resolve without cancelUrl: %d %s, want 422", status, b)
	}
	if status, b := call(t, http.MethodPost, f.cueURL(cue, "resolve"), "", map[string]any{"successUrl": "a", "cancelUrl": "b"}); status != 401 {
		t.Errorf("resolve without a bearer token: %d %s, want 401", status, b)
	}

	redirect := f.resolve(cue)
	f.expect("resolved, not yet opened", broken)
	opened, err := f.srv.OpenLink(redirect)
	if err != nil {
		t.Fatal(err)
	}
	if opened.DeviceID != f.dev || opened.RedirectURL != f.site.URL+"/ok" || f.visits.Load() != 0 {
		t.Errorf("OpenLink: %+v, %d visits to the partner's site; want the device, its success URL, no visit", opened, f.visits.Load())
	}
	f.expect("opened", healthy)
	if codes := f.codes(); !slices.Equal(codes, []string{"reauthenticate"}) {
		t.Errorf("after opening, before the outcome is reported: actions %v, want the started action still listed", codes)
	}

	kept := f.cueURL(cue, "state") // a secret read while the cue was listed
	if out := f.report(cue, "success", 200); out["action_id"] != cue {
		t.Errorf("state success: %v, want action_id %s", out, cue)
	}
	f.expect("reported", healthy)
	f.expect("reported", map[string]any{"action_needed": false})
	if codes := f.codes(); len(codes) != 0 {
		t.Errorf("actions after success: %v", codes)
	}
	// The cue is no longer active: its secret is still good, the cue 404.
	for _, op := range []string{"state", "resolve"} {
		status, b := call(t, http.MethodPost, strings.Replace(kept, "/state?", "/"+op+"?", 1), f.tok,
			map[string]any{"state": "success", "successUrl": "a", "cancelUrl": "b"})
		if status != 404 {
			t.Errorf("%s of a cue no longer active: %d %s, want 404", op, status, b)
		}
	}
}

// TestCueFail: a failed outcome leaves the action for another /resolve;
// the fake takes a success report at its word.
func TestCueFail(t *testing.T) {
	f := newCueFixture(t, poderotest.Inverter)
	cue, err := f.srv.RequireReauthentication(f.dev)
	if err != nil {
		t.Fatal(err)
	}
	f.resolve(cue) // the end user cancels: the link is never opened
	if out := f.report(cue, "fail", 200); out["action_id"] != cue {
		t.Errorf("state fail: %v", out)
	}
	f.expect("failed", broken)
	if codes := f.codes(); !slices.Equal(codes, []string{"reauthenticate"}) {
		t.Errorf("actions after fail: %v, want the action, for a retry", codes)
	}
	f.resolve(cue)
	f.report(cue, "success", 200)
	f.expect("reported success", healthy)
	if codes := f.codes(); len(codes) != 0 {
		t.Errorf("actions after success: %v", codes)
	}
}

// TestCueSecrets: a secret is bound to its cue and good for an hour on the
// fake's clock after the device read that issued it; wrong and expired
// secrets are 403.
func TestCueSecrets(t *testing.T) {
	f := newCueFixture(t, poderotest.ElectricVehicle)
	cue, err := f.srv.RequireReauthentication(f.dev)
	if err != nil {
		t.Fatal(err)
	}
	info, err := f.srv.AddInformation(f.dev)
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"successUrl": "https://partner.example/ok", "cancelUrl": "https://partner.example/no"}
	issued := f.cueURL(cue, "resolve")
	u, _ := url.Parse(issued)
	other := f.cueURL(info, "information/resolve")
	ou, _ := url.Parse(other)
	for name, link := range map[string]string{
		"no secret":           strings.Split(issued, "?")[0] + "?secret=",
		"a made-up secret":    strings.Split(issued, "?")[0] + "?secret=1234.abcd",
		"another cue's":       strings.Split(issued, "?")[0] + "?" + ou.RawQuery,
		"a tampered secret":   strings.Split(issued, "?")[0] + "?secret=" + url.QueryEscape(u.Query().Get("secret")+"x"),
		"the wrong operation": strings.Split(other, "?")[0] + "?" + u.RawQuery,
	} {
		if status, b := call(t, http.MethodPost, link, f.tok, body); status != 403 {
			t.Errorf("%s: %d %s, want 403", name, status, b)
		}
	}

	f.clock.Advance(59 * time.Minute)
	if status, b := call(t, http.MethodPost, issued, f.tok, body); status != 200 {
		t.Errorf("a secret 59 minutes old: %d %s, want 200", status, b)
	}
	f.clock.Advance(time.Minute)
	status, b := call(t, http.MethodPost, issued, f.tok, body)
	if status != 403 || !strings.Contains(string(b), "expired") {
		t.Errorf("a secret an hour old: %d %s, want 403 saying it expired", status, b)
	}
	if status, b := call(t, http.MethodPost, f.cueURL(cue, "resolve"), f.tok, body); status != 200 {
		t.Errorf("a fresh secret: %d %s", status, b)
	}
}

// TestInformationCue: an information action lists with its own resolution
// link and no required parameters, does not set action_needed, and is
// marked read (removed) by /information/resolve, with or without a body.
func TestInformationCue(t *testing.T) {
	f := newCueFixture(t, poderotest.HeatPump)
	first, err := f.srv.AddInformation(f.dev)
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.srv.AddInformation(f.dev)
	if err != nil {
		t.Fatal(err)
	}
	f.expect("two notices", map[string]any{"is_authenticated": true, "action_needed": false})
	link, _ := resolutionLink(t, f.tok, f.devURL, first)
	if u, _ := url.Parse(link["url"].(string)); u.Path != "/api/partners/v2.0/cues/"+first+"/information/resolve" || u.Query().Get("secret") == "" {
		t.Errorf("resolution_link.url = %v", link["url"])
	}
	if req, ok := link["required_parameters"].([]any); !ok || len(req) != 0 {
		t.Errorf("required_parameters = %v, want []", link["required_parameters"])
	}
	if status, b := call(t, http.MethodPost, f.cueURL(first, "resolve"), f.tok, map[string]any{"successUrl": "a", "cancelUrl": "b"}); status != 400 {
		t.Errorf("/resolve of an information action: %d %s, want 400", status, b)
	}
	if status, b := call(t, http.MethodPost, f.cueURL(first, "information/resolve"), "", nil); status != 401 {
		t.Errorf("/information/resolve without a bearer token: %d %s, want 401", status, b)
	}

	if out := object(t, http.MethodPost, f.cueURL(first, "information/resolve"), f.tok, nil, 200); out["action_id"] != first {
		t.Errorf("information/resolve: %v", out)
	}
	kept := f.cueURL(second, "information/resolve")
	if out := object(t, http.MethodPost, kept, f.tok, map[string]any{"client_info": map[string]any{"ua": "test"}}, 200); out["action_id"] != second {
		t.Errorf("information/resolve with a body: %v", out)
	}
	if codes := f.codes(); len(codes) != 0 {
		t.Errorf("actions after marking both read: %v", codes)
	}
	if status, b := call(t, http.MethodPost, kept, f.tok, nil); status != 404 {
		t.Errorf("marking read again: %d %s, want 404", status, b)
	}

	reauth, err := f.srv.RequireReauthentication(f.dev)
	if err != nil {
		t.Fatal(err)
	}
	if status, b := call(t, http.MethodPost, f.cueURL(reauth, "information/resolve"), f.tok, nil); status != 400 {
		t.Errorf("/information/resolve of a reauthenticate action: %d %s, want 400", status, b)
	}
}

// TestReauthenticationSessions: a new-device session's object_id is null
// until it completes; an auth_session session names the device from the
// start, and completing it (CompleteOnboarding or OpenLink) authenticates
// the device and ends its reauthenticate action, not its information.
func TestReauthenticationSessions(t *testing.T) {
	f := newCueFixture(t, poderotest.Inverter)
	sessionURL := f.srv.URL + "/api/partners/v2.0/device-onboarding"
	created := object(t, http.MethodPost, sessionURL, f.tok, map[string]any{"language": "en", "price_zone_default": "AT",
		"user_id": f.uid, "device_type": "hp", "success_url": f.site.URL + "/ok", "cancel_url": f.site.URL + "/no"}, 200)
	id := created["id"].(string)
	if got := object(t, http.MethodGet, sessionURL+"/"+id, f.tok, nil, 200); got["object_id"] != nil {
		t.Errorf("a new-device session's object_id before completion: %v", got["object_id"])
	}
	opened, err := f.srv.OpenLink(created["authentication_url"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if got := object(t, http.MethodGet, sessionURL+"/"+id, f.tok, nil, 200); got["object_id"] != opened.DeviceID.String() || opened.RedirectURL != f.site.URL+"/ok" {
		t.Errorf("after OpenLink: object_id %v, result %+v", got["object_id"], opened)
	}
	if f.visits.Load() != 0 {
		t.Errorf("OpenLink visited the partner's site %d times", f.visits.Load())
	}

	for _, complete := range []func(auth map[string]any) error{
		func(auth map[string]any) error {
			_, err := f.srv.CompleteOnboarding(parseUUID(t, auth["session_id"].(string)))
			return err
		},
		func(auth map[string]any) error {
			_, err := f.srv.OpenLink(auth["authentication_url"].(string))
			return err
		},
	} {
		if _, err := f.srv.RequireReauthentication(f.dev); err != nil {
			t.Fatal(err)
		}
		info, err := f.srv.AddInformation(f.dev)
		if err != nil {
			t.Fatal(err)
		}
		auth := object(t, http.MethodPost, f.devURL+"/auth_session", f.tok, map[string]any{"success_url": f.site.URL + "/again"}, 200)
		session := object(t, http.MethodGet, sessionURL+"/"+auth["session_id"].(string), f.tok, nil, 200)
		if session["object_id"] != f.dev.String() || auth["device_id"] != f.dev.String() {
			t.Errorf("an auth_session session's object_id before completion: %v, want the device", session["object_id"])
		}
		f.expect("before completion", broken)
		if err := complete(auth); err != nil {
			t.Fatal(err)
		}
		f.expect("after completion", healthy)
		f.expect("after completion", map[string]any{"action_needed": false})
		if codes := f.codes(); !slices.Equal(codes, []string{"information"}) {
			t.Errorf("actions after the reauthentication: %v, want the information only", codes)
		}
		object(t, http.MethodPost, f.cueURL(info, "information/resolve"), f.tok, nil, 200)
	}
}

// TestOpenLinkRefusesOtherLinks: only this fake's Connect links open.
func TestOpenLinkRefusesOtherLinks(t *testing.T) {
	f := newCueFixture(t, poderotest.ElectricVehicle)
	other := poderotest.New(t)
	for _, link := range []string{
		"https://connect.podero.com?onboarding_session_id=3fa85f64-5717-4562-b3fc-2c963f66afa6",
		other.URL + "/connect?onboarding_session_id=3fa85f64-5717-4562-b3fc-2c963f66afa6",
		f.srv.URL + "/elsewhere?onboarding_session_id=3fa85f64-5717-4562-b3fc-2c963f66afa6",
		f.srv.URL + "/connect?onboarding_session_id=3fa85f64-5717-4562-b3fc-2c963f66afa6",
		f.srv.URL + "/connect?onboarding_session_id=" + f.uid, // a user, not a session
		"://",
	} {
		if res, err := f.srv.OpenLink(link); err == nil {
			t.Errorf("OpenLink(%q) = %+v, want an error", link, res)
		}
	}
}
