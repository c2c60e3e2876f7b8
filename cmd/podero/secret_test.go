package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
)

// TestNoSecretInOutput runs commands that succeed and fail, with --debug,
// and greps everything they print for the secrets involved: the client
// secret (the fake's, and a distinctive wrong one), every access token the
// fake issued, a cue's secret and a wallbox claim token, both taken from
// files.
func TestNoSecretInOutput(t *testing.T) {
	fake := startFake(t)
	ctx := context.Background()
	c, err := api.New(fake.Config())
	if err != nil {
		t.Fatal(err)
	}
	user := fake.UserID.String()
	const wrongSecret = "wrong-secret-Zq8Xv3Lm9Tq2"
	claim, err := c.CreateWallboxClaimToken(ctx, fake.UserID)
	if err != nil {
		t.Fatal(err)
	}
	session, err := c.CreateOnboardingSession(ctx, api.DeviceOnboardingSessionCreateInput{Language: api.LanguageEn, PriceZoneDefault: api.PriceZoneAT,
		UserID: fake.UserID, SuccessURL: "https://example.com/ok", CancelURL: "https://example.com/cancel"})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := fake.AddDevice(fake.UserID, poderotest.ElectricVehicle)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.RequireReauthentication(ev); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetElectricVehicle(ctx, fake.UserID, ev)
	if err != nil {
		t.Fatal(err)
	}
	cue := got.PendingActions()[0]
	cueSecret := secretOf(t, cue)

	dir := t.TempDir()
	write := func(name, v string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tokenFile, cueFile, badCueFile := write("token", claim.GetToken()), write("cue", cueSecret), write("badcue", cueSecret+"x")
	secretFile := write("secret", fake.ClientSecret+"\n")
	env := map[string]string{"PODERO_BASE_URL": fake.URL, "PODERO_CLIENT_ID": fake.ClientID, "PODERO_ORG_ID": fake.OrgID.String()}
	wrong := map[string]string{"PODERO_CLIENT_SECRET": wrongSecret}
	for k, v := range env {
		wrong[k] = v
	}

	var all strings.Builder
	for _, tc := range []struct {
		env  map[string]string
		args []string
	}{
		{nil, []string{"--fake", "users", "list"}},
		{nil, []string{"--fake", "electric-vehicles", "get", user, ev.String()}}, // its resolution link has the cue's secret
		{env, []string{"--client-secret-file", secretFile, "users", "list"}},
		{wrong, []string{"users", "list"}},
		{nil, []string{"--fake", "users", "get", "3fa85f64-5717-4562-b3fc-2c963f66afa6"}},
		{nil, []string{"--fake", "users", "create", "--email", "x@example.com", "--role", "nobody"}},
		{nil, []string{"--fake", "onboarding", "get-wallbox-claim-token-status", session.GetID().String(), "--token-file", tokenFile}},
		{nil, []string{"--fake", "cues", "resolve", cue.CueID.String(), "--secret-file", badCueFile, "--success-url", "https://example.com/ok", "--cancel-url", "https://example.com/c"}},
		{nil, []string{"--fake", "cues", "resolve", cue.CueID.String(), "--secret-file", cueFile, "--success-url", "https://example.com/ok", "--cancel-url", "https://example.com/c"}},
		{nil, []string{"--fake", "cues", "report-state", cue.CueID.String(), "--secret-file", cueFile, "--state", "success"}},
		{nil, []string{"--fake", "cues", "report-state", cue.CueID.String(), "--secret-file", cueFile, "--state", "success"}}, // no longer active: 404
		{nil, []string{"--fake", "electric-vehicles", "get", user, ev.String()}},
	} {
		r := cli(t, fake, tc.env, "", append([]string{"--debug"}, tc.args...)...)
		all.WriteString(r.stdout + r.stderr)
		if !strings.Contains(r.stderr, "level=") && r.code != exitUsage {
			t.Errorf("podero %s: --debug logged nothing:\n%s", strings.Join(tc.args, " "), r.stderr)
		}
	}
	secrets := map[string]string{"client secret": fake.ClientSecret, "wrong client secret": wrongSecret,
		"claim token": claim.GetToken(), "cue secret": cueSecret}
	for _, rq := range fake.Requests() {
		if tok, ok := strings.CutPrefix(rq.Header.Get("Authorization"), "Bearer "); ok {
			secrets["access token "+tok[:4]] = tok
		}
	}
	out := all.String()
	for name, s := range secrets {
		if len(s) < 8 {
			t.Fatalf("%s %q is too short to look for", name, s)
		}
		if strings.Contains(out, s) {
			t.Errorf("the output has the %s", name)
		}
	}
	if !strings.Contains(out, "invalid_client") || !strings.Contains(out, "403 Forbidden") || !strings.Contains(out, "secret=[redacted]") {
		t.Errorf("the failures are not in the output:\n%s", out)
	}
}
