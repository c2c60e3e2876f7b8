package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
)

// lineServer is a Podero whose token endpoint and API answer with the
// handlers a test sets.
func lineServer(t *testing.T, token, api http.HandlerFunc) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/token/", token)
	mux.HandleFunc("/", api)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func issueToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"access_token": "acc-token-line-0123", "token_type": "Bearer", "expires_in": 3600}`)
}

func answer(status int, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

// hang answers nothing until the client gives up.
func hang(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// An error line is read once: at most 200 characters for the common
// failures, the call named once, no UUIDs, no URL of the API, the status
// text not repeated, and what to do where that is known.
func TestErrorLinesAreShort(t *testing.T) {
	user, ev := leakID, leakID
	for _, tc := range []struct {
		name       string
		token, api http.HandlerFunc
		cfg        api.Config
		call       func(c *api.PartnerClient) error
		want       string // the whole line, with PORT for the server's port
	}{
		{name: "404", api: answer(404, `{"detail": "Not Found"}`, "X-Request-Id", "req-42"),
			call: func(c *api.PartnerClient) error {
				_, err := c.GetElectricVehicle(context.Background(), user, ev)
				return err
			},
			want: "podero: GetElectricVehicle: 404 Not Found (request id req-42)"},
		{name: "409", api: answer(409, `{"state": "ongoing", "reason": "already_charging"}`),
			call: func(c *api.PartnerClient) error { return c.TriggerElectricVehicleBoost(context.Background(), user, ev) },
			want: "podero: TriggerElectricVehicleBoost: 409 Conflict: already_charging"},
		{name: "422", api: answer(422, `{"detail": [{"loc": ["body", "email"], "msg": "field required", "type": "missing"},
			{"loc": ["body", "role"], "msg": "not a role", "type": "enum"}, {"loc": ["body", "x"], "msg": "extra", "type": "extra"},
			{"loc": ["body", "y"], "msg": "extra", "type": "extra"}]}`),
			call: func(c *api.PartnerClient) error {
				_, err := c.CreateUser(context.Background(), api.UserCreateInput{Email: "a@example.com", Role: api.RoleUser})
				return err
			},
			want: "podero: CreateUser: 422 Unprocessable Entity: body.email: field required; body.role: not a role (+2 more)"},
		{name: "429", api: answer(429, `{"detail": "Too many requests"}`, "Retry-After", "7"), cfg: api.Config{Retry: &api.RetryPolicy{}},
			call: func(c *api.PartnerClient) error {
				_, err := c.ListUsers(context.Background(), api.ListUsersParams{})
				return err
			},
			want: "podero: ListUsers: 429 Too Many Requests; retry after 7s"},
		{name: "401", api: answer(401, `{"detail": "Invalid token"}`),
			call: func(c *api.PartnerClient) error { _, err := c.GetUser(context.Background(), user); return err },
			want: "podero: GetUser: 401 Unauthorized: Invalid token after 2 attempts; check the client credentials"},
		{name: "timeout", api: hang, cfg: api.Config{Timeout: 20 * time.Millisecond, Retry: &api.RetryPolicy{MaxRetries: 1, InitialBackoff: time.Millisecond}},
			call: func(c *api.PartnerClient) error { _, err := c.GetUser(context.Background(), user); return err },
			want: "podero: GetUser: attempt 2 timed out after 20ms (Config.Timeout) (retryable)"},
		{name: "refused token", token: answer(401, `{"error": "invalid_client", "error_description": "Client authentication failed"}`),
			call: func(c *api.PartnerClient) error { _, err := c.GetUser(context.Background(), user); return err },
			want: "podero: GetUser: oauth: token request to http://127.0.0.1:PORT/oauth2/token/ failed: 401 Unauthorized: invalid_client: Client authentication failed; check the client credentials (not retryable)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.token == nil {
				tc.token = issueToken
			}
			if tc.api == nil {
				tc.api = answer(200, `{}`)
			}
			srv := lineServer(t, tc.token, tc.api)
			cfg := tc.cfg
			cfg.BaseURL, cfg.OrgID, cfg.ClientID, cfg.ClientSecret = srv.URL, leakID, "line-client", "line-secret-0123"
			c, err := api.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			err = tc.call(c)
			var e *api.Error
			if !errors.As(err, &e) {
				t.Fatalf("%v, want an *api.Error", err)
			}
			line := err.Error()
			want := strings.ReplaceAll(tc.want, "http://127.0.0.1:PORT", srv.URL)
			if line != want {
				t.Errorf("the line is\n%s\nwant\n%s", line, want)
			}
			if len(line) > 200 || uuidRE.MatchString(line) || strings.Count(line, "podero: ") != 1 {
				t.Errorf("%d characters, %d UUIDs: %s", len(line), len(uuidRE.FindAllString(line, -1)), line)
			}
			if text := http.StatusText(e.StatusCode); e.StatusCode != 0 && strings.Count(strings.ToLower(line), strings.ToLower(text)) != 1 {
				t.Errorf("the status text %q is not there once: %s", text, line)
			}
			if strings.Contains(strings.ReplaceAll(line, srv.URL+"/oauth2", ""), srv.URL) {
				t.Errorf("the line has the API's URL: %s", line)
			}
			// %+v adds the request's method and path, once.
			long := fmt.Sprintf("%+v", err)
			if strings.Count(long, e.Path) != 1 || !strings.Contains(long, e.Method+" "+e.Path) {
				t.Errorf("%%+v does not show the request once: %s", long)
			}
		})
	}
}

// An attempt that runs out of its own time (Config.Timeout, WithTimeout)
// while the caller's context is alive says which attempt and which
// setting, is api.IsTimeout, and is not context.DeadlineExceeded, which
// stays the caller's deadline.
func TestAttemptTimeoutIsNotTheCallersDeadline(t *testing.T) {
	srv := lineServer(t, issueToken, hang)
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: leakID, ClientID: "c", ClientSecret: "line-secret-0123",
		Timeout: 20 * time.Millisecond, Retry: &api.RetryPolicy{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		ctx     func() (context.Context, context.CancelFunc)
		opts    []api.CallOption
		timeout bool   // api.IsTimeout, else the caller's deadline
		want    string // in the line
	}{
		{"Config.Timeout", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			nil, true, "attempt 1 timed out after 20ms (Config.Timeout)"},
		{"WithTimeout", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			[]api.CallOption{api.WithTimeout(15 * time.Millisecond)}, true, "attempt 1 timed out after 15ms (WithTimeout)"},
		{"the caller's deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 10*time.Millisecond)
		}, []api.CallOption{api.WithTimeout(time.Minute)}, false, "the call's context ended: context deadline exceeded"},
	} {
		ctx, cancel := tc.ctx()
		_, err := c.GetUser(ctx, leakID, tc.opts...)
		cancel()
		if api.IsTimeout(err) != tc.timeout || errors.Is(err, context.DeadlineExceeded) == tc.timeout {
			t.Errorf("%s: IsTimeout %v, errors.Is(err, context.DeadlineExceeded) %v, want %v and %v: %v",
				tc.name, api.IsTimeout(err), errors.Is(err, context.DeadlineExceeded), tc.timeout, !tc.timeout, err)
		}
		if api.IsRetryable(err) != tc.timeout {
			t.Errorf("%s: IsRetryable %v: %v", tc.name, api.IsRetryable(err), err)
		}
		if line := fmt.Sprint(err); !strings.Contains(line, tc.want) || strings.Contains(line, srv.URL) {
			t.Errorf("%s: %s, want %q and no URL", tc.name, line, tc.want)
		}
	}
}

// A declared error body is read without a type assertion: through the
// generated accessor (api.BoostConflict) or api.AsPayload, also through
// wrapping; a body of another type or another status is not one.
func TestDeclaredPayloadAccessors(t *testing.T) {
	var calls atomic.Int32
	srv := lineServer(t, issueToken, func(w http.ResponseWriter, r *http.Request) {
		status := 409
		if calls.Add(1) > 1 {
			status = 400 // the same body on a status the spec does not declare it for
		}
		answer(status, `{"state": "ongoing", "reason": "already_charging"}`)(w, r)
	})
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: leakID, ClientID: "c", ClientSecret: "line-secret-0123"})
	if err != nil {
		t.Fatal(err)
	}
	err = fmt.Errorf("boost: %w", c.TriggerWallboxBoost(context.Background(), leakID, leakID))
	conflict, ok := api.BoostConflict(err)
	if !ok || conflict.GetReason() != api.BoostConflictReasonAlreadyCharging || conflict.GetState() != api.BoostStateOngoing {
		t.Errorf("BoostConflict(%v) = %+v, %v", err, conflict, ok)
	}
	if p, ok := api.AsPayload[*api.BoostConflictOutput](err); !ok || p != conflict {
		t.Errorf("AsPayload = %v, %v; want the same payload", p, ok)
	}
	if _, ok := api.AsPayload[*api.UserOutput](err); ok {
		t.Error("AsPayload of another type says ok")
	}
	err = c.TriggerWallboxBoost(context.Background(), leakID, leakID)
	if p, ok := api.BoostConflict(err); ok || p != nil || err == nil {
		t.Errorf("a 400: BoostConflict = %v, %v (err %v)", p, ok, err)
	}
}
