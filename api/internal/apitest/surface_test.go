package apitest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
)

// userJSON is a UserOutput with every required field.
const userJSON = `{"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "organization_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
	"role": "user", "email": "ada@example.com", "num_inverters": 0, "num_heat_pumps": 0, "num_electric_vehicles": 1, "num_wallboxes": 0}`

// TestSuccessBodyFailures: a 2xx whose body is not what the spec declares is
// an *api.Error that names the call, the status and the request id and
// keeps the body, never a nil result with a nil error.
func TestSuccessBodyFailures(t *testing.T) {
	for _, tc := range []struct {
		name, contentType, body, want string
	}{
		{"HTML on a 200", "text/html", "<!DOCTYPE html><html><title>Login</title></html>", "text/html, not the JSON"},
		{"JSON labelled text/plain", "text/plain", userJSON, "text/plain, not the JSON"},
		{"no content type", "", userJSON, "without a Content-Type"},
		{"truncated JSON", "application/json", userJSON[:60], "not the UserOutput the spec declares"},
		{"null", "application/json", "null", "the body is null"},
		{"empty", "application/json", "", "the body is empty"},
		{"{} without the required fields", "application/json", "{}", `the required fields "id", "organization_id", "role", "email"`},
		{"one required field null", "application/json", strings.Replace(userJSON, `"ada@example.com"`, "null", 1), `the required field "email" is missing or null`},
		{"a wrong type", "application/json", strings.Replace(userJSON, `"num_wallboxes": 0`, `"num_wallboxes": "none"`, 1), "at /num_wallboxes"},
		{"trailing data", "application/json", userJSON + "}", "data after its JSON value"},
		{"an array for an object", "application/json", "[" + userJSON + "]", "not the UserOutput"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newTestAPI(t)
			c, _ := newTestClient(t, a, api.Config{})
			a.fail(func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Content-Type"] = []string{tc.contentType}
				w.Header().Set("X-Request-Id", "req-7")
				fmt.Fprint(w, tc.body)
			})
			user, err := c.GetUser(context.Background(), id)
			if user != nil {
				t.Errorf("got a user %+v with error %v", user, err)
			}
			var e *api.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %T %v, want an *api.Error", err, err)
			}
			if e.Operation != "GetUser" || e.StatusCode != 200 || e.RequestID != "req-7" || !bytes.Equal(e.Body, []byte(tc.body)) {
				t.Errorf("error %+v", e)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.want) || !strings.Contains(msg, "GetUser") || !strings.Contains(msg, "200") {
				t.Errorf("%q does not say %q", msg, tc.want)
			}
		})
	}
}

