package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// vehicleFromTheFuture is an electric vehicle as a Podero newer than the
// pinned spec might send it: properties the spec does not declare, at the
// top and nested in a declared object, and numbers that encoding/json
// would not write back as they are (an integer above 2^53, more digits
// than a float64 holds, a trailing zero, a time not in Go's format).
const vehicleFromTheFuture = `{"id":"3fa85f64-5717-4562-b3fc-2c963f66afa6","is_plugged_in":true,` +
	`"battery_capacity_kwh":77.00,"optimization_score":0.12345678901234567890,` +
	`"created_at":"2024-05-01T10:00:00.000000+00:00",` +
	`"device_model":{"manufacturer":"Tesla","model":"Model 3","trim":"Long Range"},` +
	`"firmware_build":9007199254740993,` +
	`"battery_health":{"cells":18446744073709551615,"ratio":0.30000000000000004}}`

// answering serves a token and, for every other request, answers status
// and body; it returns the environment that points podero at it.
func answering(t *testing.T, status int, body string) map[string]string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/token") {
			_, _ = w.Write([]byte(`{"access_token":"tok-exact-0123456789","token_type":"Bearer","expires_in":3600}`))
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return map[string]string{"PODERO_BASE_URL": srv.URL, "PODERO_TOKEN_URL": srv.URL + "/token", "PODERO_CLIENT_ID": "client",
		"PODERO_CLIENT_SECRET": "client-secret-0123456789", "PODERO_ORG_ID": "9b2d7c1e-8f3a-4c5b-a6d7-e8f901234567"}
}

// TestOutputKeepsUndeclaredProperties: what the server sent comes out of
// -o json, yaml and table, the properties the spec does not declare
// included, every value as sent; standard error names those properties,
// once, unless --quiet.
func TestOutputKeepsUndeclaredProperties(t *testing.T) {
	env := answering(t, http.StatusOK, vehicleFromTheFuture)
	get := []string{"electric-vehicles", "get", "3fa85f64-5717-4562-b3fc-2c963f66afa6", "3fa85f64-5717-4562-b3fc-2c963f66afa6"}
	for format, want := range map[string][]string{
		"json": {`"battery_health": {`, `"cells": 18446744073709551615`, `"ratio": 0.30000000000000004`, `"firmware_build": 9007199254740993`,
			`"trim": "Long Range"`, `"battery_capacity_kwh": 77.00`, `"optimization_score": 0.12345678901234567890`, `"created_at": "2024-05-01T10:00:00.000000+00:00"`},
		"yaml": {"battery_health:\n", "  cells: 18446744073709551615\n", "  ratio: 0.30000000000000004\n", "firmware_build: 9007199254740993\n",
			"  trim: Long Range\n", "battery_capacity_kwh: 77.00\n", "optimization_score: 0.12345678901234567890\n", `created_at: "2024-05-01T10:00:00.000000+00:00"`},
		"table": {`battery_health\.cells +18446744073709551615\n`, `battery_health\.ratio +0\.30000000000000004\n`, `firmware_build +9007199254740993\n`,
			`device_model\.trim +Long Range\n`, `battery_capacity_kwh +77\.00\n`, `optimization_score +0\.12345678901234567890\n`, `created_at +2024-05-01T10:00:00\.000000\+00:00\n`},
	} {
		r := cli(t, nil, env, "", append(get, "-o", format)...)
		if r.code != 0 {
			t.Fatalf("-o %s: exit %d\n%s", format, r.code, r.stderr)
		}
		for _, w := range want {
			if format == "table" && !regexp.MustCompile(w).MatchString(r.stdout) || format != "table" && !strings.Contains(r.stdout, w) {
				t.Errorf("-o %s: no %q in\n%s", format, w, r.stdout)
			}
		}
		const note = "podero: note: the answer has properties the API spec does not declare, printed as received: " +
			"battery_health, device_model.trim, firmware_build (--quiet hides this note)\n"
		if r.stderr != note {
			t.Errorf("-o %s: standard error is\n%s\nwant\n%s", format, r.stderr, note)
		}
	}
	if r := cli(t, nil, env, "", append(get, "--quiet")...); r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "firmware_build") {
		t.Errorf("--quiet: exit %d, stderr %q, stdout\n%s", r.code, r.stderr, r.stdout)
	}
}

