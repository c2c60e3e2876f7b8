package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
	"github.com/podero-go/podero/oauth"
)

// The steps of the journey, in order.
const (
	stepToken    = "get a token"
	stepUser     = "create a user"
	stepBuilding = "add a building"
	stepSession  = "start an onboarding session"
	stepConnect  = "connect a vehicle"
	stepList     = "list the user's vehicles"
	stepRead     = "read the vehicle"
	stepBoost    = "boost the vehicle"
	stepDisarm   = "disarm the boost"
	stepReauth   = "reauthenticate the vehicle"
	stepSessions = "list its charging sessions"
)

// Where the end user's browser goes after the Connect UI. The quickstart
// has no web app of its own; a partner's would take these.
const (
	successURL = "https://example.com/podero/success"
	cancelURL  = "https://example.com/podero/cancel"
)

// run walks the journey, printing a line per step to out, and returns the
// first failure, naming its step. env is os.Getenv, or a test's stand-in.
func run(ctx context.Context, out io.Writer, env func(string) string) error {
	t, err := chooseTarget(env)
	if err != nil {
		return err
	}
	if t.fake != nil {
		defer t.fake.Close()
	}
	fmt.Fprintln(out, t.about)
	c, err := api.New(t.cfg)
	if err != nil {
		return err
	}
	j := &journey{ctx: ctx, out: out, c: c, user: t.user, resume: t.user != (api.UUID{}), fake: t.fake, mayBoost: t.boost}
	return j.walk()
}

// journey holds what the steps learn from each other.
type journey struct {
	ctx  context.Context
	out  io.Writer
	c    *api.PartnerClient
	fake *poderotest.Server // nil against Podero

	// resume: PODERO_USER_ID named the user, so the steps up to the
	// onboarding are skipped.
	resume bool
	// mayBoost: boost the vehicle (always on the fake; against Podero only
	// with PODERO_QUICKSTART_BOOST=1). armed: the boost was accepted, so
	// the next step disarms it.
	mayBoost, armed bool

	user, building, session, vehicle api.UUID
	sessionURL                       string
}

// errStop ends the journey early but successfully: against Podero, the
// vehicle steps wait for the end user.
var errStop = errors.New("stop")

// skipped is the outcome of a step that was not needed or not wanted; the
// error says why.
type skipped string

func (s skipped) Error() string { return string(s) }

// errResume: PODERO_USER_ID named the user, so the steps that create one
// are not needed.
const errResume = skipped("using PODERO_USER_ID")

// step is one step of the journey: it does its work and says what came of
// it in a line.
type step struct {
	name string
	do   func() (string, error)
}

func (j *journey) plan() []step {
	return []step{{stepToken, j.token}, {stepUser, j.createUser}, {stepBuilding, j.addBuilding},
		{stepSession, j.startSession}, {stepConnect, j.connect}, {stepList, j.listVehicles},
		{stepRead, j.readVehicle}, {stepBoost, j.boost}, {stepDisarm, j.disarm}, {stepReauth, j.reauthenticate},
		{stepSessions, j.chargingSessions}}
}

func (j *journey) walk() error {
	for _, st := range j.plan() {
		detail, err := st.do()
		var skip skipped
		switch {
		case errors.As(err, &skip):
			fmt.Fprintf(j.out, "- %-28s skipped: %s\n", st.name, skip)
			continue
		case errors.Is(err, errStop):
			fmt.Fprintf(j.out, "→ %-28s %s\n", st.name, detail)
			return nil
		case err != nil:
			fmt.Fprintf(j.out, "✗ %-28s %v\n", st.name, err)
			return fmt.Errorf("step %q failed: %w", st.name, err)
		}
		fmt.Fprintf(j.out, "✓ %-28s %s\n", st.name, detail)
	}
	return nil
}

func (j *journey) token() (string, error) {
	cts, ok := j.c.TokenSource().(oauth.ContextTokenSource)
	if !ok {
		return "", errors.New("the client's token source does not take a context")
	}
	tok, err := cts.TokenContext(j.ctx)
	if err != nil {
		return "", err
	}
	// Never print the token itself.
	return fmt.Sprintf("%s token, valid for %v", tok.Type(), time.Until(tok.Expiry).Round(time.Minute)), nil
}

func (j *journey) createUser() (string, error) {
	if j.resume {
		return "", errResume
	}
	tag := strings.ToLower(rand.Text()[:8])
	user, err := j.c.CreateUser(j.ctx, api.UserCreateInput{Role: api.RoleUser, Email: "quickstart+" + tag + "@example.com",
		ExternalUserID: api.Value("quickstart-" + tag), FirstName: api.Value("Quinn")})
	if err != nil {
		return "", err
	}
	j.user = user.ID
	return fmt.Sprintf("id=%s email=%s", j.user, user.Email), nil
}

func (j *journey) addBuilding() (string, error) {
	if j.resume {
		return "", errResume
	}
	b, err := j.c.CreateBuilding(j.ctx, j.user, api.BuildingCreateInput{Name: "Quickstart Home"})
	if err != nil {
		return "", err
	}
	j.building = b.GetID()
	return fmt.Sprintf("id=%s name=%q", j.building, b.GetName()), nil
}

func (j *journey) startSession() (string, error) {
	if j.resume {
		return "", errResume
	}
	s, err := j.c.CreateOnboardingSession(j.ctx, api.DeviceOnboardingSessionCreateInput{
		Language: api.LanguageEn, PriceZoneDefault: api.PriceZoneAT, UserID: j.user,
		BuildingID: api.Value(j.building), DeviceType: api.Value(api.DeviceKindEV),
		SuccessURL: successURL, CancelURL: cancelURL})
	if err != nil {
		return "", err
	}
	j.session, j.sessionURL = s.GetID(), s.GetAuthenticationURL()
	if j.sessionURL == "" {
		return fmt.Sprintf("id=%s, with no authentication_url", j.session), nil
	}
	return fmt.Sprintf("id=%s; the end user continues at %s", j.session, j.sessionURL), nil
}

