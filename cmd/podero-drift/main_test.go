package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
	"github.com/podero-go/podero/api/speccheck"
	"github.com/podero-go/podero/internal/progtest"
)

// canary is a value no report may contain.
const canary = "zz-canary-41c7"

func envOf(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

// kinds are the mismatches the sample report must show, one of each kind
// the demo injects.
var kinds = []speccheck.Kind{speccheck.UndeclaredProperty, speccheck.WrongType, speccheck.NotInEnum,
	speccheck.UnexpectedNull, speccheck.MissingRequired, speccheck.UndeclaredStatus}

func assertSampleReport(t *testing.T, out string) {
	t.Helper()
	for _, want := range []string{"# Podero drift report", "poderotest", "## Operations called", "## Mismatches",
		"## Undeclared properties", "a suggestion, not an edit", "## Not reached", "GetOnboardingSession",
		"`/actions/*/code`", "`/items/*/tariff_eur_kwh`", "| GetChargingConfig | 202 |"} {
		if !strings.Contains(out, want) {
			t.Errorf("the sample report does not say %q:\n%s", want, out)
		}
	}
	for _, k := range kinds {
		if !strings.Contains(out, "| "+string(k)+" |") {
			t.Errorf("the sample report shows no %s mismatch:\n%s", k, out)
		}
	}
}

// TestSampleReport: with no credentials the survey runs on poderotest
// with drift injected, reports one mismatch of each kind, and succeeds.
func TestSampleReport(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run(context.Background(), nil, &out, &errs, envOf(nil)); code != 0 {
		t.Fatalf("exit status %d\n%s\n%s", code, errs.String(), out.String())
	}
	assertSampleReport(t, out.String())
	if !strings.Contains(errs.String(), "No Podero credentials") {
		t.Errorf("stderr does not say it runs on the fake:\n%s", errs.String())
	}
}

// TestReportFile: -o writes the report to a file.
func TestReportFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "drift.md")
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"-o", path}, &out, &errs, envOf(nil)); code != 0 {
		t.Fatalf("exit status %d\n%s", code, errs.String())
	}
	if out.Len() != 0 {
		t.Errorf("with -o, stdout has %q", out.String())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	assertSampleReport(t, string(b))
}

// surveyed is a fake Podero with credentials in an environment for the
// command, an organization like the demo's, and drift carrying a canary.
func surveyed(t *testing.T) (*poderotest.Server, map[string]string) {
	t.Helper()
	srv := poderotest.New(t)
	if err := populate(srv); err != nil {
		t.Fatal(err)
	}
	srv.Tamper("GetElectricVehicle", func(b map[string]any) { b["firmware_channel"] = canary })
	srv.Tamper("GetUser", func(b map[string]any) { b["num_heat_pumps"] = canary })
	srv.Tamper("GetHeatPump", func(b map[string]any) {
		actions, _ := b["actions"].([]any)
		b["actions"] = append(actions, map[string]any{"code": canary})
	})
	srv.Tamper("GetInverter", func(b map[string]any) { b["comment"] = map[string]any{"x": canary} })
	return srv, map[string]string{
		"PODERO_CLIENT_ID": srv.ClientID, "PODERO_CLIENT_SECRET": srv.ClientSecret,
		"PODERO_ORG_ID": srv.OrgID.String(), "PODERO_BASE_URL": srv.URL,
	}
}

// recordPauses makes the survey's pauses record what they were asked to
// wait, without waiting.
func recordPauses(t *testing.T) *[]time.Duration {
	var mu sync.Mutex
	var waits []time.Duration
	old := pause
	pause = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		waits = append(waits, d)
		return ctx.Err()
	}
	t.Cleanup(func() { pause = old })
	return &waits
}

