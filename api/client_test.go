package api_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/specserver"
)

const (
	testClientID     = "client-id-123"
	testClientSecret = "s3cr3t-VALUE-xyz"
)

var id = uuid.MustParse(specserver.SampleUUID)

// testAPI is a loopback Podero: a token endpoint at the guides' path and
// the spec-validating API server, in front of which a test can put faults.
type testAPI struct {
	*httptest.Server
	spec   *specserver.Handler
	tokens atomic.Int64 // token requests

	mu     sync.Mutex
	faults []http.HandlerFunc // answer the next requests, one each
	hits   int                // API requests, faults included
}

func newTestAPI(t *testing.T) *testAPI {
	t.Helper()
	h, err := specserver.NewHandler()
	if err != nil {
		t.Fatal(err)
	}
	a := &testAPI{spec: h}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/token/", func(w http.ResponseWriter, r *http.Request) {
		n := a.tokens.Add(1)
		if id, secret, ok := r.BasicAuth(); !ok || id != testClientID || secret != testClientSecret {
			specserver.WriteJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
			return
		}
		specserver.WriteJSON(w, http.StatusOK, map[string]any{
			"access_token": fmt.Sprintf("token-%d", n), "expires_in": 36000, "token_type": "Bearer", "scope": "read write",
		})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.hits++
		var fault http.HandlerFunc
		if len(a.faults) > 0 {
			fault, a.faults = a.faults[0], a.faults[1:]
		}
		a.mu.Unlock()
		if fault != nil {
			fault(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
	a.Server = httptest.NewServer(mux)
	t.Cleanup(a.Close)
	return a
}

// fail queues answers for the next API requests.
func (a *testAPI) fail(faults ...http.HandlerFunc) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.faults = append(a.faults, faults...)
}

func (a *testAPI) apiHits() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.hits
}

func status(code int, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		specserver.WriteJSON(w, code, map[string]string{"detail": http.StatusText(code)})
	}
}

// resetMidBody sends the headers and half a body, then drops the connection.
func resetMidBody(w http.ResponseWriter, r *http.Request) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"id\": \"3fa8")
	buf.Flush()
	if tcp, ok := conn.(*net.TCPConn); ok {
		tcp.SetLinger(0) // a reset, not a clean close
	}
	conn.Close()
}

// waits records the client's waits between attempts instead of sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

func newTestClient(t *testing.T, a *testAPI, cfg api.Config) (*api.PartnerClient, *waits) {
	t.Helper()
	cfg.BaseURL = a.URL
	cfg.ClientID, cfg.ClientSecret = testClientID, testClientSecret
	if cfg.OrgID == (api.UUID{}) {
		cfg.OrgID = id
	}
	c, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	w := &waits{}
	api.SetSleep(c, w.sleep)
	return c, w
}

func getEV(c *api.PartnerClient) (*api.ElectricVehicleOutput, error) {
	return c.GetElectricVehicle(context.Background(), id, id)
}

func triggerBoost(c *api.PartnerClient) error {
	return c.TriggerElectricVehicleBoost(context.Background(), id, id)
}

func TestRetriesIdempotentOnly(t *testing.T) {
	a := newTestAPI(t)
	c, w := newTestClient(t, a, api.Config{})

	a.fail(status(503), status(503))
	ev, err := getEV(c)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	if ev == nil || a.apiHits() != 3 || len(w.all()) != 2 {
		t.Fatalf("GET: %v after %d requests and %d waits, want the vehicle after 3 and 2", ev, a.apiHits(), len(w.all()))
	}

	a.fail(status(503), status(503))
	err = triggerBoost(c)
	var apiErr *api.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 || apiErr.Attempts != 1 {
		t.Fatalf("POST: got %v, want a 503 *api.Error after 1 attempt", err)
	}
	if a.apiHits() != 4 {
		t.Errorf("POST was sent %d times, want once", a.apiHits()-3)
	}
}