// A list answers a slice; an operation without a body only an error. The
// right body decodes, and the ids come from the client's organization.
func TestMethodShapes(t *testing.T) {
	a := newTestAPI(t)
	c, _ := newTestClient(t, a, api.Config{})
	ctx := context.Background()
	users, err := c.ListUsers(ctx, api.ListUsersParams{})
	if err != nil || len(users) != 1 || users[0].Email == "" {
		t.Fatalf("ListUsers: %v %v", users, err)
	}
	if err := c.DisarmElectricVehicleBoost(ctx, id, id); err != nil {
		t.Fatal(err)
	}
	calls := a.spec.Calls()
	if p := calls[0].Path; !strings.HasPrefix(p, "/api/partners/v2.0/org/"+id.String()+"/users") {
		t.Errorf("ListUsers went to %s", p)
	}
	if calls[1].Method != http.MethodDelete {
		t.Errorf("the disarm was a %s", calls[1].Method)
	}

	// Without an organization, an org-bound call is refused before sending.
	none, err := api.New(api.Config{BaseURL: a.URL, ClientID: testClientID, ClientSecret: testClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	before := a.apiHits()
	if _, err := none.ListUsers(ctx, api.ListUsersParams{}); err == nil || !strings.Contains(err.Error(), "Config.OrgID") {
		t.Errorf("ListUsers without an OrgID: %v", err)
	}
	// An operation outside /org/{org_id} needs none.
	if _, err := none.GetOnboardingSession(ctx, id); err != nil {
		t.Errorf("GetOnboardingSession without an OrgID: %v", err)
	}
	if n := a.apiHits() - before; n != 1 {
		t.Errorf("%d requests, want only the onboarding session's", n)
	}
}

func TestCallOptions(t *testing.T) {
	a := newTestAPI(t)
	c, w := newTestClient(t, a, api.Config{Retry: &api.RetryPolicy{MaxRetries: 5}})
	ctx := context.Background()

	// WithRetry replaces the client's policy for one call.
	a.fail(status(503), status(503))
	var info api.ResponseInfo
	_, err := c.GetUser(ctx, id, api.WithRetry(&api.RetryPolicy{MaxRetries: 1, InitialBackoff: time.Millisecond}), api.WithResponseInfo(&info))
	if !hasStatus(err, 503) || info.Attempts != 2 || info.StatusCode != 503 || len(w.all()) != 1 {
		t.Errorf("WithRetry(1): %v, info %+v, %d waits; want the 503 after 2 attempts", err, info, len(w.all()))
	}
	a.mu.Lock()
	a.faults = nil // the second 503 was not asked for
	a.mu.Unlock()

	// WithResponseInfo on success.
	if _, err := c.GetUser(ctx, id, api.WithResponseInfo(&info)); err != nil {
		t.Fatal(err)
	}
	if info.StatusCode != 200 || info.Attempts != 1 || info.Header.Get("Content-Type") != "application/json" || info.Duration <= 0 {
		t.Errorf("info %+v", info)
	}

	// WithHeader sends a header; a bad one is refused before sending.
	if _, err := c.GetUser(ctx, id, api.WithHeader("X-Trace", "abc")); err != nil {
		t.Fatal(err)
	}
	calls := a.spec.Calls()
	if got := calls[len(calls)-1].Header.Get("X-Trace"); got != "abc" {
		t.Errorf("X-Trace %q", got)
	}
	before := a.apiHits()
	for _, h := range [][2]string{{"X-Trace", "a\r\nInjected: yes"}, {"X-Bad\n", "v"}, {"Authorization", "Bearer mine"}, {"", "v"}} {
		_, err := c.GetUser(ctx, id, api.WithHeader(h[0], h[1]))
		var e *api.Error
		if !errors.As(err, &e) || !strings.Contains(err.Error(), "WithHeader") {
			t.Errorf("WithHeader(%q, %q): %v", h[0], h[1], err)
		}
	}
	if a.apiHits() != before {
		t.Errorf("a refused header was sent")
	}

	// WithTimeout bounds each attempt; a timeout is retryable.
	a.fail(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	start := time.Now()
	_, err = c.GetUser(ctx, id, api.WithTimeout(50*time.Millisecond), api.WithRetry(&api.RetryPolicy{}))
	if err == nil || !api.IsRetryable(err) || time.Since(start) > 4*time.Second {
		t.Errorf("WithTimeout: %v after %v, want a retryable timeout", err, time.Since(start))
	}
}

// go doc ./api PartnerClient lists the operation methods and the client's
// own, and nothing of oapi-codegen's.
func TestPartnerClientMethods(t *testing.T) {
	want := []string{"ForOrg", "TokenSource",
		"WaitForBoost", "WaitForOnboarding", "WaitForWallboxClaim", "WaitForDeviceHealthy", "WaitForLoadCurve",
		"UploadDayAheadPrices", "StartReauthentication", "ReportActionOutcome", "MarkInformationRead"}
	for _, op := range api.Operations {
		want = append(want, op.Name)
	}
	for _, name := range api.Paginated {
		want = append(want, name+"Iter")
	}
	var got []string
	typ := reflect.TypeOf(&api.PartnerClient{})
	for i := range typ.NumMethod() {
		got = append(got, typ.Method(i).Name)
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("PartnerClient has methods\n%v\nwant\n%v", got, want)
	}
	if _, ok := typ.Elem().FieldByName("ClientWithResponses"); ok {
		t.Error("PartnerClient embeds the generated client")
	}
}

// recordingChecker keeps what a ResponseChecker is shown.
type recordingChecker struct {
	mu   sync.Mutex
	seen []api.CheckedResponse
}

func (r *recordingChecker) CheckResponse(_ context.Context, c *api.CheckedResponse) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cp := *c
	cp.Body = bytes.Clone(c.Body)
	r.seen = append(r.seen, cp)
}

// Config.ResponseCheck sees every response: a retried 503 and the 200
// after it, with the operation's template and the body.
func TestResponseCheckSeesEveryResponse(t *testing.T) {
	a := newTestAPI(t)
	rc := &recordingChecker{}
	c, _ := newTestClient(t, a, api.Config{ResponseCheck: rc})
	a.fail(status(503))
	if _, err := c.GetUser(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if len(rc.seen) != 2 || rc.seen[0].StatusCode != 503 || rc.seen[1].StatusCode != 200 {
		t.Fatalf("the checker saw %+v", rc.seen)
	}
	got := rc.seen[1]
	if got.Operation != "GetUser" || got.Path != "/api/partners/v2.0/org/{org_id}/users/{user_id}" || !bytes.Contains(got.Body, []byte(`"email"`)) {
		t.Errorf("the checker saw %+v", got)
	}
}
