package mcp

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/fakepodero"
	"github.com/podero-go/podero/internal/opcall"
)

// connect starts a fake, a server on it and the go-sdk's client, over the
// in-memory transport.
func connect(t *testing.T, allowWrites bool) (*mcpsdk.ClientSession, *fakepodero.Fake) {
	t.Helper()
	ctx := context.Background()
	fake, err := fakepodero.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	c, err := api.New(fake.Config())
	if err != nil {
		t.Fatal(err)
	}
	server := NewServer(c, Options{AllowWrites: allowWrites, EndUser: fake.PlayEndUser})
	st, ct := mcpsdk.NewInMemoryTransports()
	ss, err := server.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ss.Close() })
	cs, err := mcpsdk.NewClient(&mcpsdk.Implementation{Name: "test", Version: "1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs, fake
}

func listTools(t *testing.T, cs *mcpsdk.ClientSession) map[string]*mcpsdk.Tool {
	t.Helper()
	out := map[string]*mcpsdk.Tool{}
	for tool, err := range cs.Tools(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		out[tool.Name] = tool
	}
	return out
}

var journeyTools = []string{"car_status", "devices_needing_attention", "wait_for_onboarding"}

// TestToolsList: read-only by default, every read-only operation and the
// journey tools; with AllowWrites, every operation.
func TestToolsList(t *testing.T) {
	cs, _ := connect(t, false)
	listed := listTools(t, cs)
	want := 0
	for _, op := range opcall.Operations() {
		name := toolName(t, op.Name)
		tool, ok := listed[name]
		switch {
		case op.ReadOnly() && !ok:
			t.Errorf("%s (%s) is not listed", name, op.Name)
		case !op.ReadOnly() && ok:
			t.Errorf("%s (%s %s) writes, and is listed without AllowWrites", name, op.Method, op.Path)
		case ok:
			want++
			if !tool.Annotations.ReadOnlyHint || tool.Annotations.DestructiveHint == nil || *tool.Annotations.DestructiveHint {
				t.Errorf("%s: annotations %+v, want read-only and not destructive", name, tool.Annotations)
			}
			if !strings.Contains(tool.Description, op.Method+" "+op.Path) {
				t.Errorf("%s: the description does not give the route:\n%s", name, tool.Description)
			}
		}
	}
	for _, name := range journeyTools {
		if listed[name] == nil || !listed[name].Annotations.ReadOnlyHint {
			t.Errorf("journey tool %s: %+v", name, listed[name])
		}
	}
	if len(listed) != want+len(journeyTools) {
		t.Errorf("%d tools listed, want %d read-only operations and %d journey tools", len(listed), want, len(journeyTools))
	}

	cs, _ = connect(t, true)
	listed = listTools(t, cs)
	if n := len(opcall.Operations()) + len(journeyTools); len(listed) != n {
		t.Errorf("with AllowWrites: %d tools, want %d", len(listed), n)
	}
	if a := listed["update_user"].Annotations; a.ReadOnlyHint || !*a.DestructiveHint || !a.IdempotentHint {
		t.Errorf("update_user (PUT): %+v", a)
	}
	if a := listed["create_user"].Annotations; a.ReadOnlyHint || *a.DestructiveHint || a.IdempotentHint {
		t.Errorf("create_user (POST): %+v", a)
	}
}

// TestInputSchemas: every tool's input schema is JSON Schema 2020-12 that
// the SDK's validator resolves, with the operation's parameters.
func TestInputSchemas(t *testing.T) {
	for _, tl := range tools {
		var s jsonschema.Schema
		if err := json.Unmarshal([]byte(tl.inputSchema), &s); err != nil {
			t.Fatalf("%s: %v", tl.name, err)
		}
		if _, err := s.Resolve(nil); err != nil {
			t.Errorf("%s: %v", tl.name, err)
		}
		op := opcall.Lookup(tl.op)
		for _, p := range op.Params {
			if s.Properties[p.Name] == nil || p.Required != slices.Contains(s.Required, p.Name) {
				t.Errorf("%s: parameter %s: %+v, required %v", tl.name, p.Name, s.Properties[p.Name], s.Required)
			}
		}
		if (op.Body != nil) != (s.Properties["body"] != nil) {
			t.Errorf("%s: body in the schema %v, the operation takes one %v", tl.name, s.Properties["body"] != nil, op.Body != nil)
		}
	}
}

func call(t *testing.T, cs *mcpsdk.ClientSession, name string, args map[string]any) (string, bool) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcpsdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var text strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcpsdk.TextContent); ok {
			text.WriteString(tc.Text)
		}
	}
	return text.String(), res.IsError
}