func TestRetryGivesUp(t *testing.T) {
	a := newTestAPI(t)
	c, w := newTestClient(t, a, api.Config{Retry: &api.RetryPolicy{MaxRetries: 2, InitialBackoff: time.Second, MaxBackoff: 3 * time.Second}})
	a.fail(status(502), status(504), status(503), status(503))
	_, err := getEV(c)
	var apiErr *api.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 || apiErr.Attempts != 3 || a.apiHits() != 3 {
		t.Fatalf("got %v after %d requests, want a 503 after 3 attempts", err, a.apiHits())
	}
	// Exponential with jitter: between half and all of 1s, then of 2s.
	got := w.all()
	if len(got) != 2 || got[0] < 500*time.Millisecond || got[0] > time.Second || got[1] < time.Second || got[1] > 2*time.Second {
		t.Errorf("waits %v, want about 1s then about 2s", got)
	}
	if !strings.Contains(err.Error(), "after 3 attempts") {
		t.Errorf("message %q does not say how often it tried", err)
	}
}

func TestRetriesOff(t *testing.T) {
	a := newTestAPI(t)
	c, _ := newTestClient(t, a, api.Config{Retry: &api.RetryPolicy{}})
	a.fail(status(503))
	if _, err := getEV(c); !errors.As(err, new(*api.Error)) || a.apiHits() != 1 {
		t.Fatalf("got %v after %d requests, want the 503 at once", err, a.apiHits())
	}
}

func TestRetryAfter(t *testing.T) {
	a := newTestAPI(t)
	c, w := newTestClient(t, a, api.Config{})
	a.fail(status(429, "Retry-After", "1"))
	if _, err := getEV(c); err != nil {
		t.Fatal(err)
	}
	if got := w.all(); len(got) != 1 || got[0] != time.Second {
		t.Errorf("waits %v, want the server's 1s", got)
	}

	// An HTTP date works too. (A new client: the 429 paused the first one
	// for 1s of the real clock, which the test's waits do not move.)
	c, w = newTestClient(t, a, api.Config{})
	a.fail(status(503, "Retry-After", time.Now().Add(3*time.Second).UTC().Format(http.TimeFormat)))
	if _, err := getEV(c); err != nil {
		t.Fatal(err)
	}
	if got := w.all(); len(got) != 1 || got[0] < time.Second || got[0] > 3*time.Second {
		t.Errorf("waits %v, want about 2-3s", got)
	}

	// Past the cap it does not wait: the error says when to come back.
	a.fail(status(429, "Retry-After", "3600"))
	_, err := getEV(c)
	var apiErr *api.Error
	if !errors.As(err, &apiErr) || !api.IsRateLimited(err) || apiErr.RetryAfter != time.Hour {
		t.Fatalf("got %v, want a 429 with RetryAfter 1h", err)
	}
}