var uuidRE = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// TestOnlyGETs: with credentials, every request but the token request is
// a GET, one after the other with the pause between them; the report
// names what it found and shows no value, no id, no secret and no token.
func TestOnlyGETs(t *testing.T) {
	srv, env := surveyed(t)
	before := len(srv.Requests()) // populate's
	waits := recordPauses(t)
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"-pause", "250ms"}, &out, &errs, envOf(env)); code != 0 {
		t.Fatalf("exit status %d\n%s\n%s", code, errs.String(), out.String())
	}
	report := out.String()

	reqs := srv.Requests()[before:]
	api, tokens := 0, 0
	secrets := []string{srv.ClientSecret, canary}
	for _, r := range reqs {
		if r.OperationID == "" && r.Method == http.MethodPost && strings.Contains(r.Path, "token") {
			tokens++
			continue
		}
		api++
		if r.Method != http.MethodGet || r.OperationID == "" {
			t.Errorf("the survey sent %s %s (operation %q): only GETs of the spec's operations are allowed", r.Method, r.Path, r.OperationID)
		}
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			secrets = append(secrets, tok)
		}
		secrets = append(secrets, uuidRE.FindAllString(r.Path, -1)...)
	}
	if tokens == 0 || api < 30 {
		t.Errorf("%d token and %d API requests: want a token and a survey of every reachable GET", tokens, api)
	}
	if want := "**Requests:** " + strconv.Itoa(api) + " of a budget of 100"; !strings.Contains(report, want) {
		t.Errorf("the report does not say %q:\n%s", want, report)
	}
	if len(*waits) != api-1 {
		t.Errorf("%d pauses between %d requests", len(*waits), api)
	}
	for _, d := range *waits {
		if d != 250*time.Millisecond {
			t.Errorf("paused %v, want -pause's 250ms", d)
		}
	}
	for _, s := range secrets {
		if strings.Contains(report, s) || strings.Contains(errs.String(), s) {
			t.Errorf("the output holds a value, an id, a secret or a token (%.8s...)", s)
		}
	}
	for _, want := range []string{"Podero", "`/firmware_channel`", "`/num_heat_pumps`", "`/actions/*/code`", "`/comment`"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report does not mention %s:\n%s", want, report)
		}
	}
}

// TestBudget: the survey stops at the budget, and says what it did not
// reach because of it.
func TestBudget(t *testing.T) {
	srv, env := surveyed(t)
	before := len(srv.Requests())
	recordPauses(t)
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"-budget", "5"}, &out, &errs, envOf(env)); code != 0 {
		t.Fatalf("exit status %d\n%s", code, errs.String())
	}
	api := 0
	for _, r := range srv.Requests()[before:] {
		if r.OperationID != "" {
			api++
		}
	}
	if api != 5 {
		t.Errorf("%d API requests with -budget 5", api)
	}
	if !strings.Contains(out.String(), "the request budget (-budget 5) ran out") || !strings.Contains(out.String(), "| GetElectricVehicle | the survey stopped early") {
		t.Errorf("the report does not say the budget stopped it:\n%s", out.String())
	}
}

// TestRateLimited: a 429 ends the survey; the report says so and lists
// the operations it left out, and error statuses are not drift.
func TestRateLimited(t *testing.T) {
	srv, env := surveyed(t)
	srv.FailNextOp("GetUser", 1, http.StatusTooManyRequests)
	recordPauses(t)
	before := len(srv.Requests())
	var out, errs bytes.Buffer
	if code := run(context.Background(), nil, &out, &errs, envOf(env)); code != 0 {
		t.Fatalf("exit status %d\n%s", code, errs.String())
	}
	report := out.String()
	for _, want := range []string{"| GetUser | 1 | 429 Too Many Requests |", "**Stopped early:** Podero answered 429 Too Many Requests",
		"| ListEnergyContracts | the survey stopped early: Podero answered 429"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report does not say %q:\n%s", want, report)
		}
	}
	if strings.Contains(report, "| GetUser | 429 |") {
		t.Errorf("the 429 is reported as drift:\n%s", report)
	}
	last := srv.Requests()[len(srv.Requests())-1]
	if len(srv.Requests()) == before || last.Status != http.StatusTooManyRequests {
		t.Errorf("the survey went on after the 429 (last request %s %s: %d)", last.Method, last.Path, last.Status)
	}
}

// TestWrongSecret: a token request that fails stops the survey at once;
// the report says why, and the command fails.
func TestWrongSecret(t *testing.T) {
	srv, env := surveyed(t)
	env["PODERO_CLIENT_SECRET"] = "wrong"
	before := len(srv.Requests())
	var out, errs bytes.Buffer
	if code := run(context.Background(), nil, &out, &errs, envOf(env)); code != 1 {
		t.Fatalf("exit status %d, want 1\n%s", code, errs.String())
	}
	if !strings.Contains(out.String(), "the token request failed: 401") {
		t.Errorf("the report does not say the token request failed:\n%s", out.String())
	}
	for _, r := range srv.Requests()[before:] {
		if r.OperationID != "" {
			t.Errorf("after the token request failed, the survey sent %s %s", r.Method, r.Path)
		}
	}
}