func TestCallRead(t *testing.T) {
	cs, fake := connect(t, false)
	text, isErr := call(t, cs, "get_electric_vehicle", map[string]any{"user_id": fake.UserID.String(), "electric_vehicle_id": fake.VehicleID.String()})
	var ev map[string]any
	if isErr || json.Unmarshal([]byte(text), &ev) != nil || ev["id"] != fake.VehicleID.String() || ev["battery_level"] != 60.0 {
		t.Fatalf("get_electric_vehicle: error %v\n%s", isErr, text)
	}
	text, isErr = call(t, cs, "list_users", nil)
	if isErr || !strings.Contains(text, `"external_user_id":"quickstart"`) {
		t.Errorf("list_users: %s", text)
	}
	// A bad argument and a 404 are tool errors that say what is wrong.
	for args, want := range map[string]map[string]any{
		`user_id: "nope" is not valid`:            {"user_id": "nope"},
		"GetUser (GET /api/partners/v2.0/org/":    {"user_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"},
		"user_id: missing: it is required":        {},
		"GetUser has no parameter electric_vehic": {"user_id": fake.UserID.String(), "electric_vehicle_id": "x"},
	} {
		text, isErr := call(t, cs, "get_user", want)
		if !isErr || !strings.Contains(text, args) {
			t.Errorf("get_user %v: error %v, %q; want it to say %q", want, isErr, text, args)
		}
	}
}

// TestWriteRefused: without AllowWrites a write tool is refused, and says
// how to allow it; nothing reaches the API.
func TestWriteRefused(t *testing.T) {
	cs, fake := connect(t, false)
	before := len(fake.Requests())
	text, isErr := call(t, cs, "create_user", map[string]any{"body": map[string]any{"email": "x@example.com", "role": "user"}})
	if !isErr || !strings.Contains(text, "--allow-writes") {
		t.Errorf("create_user without AllowWrites: error %v, %q", isErr, text)
	}
	if n := len(fake.Requests()) - before; n != 0 {
		t.Errorf("%d requests reached the API", n)
	}
	cs, _ = connect(t, true)
	text, isErr = call(t, cs, "create_user", map[string]any{"body": map[string]any{"email": "x@example.com", "role": "user"}})
	if isErr || !strings.Contains(text, `"email":"x@example.com"`) {
		t.Errorf("create_user with AllowWrites: error %v, %s", isErr, text)
	}
}

