package mcp

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/podero-go/podero/api"
)

// connectTo starts a server whose client calls a Podero that answers every
// request (but the token's) with status and body, logging to log.
func connectTo(t *testing.T, body string, log *bytes.Buffer) *mcpsdk.ClientSession {
	t.Helper()
	ctx := context.Background()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/token") {
			_, _ = w.Write([]byte(`{"access_token":"tok-exact-0123456789","token_type":"Bearer","expires_in":3600}`))
			return
		}
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	c, err := api.New(api.Config{BaseURL: srv.URL, TokenURL: srv.URL + "/token", ClientID: "client",
		ClientSecret: "client-secret-0123456789", OrgID: api.UUID{1}})
	if err != nil {
		t.Fatal(err)
	}
	server := NewServer(c, Options{AllowWrites: true, Logger: slog.New(slog.NewTextHandler(log, nil))})
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
	return cs
}

// TestToolResultKeepsUndeclaredProperties: a tool's result has what the
// server sent, the properties the spec does not declare included, every
// value as sent; the server's log names those properties once, however
// many calls get them.
func TestToolResultKeepsUndeclaredProperties(t *testing.T) {
	const vehicle = `{"id":"3fa85f64-5717-4562-b3fc-2c963f66afa6","battery_capacity_kwh":77.00,` +
		`"optimization_score":0.12345678901234567890,"created_at":"2024-05-01T10:00:00.000000+00:00",` +
		`"device_model":{"manufacturer":"Tesla","trim":"Long Range"},"firmware_build":9007199254740993,` +
		`"battery_health":{"cells":18446744073709551615,"ratio":0.30000000000000004}}`
	var log bytes.Buffer
	cs := connectTo(t, vehicle, &log)
	args := map[string]any{"user_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "electric_vehicle_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}
	for range 2 {
		text, isErr := call(t, cs, "get_electric_vehicle", args)
		if isErr || text != vehicle {
			t.Errorf("get_electric_vehicle: error %v\n%s\nwant the body as sent\n%s", isErr, text, vehicle)
		}
	}
	const note = `properties="[battery_health device_model.trim firmware_build]"`
	if n := strings.Count(log.String(), note); n != 1 {
		t.Errorf("the log names the undeclared properties %d times, want once:\n%s", n, log.String())
	}
}

// TestToolResultRedactsEchoedSecret: a server that echoes the request's
// secret in a property the spec does not declare, as it is or JSON-escaped
// inside a URL, does not get it into the result or the log; nor does
// another secret in a link whose & the server escaped.
func TestToolResultRedactsEchoedSecret(t *testing.T) {
	const secret = "cue-secret-Hx4Lq9Wz2Rt7"
	var log bytes.Buffer
	cs := connectTo(t, `{"action_id":"a1","echo":"`+secret+`","link":"https://connect.example.com/r?a=1\u0026secret=`+secret+`","`+secret+`":1,`+
		`"other":"https://connect.example.com/r?b=2\u0026secret=other-secret-Kp3Vn8Qw"}`, &log)
	text, isErr := call(t, cs, "report_cue_state", map[string]any{"cue_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "secret": secret,
		"body": map[string]any{"state": "success"}})
	if isErr || !strings.Contains(text, `"echo":"[redacted]"`) || !strings.Contains(text, `"link":"https://connect.example.com/r?a=1&secret=[redacted]"`) {
		t.Errorf("report_cue_state: error %v\n%s", isErr, text)
	}
	if out := text + log.String(); strings.Contains(out, "Hx4Lq9Wz2Rt7") || strings.Contains(out, "Kp3Vn8Qw") {
		t.Errorf("the secret is in the result or the log:\n%s", out)
	}
}