// TestUndecodableAnswerStillFails: printing the body as received comes
// after the SDK decoded it, so a body it cannot decode is an error, as it
// was, and nothing is printed.
func TestUndecodableAnswerStillFails(t *testing.T) {
	env := answering(t, http.StatusOK, `{"battery_level":"full","firmware_build":1}`)
	r := cli(t, nil, env, "", "electric-vehicles", "get", "3fa85f64-5717-4562-b3fc-2c963f66afa6", "3fa85f64-5717-4562-b3fc-2c963f66afa6")
	if r.code != exitOther || r.stdout != "" || !strings.Contains(r.stderr, "battery_level") {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit %d naming battery_level", r.code, r.stdout, r.stderr, exitOther)
	}
}

// TestUndeclaredEchoOfSecretRedacted: a server that echoes the request's
// secret in a property the spec does not declare, as it is or JSON-escaped
// inside a URL, does not get it printed, nor named in the note; nor does
// another secret in a link's query.
func TestUndeclaredEchoOfSecretRedacted(t *testing.T) {
	const secret = "cue-secret-Hx4Lq9Wz2Rt7"
	// other is another cue's secret in a link, with its & escaped: the link
	// is redacted as a string, not as JSON text.
	const other = "other-secret-Kp3Vn8Qw"
	env := answering(t, http.StatusOK, `{"action_id":"a1","echo":"`+secret+`",`+
		`"link":"https://connect.example.com/r?a=1\u0026secret=`+secret+`","`+secret+`":true,`+
		`"other":"https://connect.example.com/r?b=2\u0026secret=`+other+`"}`)
	file := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(file, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"json", "yaml", "table"} {
		r := cli(t, nil, env, "", "cues", "report-state", "3fa85f64-5717-4562-b3fc-2c963f66afa6", "--secret-file", file, "--state", "success", "-o", format)
		if r.code != 0 || !strings.Contains(r.stdout, "a1") || !strings.Contains(r.stderr, "echo") {
			t.Fatalf("-o %s: exit %d\n%s\n%s", format, r.code, r.stdout, r.stderr)
		}
		if out := r.stdout + r.stderr; strings.Contains(out, secret) || strings.Contains(out, "Hx4Lq9Wz2Rt7") || strings.Contains(out, "Kp3Vn8Qw") {
			t.Errorf("-o %s: the output has the secret:\n%s", format, out)
		}
	}
}

// TestWaitersPrintTheLastPollAsReceived: wait-boost and wait-healthy print
// the device as their last poll received it, undeclared properties and
// numbers as sent, with the note.
func TestWaitersPrintTheLastPollAsReceived(t *testing.T) {
	settled := strings.Replace(vehicleFromTheFuture, `"is_plugged_in":true,`, `"is_plugged_in":true,"boost_state":"unavailable",`+
		`"is_authenticated":true,"connection_status":"ok","monitoring_status":"ok","steering_status":"ok",`, 1)
	env := answering(t, http.StatusOK, settled)
	const ids = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
	for _, args := range [][]string{
		{"electric-vehicles", "wait-boost", ids, ids},
		{"devices", "wait-healthy", "ev", ids, ids},
	} {
		r := cli(t, nil, env, "", append(args, "-o", "json")...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d\n%s", args[1], r.code, r.stderr)
		}
		for _, w := range []string{`"firmware_build": 9007199254740993`, `"ratio": 0.30000000000000004`, `"optimization_score": 0.12345678901234567890`} {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%s: no %s in\n%s", args[1], w, r.stdout)
			}
		}
		if !strings.Contains(r.stderr, "printed as received: battery_health, device_model.trim, firmware_build") {
			t.Errorf("%s: standard error is %q", args[1], r.stderr)
		}
	}
}