func TestArguments(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		code int
		want string
	}{
		{[]string{"-budget", "0"}, nil, 2, "-budget"},
		{[]string{"-pause", "-1s"}, nil, 2, "-pause"},
		{[]string{"extra"}, nil, 2, "unexpected arguments"},
		{[]string{"-nope"}, nil, 2, "not defined"},
		{nil, map[string]string{"PODERO_CLIENT_ID": "id"}, 1, "PODERO_CLIENT_SECRET and PODERO_ORG_ID not set"},
		{nil, map[string]string{"PODERO_CLIENT_ID": "id", "PODERO_CLIENT_SECRET": "s", "PODERO_ORG_ID": "acme"}, 1, "PODERO_ORG_ID is not a UUID"},
		{nil, map[string]string{"PODERO_CLIENT_ID": "id", "PODERO_CLIENT_SECRET": "s", "PODERO_ORG_ID": "6f1c2a4e-1b2c-4d5e-8f90-0123456789ab", "PODERO_ENV": "staging"}, 1, "PODERO_ENV"},
	} {
		var out, errs bytes.Buffer
		code := run(context.Background(), tc.args, &out, &errs, envOf(tc.env))
		if code != tc.code || !strings.Contains(errs.String(), tc.want) {
			t.Errorf("%v %v: exit %d, stderr %q; want %d and %q", tc.args, tc.env, code, errs.String(), tc.code, tc.want)
		}
	}
}

func TestMain(m *testing.M) { progtest.Main(m, main) }

// TestCommand runs the program in a process of its own as a newcomer would:
// with an empty environment it prints a sample report and exits 0.
func TestCommand(t *testing.T) {
	cmd := progtest.Command(t)
	cmd.Env = []string{} // not nil: nil would mean this process's environment
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("podero-drift with an empty environment: %v\n%s", err, stderr.String())
	}
	assertSampleReport(t, stdout.String())

	cmd = progtest.Command(t)
	cmd.Env = []string{"PODERO_CLIENT_ID=someone"}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "PODERO_CLIENT_SECRET") {
		t.Errorf("podero-drift with half the credentials: %v, want exit status 1 naming what is missing\n%s", err, out)
	}
}

// TestSurveyUntampered: on the fake without drift, every operation the
// survey counts requests for is a GET of api.Operations and received them
// as the fake saw them (a mistyped name in the survey would show up as an
// operation it never called), and the report finds no mismatch.
func TestSurveyUntampered(t *testing.T) {
	srv := poderotest.New(t)
	if err := populate(srv); err != nil {
		t.Fatal(err)
	}
	before := len(srv.Requests()) // populate's
	recordPauses(t)
	s, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	tg := &target{cfg: api.Config{BaseURL: srv.URL, OrgID: srv.OrgID, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret, TokenURL: srv.TokenURL},
		fake: srv, name: "poderotest"}
	rep, err := survey(context.Background(), tg, s)
	if err != nil {
		t.Fatal(err)
	}

	names, gets := map[string]string{}, map[string]bool{}
	for _, info := range api.Operations {
		names[info.OperationID] = info.Name
		gets[info.Name] = info.Method == http.MethodGet
	}
	received := map[string]int{}
	for _, r := range srv.Requests()[before:] {
		if r.OperationID != "" {
			received[names[r.OperationID]]++
		}
	}
	counted := map[string]int{}
	for _, oc := range rep.calls {
		if !gets[oc.name] {
			t.Errorf("the survey counts requests for %q, which is not a GET of api.Operations", oc.name)
		}
		counted[oc.name] = oc.requests
	}
	if !maps.Equal(counted, received) {
		t.Errorf("the survey counted requests %v; the fake received %v", counted, received)
	}
	if len(counted) < 20 {
		t.Errorf("the survey called %d operations: want nearly every GET", len(counted))
	}

	if len(rep.summary.Mismatches) != 0 {
		t.Errorf("%d mismatches on a fake without drift: %+v", len(rep.summary.Mismatches), rep.summary.Mismatches)
	}
	var out bytes.Buffer
	if err := rep.write(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "## Mismatches (0)\n\nEvery response checked conforms to the pinned spec.") {
		t.Errorf("the report does not say it found no mismatch:\n%s", out.String())
	}
}
