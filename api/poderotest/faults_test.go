package poderotest_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
	apiraw "github.com/podero-go/podero/api/raw"
	"github.com/podero-go/podero/oauth"
)

// TestFailNext: two 503s, then the call goes through; a client that
// retries by hand sees exactly that.
func TestFailNext(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	srv.FailNext(2, http.StatusServiceUnavailable, 0)

	var statuses []int
	for range 5 {
		r, err := c.ListUsersWithResponse(ctx, srv.OrgID, nil)
		if err != nil {
			t.Fatal(err)
		}
		statuses = append(statuses, r.StatusCode())
		if r.StatusCode() == http.StatusServiceUnavailable {
			if r.HTTPResponse.Header.Get("Retry-After") != "" {
				t.Error("a 503 without retryAfter carries Retry-After")
			}
			continue
		}
		break
	}
	if want := []int{503, 503, 200}; !slices.Equal(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
	var failed []string
	for _, r := range srv.Requests() {
		if r.Status == http.StatusServiceUnavailable {
			failed = append(failed, r.OperationID)
		}
	}
	if len(failed) != 2 || failed[0] == "" {
		t.Errorf("Requests() shows failed operations %q, want two named", failed)
	}
}

func TestFailNextTooManyRequests(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	for _, tc := range []struct {
		retryAfter time.Duration
		header     string
	}{{0, "0"}, {1500 * time.Millisecond, "2"}} {
		srv.FailNext(1, http.StatusTooManyRequests, tc.retryAfter)
		r, err := c.ListUsersWithResponse(ctx, srv.OrgID, nil)
		expect(t, r, err, 429)
		if got := r.HTTPResponse.Header.Get("Retry-After"); got != tc.header {
			t.Errorf("retryAfter %v: Retry-After %q, want %q", tc.retryAfter, got, tc.header)
		}
		var problem struct{ Detail string }
		decode(t, r.Body, &problem)
		if problem.Detail != "Too Many Requests" {
			t.Errorf("429 body %s", r.Body)
		}
	}
	r, err := c.ListUsersWithResponse(ctx, srv.OrgID, nil)
	expect(t, r, err, 200)
}

func TestFailNextSparesTokenRequests(t *testing.T) {
	srv, c := setup(t)
	srv.FailNext(1, http.StatusBadGateway, 0)
	// The first call fetches a token, which must succeed, then fails.
	r, err := c.ListUsersWithResponse(context.Background(), srv.OrgID, nil)
	expect(t, r, err, 502)
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("TokenRequests() = %d, want 1", n)
	}
}

// TestLatency runs in a synctest bubble with an in-process server, so the
// latency's waits are on the bubble's fake clock and measured exactly.
func TestLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := poderotest.NewInProcessServer()
		defer srv.Close()
		ts, err := oauth.NewTokenSource(oauth.Config{ClientID: srv.ClientID, ClientSecret: srv.ClientSecret,
			TokenURL: srv.TokenURL, HTTPClient: srv.Client()})
		if err != nil {
			t.Fatal(err)
		}
		c, err := apiraw.NewClientWithResponses(srv.URL, apiraw.WithHTTPClient(srv.Client()),
			apiraw.WithRequestEditorFn(oauth.RequestEditor(ts)))
		if err != nil {
			t.Fatal(err)
		}
		const d = 30 * time.Millisecond
		srv.SetLatency(d)
		start := time.Now()
		r, err := c.ListUsersWithResponse(context.Background(), srv.OrgID, nil)
		expect(t, r, err, 200)
		// Two requests: the token, then the call.
		if took := time.Since(start); took != 2*d {
			t.Errorf("the call took %v, want %v", took, 2*d)
		}

		// A client deadline shorter than the latency ends the call at the
		// deadline, not when the latency is over.
		srv.SetLatency(time.Hour)
		const deadline = 20 * time.Millisecond
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		start = time.Now()
		_, err = c.ListUsersWithResponse(ctx, srv.OrgID, nil)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want the context's deadline", err)
		}
		if took := time.Since(start); took != deadline {
			t.Errorf("the cancelled call took %v, want %v", took, deadline)
		}
	})
}

// TestRequestsAreCopies: what Requests returns can be changed without
// changing what the server keeps.
func TestRequestsAreCopies(t *testing.T) {
	srv, c := setup(t)
	r, err := c.ListUsersWithResponse(context.Background(), srv.OrgID, nil)
	expect(t, r, err, 200)
	first := srv.Requests()
	if len(first) != 2 || len(first[0].Body) == 0 {
		t.Fatalf("Requests() = %+v, want the token request with its body, then the call", first)
	}
	body := string(first[0].Body)
	first[0].Body[0] = 'X'
	first[0].Header.Set("Authorization", "changed")
	first[1].Header.Del("Authorization")
	again := srv.Requests()
	if string(again[0].Body) != body || again[0].Header.Get("Authorization") == "changed" || again[1].Header.Get("Authorization") == "" {
		t.Errorf("changing a returned Request changed the server's: %+v", again)
	}
}

