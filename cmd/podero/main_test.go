package main

import (
	"bytes"
	"context"
	"encoding/json"
	goflag "flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/fakepodero"
)

var update = goflag.Bool("update", false, "rewrite the golden files in testdata")

// startFake starts the seeded fake that --fake runs against, shared by the
// runs of a test, and fails the test if the fake ever answered against
// the spec.
func startFake(t *testing.T) *fakepodero.Fake {
	t.Helper()
	f, err := fakepodero.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

// result is one run of the command.
type result struct {
	stdout, stderr string
	code           int
}

// cli runs the command in-process with args, as the shell would, against
// fake when --fake is given, with env as the environment.
func cli(t *testing.T, fake *fakepodero.Fake, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &app{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, fake: fake,
		getenv: func(k string) string { return env[k] }}
	code := run(context.Background(), args, a)
	return result{out.String(), errOut.String(), code}
}

// mustRun runs a command that must succeed, and returns its stdout.
func mustRun(t *testing.T, fake *fakepodero.Fake, args ...string) string {
	t.Helper()
	r := cli(t, fake, nil, "", args...)
	if r.code != 0 {
		t.Fatalf("podero %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

var (
	uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	timeRE = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)`)
	dateRE = regexp.MustCompile(`\b\d{4}-\d\d-\d\d\b`)
	portRE = regexp.MustCompile(`127\.0\.0\.1:\d+`)
)

// normalize replaces what changes from run to run, the fake's ids and
// clock, with placeholders: each id by its order of first appearance.
func normalize(s string) string {
	ids := map[string]string{}
	s = uuidRE.ReplaceAllStringFunc(s, func(id string) string {
		if _, ok := ids[id]; !ok {
			ids[id] = fmt.Sprintf("<id-%d>", len(ids)+1)
		}
		return ids[id]
	})
	s = timeRE.ReplaceAllString(s, "<time>")
	s = dateRE.ReplaceAllString(s, "<date>")
	return portRE.ReplaceAllString(s, "127.0.0.1:<port>")
}

// golden compares got with testdata/name.golden, or writes it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	got = normalize(got)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/podero -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

func TestGoldenFake(t *testing.T) {
	fake := startFake(t)
	golden(t, "users_list", mustRun(t, fake, "--fake", "users", "list"))
	golden(t, "call_ListUsers", mustRun(t, fake, "--fake", "call", "ListUsers"))
	// The same user in each format.
	for _, format := range []string{"json", "yaml", "table"} {
		golden(t, "output_"+format, mustRun(t, fake, "--fake", "users", "get-by-external-id", "quickstart", "--output", format))
	}
	// A list as a table.
	golden(t, "output_list_table", mustRun(t, fake, "--fake", "electric-vehicles", "list", fake.UserID.String(), "-o", "table"))
}

// TestOutputFormatsAgree: JSON, YAML and the table show the same values,
// digits and all.
func TestOutputFormatsAgree(t *testing.T) {
	fake := startFake(t)
	args := []string{"--fake", "electric-vehicles", "get", fake.UserID.String(), fake.VehicleID.String()}
	var ev map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, fake, append(args, "-o", "json")...)), &ev); err != nil {
		t.Fatal(err)
	}
	yml := mustRun(t, fake, append(args, "-o", "yaml")...)
	table := mustRun(t, fake, append(args, "-o", "table")...)
	for _, k := range []string{"battery_level", "battery_capacity_kwh", "is_authenticated", "id"} {
		v := fmt.Sprint(ev[k])
		if !strings.Contains(yml, k+": "+v) {
			t.Errorf("yaml has no %s: %s:\n%s", k, v, yml)
		}
		if !regexp.MustCompile(`(?m)^` + k + ` +` + regexp.QuoteMeta(v) + `$`).MatchString(table) {
			t.Errorf("table has no row %s %s:\n%s", k, v, table)
		}
	}
	// A terminal gets a table, anything else JSON.
	var out bytes.Buffer
	a := &app{stdout: &out, stderr: &out, fake: fake, terminal: true, getenv: func(string) string { return "" }}
	if code := run(context.Background(), args, a); code != 0 || !strings.Contains(out.String(), "battery_level ") {
		t.Errorf("on a terminal: exit %d\n%s", code, out.String())
	}
	if r := cli(t, fake, nil, "", append(args, "-o", "xml")...); r.code != exitUsage || !strings.Contains(r.stderr, `--output "xml": want json, yaml or table`) {
		t.Errorf("-o xml: exit %d, %s", r.code, r.stderr)
	}
}

// TestJourney: create a user, start an onboarding, wait for it, read the
// car, all through the command.
func TestJourney(t *testing.T) {
	fake := startFake(t)
	var transcript strings.Builder
	step := func(args ...string) map[string]any {
		t.Helper()
		out := mustRun(t, fake, append([]string{"--fake"}, args...)...)
		fmt.Fprintf(&transcript, "$ podero --fake %s\n%s", strings.Join(args, " "), out)
		var v map[string]any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		return v
	}
	user := step("users", "create", "--email", "ada@example.com", "--role", "user", "--first-name", "Ada", "--external-user-id", "ada-1")
	userID := user["id"].(string)
	session := step("onboarding", "create-session", "--user-id", userID, "--device-type", "ev", "--language", "en",
		"--price-zone-default", "AT", "--success-url", "https://example.com/ok", "--cancel-url", "https://example.com/cancel")
	done := step("onboarding", "wait", session["id"].(string), "--max-wait", "1m")
	if done["kind"] != "ev" || done["device_id"] == nil {
		t.Fatalf("onboarding wait: %v", done)
	}
	ev := step("electric-vehicles", "get", userID, done["device_id"].(string))
	if ev["is_authenticated"] != true {
		t.Errorf("the onboarded car: %v", ev)
	}
	status := step("electric-vehicles", "status", userID, done["device_id"].(string))
	if status["needs_attention"] != false {
		t.Errorf("status: %v", status)
	}
	golden(t, "journey", transcript.String())
}

func TestAttention(t *testing.T) {
	fake := startFake(t)
	out := mustRun(t, fake, "--fake", "users", "attention", fake.UserID.String())
	var a struct {
		Checked int
		Devices []struct {
			Kind           string
			ID             string
			PendingActions []struct{ Code string } `json:"pending_actions"`
		}
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatal(err)
	}
	if a.Checked != 2 || len(a.Devices) != 1 || a.Devices[0].ID != fake.HeatPumpID.String() ||
		len(a.Devices[0].PendingActions) != 1 || a.Devices[0].PendingActions[0].Code != "reauthenticate" {
		t.Errorf("attention: %s", out)
	}
	if strings.Contains(out, "secret") {
		t.Errorf("attention shows a resolution link's secret: %s", out)
	}
}

// TestExitCodes: each class of error has its documented status, and the
// error names the call, the status and what the server said.
func TestExitCodes(t *testing.T) {
	fake := startFake(t)
	user := fake.UserID.String()
	missing := "3fa85f64-5717-4562-b3fc-2c963f66afa6"
	creds := map[string]string{"PODERO_BASE_URL": fake.URL, "PODERO_CLIENT_ID": fake.ClientID,
		"PODERO_CLIENT_SECRET": "not-the-secret", "PODERO_ORG_ID": fake.OrgID.String()}
	if err := fake.SetCharging(fake.VehicleID, true); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		says string
	}{
		{"404", nil, []string{"--fake", "electric-vehicles", "get", user, missing}, exitNotFound,
			"podero: GetElectricVehicle (GET /api/partners/v2.0/org/"},
		{"422", nil, []string{"--fake", "users", "create", "--email", "x@example.com", "--role", "nobody"}, exitValidation,
			": 422 Unprocessable Entity: body.role"},
		{"bad credentials", creds, []string{"users", "list"}, exitAuth, "invalid_client"},
		{"no credentials", nil, []string{"users", "list"}, exitAuth, "no credentials: set PODERO_CLIENT_ID"},
		{"409", nil, []string{"--fake", "electric-vehicles", "trigger-boost", user, fake.VehicleID.String()}, exitConflict,
			"409 Conflict"},
		{"unknown command", nil, []string{"--fake", "users", "frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"unknown flag", nil, []string{"--fake", "users", "list", "--nope"}, exitUsage, "unknown flag: --nope"},
		{"argument count", nil, []string{"--fake", "users", "get"}, exitUsage, "get takes 1 argument(s), USER_ID; got 0"},
		{"bad id", nil, []string{"--fake", "users", "get", "nope"}, exitUsage, `USER_ID: "nope" is not valid`},
		{"bad integer", nil, []string{"--fake", "electric-vehicles", "list-sessions", user, missing, "--from", "2026-01-01", "--to", "2026-01-31", "--limit", "ten"},
			exitUsage, `--limit: want an integer, got a string "ten"`},
		{"missing query parameter", nil, []string{"--fake", "electric-vehicles", "list-sessions", user, missing}, exitUsage, "--from: missing: it is required"},
		{"missing body field", nil, []string{"--fake", "users", "create", "--role", "user"}, exitUsage, "the body needs email (--email)"},
		{"unknown body field", nil, []string{"--fake", "users", "create", "--data", `{"email":"x@example.com","role":"user","nickname":"x"}`}, exitUsage,
			"body field nickname (--data): unknown field: UserCreateInput has no such field"},
		{"bad body value", nil, []string{"--fake", "users", "create", "--data", `{"email":"x@example.com","role":"user","latitude":"north"}`}, exitUsage,
			`body field latitude (--latitude or --data): want a number, got a string "north"`},
		{"not JSON", nil, []string{"--fake", "users", "create", "--data", `{email`}, exitUsage, "--data is not valid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, fake, tc.env, "", tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.says) {
				t.Errorf("exit %d, want %d; stderr should say %q:\n%s", r.code, tc.code, tc.says, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("a failed command printed to stdout: %s", r.stdout)
			}
		})
	}
}

// TestExitCodeClasses covers the classes a fake cannot cheaply cause: a
// status the client retries (it would wait out the retries) and a 403.
func TestExitCodeClasses(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code int
	}{
		{&api.Error{StatusCode: 503}, exitUnavailable},
		{&api.Error{StatusCode: 429}, exitUnavailable},
		{&api.WaitTimeoutError{}, exitUnavailable},
		{&api.Error{StatusCode: 403}, exitAuth},
		{&api.Error{StatusCode: 502}, exitUnavailable},
		{&api.Error{StatusCode: 500}, exitOther},
		{&api.Error{StatusCode: 400}, exitOther},
		{fmt.Errorf("wrapped: %w", &api.Error{StatusCode: 404}), exitNotFound},
	} {
		if got := exitCode(&runError{tc.err}); got != tc.code {
			t.Errorf("%#v: exit %d, want %d", tc.err, got, tc.code)
		}
	}
}

// TestBodyFromFileAndStdin: --data @file and @- give the body, and a field
// flag overrides a field of it; numbers keep their digits.
func TestBodyFromFileAndStdin(t *testing.T) {
	fake := startFake(t)
	file := filepath.Join(t.TempDir(), "user.json")
	if err := os.WriteFile(file, []byte(`{"email":"f@example.com","role":"user","first_name":"File","latitude":48.208176}`), 0o600); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, fake, "--fake", "users", "create", "--data", "@"+file, "--first-name", "Flag")
	if !strings.Contains(out, `"first_name": "Flag"`) || !strings.Contains(out, `"latitude": 48.208176`) {
		t.Errorf("--data @file with --first-name:\n%s", out)
	}
	r := cli(t, fake, nil, `{"email":"s@example.com","role":"user"}`, "--fake", "users", "create", "--data", "@-")
	if r.code != 0 || !strings.Contains(r.stdout, `"email": "s@example.com"`) {
		t.Errorf("--data @-: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The body the fake received is the one given.
	var sent map[string]any
	for _, rq := range fake.Requests() {
		if rq.OperationID != "" && strings.HasSuffix(rq.Path, "/users") && rq.Method == "POST" {
			sent = nil
			_ = json.Unmarshal(rq.Body, &sent)
		}
	}
	if sent["email"] != "s@example.com" || len(sent) != 2 {
		t.Errorf("the fake received %v", sent)
	}
}

// TestHelp: a command's help comes from the spec: its summary, the
// evidence note and its route.
func TestHelp(t *testing.T) {
	r := cli(t, nil, nil, "", "electric-vehicles", "get", "--help")
	for _, want := range []string{"Get details about a user's electric vehicle.", "Spec evidence (x-podero-evidence):",
		"GET /api/partners/v2.0/org/{org_id}/users/{user_id}/electric-vehicles/{electric_vehicle_id}",
		"podero electric-vehicles get USER_ID ELECTRIC_VEHICLE_ID"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("help does not say %q:\n%s", want, r.stdout)
		}
	}
	r = cli(t, nil, nil, "", "help", "exit-codes")
	if !strings.Contains(r.stdout, "3  not found") {
		t.Errorf("help exit-codes:\n%s", r.stdout)
	}
	// Completion: cobra's, for every shell, and enum values for flags.
	r = cli(t, nil, nil, "", "completion", "bash")
	if r.code != 0 || !strings.Contains(r.stdout, "bash completion") {
		t.Errorf("completion bash: exit %d", r.code)
	}
	r = cli(t, nil, nil, "", "__complete", "users", "create", "--role", "")
	if !strings.Contains(r.stdout, "user\n") {
		t.Errorf("completing --role:\n%s", r.stdout)
	}
}

// TestFakeServer: fake-server serves the seeded fake, and podero without
// --fake, pointed at it by the environment it prints, reads it.
func TestFakeServer(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"fake-server", "--client-secret-file", secret}, &app{stdout: &out, stderr: &out, getenv: func(string) string { return "" }})
	}()
	env := map[string]string{}
	for !strings.Contains(out.String(), "\n#") {
		select {
		case code := <-done:
			t.Fatalf("fake-server: exit %d\n%s", code, out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	line, _, _ := strings.Cut(strings.TrimPrefix(out.String(), "export "), "\n")
	for _, kv := range strings.Fields(line) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	r := cli(t, nil, env, "", "--client-secret-file", secret, "users", "get-by-external-id", "quickstart")
	if r.code != 0 || !strings.Contains(r.stdout, "quickstart@example.com") {
		t.Errorf("against fake-server: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("fake-server ended with %d", code)
	}
	if r := cli(t, nil, nil, "", "fake-server"); r.code != exitUsage {
		t.Errorf("fake-server without --client-secret-file: exit %d", r.code)
	}
}

// syncBuffer is a bytes.Buffer for a writer and a reader on two goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
