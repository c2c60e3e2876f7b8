package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/benchdata"
)

// scriptAPI answers each API request with the next status of its script
// (200 with an empty list once the script is done), serves tokens, and
// records the requests' headers.
type scriptAPI struct {
	*httptest.Server
	mu      sync.Mutex
	script  []int
	headers []http.Header
	tokens  atomic.Int32
}

func newScriptAPI(t *testing.T, script ...int) *scriptAPI {
	a := &scriptAPI{script: script}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/oauth2/token/" {
			a.tokens.Add(1)
			w.Write([]byte(`{"access_token":"tok-mw-0123456789","token_type":"Bearer","expires_in":3600}`))
			return
		}
		a.mu.Lock()
		a.headers = append(a.headers, r.Header.Clone())
		status := http.StatusOK
		if len(a.script) > 0 {
			status, a.script = a.script[0], a.script[1:]
		}
		a.mu.Unlock()
		if status != http.StatusOK {
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"detail": %q}`, http.StatusText(status))
			return
		}
		w.Write([]byte(`[]`))
	}))
	t.Cleanup(a.Close)
	return a
}

func (a *scriptAPI) sent() []http.Header {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.headers)
}

func newMiddlewareClient(t *testing.T, a *scriptAPI, mw ...api.Middleware) *api.PartnerClient {
	c, err := api.New(api.Config{BaseURL: a.URL, OrgID: prodOrg, ClientID: "id", ClientSecret: "secret-0123456789",
		Clock: &stepClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}, Middleware: mw})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// recorder is a middleware that writes what it sees into a shared log.
type recorder struct {
	mu  *sync.Mutex
	log *[]string
}

func (r recorder) add(s string) {
	r.mu.Lock()
	*r.log = append(*r.log, s)
	r.mu.Unlock()
}

func (r recorder) mw(name string) api.Middleware {
	return api.Middleware{
		Call: func(ctx context.Context, c *api.Call, next api.Next) error {
			r.add(name + " call " + c.Operation)
			err := next(ctx)
			r.add(fmt.Sprintf("%s call %s done: %d attempts, status %d", name, c.Operation, c.Info.Attempts, c.Info.StatusCode))
			return err
		},
		Attempt: func(ctx context.Context, a *api.Attempt, next api.Next) error {
			r.add(fmt.Sprintf("%s attempt %s %d", name, a.Call.Operation, a.N))
			err := next(ctx)
			r.add(fmt.Sprintf("%s attempt %s %d: %d", name, a.Call.Operation, a.N, a.StatusCode))
			return err
		},
	}
}

// TestMiddlewareOrder: the client's middleware run in order, the first
// outermost, then the call's own; each sees the call once and each of its
// attempts; the token request is a call of its own for the client's only.
func TestMiddlewareOrder(t *testing.T) {
	a := newScriptAPI(t, http.StatusServiceUnavailable)
	var mu sync.Mutex
	var log []string
	r := recorder{&mu, &log}
	c := newMiddlewareClient(t, a, r.mw("A"), r.mw("B"))
	if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}, api.WithMiddleware(r.mw("C"), r.mw("D"))); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"A call ListUsers", "B call ListUsers", "C call ListUsers", "D call ListUsers",
		// The first attempt needs a token: a call of its own, inside the
		// call's, for the client's middleware.
		"A call Token", "B call Token",
		"A attempt Token 1", "B attempt Token 1", "B attempt Token 1: 200", "A attempt Token 1: 200",
		"B call Token done: 1 attempts, status 200", "A call Token done: 1 attempts, status 200",
		"A attempt ListUsers 1", "B attempt ListUsers 1", "C attempt ListUsers 1", "D attempt ListUsers 1",
		"D attempt ListUsers 1: 503", "C attempt ListUsers 1: 503", "B attempt ListUsers 1: 503", "A attempt ListUsers 1: 503",
		"A attempt ListUsers 2", "B attempt ListUsers 2", "C attempt ListUsers 2", "D attempt ListUsers 2",
		"D attempt ListUsers 2: 200", "C attempt ListUsers 2: 200", "B attempt ListUsers 2: 200", "A attempt ListUsers 2: 200",
		"D call ListUsers done: 2 attempts, status 200", "C call ListUsers done: 2 attempts, status 200",
		"B call ListUsers done: 2 attempts, status 200", "A call ListUsers done: 2 attempts, status 200",
	}
	if !slices.Equal(log, want) {
		t.Errorf("the middleware saw\n\t%s\nwant\n\t%s", strings.Join(log, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// TestMiddlewarePerCall: 200 goroutines, each with a middleware of its own
// for its call, see their own call and attempts only.
func TestMiddlewarePerCall(t *testing.T) {
	t.Parallel()
	a := newScriptAPI(t)
	c := newMiddlewareClient(t, a)
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			me := strconv.Itoa(i)
			var calls, attempts int
			mine := api.Middleware{
				Call: func(ctx context.Context, call *api.Call, next api.Next) error {
					calls++
					if call.Header.Get("X-Goroutine") != me {
						t.Errorf("goroutine %s saw the call of %q", me, call.Header.Get("X-Goroutine"))
					}
					return next(ctx)
				},
				Attempt: func(ctx context.Context, at *api.Attempt, next api.Next) error {
					attempts++
					if at.Header.Get("X-Goroutine") != me {
						t.Errorf("goroutine %s saw an attempt of %q", me, at.Header.Get("X-Goroutine"))
					}
					return next(ctx)
				},
			}
			if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}, api.WithHeader("X-Goroutine", me), api.WithMiddleware(mine)); err != nil {
				t.Error(err)
			}
			if calls != 1 || attempts != 1 {
				t.Errorf("goroutine %s saw %d calls and %d attempts, want its one", me, calls, attempts)
			}
		})
	}
	wg.Wait()
	if n := len(a.sent()); n != 200 {
		t.Errorf("%d requests, want 200", n)
	}
}

// TestMiddlewareHeaders: a Call hook's header goes with every attempt, an
// Attempt hook's with its attempt; neither hook ever sees the token or the
// client credentials, though the requests carry them.
func TestMiddlewareHeaders(t *testing.T) {
	a := newScriptAPI(t, http.StatusBadGateway)
	var leaks atomic.Int32
	check := func(h http.Header) {
		if h.Get("Authorization") != "" {
			leaks.Add(1)
		}
	}
	c := newMiddlewareClient(t, a, api.Middleware{
		Call: func(ctx context.Context, call *api.Call, next api.Next) error {
			check(call.Header)
			if call.Kind == api.CallOperation {
				call.Header.Set("X-Call", "c1")
			}
			err := next(ctx)
			check(call.Header)
			return err
		},
		Attempt: func(ctx context.Context, at *api.Attempt, next api.Next) error {
			check(at.Header)
			at.Header.Set("X-Attempt", strconv.Itoa(at.N))
			err := next(ctx)
			check(at.Header)
			return err
		},
	})
	if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}); err != nil {
		t.Fatal(err)
	}
	sent := a.sent()
	if len(sent) != 2 {
		t.Fatalf("%d requests, want 2", len(sent))
	}
	for i, h := range sent {
		if h.Get("X-Call") != "c1" || h.Get("X-Attempt") != strconv.Itoa(i+1) || h.Get("Authorization") != "Bearer tok-mw-0123456789" {
			t.Errorf("request %d: X-Call %q, X-Attempt %q, Authorization %q", i+1, h.Get("X-Call"), h.Get("X-Attempt"), h.Get("Authorization"))
		}
	}
	if leaks.Load() != 0 {
		t.Errorf("the middleware saw an Authorization header %d times", leaks.Load())
	}
}

var errRefused = errors.New("refused by policy")

// TestMiddlewareShortCircuit: a Call hook that returns an error without
// calling next sends nothing; the call returns an *Error that names it and
// wraps the hook's error. So does an Attempt hook, whose error ends the
// call without a retry.
func TestMiddlewareShortCircuit(t *testing.T) {
	a := newScriptAPI(t)
	c := newMiddlewareClient(t, a)
	for name, mw := range map[string]api.Middleware{
		"call": {Call: func(ctx context.Context, call *api.Call, next api.Next) error {
			if call.Kind == api.CallOperation {
				return errRefused
			}
			return next(ctx)
		}},
		"attempt": {Attempt: func(ctx context.Context, at *api.Attempt, next api.Next) error {
			if at.Call.Kind == api.CallOperation {
				return errRefused
			}
			return next(ctx)
		}},
	} {
		users, err := c.ListUsers(context.Background(), api.ListUsersParams{}, api.WithMiddleware(mw))
		var e *api.Error
		if users != nil || !errors.As(err, &e) || !errors.Is(err, errRefused) || e.Operation != "ListUsers" || !strings.Contains(err.Error(), "refused by policy") {
			t.Errorf("%s: got %v, %v; want an *api.Error of ListUsers wrapping the middleware's", name, users, err)
		}
	}
	if n := len(a.sent()); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
	// A hook that returns nil without calling next has no result to give.
	_, err := c.ListUsers(context.Background(), api.ListUsersParams{}, api.WithMiddleware(api.Middleware{
		Call: func(context.Context, *api.Call, api.Next) error { return nil },
	}))
	if err == nil || !strings.Contains(err.Error(), "without sending the call") {
		t.Errorf("got %v, want an error that says the call was not sent", err)
	}
	// Nor can it hide a failure: there is no result.
	a.mu.Lock()
	a.script = []int{http.StatusNotFound}
	a.mu.Unlock()
	users, err := c.ListUsers(context.Background(), api.ListUsersParams{}, api.WithMiddleware(api.Middleware{
		Call: func(ctx context.Context, _ *api.Call, next api.Next) error { next(ctx); return nil },
	}))
	if users != nil || !api.IsNotFound(err) {
		t.Errorf("got %v, %v; want the 404", users, err)
	}
}

// TestMiddlewareRetries: a Call hook may send the call again, here after a
// 404 that it knows to be passing; the call returns the second answer.
func TestMiddlewareRetries(t *testing.T) {
	a := newScriptAPI(t, http.StatusNotFound)
	c := newMiddlewareClient(t, a, api.Middleware{Call: func(ctx context.Context, call *api.Call, next api.Next) error {
		err := next(ctx)
		if api.IsNotFound(err) {
			err = next(ctx)
		}
		return err
	}})
	var info api.ResponseInfo
	users, err := c.ListUsers(context.Background(), api.ListUsersParams{}, api.WithResponseInfo(&info))
	if err != nil || users == nil || len(a.sent()) != 2 || info.StatusCode != http.StatusOK {
		t.Errorf("got %v, %v after %d requests (info %+v), want the list after 2", users, err, len(a.sent()), info)
	}
}

// TestMiddlewareSeesCall: what a middleware is told of a call and its
// attempts.
func TestMiddlewareSeesCall(t *testing.T) {
	a := newScriptAPI(t, http.StatusServiceUnavailable, http.StatusNotFound)
	var calls []api.Call
	var attempts []api.Attempt
	c := newMiddlewareClient(t, a, api.Middleware{
		Call: func(ctx context.Context, call *api.Call, next api.Next) error {
			err := next(ctx)
			calls = append(calls, *call)
			return err
		},
		Attempt: func(ctx context.Context, at *api.Attempt, next api.Next) error {
			err := next(ctx)
			attempts = append(attempts, *at)
			return err
		},
	})
	user := api.UUID{7}
	_, err := c.GetUser(context.Background(), user)
	if !api.IsNotFound(err) {
		t.Fatalf("got %v, want the 404", err)
	}
	if len(calls) != 2 || len(attempts) != 3 {
		t.Fatalf("%d calls, %d attempts; want the token's and GetUser's, 1 + 2 attempts", len(calls), len(attempts))
	}
	tok, get := calls[0], calls[1]
	if tok.Kind != api.CallToken || tok.Operation != "Token" || tok.Method != "POST" || tok.Path != "/oauth2/token/" || tok.Header != nil {
		t.Errorf("token call %+v", tok)
	}
	if get.Kind != api.CallOperation || get.Operation != "GetUser" || get.Method != "GET" ||
		get.Path != "/api/partners/v2.0/org/{org_id}/users/{user_id}" || get.Org != prodOrg || get.Priority != api.PriorityNormal ||
		get.Info.Attempts != 2 || get.Info.StatusCode != http.StatusNotFound || get.Info.Duration <= 0 {
		t.Errorf("GetUser call %+v", get)
	}
	wantURL := a.URL + "/api/partners/v2.0/org/" + prodOrg.String() + "/users/" + user.String()
	for i, at := range attempts[1:] {
		if at.N != i+1 || at.URL != wantURL || at.StatusCode != []int{503, 404}[i] || at.Err != nil || at.ResponseHeader.Get("Content-Type") != "application/json" {
			t.Errorf("attempt %d: %+v", i+1, at)
		}
	}
	if at := attempts[0]; at.URL != a.URL+"/oauth2/token/" || at.StatusCode != 200 || at.N != 1 {
		t.Errorf("token attempt %+v", at)
	}
}

// TestMiddlewareEvents: a waiter is a call of kind CallWait whose polls
// are told to Event in the wait's context; an iterator's pages are told
// in the iterator's.
func TestMiddlewareEvents(t *testing.T) {
	polls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/oauth2/token/":
			w.Write([]byte(`{"access_token":"tok-ev-0123456789","token_type":"Bearer","expires_in":3600}`))
		case strings.HasSuffix(r.URL.Path, "/sessions"):
			offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
			limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
			items := []any{}
			for i := offset; i < min(offset+limit, 5); i++ {
				items = append(items, benchdata.Session(i))
			}
			json.NewEncoder(w).Encode(map[string]any{"total": 5, "items": items})
		default: // the vehicle: the boost starts at the third poll
			polls++
			ev := benchdata.EV()
			if polls < 3 {
				ev = bytes.Replace(ev, []byte(`"boost_state":"ongoing"`), []byte(`"boost_state":"requested"`), 1)
			}
			w.Write(ev)
		}
	}))
	defer srv.Close()
	type key struct{}
	var log []string
	mw := api.Middleware{
		Call: func(ctx context.Context, c *api.Call, next api.Next) error {
			if c.Kind != api.CallWait {
				log = append(log, c.Operation)
				return next(ctx)
			}
			log = append(log, "wait "+c.Operation)
			err := next(context.WithValue(ctx, key{}, c.Operation))
			log = append(log, fmt.Sprintf("wait %s done: %d polls", c.Operation, c.Info.Attempts))
			return err
		},
		Event: func(ctx context.Context, e *api.Event) {
			in, _ := ctx.Value(key{}).(string)
			log = append(log, fmt.Sprintf("%v %s %d done=%v in %q", e.Kind, e.Name, e.N, e.Done, in))
		},
	}
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: prodOrg, ClientID: "id", ClientSecret: "secret-0123456789",
		Clock: &stepClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}, Middleware: []api.Middleware{mw}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitForBoost(context.Background(), prodOrg, prodOrg); err != nil {
		t.Fatal(err)
	}
	limit := 2
	n := 0
	for _, err := range c.ListElectricVehicleSessionsIter(context.Background(), prodOrg, prodOrg, api.ListElectricVehicleSessionsParams{Limit: &limit}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	want := []string{
		"wait WaitForBoost", "GetElectricVehicle", "Token",
		`poll WaitForBoost 1 done=false in "WaitForBoost"`,
		"GetElectricVehicle", `poll WaitForBoost 2 done=false in "WaitForBoost"`,
		"GetElectricVehicle", `poll WaitForBoost 3 done=true in "WaitForBoost"`,
		"wait WaitForBoost done: 3 polls",
		"ListElectricVehicleSessions", `page ListElectricVehicleSessions 1 done=false in ""`,
		"ListElectricVehicleSessions", `page ListElectricVehicleSessions 2 done=false in ""`,
		"ListElectricVehicleSessions", `page ListElectricVehicleSessions 3 done=true in ""`,
	}
	if n != 5 || !slices.Equal(log, want) {
		t.Errorf("%d sessions; the middleware saw\n\t%s\nwant\n\t%s", n, strings.Join(log, "\n\t"), strings.Join(want, "\n\t"))
	}
}