// TestJourneyTools: the onboarding journey through the tools, and the
// status tools.
func TestJourneyTools(t *testing.T) {
	cs, fake := connect(t, true)
	text, isErr := call(t, cs, "create_onboarding_session", map[string]any{"body": map[string]any{
		"user_id": fake.UserID.String(), "device_type": "ev", "language": "en", "price_zone_default": "AT",
		"success_url": "https://example.com/ok", "cancel_url": "https://example.com/cancel"}})
	var session struct{ ID string }
	if isErr || json.Unmarshal([]byte(text), &session) != nil {
		t.Fatalf("create_onboarding_session: %s", text)
	}
	text, isErr = call(t, cs, "wait_for_onboarding", map[string]any{"onboarding_session_id": session.ID, "max_wait_seconds": 60})
	var done struct {
		DeviceID string `json:"device_id"`
		Kind     string
	}
	if isErr || json.Unmarshal([]byte(text), &done) != nil || done.Kind != "ev" {
		t.Fatalf("wait_for_onboarding: %s", text)
	}
	text, isErr = call(t, cs, "car_status", map[string]any{"user_id": fake.UserID.String(), "electric_vehicle_id": done.DeviceID})
	if isErr || !strings.Contains(text, `"charge_status":"Unplugged"`) || !strings.Contains(text, `"needs_attention":false`) {
		t.Errorf("car_status: %s", text)
	}
	text, isErr = call(t, cs, "devices_needing_attention", map[string]any{"user_id": fake.UserID.String()})
	if isErr || !strings.Contains(text, fake.HeatPumpID.String()) || !strings.Contains(text, `"code":"reauthenticate"`) || strings.Contains(text, "secret") {
		t.Errorf("devices_needing_attention: %s", text)
	}
	if text, isErr := call(t, cs, "car_status", map[string]any{"user_id": "nope"}); !isErr {
		t.Errorf("car_status with a bad id: %s", text)
	}
}

// TestNoSecretInResults: the results and errors of calls that succeed and
// fail carry neither the client secret, nor an access token, nor a cue's
// secret given as an argument.
func TestNoSecretInResults(t *testing.T) {
	cs, fake := connect(t, true)
	cue, err := fake.RequireReauthentication(fake.HeatPumpID)
	if err != nil {
		t.Fatal(err)
	}
	const wrongSecret = "cue-secret-Q7rT2mX9vK4p"
	var all strings.Builder
	for name, args := range map[string]map[string]any{
		"list_users":                     nil,
		"get_user":                       {"user_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"},
		"create_user":                    {"body": map[string]any{"email": "x@example.com", "role": "nobody"}},
		"report_cue_state":               {"cue_id": cue, "secret": wrongSecret, "body": map[string]any{"state": "success"}},
		"resolve_cue":                    {"cue_id": cue, "secret": 12345678901, "body": map[string]any{}},
		"get_wallbox_claim_token_status": {"onboarding_session_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "token": wrongSecret + "-token"},
		"devices_needing_attention":      {"user_id": fake.UserID.String()},
		"get_heat_pump":                  {"user_id": fake.UserID.String(), "heat_pump_id": fake.HeatPumpID.String()},
	} {
		text, _ := call(t, cs, name, args)
		all.WriteString(text + "\n")
	}
	out := all.String()
	secrets := []string{fake.ClientSecret, wrongSecret, "12345678901"}
	c, err := api.New(fake.Config())
	if err != nil {
		t.Fatal(err)
	}
	hp, err := c.GetHeatPump(context.Background(), fake.UserID, fake.HeatPumpID, api.GetHeatPumpParams{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range hp.PendingActions() {
		_, secret, _ := strings.Cut(a.ResolutionURL(), "secret=")
		secret, _, _ = strings.Cut(secret, "&")
		secrets = append(secrets, secret) // the cue's own secret, in the heat pump's resolution links
	}
	if !strings.Contains(out, "secret=[redacted]") {
		t.Errorf("get_heat_pump shows no redacted resolution link:\n%s", out)
	}
	for _, rq := range fake.Requests() {
		if tok, ok := strings.CutPrefix(rq.Header.Get("Authorization"), "Bearer "); ok {
			secrets = append(secrets, tok)
		}
	}
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("a result has the secret %.4s…:\n%s", s, out)
		}
	}
	if !strings.Contains(out, "403 Forbidden") || !strings.Contains(out, "422 Unprocessable Entity") {
		t.Errorf("the failures are not in the results:\n%s", out)
	}
}

// toolName is the tool of an operation, from the generated table.
func toolName(t *testing.T, op string) string {
	t.Helper()
	for _, tl := range tools {
		if tl.op == op {
			return tl.name
		}
	}
	t.Fatalf("no tool for %s", op)
	return ""
}