// TestRetryAfterRealWait is the one test that really waits: the client
// honours Retry-After: 1 with its own timer.
func TestRetryAfterRealWait(t *testing.T) {
	a := newTestAPI(t)
	c, _ := newTestClient(t, a, api.Config{})
	var waited []time.Duration
	api.SetSleep(c, func(ctx context.Context, d time.Duration) error {
		waited = append(waited, d)
		return api.Sleep(ctx, d)
	})
	a.fail(status(429, "Retry-After", "1"))
	if _, err := getEV(c); err != nil {
		t.Fatal(err)
	}
	if len(waited) != 1 || waited[0] != time.Second || a.apiHits() != 2 {
		t.Errorf("waited %v over %d requests", waited, a.apiHits())
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	a := newTestAPI(t)
	c, _ := newTestClient(t, a, api.Config{})
	waiting := make(chan struct{})
	api.SetSleep(c, func(ctx context.Context, d time.Duration) error {
		close(waiting)
		return api.Sleep(ctx, d) // a real 30s wait, which the cancel must end
	})
	a.fail(status(503, "Retry-After", "30"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.GetElectricVehicle(ctx, id, id)
		done <- err
	}()
	<-waiting
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
		if !strings.Contains(err.Error(), "503") {
			t.Errorf("%q does not say what it was waiting after", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the call did not return after its context was cancelled")
	}
}

func TestConnectionResetMidBody(t *testing.T) {
	a := newTestAPI(t)
	c, _ := newTestClient(t, a, api.Config{})
	a.fail(resetMidBody)
	ev, err := getEV(c)
	if err != nil || ev == nil || a.apiHits() != 2 {
		t.Fatalf("GET: %v after %d requests, want success after 2", err, a.apiHits())
	}

	a.fail(resetMidBody)
	_, err = c.ReauthenticateElectricVehicle(context.Background(), id, id, api.AuthSessionInput{})
	if err == nil || a.apiHits() != 3 {
		t.Fatalf("POST: %v after %d requests, want an error after 1", err, a.apiHits()-2)
	}
	if !strings.Contains(err.Error(), "ReauthenticateElectricVehicle") {
		t.Errorf("%q does not name the call", err)
	}
}

func TestErrors(t *testing.T) {
	a := newTestAPI(t)
	c, _ := newTestClient(t, a, api.Config{})
	cases := []struct {
		name   string
		fault  http.HandlerFunc
		call   func() error
		check  func(*api.Error) error
		is     func(error) bool
		inText []string
	}{
		{
			name:  "404",
			fault: status(404, "X-Request-Id", "req-42"),
			call:  func() error { _, err := getEV(c); return err },
			check: func(e *api.Error) error {
				if e.Operation != "GetElectricVehicle" || e.Method != "GET" || e.StatusCode != 404 || e.Message != "Not Found" || e.RequestID != "req-42" {
					return fmt.Errorf("%+v", e)
				}
				return nil
			},
			is:     api.IsNotFound,
			inText: []string{"GetElectricVehicle", "GET /api/partners/v2.0/org/", "404 Not Found", "req-42"},
		},
		{
			name: "409 boost",
			fault: func(w http.ResponseWriter, r *http.Request) {
				specserver.WriteJSON(w, 409, map[string]string{"state": "ongoing", "reason": "already_charging"})
			},
			call: func() error { return triggerBoost(c) },
			check: func(e *api.Error) error {
				p, ok := e.Payload.(*api.BoostConflictOutput)
				if !ok || p.Reason == nil || string(*p.Reason) != "already_charging" {
					return fmt.Errorf("payload %#v", e.Payload)
				}
				return nil
			},
			is:     api.IsConflict,
			inText: []string{"TriggerElectricVehicleBoost", "409 Conflict", "already_charging"},
		},
		{
			name: "422 detail list",
			fault: func(w http.ResponseWriter, r *http.Request) {
				specserver.WriteJSON(w, 422, map[string]any{"detail": []map[string]any{
					{"loc": []any{"body", "email"}, "msg": "field required", "type": "missing"},
					{"loc": []any{"body", "devices", 0, "id"}, "msg": "not a uuid", "type": "uuid_parsing"},
				}})
			},
			call: func() error {
				_, err := c.CreateUser(context.Background(), api.UserCreateInput{})
				return err
			},
			check: func(e *api.Error) error {
				if len(e.Validation) != 2 || e.Validation[1].String() != "body.devices.0.id: not a uuid" || e.Validation[0].Type != "missing" {
					return fmt.Errorf("validation %+v", e.Validation)
				}
				return nil
			},
			is:     api.IsValidation,
			inText: []string{"CreateUser", "422", "body.email: field required; body.devices.0.id: not a uuid"},
		},
		{
			name: "502 HTML",
			fault: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(502)
				fmt.Fprint(w, "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>")
			},
			call: func() error { return triggerBoost(c) }, // a POST: not retried
			check: func(e *api.Error) error {
				if !bytes.Contains(e.Body, []byte("<h1>nginx</h1>")) {
					return fmt.Errorf("body %q", e.Body)
				}
				return nil
			},
			is:     func(err error) bool { return api.IsRetryable(err) },
			inText: []string{"502 Bad Gateway", "HTML page", "proxy or gateway"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a.fail(tc.fault)
			err := tc.call()
			var e *api.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %T %v, want *api.Error", err, err)
			}
			if err := tc.check(e); err != nil {
				t.Error(err)
			}
			if !tc.is(err) {
				t.Errorf("the predicate does not recognise %v", err)
			}
			for _, s := range tc.inText {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("%q does not contain %q", err, s)
				}
			}
			if strings.Contains(err.Error(), testClientSecret) || strings.Contains(err.Error(), "token-") {
				t.Errorf("%q leaks a secret", err)
			}
		})
	}
}

