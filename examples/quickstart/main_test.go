package main

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
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
	reported(t, out.String(), "✓", steps...)
}

// TestRunAgainstPodero runs the credentials path against a fake standing in
// for Podero: the journey stops at the onboarding link, and a second run
// with PODERO_USER_ID, once the user has a vehicle, does the vehicle steps.
// Neither prints the secret or a token.
func TestRunAgainstPodero(t *testing.T) {
	srv := poderotest.New(t)
	env := map[string]string{
		"PODERO_CLIENT_ID": srv.ClientID, "PODERO_CLIENT_SECRET": srv.ClientSecret,
		"PODERO_ORG_ID": srv.OrgID.String(), "PODERO_BASE_URL": srv.URL,
	}
	var first bytes.Buffer
	if err := run(context.Background(), &first, envOf(env)); err != nil {
		t.Fatalf("%v\n%s", err, first.String())
	}
	reported(t, first.String(), "✓", stepToken, stepUser, stepBuilding, stepSession)
	reported(t, first.String(), "→", stepConnect)
	if strings.Contains(first.String(), stepList) || !strings.Contains(first.String(), "PODERO_USER_ID=") {
		t.Errorf("the first run should stop at the link and say how to go on:\n%s", first.String())
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
	var second bytes.Buffer
	if err := run(context.Background(), &second, envOf(env)); err != nil {
		t.Fatalf("%v\n%s", err, second.String())
	}
	reported(t, second.String(), "-", stepUser, stepBuilding, stepSession, stepConnect)
	reported(t, second.String(), "✓", stepToken, stepList, stepRead, stepBoost, stepReauth, stepSessions)
	if !strings.Contains(second.String(), "already_charging") {
		t.Errorf("a boost of a charging vehicle should report the 409's reason:\n%s", second.String())
	}

	out := first.String() + second.String()
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
		if strings.Contains(out, s) {
			t.Errorf("the output contains a secret or token")
		}
	}
}

// onlyUser returns the one user in the fake's organization.
func onlyUser(t *testing.T, srv *poderotest.Server) uuid.UUID {
	t.Helper()
	c, err := api.New(api.Config{BaseURL: srv.URL, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	users, err := c.ListUsersWithResponse(context.Background(), srv.OrgID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(*users.JSON200) != 1 {
		t.Fatalf("the quickstart created %d users, want 1", len(*users.JSON200))
	}
	return (*users.JSON200)[0].ID
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
	} {
		err := run(context.Background(), &bytes.Buffer{}, envOf(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("env %v: err = %v, want one saying %q", tc.env, err, tc.want)
		}
	}
}

// TestCommand builds the program and runs it as a newcomer would: with an
// empty environment it completes the journey and exits 0; with half the
// credentials it exits 1 and says what is missing.
func TestCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	bin := filepath.Join(t.TempDir(), "quickstart")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	cmd := exec.Command(bin)
	cmd.Env = []string{} // not nil: nil would mean this process's environment
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("quickstart with an empty environment: %v\n%s", err, out)
	}
	reported(t, string(out), "✓", steps...)

	cmd = exec.Command(bin)
	cmd.Env = []string{"PODERO_CLIENT_ID=someone"}
	out, err = cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "PODERO_CLIENT_SECRET") {
		t.Errorf("quickstart with half the credentials: %v, want exit status 1 naming what is missing\n%s", err, out)
	}
}
