package api

import (
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestOperationName(t *testing.T) {
	const base = "/api/partners/v2.0/org/o/users/u"
	for _, tc := range []struct{ method, path, want string }{
		{"GET", base + "/electric-vehicles/e", "GetElectricVehicle"},
		{"PUT", base + "/electric-vehicles/e", "UpdateElectricVehicle"},
		{"GET", base + "/wallboxes/w/hems-sessions/current", "GetCurrentWallboxHEMSSession"},
		{"GET", base + "/wallboxes/w/hems-sessions/17", "GetWallboxHEMSSession"},
		{"GET", "/proxy/prefix" + base + "/electric-vehicles/e/sessions", "ListElectricVehicleSessions"},
		{"POST", "/api/partners/v2.0/cues/c/resolve", "ResolveCue"},
		{"GET", "/api/partners/v2.0/nothing/here", ""},
		{"DELETE", base, ""},
	} {
		if got := lookupOperation(tc.method, tc.path).name; got != tc.want {
			t.Errorf("lookupOperation(%s %s) = %q, want %q", tc.method, tc.path, got, tc.want)
		}
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"1", time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"-5", 0, false},
		{"soon", 0, false},
		{"", 0, false},
		// Too large for an int64: longer than any MaxRetryAfter, so no retry.
		{"99999999999999999999", maxRetryAfter, true},
		{"9223372036854775807", maxRetryAfter, true},
		{"-99999999999999999999", 0, false},
	} {
		got, ok := retryAfter(http.Header{"Retry-After": {tc.v}}, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Retry-After %q: %v %v, want %v %v", tc.v, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBackoffDoesNotOverflow(t *testing.T) {
	p := RetryPolicy{InitialBackoff: time.Second, MaxBackoff: math.MaxInt64}.withDefaults()
	for n := 1; n <= 100; n++ {
		if d := p.backoff(n); d <= 0 {
			t.Fatalf("backoff(%d) = %v", n, d)
		}
	}
}

func TestBackoffIsCappedAndJittered(t *testing.T) {
	p := RetryPolicy{InitialBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}.withDefaults()
	for n := 1; n <= 40; n++ {
		full := min(100*time.Millisecond<<min(n-1, 20), time.Second)
		for range 20 {
			if d := p.backoff(n); d < full/2 || d > full {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", n, d, full/2, full)
			}
		}
	}
}

// FuzzErrorBody: any body and status give an *Error with a message, never a
// panic.
func FuzzErrorBody(f *testing.F) {
	for _, seed := range []string{
		`{"detail": "Not Found"}`,
		`{"detail": [{"loc": ["body", "email", 0], "msg": "field required", "type": "missing"}]}`,
		`{"detail": [{"loc": [{"x": 1}, null, 1.5], "msg": 5}]}`,
		`{"state": "ongoing", "reason": "already_charging"}`,
		`<!DOCTYPE html><html><title>502 Bad Gateway</title></html>`,
		`<html><title>`, "\xff\xfe", "", `{"detail": null}`, `[1,2]`,
	} {
		f.Add(seed, 409, "application/json")
	}
	f.Fuzz(func(t *testing.T, body string, status int, contentType string) {
		ops := []string{"", "TriggerElectricVehicleBoost", "GetUser"}
		e := newError(ops[uint(status)%3], "GET", "/x", status, http.Header{"Content-Type": {contentType}}, []byte(body), "")
		msg := e.Error()
		if !strings.HasPrefix(msg, "podero: ") || len(e.Body) > MaxErrorBody {
			t.Fatalf("bad error %q", msg)
		}
		if len(e.Message) > 300 && len(e.Validation) == 0 && !strings.Contains(body, `"detail"`) {
			t.Fatalf("message not bounded: %d bytes", len(e.Message))
		}
	})
}