// TestFailNextOp: only the named operation fails, n times, with the status
// and a detail; other operations, and the same path with another method,
// go through; FailNext still works beside it.
func TestFailNextOp(t *testing.T) {
	srv := poderotest.New(t)
	tok := token(t, srv)
	uid := newUser(t, srv, tok, "a@example.com")
	userURL := path(srv, "/users/"+uid)
	srv.FailNextOp("GetUser", 2, http.StatusServiceUnavailable)
	srv.FailNextOp("integrations_api_api_v2_organizations_users_router_retrieve_organization_users", 1, http.StatusTooManyRequests)

	var got []int
	for range 3 {
		status, body := call(t, http.MethodGet, userURL, tok, nil)
		got = append(got, status)
		if status == 503 && !strings.Contains(string(body), `"detail":"Service Unavailable"`) {
			t.Errorf("503 body %s", body)
		}
		// UpdateUser has the same path; it is not failed.
		if status, _ := call(t, http.MethodPut, userURL, tok, map[string]any{"first_name": "Ada"}); status != 200 {
			t.Errorf("UpdateUser: %d, want 200", status)
		}
	}
	if want := []int{503, 503, 200}; !slices.Equal(got, want) {
		t.Errorf("GetUser statuses %v, want %v", got, want)
	}
	req, _ := http.NewRequest(http.MethodGet, path(srv, "/users"), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "0" {
		t.Errorf("ListUsers: %d with Retry-After %q, want 429 with 0", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	// FailNext beside it; FailNextOp's failure is used first, then
	// FailNext's; n = 0 cancels.
	srv.FailNextOp("GetUser", 1, http.StatusBadGateway)
	srv.FailNext(1, http.StatusInternalServerError, 0)
	var seq []int
	for range 3 {
		status, _ := call(t, http.MethodGet, userURL, tok, nil)
		seq = append(seq, status)
	}
	if want := []int{502, 500, 200}; !slices.Equal(seq, want) {
		t.Errorf("GetUser with FailNextOp and FailNext: %v, want %v", seq, want)
	}
	srv.FailNextOp("GetUser", 5, http.StatusBadGateway)
	srv.FailNextOp("GetUser", 0, http.StatusBadGateway)
	if status, _ := call(t, http.MethodGet, userURL, tok, nil); status != 200 {
		t.Errorf("after FailNextOp(..., 0, ...): %d", status)
	}

	defer func() {
		if msg, _ := recover().(string); !strings.Contains(msg, "unknown operation") {
			t.Errorf("FailNextOp of an unknown operation: panic %q", msg)
		}
	}()
	srv.FailNextOp("NoSuchOperation", 1, 500)
}

// TestFailNextOpZeroCancels: FailNextOp(op, 0, 0) cancels the failures
// pending for op, as its doc says, rather than panicking on status 0
// (issue 24, item 9).
func TestFailNextOpZeroCancels(t *testing.T) {
	srv := poderotest.New(t)
	tok := token(t, srv)
	userURL := path(srv, "/users/"+newUser(t, srv, tok, "a@example.com"))
	srv.FailNextOp("GetUser", 3, http.StatusServiceUnavailable)
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("FailNextOp(op, 0, 0) panicked: %v", p)
			}
		}()
		srv.FailNextOp("GetUser", 0, 0)
	}()
	if status, _ := call(t, http.MethodGet, userURL, tok, nil); status != 200 {
		t.Errorf("GetUser after FailNextOp(GetUser, 0, 0): %d, want 200", status)
	}
	defer func() {
		if msg, _ := recover().(string); !strings.Contains(msg, "not an HTTP status") {
			t.Errorf("FailNextOp(op, 1, 0): panic %q, want one about the status", msg)
		}
	}()
	srv.FailNextOp("GetUser", 1, 0)
}

// TestDropNextAnswers: the request is carried out, but the client gets no
// answer; a boost sent again then meets the boost the first one armed.
func TestDropNextAnswers(t *testing.T) {
	srv := poderotest.New(t)
	c, err := api.New(srv.Config())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	u, err := c.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: "a@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := srv.AddDevice(u.ID, poderotest.ElectricVehicle)
	if err := srv.SetVehicleState(ev, poderotest.VehicleState{PluggedIn: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	srv.DropNextAnswers("TriggerElectricVehicleBoost", 1)
	if err := c.TriggerElectricVehicleBoost(ctx, u.ID, ev); err == nil {
		t.Fatal("a dropped answer reached the client")
	}
	got, err := c.GetElectricVehicle(ctx, u.ID, ev)
	if err != nil || got.GetBoostState() != api.BoostStateRequested {
		t.Fatalf("after the dropped answer: %v, %v; want the boost requested", got.GetBoostState(), err)
	}
	err = c.TriggerElectricVehicleBoost(ctx, u.ID, ev)
	if !api.IsConflict(err) {
		t.Fatalf("the boost again: %v, want 409", err)
	}
}
