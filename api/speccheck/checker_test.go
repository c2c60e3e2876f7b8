package speccheck_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/speccheck"
)

// Paths of the operations the tests below hand responses to directly.
const (
	evPath    = "/api/partners/v2.0/org/{org_id}/users/{user_id}/electric-vehicles/{electric_vehicle_id}"
	boostPath = evPath + "/boost"
	onbPath   = "/api/partners/v2.0/device-onboarding/{onboarding_session_id}"
)

func response(op, method, path string, status int, contentType, body string) *api.CheckedResponse {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return &api.CheckedResponse{Operation: op, Method: method, Path: path, StatusCode: status, Header: h, Body: []byte(body)}
}

// collect returns a checker and a function that flushes it and returns
// what it reported.
func collect(t *testing.T, opts speccheck.Options) (*speccheck.Checker, func() []speccheck.Mismatch) {
	t.Helper()
	var mu sync.Mutex
	var got []speccheck.Mismatch
	opts.OnMismatch = func(m speccheck.Mismatch) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, m)
	}
	c, err := speccheck.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, func() []speccheck.Mismatch {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := c.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		return append([]speccheck.Mismatch(nil), got...)
	}
}

// TestResponses: bodies and headers that differ from the spec in ways
// poderotest cannot make, handed to the checker directly.
func TestResponses(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    *api.CheckedResponse
		want []string // Mismatch.String of each report
	}{
		{"conforming", response("GetElectricVehicle", "GET", evPath, 200, "application/json", `{"id":"6f1c2a4e-1b2c-4d5e-8f90-0123456789ab","battery_level":null,"actions":[]}`), nil},
		{"HTML instead of JSON", response("GetElectricVehicle", "GET", evPath, 200, "text/html; charset=utf-8", `<html></html>`),
			[]string{"GetElectricVehicle 200 (response): undeclared-content-type (spec: application/json; got text/html)"}},
		{"no content type", response("GetElectricVehicle", "GET", evPath, 200, "", `{}`),
			[]string{"GetElectricVehicle 200 (response): undeclared-content-type (spec: application/json; got no Content-Type)"}},
		{"empty body", response("GetElectricVehicle", "GET", evPath, 200, "application/json", ``),
			[]string{"GetElectricVehicle 200 (response): invalid-body (spec: a JSON body; got an empty body)"}},
		{"not JSON", response("GetElectricVehicle", "GET", evPath, 200, "application/json", `{"id":`),
			[]string{"GetElectricVehicle 200 (response): invalid-body (spec: a JSON body; got a body that is not JSON)"}},
		{"an array for an object", response("GetElectricVehicle", "GET", evPath, 200, "application/json", `[]`),
			[]string{"GetElectricVehicle 200 (response): wrong-type (spec: object; got array)"}},
		{"a body where 204 declares none", response("TriggerElectricVehicleBoost", "POST", boostPath, 204, "application/json", `{"ok":true}`),
			[]string{"TriggerElectricVehicleBoost 204 (response): undeclared-content-type (spec: no body; got application/json)"}},
		{"204 without a body", response("TriggerElectricVehicleBoost", "POST", boostPath, 204, "", ``), nil},
		{"the declared 409", response("TriggerElectricVehicleBoost", "POST", boostPath, 409, "application/json", `{"reason":"already_charging"}`), nil},
		{"a 404 the spec does not declare", response("GetElectricVehicle", "GET", evPath, 404, "application/json", `{"detail":"Not Found"}`), nil},
		{"a 500 the spec does not declare", response("GetElectricVehicle", "GET", evPath, 500, "text/html", `oops`), nil},
		{"a path the spec does not have", response("", "GET", "/api/partners/v2.0/nowhere", 200, "application/json", `{}`), nil},
		{"an object of additional properties", response("GetOnboardingSession", "GET", onbPath, 200, "application/json", `{"external_metadata":{"anything":[1,{"x":null}]}}`), nil},
		{"a wrong type in a nullable field", response("GetElectricVehicle", "GET", evPath, 200, "application/json", `{"deleted_at":42,"device_model":null}`),
			[]string{
				"GetElectricVehicle 200 /deleted_at: wrong-type (spec: string or null; got integer)",
				"GetElectricVehicle 200 /device_model: unexpected-null (spec: object; got null)",
			}},
		{"a malformed id and date", response("GetElectricVehicle", "GET", evPath, 200, "application/json", `{"id":"42","updated_at":"yesterday"}`),
			[]string{
				"GetElectricVehicle 200 /id: invalid-value (spec: format uuid; got string)",
				"GetElectricVehicle 200 /updated_at: invalid-value (spec: format date-time; got string)",
			}},
		{"a value out of range", response("GetElectricVehicle", "GET", evPath, 200, "application/json", `{"battery_level":101,"charge_target_max":-1}`),
			[]string{
				"GetElectricVehicle 200 /battery_level: invalid-value (spec: maximum 100; got integer)",
				"GetElectricVehicle 200 /charge_target_max: invalid-value (spec: minimum 0; got integer)",
			}},
		{"a fraction where an integer is declared", response("GetElectricVehicle", "GET", evPath, 200, "application/json", `{"battery_level":61.5}`),
			[]string{"GetElectricVehicle 200 /battery_level: wrong-type (spec: integer or null; got number)"}},
		{"an action without its code, and one that is not an object", response("GetElectricVehicle", "GET", evPath, 200, "application/json", `{"actions":[{}, "x"]}`),
			[]string{
				"GetElectricVehicle 200 /actions/*: wrong-type (spec: object; got string)",
				"GetElectricVehicle 200 /actions/*/code: missing-required (spec: required (the discriminator); got absent)",
			}},
		{"a pointer that needs escaping", response("GetElectricVehicle", "GET", evPath, 200, "application/json", `{"a/b~c":1}`),
			[]string{"GetElectricVehicle 200 /a~1b~0c: undeclared-property (spec: not declared; got integer)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, reported := collect(t, speccheck.Options{})
			c.CheckResponse(context.Background(), tc.r)
			var got []string
			for _, m := range reported() {
				got = append(got, m.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("reported\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tc.want, "\n\t"))
			}
		})
	}
}

// TestBodyIsCopied: the checker keeps its own copy of the body, which the
// client may reuse as soon as CheckResponse returns.
func TestBodyIsCopied(t *testing.T) {
	c, reported := collect(t, speccheck.Options{})
	r := response("GetElectricVehicle", "GET", evPath, 200, "application/json", `{"battery_level":"x"}`)
	c.CheckResponse(context.Background(), r)
	copy(r.Body, `{"battery_level":1  }`)
	if got := reported(); len(got) != 1 || got[0].Pointer != "/battery_level" {
		t.Errorf("reported %v, want the wrong type of the body as it was during the call", got)
	}
}

// TestQueueFull: a response that finds the queue full is dropped and
// counted; the call does not wait.
func TestQueueFull(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	c, err := speccheck.New(speccheck.Options{QueueSize: 1, OnMismatch: func(speccheck.Mismatch) {
		once.Do(func() { close(entered) })
		<-release
	}})
	if err != nil {
		t.Fatal(err)
	}
	bad := func(pointer string) *api.CheckedResponse {
		return response("GetElectricVehicle", "GET", evPath, 200, "application/json", `{"`+pointer+`":1}`)
	}
	c.CheckResponse(context.Background(), bad("a")) // the worker takes it and blocks reporting it
	<-entered
	c.CheckResponse(context.Background(), bad("b")) // fills the queue
	c.CheckResponse(context.Background(), bad("c")) // dropped
	// A response that finds the queue full is dropped before its body is
	// copied.
	big := response("GetElectricVehicle", "GET", evPath, 200, "application/json", strings.Repeat(" ", 64<<10))
	if allocs := testing.AllocsPerRun(10, func() { c.CheckResponse(context.Background(), big) }); allocs != 0 {
		t.Errorf("a response dropped by a full queue: %v allocations, want 0 (no copy of its body)", allocs)
	}
	close(release)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	sum := c.Summary()
	if sum.Responses != 14 || sum.Sampled != 14 || sum.Dropped != 12 || sum.Checked != 2 || len(sum.Mismatches) != 2 {
		t.Errorf("summary %+v: want 14 responses, 12 dropped, 2 checked with a mismatch each", sum)
	}
	c.CheckResponse(context.Background(), bad("d")) // after Close
	if sum := c.Summary(); sum.Dropped != 13 {
		t.Errorf("after Close, %d dropped, want 13", sum.Dropped)
	}
	if err := c.Flush(context.Background()); err != nil {
		t.Errorf("Flush after Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestSampleRate: responses not sampled are neither copied nor checked.
func TestSampleRate(t *testing.T) {
	c, reported := collect(t, speccheck.Options{SampleRate: 1e-12})
	for range 100 {
		c.CheckResponse(context.Background(), response("GetElectricVehicle", "GET", evPath, 200, "application/json", `{"x":1}`))
	}
	if got := reported(); len(got) != 0 {
		t.Errorf("reported %v at a sample rate of 1e-12", got)
	}
	if sum := c.Summary(); sum.Responses != 100 || sum.Sampled != 0 || sum.Checked != 0 {
		t.Errorf("summary %+v: want 100 responses, none sampled", sum)
	}
}

// TestSampleRateHalf: at a rate of 0.5, about half the responses are
// sampled (2,000 responses: the band is over 8 standard deviations wide).
func TestSampleRateHalf(t *testing.T) {
	c, _ := collect(t, speccheck.Options{SampleRate: 0.5})
	r := response("GetElectricVehicle", "GET", evPath, 200, "application/json", `{}`)
	for range 2000 {
		c.CheckResponse(context.Background(), r)
	}
	if sum := c.Summary(); sum.Responses != 2000 || sum.Sampled < 800 || sum.Sampled > 1200 {
		t.Errorf("summary %+v: want 2000 responses, 800 to 1200 sampled", sum)
	}
}

// TestTallyTypes: a mismatch's Types are the JSON types seen at its pointer
// in every response that had it, not only the first.
func TestTallyTypes(t *testing.T) {
	c, reported := collect(t, speccheck.Options{})
	c.CheckResponse(context.Background(), response("GetElectricVehicle", "GET", evPath, 200, "application/json", `{"undeclared":"s"}`))
	c.CheckResponse(context.Background(), response("GetElectricVehicle", "GET", evPath, 200, "application/json", `{"undeclared":null}`))
	reported()
	var found bool
	for _, tally := range c.Summary().Mismatches {
		if tally.Pointer != "/undeclared" {
			continue
		}
		found = true
		if got := strings.Join(tally.Types(), " "); got != "null string" || tally.Responses != 2 {
			t.Errorf("/undeclared: types %q in %d responses, want \"null string\" in 2", got, tally.Responses)
		}
	}
	if !found {
		t.Errorf("no mismatch at /undeclared: %+v", c.Summary().Mismatches)
	}
}

// TestSkipReasons: each reason a sampled response is not checked has its
// own count.
func TestSkipReasons(t *testing.T) {
	c, reported := collect(t, speccheck.Options{MaxBodySize: 64})
	c.CheckResponse(context.Background(), response("", "GET", "/api/partners/v2.0/nowhere", 200, "application/json", `{}`))
	c.CheckResponse(context.Background(), response("GetElectricVehicle", "GET", evPath, 404, "application/json", `{"detail":"Not Found"}`))
	c.CheckResponse(context.Background(), response("GetElectricVehicle", "GET", evPath, 200, "application/json", `{"x":"`+strings.Repeat("y", 64)+`"}`))
	reported()
	if sum := c.Summary(); sum.UnknownPath != 1 || sum.UndeclaredError != 1 || sum.TooLarge != 1 || sum.Checked != 0 {
		t.Errorf("summary %+v: want one response skipped for each reason", sum)
	}
}

// TestMaxBodySize: a body over the limit is skipped.
func TestMaxBodySize(t *testing.T) {
	c, reported := collect(t, speccheck.Options{MaxBodySize: 8})
	c.CheckResponse(context.Background(), response("GetElectricVehicle", "GET", evPath, 200, "application/json", `{"undeclared":1}`))
	if got := reported(); len(got) != 0 {
		t.Errorf("reported %v for a body over MaxBodySize", got)
	}
	if sum := c.Summary(); sum.TooLarge != 1 || sum.UnknownPath != 0 || sum.UndeclaredError != 0 || sum.Checked != 0 {
		t.Errorf("summary %+v: want the response skipped", sum)
	}
}

func TestOptions(t *testing.T) {
	for _, opts := range []speccheck.Options{{SampleRate: -0.1}, {SampleRate: 1.5}, {QueueSize: -1}, {MaxBodySize: -1}} {
		if _, err := speccheck.New(opts); err == nil {
			t.Errorf("New(%+v) accepted it", opts)
		}
	}
	c, err := speccheck.New(speccheck.Options{SampleRate: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil { // never used: no goroutine to wait for but the one Close starts
		t.Fatal(err)
	}
}

// TestFlushContext: Flush gives up when its context ends.
func TestFlushContext(t *testing.T) {
	release := make(chan struct{})
	c, err := speccheck.New(speccheck.Options{OnMismatch: func(speccheck.Mismatch) { <-release }})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { close(release); _ = c.Close() }()
	c.CheckResponse(context.Background(), response("GetElectricVehicle", "GET", evPath, 200, "application/json", `{"x":1}`))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Flush(ctx); err != context.Canceled {
		t.Errorf("Flush with a cancelled context: %v", err)
	}
}
