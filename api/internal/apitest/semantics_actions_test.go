package apitest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
)

// getDevice reads a device of the kind, as the waiters do.
func getDevice(t *testing.T, c *api.PartnerClient, kind api.DeviceKind, user, id api.UUID) api.Device {
	t.Helper()
	ctx := context.Background()
	var d api.Device
	var err error
	switch kind {
	case api.DeviceKindEV:
		d, err = c.GetElectricVehicle(ctx, user, id)
	case api.DeviceKindHp:
		d, err = c.GetHeatPump(ctx, user, id, api.GetHeatPumpParams{})
	case api.DeviceKindIv:
		d, err = c.GetInverter(ctx, user, id)
	case api.DeviceKindWb:
		d, err = c.GetWallbox(ctx, user, id)
	default:
		t.Fatalf("no device kind %q", kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Every kind of device says when it needs attention, and lists its
// pending actions typed: a reauthenticate action needs attention, an
// information action alone does not.
func TestNeedsAttention(t *testing.T) {
	e := newWaitEnv(t)
	for _, tc := range []struct {
		kind poderotest.DeviceType
		want api.DeviceKind
	}{
		{poderotest.ElectricVehicle, api.DeviceKindEV}, {poderotest.HeatPump, api.DeviceKindHp},
		{poderotest.Inverter, api.DeviceKindIv}, {poderotest.Wallbox, api.DeviceKindWb},
	} {
		id, err := e.srv.AddDevice(e.user, tc.kind)
		if err != nil {
			t.Fatal(err)
		}
		d := getDevice(t, e.c, tc.want, e.user, id)
		if d.Kind() != tc.want || d.GetID() != id || d.NeedsAttention() || !d.Healthy() || d.PendingActions() != nil {
			t.Errorf("%s, connected: kind %q, attention %t, healthy %t, actions %v", tc.kind, d.Kind(), d.NeedsAttention(), d.Healthy(), d.PendingActions())
		}

		info, _ := e.srv.AddInformation(id)
		d = getDevice(t, e.c, tc.want, e.user, id)
		actions := d.PendingActions()
		if d.NeedsAttention() || !d.Healthy() || len(actions) != 1 || actions[0].Code != api.ActionInformation || actions[0].CueID.String() != info {
			t.Errorf("%s with an information action: attention %t, healthy %t, actions %v", tc.kind, d.NeedsAttention(), d.Healthy(), actions)
		}

		reauth, _ := e.srv.RequireReauthentication(id)
		d = getDevice(t, e.c, tc.want, e.user, id)
		actions = d.PendingActions()
		if !d.NeedsAttention() || d.Healthy() || len(actions) != 2 {
			t.Fatalf("%s that must reauthenticate: attention %t, healthy %t, actions %v", tc.kind, d.NeedsAttention(), d.Healthy(), actions)
		}
		a := actions[1]
		if a.Code != api.ActionReauthenticate || a.CueID.String() != reauth || !slices.Equal(a.RequiredParameters, []string{"successUrl", "cancelUrl"}) ||
			!strings.Contains(a.ResolutionURL(), "/cues/"+reauth+"/resolve?secret=") {
			t.Errorf("%s: the reauthenticate action reads %v", tc.kind, a)
		}
	}
	// The nil output of a failed call needs attention and is not healthy.
	var ev *api.ElectricVehicleOutput
	if !ev.NeedsAttention() || ev.Healthy() || ev.PendingActions() != nil {
		t.Error("a nil vehicle")
	}
}

// The cue flow, end to end: start the reauthentication, the end user
// opens the redirect, the partner reports success and the action is gone;
// an information action is marked read.
func TestCueFlow(t *testing.T) {
	e := newWaitEnv(t)
	ctx := context.Background()
	ev, _ := e.srv.AddDevice(e.user, poderotest.ElectricVehicle)
	_, _ = e.srv.RequireReauthentication(ev)
	_, _ = e.srv.AddInformation(ev)
	car, _ := e.c.GetElectricVehicle(ctx, e.user, ev)
	actions := car.PendingActions()
	reauth, info := actions[0], actions[1]

	// Refused without sending: the wrong code, a missing parameter.
	before := len(e.srv.Requests())
	if _, err := e.c.StartReauthentication(ctx, info, api.ReauthenticateResolveInput{SuccessURL: "https://p.example/ok", CancelURL: "https://p.example/no"}); err == nil || !strings.Contains(err.Error(), `"information" action`) {
		t.Errorf("StartReauthentication of an information action: %v", err)
	}
	if _, err := e.c.StartReauthentication(ctx, reauth, api.ReauthenticateResolveInput{SuccessURL: "https://p.example/ok"}); err == nil || !strings.Contains(err.Error(), "cancelUrl") {
		t.Errorf("StartReauthentication without cancelUrl: %v", err)
	}
	// A required name the body lacks, whether the SDK knows it or not.
	for _, name := range []string{"language", "returnUrl"} {
		more := reauth
		more.RequiredParameters = append(slices.Clone(reauth.RequiredParameters), name)
		body := api.ReauthenticateResolveInput{SuccessURL: "https://p.example/ok", CancelURL: "https://p.example/no", Language: api.Value("")}
		if _, err := e.c.StartReauthentication(ctx, more, body); err == nil || !strings.Contains(err.Error(), "requires "+name) {
			t.Errorf("StartReauthentication without a required %s: %v", name, err)
		}
	}
	if err := e.c.MarkInformationRead(ctx, reauth); err == nil {
		t.Error("MarkInformationRead of a reauthenticate action was not refused")
	}
	if err := e.c.ReportActionOutcome(ctx, api.PendingAction{Code: api.ActionReauthenticate}, api.CueStateInput{State: api.CueStateSuccess}); err == nil {
		t.Error("ReportActionOutcome of an action without a link was not refused")
	}
	if n := len(e.srv.Requests()) - before; n != 0 {
		t.Errorf("%d requests sent for refused calls", n)
	}

	redirect, err := e.c.StartReauthentication(ctx, reauth, api.ReauthenticateResolveInput{SuccessURL: "https://p.example/ok", CancelURL: "https://p.example/no"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.srv.OpenLink(redirect); err != nil { // the end user reconnects
		t.Fatal(err)
	}
	car, _ = e.c.GetElectricVehicle(ctx, e.user, ev)
	if !car.GetIsAuthenticated() || !car.NeedsAttention() {
		t.Errorf("after the link, before the outcome: authenticated %t, attention %t; want true, true (the action is in progress)", car.GetIsAuthenticated(), car.NeedsAttention())
	}
	if err := e.c.ReportActionOutcome(ctx, reauth, api.CueStateInput{State: api.CueStateSuccess}); err != nil {
		t.Fatal(err)
	}
	if err := e.c.MarkInformationRead(ctx, info); err != nil {
		t.Fatal(err)
	}
	car, _ = e.c.GetElectricVehicle(ctx, e.user, ev)
	if car.NeedsAttention() || !car.Healthy() || car.PendingActions() != nil {
		t.Errorf("after the flow: attention %t, healthy %t, actions %v", car.NeedsAttention(), car.Healthy(), car.PendingActions())
	}
	// The action is gone: reporting again is a 404.
	if err := e.c.ReportActionOutcome(ctx, reauth, api.CueStateInput{State: api.CueStateSuccess}); !api.IsNotFound(err) {
		t.Errorf("reporting an ended action: %v, want a 404", err)
	}
}

// A cue's secret is in no String, GoString or Format of anything that
// carries it, in no error of the cue helpers, and in no log line: the
// client's own, or slog's text and JSON handlers given the actions.
func TestCueSecretNeverPrinted(t *testing.T) {
	srv := poderotest.New(t)
	clock := &fakeClock{now: time.Now()}
	srv.SetClock(clock.Now)
	var logs bytes.Buffer
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: srv.OrgID, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	user, _ := c.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: "secret@example.com"})
	id, _ := srv.AddDevice(user.ID, poderotest.ElectricVehicle)
	_, _ = srv.RequireReauthentication(id)
	_, _ = srv.AddInformation(id)
	ev, err := c.GetElectricVehicle(ctx, user.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	actions := ev.PendingActions()
	var secrets []string
	for _, a := range actions {
		u, _ := url.Parse(a.ResolutionURL())
		if s := u.Query().Get("secret"); s != "" {
			secrets = append(secrets, s, url.QueryEscape(s))
		}
	}
	if len(secrets) != 4 {
		t.Fatalf("the actions carry no secrets: %v", actions)
	}
	ra, _ := ev.GetActions()[0].AsReauthenticateAction()
	link := ra.GetResolutionLink()

	var out strings.Builder
	for _, v := range []any{actions, actions[0], &actions[0], ev.GetActions(), ev.GetActions()[0], ra, link, *link,
		api.ResolveCueParams{Secret: secrets[0]}, api.ReportCueStateParams{Secret: secrets[0]},
		api.ResolveInformationCueParams{Secret: secrets[0]}, ev, *ev, []api.ElectricVehicleOutput{*ev}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
	}
	for _, s := range []fmt.Stringer{actions[0], *link, ev.GetActions()[0]} {
		out.WriteString(s.String())
	}
	if !strings.Contains(out.String(), "secret=[redacted]") || !strings.Contains(out.String(), actions[0].CueID.String()) {
		t.Errorf("the prints do not show the redacted link and the cue id:\n%s", out.String())
	}

	// The helpers' errors: a secret an hour old is refused with a 403.
	clock.mu.Lock()
	clock.now = clock.now.Add(2 * time.Hour)
	clock.mu.Unlock()
	body := api.ReauthenticateResolveInput{SuccessURL: "https://p.example/ok", CancelURL: "https://p.example/no"}
	_, err1 := c.StartReauthentication(ctx, actions[0], body)
	err2 := c.ReportActionOutcome(ctx, actions[0], api.CueStateInput{State: api.CueStateFail})
	err3 := c.MarkInformationRead(ctx, actions[1])
	for _, err := range []error{err1, err2, err3} {
		var e *api.Error
		if !api.IsUnauthorized(err) && !hasStatus(err, 403) {
			t.Errorf("an expired secret: %v, want a 403", err)
		}
		if asError(err, &e) {
			fmt.Fprintf(&out, "%v\n%+v\n%#v\n%s\n%s\n", err, e, e, e.Body, e.Path)
		}
	}

	// slog, given the actions: text and JSON.
	for _, h := range []slog.Handler{slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)} {
		slog.New(h).Info("pending", "actions", actions, "action", actions[0], "link", link, "union", ev.GetActions()[0],
			"params", api.ResolveCueParams{Secret: secrets[0]}, "err", err1)
	}
	if !strings.Contains(logs.String(), "podero request") || !strings.Contains(logs.String(), "/resolve") {
		t.Errorf("the client logged no cue request:\n%s", logs.String())
	}

	// Nor the union's raw JSON as numbers, as fmt prints bytes.
	if strings.Contains(out.String(), "[123 34") {
		t.Errorf("a print shows an action's raw JSON:\n%s", out.String())
	}
	for _, s := range secrets {
		if strings.Contains(out.String(), s) {
			t.Errorf("a print shows a secret:\n%s", out.String())
		}
		if strings.Contains(logs.String(), s) {
			t.Errorf("a log line shows a secret:\n%s", logs.String())
		}
	}
	// The JSON of a device keeps it: it is the wire format.
	if b, _ := json.Marshal(ev); !bytes.Contains(b, []byte(secrets[0])) {
		t.Error("the device's JSON lost the secret")
	}
}

func asError(err error, target **api.Error) bool {
	e, ok := err.(*api.Error)
	*target = e
	return ok
}