func TestReauthenticatesOnceAfter401(t *testing.T) {
	a := newTestAPI(t)
	c, _ := newTestClient(t, a, api.Config{})
	if _, err := getEV(c); err != nil {
		t.Fatal(err)
	}
	if a.tokens.Load() != 1 {
		t.Fatalf("%d token requests for the first call", a.tokens.Load())
	}
	a.fail(status(401))
	if _, err := getEV(c); err != nil {
		t.Fatal(err)
	}
	if n := a.tokens.Load(); n != 2 {
		t.Errorf("%d token requests, want exactly 1 more after the 401", n)
	}
	// A second 401 in a row is the answer, not a stale token.
	a.fail(status(401), status(401))
	_, err := getEV(c)
	var e *api.Error
	if !errors.As(err, &e) || e.StatusCode != 401 || e.Attempts != 2 || a.tokens.Load() != 3 {
		t.Errorf("got %v with %d token requests, want a 401 after 2 attempts and 3 token requests", err, a.tokens.Load())
	}
}

func TestRequestBodyReplayed(t *testing.T) {
	a := newTestAPI(t)
	c, _ := newTestClient(t, a, api.Config{})
	a.fail(status(503))
	body := api.ElectricVehicleUpdateInput{Comment: api.Value("replayed")}
	if _, err := c.UpdateElectricVehicle(context.Background(), id, id, body); err != nil {
		t.Fatal(err)
	}
	calls := a.spec.Calls()
	if len(calls) != 1 || !bytes.Contains(calls[0].Body, []byte(`"comment":"replayed"`)) {
		t.Fatalf("the retried PUT reached the server as %q", calls[0].Body)
	}
}

func TestUserAgentAndLogging(t *testing.T) {
	a := newTestAPI(t)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, _ := newTestClient(t, a, api.Config{UserAgent: "my-service/2.1", Logger: logger})
	a.fail(status(503))
	if _, err := c.ResolveCue(context.Background(), id, api.ResolveCueParams{Secret: "cue-secret-999"},
		api.ReauthenticateResolveInput{SuccessURL: "https://example.com/ok", CancelURL: "https://example.com/no"}); err == nil {
		t.Fatal("want the 503")
	}
	if _, err := getEV(c); err != nil {
		t.Fatal(err)
	}
	calls := a.spec.Calls()
	if ua := calls[len(calls)-1].Header.Get("User-Agent"); ua != "my-service/2.1 podero-go/"+api.Version {
		t.Errorf("User-Agent %q", ua)
	}
	out := logs.String()
	for _, want := range []string{"operation=GetElectricVehicle", "method=GET", "status=200", "attempt=1", "duration=", "status=503"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{testClientSecret, "cue-secret-999", "token-1", "Bearer token"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
}

func TestNewValidatesConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  api.Config
		want string
	}{
		{api.Config{ClientID: "x"}, "ClientID and ClientSecret"},
		{api.Config{BaseURL: "app.podero.com", ClientID: "x", ClientSecret: testClientSecret}, "BaseURL"},
		{api.Config{BaseURL: "http://example.com", ClientID: "x", ClientSecret: testClientSecret}, "http"},
	} {
		_, err := api.New(tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%v) = %v, want an error about %s", tc.cfg, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), testClientSecret) {
			t.Errorf("the error leaks the secret: %v", err)
		}
	}
	if s := fmt.Sprintf("%v %+v %#v", api.Config{ClientSecret: testClientSecret}, api.Config{ClientSecret: testClientSecret}, api.Config{ClientSecret: testClientSecret}); strings.Contains(s, testClientSecret) {
		t.Errorf("formatting a Config leaks the secret: %s", s)
	}
}

