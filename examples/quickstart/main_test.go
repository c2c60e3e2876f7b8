package main

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
	"github.com/podero-go/podero/internal/progtest"
	"github.com/podero-go/podero/internal/specserver"
)

// steps are the names of all the journey's steps.
var steps = func() (names []string) {
	for _, st := range new(journey).plan() {
		names = append(names, st.name)
	}
	return names
}()

// envOf returns an env function for run that knows only vars.
func envOf(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

// reported checks that out reports each step with the mark.
func reported(t *testing.T, out string, mark string, names ...string) {
	t.Helper()
	for _, name := range names {
		if !strings.Contains(out, mark+" "+name) {
			t.Errorf("the output does not report %q as %q:\n%s", name, mark, out)
		}
	}
}

func TestRunOnTheFake(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out, envOf(nil)); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "poderotest") {
		t.Errorf("the output does not say it runs on the in-memory fake:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "WaitForOnboarding saw the ev id=") {
		t.Errorf("the connect step does not report what WaitForOnboarding saw:\n%s", out.String())
	}
	reported(t, out.String(), "✓", steps...)
}

// TestRunAgainstPodero runs the credentials path against a fake standing in
// for Podero: the journey stops at the onboarding link, and later runs with
// PODERO_USER_ID, once the user has a vehicle, do the vehicle steps. They
// boost the vehicle only with PODERO_QUICKSTART_BOOST=1, and then disarm
// the boost. No run prints the secret or a token.
func TestRunAgainstPodero(t *testing.T) {
	srv := poderotest.New(t)
	env := map[string]string{
		"PODERO_CLIENT_ID": srv.ClientID, "PODERO_CLIENT_SECRET": srv.ClientSecret,
		"PODERO_ORG_ID": srv.OrgID.String(), "PODERO_BASE_URL": srv.URL,
	}
	var out strings.Builder
	runOnce := func() string {
		t.Helper()
		var buf bytes.Buffer
		if err := run(context.Background(), &buf, envOf(env)); err != nil {
			t.Fatalf("%v\n%s", err, buf.String())
		}
		out.WriteString(buf.String())
		return buf.String()
	}

	first := runOnce()
	reported(t, first, "✓", stepToken, stepUser, stepBuilding, stepSession)
	reported(t, first, "→", stepConnect)
	if strings.Contains(first, stepList) || !strings.Contains(first, "PODERO_USER_ID=") {
		t.Errorf("the first run should stop at the link and say how to go on:\n%s", first)
	}

	user := onlyUser(t, srv)
	ev, err := srv.AddDevice(user, poderotest.ElectricVehicle) // as the end user's onboarding would
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.SetCharging(ev, true); err != nil {
		t.Fatal(err)
	}
	env["PODERO_USER_ID"] = user.String()
	second := runOnce()
	reported(t, second, "-", stepUser, stepBuilding, stepSession, stepConnect, stepBoost, stepDisarm)
	reported(t, second, "✓", stepToken, stepList, stepRead, stepReauth, stepSessions)
	if !strings.Contains(second, "PODERO_QUICKSTART_BOOST=1") {
		t.Errorf("the skipped boost should say how to opt in:\n%s", second)
	}
	if n := boosts(srv); n != 0 {
		t.Errorf("without PODERO_QUICKSTART_BOOST the run sent %d boost requests, want none", n)
	}

	// Opted in, a charging vehicle refuses the boost: nothing to disarm.
	env["PODERO_QUICKSTART_BOOST"] = "1"
	third := runOnce()
	reported(t, third, "✓", stepBoost)
	reported(t, third, "-", stepDisarm)
	if !strings.Contains(third, "already_charging") {
		t.Errorf("a boost of a charging vehicle should report the 409's reason:\n%s", third)
	}

	// Opted in, an idle vehicle is boosted, then disarmed.
	if err := srv.SetCharging(ev, false); err != nil {
		t.Fatal(err)
	}
	fourth := runOnce()
	reported(t, fourth, "✓", stepBoost, stepDisarm)
	if n := boosts(srv); n != 3 { // the 409, the boost and its disarm
		t.Errorf("%d boost requests, want 3", n)
	}
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: srv.OrgID, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetElectricVehicle(context.Background(), user, ev)
	if err != nil {
		t.Fatal(err)
	}
	if s := got.GetBoostState(); s != api.BoostStateAvailable {
		t.Errorf("boost_state after the run is %q, want available: the run left the boost armed", s)
	}

	secrets := []string{srv.ClientSecret}
	for _, r := range srv.Requests() {
		if token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			secrets = append(secrets, token)
		}
	}
	if len(secrets) < 2 {
		t.Fatal("the fake saw no bearer token")
	}
	for _, s := range secrets {
		if strings.Contains(out.String(), s) {
			t.Errorf("the output contains a secret or token")
		}
	}
}