// connect plays the end user on the fake, and waits for the onboarding as
// a partner's backend would: it polls the session until its device is
// connected. Against Podero a person has to open the link, so the journey
// stops here.
func (j *journey) connect() (string, error) {
	switch {
	case j.resume:
		return "", errResume
	case j.fake == nil && j.sessionURL == "":
		return fmt.Sprintf("the session has no authentication_url, so there is no link for the end user to open: run again for a new session, or connect a vehicle otherwise and run again with PODERO_USER_ID=%s", j.user), errStop
	case j.fake == nil:
		return fmt.Sprintf("open %s in a browser and connect a vehicle, then run again with PODERO_USER_ID=%s", j.sessionURL, j.user), errStop
	}
	// The end user opens the link and connects a vehicle in the Connect UI.
	if _, err := j.fake.OpenLink(j.sessionURL); err != nil {
		return "", err
	}
	done, err := j.c.WaitForOnboarding(j.ctx, j.session, api.WithMaxWait(time.Minute))
	if err != nil {
		return "", err
	}
	const past = 12
	if err := j.fake.AddSessions(done.DeviceID, past); err != nil {
		return "", err
	}
	return fmt.Sprintf("poderotest played the end user; WaitForOnboarding saw the %s id=%s connected (%d past charging sessions added)",
		done.Kind, done.DeviceID, past), nil
}

func (j *journey) listVehicles() (string, error) {
	evs, err := j.c.ListElectricVehicles(j.ctx, j.user)
	if err != nil {
		return "", err
	}
	for _, ev := range evs {
		if ev.ID != nil {
			j.vehicle = *ev.ID
			return fmt.Sprintf("%d vehicle(s); using id=%s", len(evs), j.vehicle), nil
		}
	}
	return fmt.Sprintf("user %s has no vehicle yet: finish the onboarding, then run again", j.user), errStop
}

func (j *journey) readVehicle() (string, error) {
	ev, err := j.c.GetElectricVehicle(j.ctx, j.user, j.vehicle)
	if err != nil {
		return "", err
	}
	name := strings.TrimSpace(ev.GetDeviceModel().GetManufacturer() + " " + ev.GetDeviceModel().GetModel())
	if name == "" {
		name = "unknown model"
	}
	battery := "unknown"
	if ev.BatteryLevel != nil {
		battery = fmt.Sprintf("%d%%", ev.GetBatteryLevel())
	}
	return fmt.Sprintf("%s, authenticated=%t, battery=%s", name, ev.GetIsAuthenticated(), battery), nil
}

// boost asks Podero to charge the vehicle now. Against Podero that is a
// real vehicle, so it needs PODERO_QUICKSTART_BOOST=1, and disarm undoes it
// in the next step.
func (j *journey) boost() (string, error) {
	if !j.mayBoost {
		return "", skipped("it would charge the real vehicle; set PODERO_QUICKSTART_BOOST=1 to boost it (and disarm it straight after)")
	}
	err := j.c.TriggerElectricVehicleBoost(j.ctx, j.user, j.vehicle)
	if c, ok := api.BoostConflict(err); ok && c.Reason != nil {
		// 409: already charging or full. An answer, not a failure.
		return fmt.Sprintf("not started: %s (409)", c.GetReason()), nil
	}
	if api.IsConflict(err) {
		return "not started (409)", nil
	}
	if err != nil {
		return "", err
	}
	j.armed = true
	return "boost requested (204)", nil
}

// disarm cancels the boost the previous step armed, so that the journey
// leaves the vehicle as it found it. It runs even if the journey's context
// was cancelled (Ctrl-C) after the boost.
func (j *journey) disarm() (string, error) {
	if !j.armed {
		return "", skipped("no boost armed")
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(j.ctx), 30*time.Second)
	defer cancel()
	if err := j.c.DisarmElectricVehicleBoost(ctx, j.user, j.vehicle); err != nil {
		return "", fmt.Errorf("%w; the boost is still armed: disarm it with DisarmElectricVehicleBoost", err)
	}
	j.armed = false
	return "boost disarmed (204)", nil
}

func (j *journey) reauthenticate() (string, error) {
	auth, err := j.c.ReauthenticateElectricVehicle(j.ctx, j.user, j.vehicle,
		api.AuthSessionInput{SuccessURL: api.Value(successURL), CancelURL: api.Value(cancelURL)})
	if err != nil {
		return "", err
	}
	if auth.GetAuthenticationURL() == "" {
		// The spec allows null: the session exists, but there is no link
		// for the end user to open (yet). Nothing else depends on it.
		return "session created, with no authentication_url (null, as the spec allows): no link for the end user to open now", nil
	}
	return "the end user reconnects at " + auth.GetAuthenticationURL(), nil
}

func (j *journey) chargingSessions() (string, error) {
	today := time.Now().UTC()
	limit := 5
	page, err := j.c.ListElectricVehicleSessions(j.ctx, j.user, j.vehicle, api.ListElectricVehicleSessionsParams{
		From: api.NewDate(today.AddDate(0, 0, -30)), To: api.NewDate(today), Limit: &limit})
	if err != nil {
		return "", err
	}
	detail := fmt.Sprintf("%d in the last 30 days; first page has %d", page.Total, len(page.Items))
	if len(page.Items) > 0 && page.Items[0].PlugInTime != nil {
		detail += ", latest plugged in at " + page.Items[0].GetPlugInTime().Format(time.RFC3339)
	}
	return detail, nil
}