// sessionsServer answers the sessions list from n items by limit and offset.
func sessionsServer(a *testAPI, n int) *[]string {
	var mu sync.Mutex
	var queries []string
	a.spec.Respond = func(c *specserver.Call, r *http.Request) (specserver.Response, bool) {
		if c.Operation().OperationID != "integrations_api_api_v2_organizations_users_electric_vehicles_sessions_router_list_sessions_endpoint" {
			return specserver.Response{}, false
		}
		mu.Lock()
		queries = append(queries, r.URL.RawQuery)
		mu.Unlock()
		var limit, offset int
		fmt.Sscan(r.URL.Query().Get("limit"), &limit)
		fmt.Sscan(r.URL.Query().Get("offset"), &offset)
		_, sample, _ := specserver.SampleResponse(c.Operation())
		item := sample.(map[string]any)["items"].([]any)[0].(map[string]any)
		var items []any
		for i := offset; i < min(offset+limit, n); i++ {
			it := map[string]any{}
			for k, v := range item {
				it[k] = v
			}
			it["id"] = uuid.NewSHA1(uuid.Nil, fmt.Appendf(nil, "%d", i)).String()
			items = append(items, it)
		}
		return specserver.Response{Status: 200, Body: map[string]any{"total": n, "items": items}}, true
	}
	return &queries
}

func TestSessionsIterator(t *testing.T) {
	a := newTestAPI(t)
	queries := sessionsServer(a, 450)
	c, _ := newTestClient(t, a, api.Config{})
	params := api.ListElectricVehicleSessionsParams{}
	params.From.Time = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	params.To.Time = time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)

	var got []string
	for s, err := range c.ListElectricVehicleSessionsIter(context.Background(), id, id, params) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s.GetID().String())
	}
	if len(got) != 450 {
		t.Fatalf("%d items, want 450", len(got))
	}
	for i, g := range got {
		if want := uuid.NewSHA1(uuid.Nil, fmt.Appendf(nil, "%d", i)).String(); g != want {
			t.Fatalf("item %d is %s, want %s: out of order", i, g, want)
		}
	}
	if len(*queries) != 3 {
		t.Fatalf("%d requests, want 3: %v", len(*queries), *queries)
	}
	for i, q := range *queries {
		if !strings.Contains(q, "limit=200") || !strings.Contains(q, fmt.Sprintf("offset=%d", 200*i)) {
			t.Errorf("request %d has query %q", i, q)
		}
	}

	// Breaking early fetches no further page.
	*queries = nil
	n := 0
	for _, err := range c.ListElectricVehicleSessionsIter(context.Background(), id, id, params) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 10 {
			break
		}
	}
	if len(*queries) != 1 {
		t.Errorf("breaking after 10 items made %d requests, want 1", len(*queries))
	}
}

func TestIteratorYieldsErrorOnce(t *testing.T) {
	a := newTestAPI(t)
	sessionsServer(a, 450)
	c, _ := newTestClient(t, a, api.Config{Retry: &api.RetryPolicy{}})
	params := api.ListElectricVehicleSessionsParams{}
	a.fail(status(404))
	var errs []error
	items := 0
	for _, err := range c.ListElectricVehicleSessionsIter(context.Background(), id, id, params) {
		if err != nil {
			errs = append(errs, err)
		} else {
			items++
		}
	}
	if len(errs) != 1 || items != 0 || !api.IsNotFound(errs[0]) {
		t.Errorf("got %d items and errors %v, want one 404", items, errs)
	}
}