// boosts counts the boost and disarm requests the fake received.
func boosts(srv *poderotest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/boost") {
			n++
		}
	}
	return n
}

// onlyUser returns the one user in the fake's organization.
func onlyUser(t *testing.T, srv *poderotest.Server) api.UUID {
	t.Helper()
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: srv.OrgID, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	users, err := c.ListUsers(context.Background(), api.ListUsersParams{})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 {
		t.Fatalf("the quickstart created %d users, want 1", len(users))
	}
	return users[0].ID
}

// TestRunFails: the first failing step is named, in the error and the
// output.
func TestRunFails(t *testing.T) {
	srv := poderotest.New(t)
	for _, tc := range []struct {
		name, step string
		env        map[string]string
	}{
		{"wrong secret", stepToken, map[string]string{"PODERO_CLIENT_SECRET": "wrong"}},
		{"another organization", stepUser, map[string]string{"PODERO_ORG_ID": specserver.SampleUUID}},
	} {
		env := map[string]string{
			"PODERO_CLIENT_ID": srv.ClientID, "PODERO_CLIENT_SECRET": srv.ClientSecret,
			"PODERO_ORG_ID": srv.OrgID.String(), "PODERO_BASE_URL": srv.URL,
		}
		for k, v := range tc.env {
			env[k] = v
		}
		var out bytes.Buffer
		err := run(context.Background(), &out, envOf(env))
		if err == nil || !strings.Contains(err.Error(), tc.step) {
			t.Errorf("%s: err = %v, want one naming step %q", tc.name, err, tc.step)
		}
		reported(t, out.String(), "✗", tc.step)
	}
}

func TestEnvironmentErrors(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"PODERO_CLIENT_ID": "id"}, "PODERO_CLIENT_SECRET and PODERO_ORG_ID not set"},
		{map[string]string{"PODERO_CLIENT_ID": "id", "PODERO_CLIENT_SECRET": "s", "PODERO_ORG_ID": "acme"}, "PODERO_ORG_ID is not a UUID"},
		{map[string]string{"PODERO_CLIENT_ID": "id", "PODERO_CLIENT_SECRET": "s", "PODERO_ORG_ID": specserver.SampleUUID, "PODERO_ENV": "staging"}, "PODERO_ENV"},
		{map[string]string{"PODERO_CLIENT_ID": "id", "PODERO_CLIENT_SECRET": "s", "PODERO_ORG_ID": specserver.SampleUUID, "PODERO_QUICKSTART_BOOST": "please"}, "PODERO_QUICKSTART_BOOST"},
	} {
		err := run(context.Background(), &bytes.Buffer{}, envOf(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("env %v: err = %v, want one saying %q", tc.env, err, tc.want)
		}
	}
}

func TestMain(m *testing.M) { progtest.Main(m, main) }

// TestCommand runs the program in a process of its own as a newcomer would:
// with an empty environment it completes the journey and exits 0; with half
// the credentials it exits 1 and says what is missing.
func TestCommand(t *testing.T) {

	cmd := progtest.Command(t)
	cmd.Env = []string{} // not nil: nil would mean this process's environment
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("quickstart with an empty environment: %v\n%s", err, out)
	}
	reported(t, string(out), "✓", steps...)

	cmd = progtest.Command(t)
	cmd.Env = []string{"PODERO_CLIENT_ID=someone"}
	out, err = cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "PODERO_CLIENT_SECRET") {
		t.Errorf("quickstart with half the credentials: %v, want exit status 1 naming what is missing\n%s", err, out)
	}
}