// A Limit below the maximum is the page size; a failed page comes back as
// *api.Error from the iterator.
func TestIteratorPageSize(t *testing.T) {
	a := newTestAPI(t)
	queries := sessionsServer(a, 5)
	c, _ := newTestClient(t, a, api.Config{Retry: &api.RetryPolicy{}})
	limit := 2
	n := 0
	for _, err := range c.ListElectricVehicleSessionsIter(context.Background(), id, id, api.ListElectricVehicleSessionsParams{Limit: &limit}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 5 || len(*queries) != 3 {
		t.Errorf("%d items in %d pages, want 5 in 3", n, len(*queries))
	}
	a.fail(status(503))
	for _, err := range c.ListElectricVehicleSessionsIter(context.Background(), id, id, api.ListElectricVehicleSessionsParams{}) {
		var e *api.Error
		if !errors.As(err, &e) || e.StatusCode != 503 || e.Operation != "ListElectricVehicleSessions" {
			t.Errorf("got %v", err)
		}
	}
}

func TestPaginatedFromSpec(t *testing.T) {
	want := map[string]bool{"ListElectricVehicleSessions": true, "ListWallboxHEMSSessions": true}
	if len(api.Paginated) != len(want) {
		t.Fatalf("paginated operations %v, want %v", api.Paginated, want)
	}
	for _, name := range api.Paginated {
		if !want[name] {
			t.Errorf("%s is not a paginated list", name)
		}
	}
}

// TestConcurrentCallsShareOneToken: 200 calls at once on a cold cache make
// one token request, and every call reaches the spec-validating server with
// it.
func TestConcurrentCallsShareOneToken(t *testing.T) {
	a := newTestAPI(t)
	c, _ := newTestClient(t, a, api.Config{})
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for range 200 {
		wg.Go(func() {
			ev, err := getEV(c)
			if err == nil && ev == nil {
				err = errors.New("no vehicle and no error")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := a.tokens.Load(); n != 1 {
		t.Errorf("%d token requests for 200 concurrent calls, want 1", n)
	}
	for _, call := range a.spec.Calls() {
		if got := call.Header.Get("Authorization"); got != "Bearer token-1" {
			t.Fatalf("a call was sent with Authorization %q", got)
		}
	}
}

// Many calls rejected with the same stale token make one token request, not
// one each: only the first 401 drops the cached token.
func TestStaleTokenRefreshedOnce(t *testing.T) {
	a := newTestAPI(t)
	c, _ := newTestClient(t, a, api.Config{})
	if _, err := getEV(c); err != nil { // caches token-1
		t.Fatal(err)
	}
	a.spec.Authenticate = func(token string) bool { return token != "token-1" } // the server revokes it
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := getEV(c); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := a.tokens.Load(); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
}

func TestRedirectKeepsTokenHome(t *testing.T) {
	var leaked atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
	}))
	defer other.Close()
	a := newTestAPI(t)
	c, _ := newTestClient(t, a, api.Config{})
	a.fail(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect) // same host name, another port
	})
	_, err := getEV(c)
	if err == nil || !strings.Contains(err.Error(), "refusing redirect") {
		t.Fatalf("got %v, want the redirect refused", err)
	}
	if leaked.Load() != 0 {
		t.Error("the bearer token went to another host:port")
	}
}

func TestOversizedResponse(t *testing.T) {
	a := newTestAPI(t)
	c, _ := newTestClient(t, a, api.Config{})
	a.fail(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		chunk := bytes.Repeat([]byte(" "), 1<<20)
		for range 65 {
			w.Write(chunk)
		}
	})
	_, err := getEV(c)
	if err == nil || !strings.Contains(err.Error(), "larger than 64 MiB") || a.apiHits() != 1 {
		t.Fatalf("got %v after %d requests, want one refusal of the oversized body", err, a.apiHits())
	}
}

// hasStatus reports whether err is an *api.Error with the status.
func hasStatus(err error, status int) bool {
	var e *api.Error
	return errors.As(err, &e) && e.StatusCode == status
}
