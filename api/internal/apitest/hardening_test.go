package apitest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/raw"
	"github.com/podero-go/podero/oauth"
)

// What a misbehaving network, server or caller does to the call layer
// (the hardening issue): a test per defect.

// Revocation while two tokens are cached: call A is in flight with token-1
// while the cache has moved on to token-2 (refreshed meanwhile); the server
// then revokes both. A's re-authentication must use a token fetched after
// its 401, not token-2.
func TestReauthUsesTokenFetchedAfterThe401(t *testing.T) {
	a := newTestAPI(t)
	c, _ := newTestClient(t, a, api.Config{Retry: &api.RetryPolicy{}})
	ctx := context.Background()
	if _, err := c.GetUser(ctx, id); err != nil { // caches token-1
		t.Fatal(err)
	}
	inFlight, release := make(chan struct{}), make(chan struct{})
	a.fail(func(w http.ResponseWriter, r *http.Request) {
		close(inFlight)
		<-release
		status(401)(w, r) // token-1 was revoked while A waited
	})
	done := make(chan error, 1)
	go func() { _, err := c.GetUser(ctx, id); done <- err }()
	<-inFlight
	ts := c.TokenSource().(*oauth.TokenSource)
	ts.Invalidate()
	if tok, err := ts.Token(); err != nil || tok.AccessToken != "token-2" { // the cache moves on
		t.Fatalf("second token: %v %v", tok, err)
	}
	a.spec.Authenticate = func(token string) bool { return token != "token-1" && token != "token-2" }
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("call A after the revocation: %v", err)
	}
	calls := a.spec.Calls()
	if last := calls[len(calls)-1].Header.Get("Authorization"); last != "Bearer token-3" {
		t.Errorf("A's re-authentication used %q, want token-3", last)
	}
}

// ".", ".." and "" in a string path parameter must not leave the route.
func TestPathParamsKeepTheirRoute(t *testing.T) {
	a := newTestAPI(t)
	c, _ := newTestClient(t, a, api.Config{})
	ctx := context.Background()
	for _, ext := range []string{"..", ".", "a/b", "../users"} {
		_, err := c.GetUserByExternalID(ctx, ext, api.GetUserByExternalIDParams{})
		calls := a.spec.Calls()
		last := calls[len(calls)-1]
		if last.OperationID != "integrations_api_api_v2_organizations_users_router_retrieve_user_by_external_id" {
			t.Errorf("by-ext-id/%s reached %s (%s)", ext, last.OperationID, last.Path)
		}
		if err != nil && !api.IsNotFound(err) {
			t.Errorf("by-ext-id/%s: %v", ext, err)
		}
	}
	before := a.apiHits()
	_, err := c.GetUserByExternalID(ctx, "", api.GetUserByExternalIDParams{})
	if err == nil || !strings.Contains(err.Error(), "external_id is empty") || a.apiHits() != before {
		t.Errorf("an empty external id: %v after %d requests", err, a.apiHits()-before)
	}
}

// A Retry-After too large for int64 means "later than MaxRetryAfter": the
// call is not retried, and RetryAfter says it is long.
func TestHugeRetryAfterIsNotRetried(t *testing.T) {
	a := newTestAPI(t)
	c, w := newTestClient(t, a, api.Config{})
	a.fail(status(503, "Retry-After", "99999999999999999999"), status(503), status(503))
	_, err := c.GetUser(context.Background(), id)
	var e *api.Error
	if !errors.As(err, &e) || e.StatusCode != 503 || a.apiHits() != 1 || len(w.all()) != 0 {
		t.Fatalf("got %v after %d requests and %d waits, want the 503 at once", err, a.apiHits(), len(w.all()))
	}
	if e.RetryAfter < 100*365*24*time.Hour {
		t.Errorf("RetryAfter %v, want it clamped to something very long", e.RetryAfter)
	}
}

// A server that echoes the bearer token it was sent must not put it into
// the error.
func TestEchoedBearerTokenIsRedacted(t *testing.T) {
	a := newTestAPI(t)
	c, _ := newTestClient(t, a, api.Config{})
	echo := func(w http.ResponseWriter, r *http.Request) {
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		fmt.Fprintf(w, `{"detail": "Token %s is expired"}`, token)
	}
	a.fail(echo, echo)
	_, err := c.GetUser(context.Background(), id)
	var e *api.Error
	if !errors.As(err, &e) || e.StatusCode != 401 {
		t.Fatalf("got %v, want the 401", err)
	}
	for _, s := range []string{err.Error(), e.Message, string(e.Body), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
		if strings.Contains(s, "token-") {
			t.Errorf("the token leaks: %s", s)
		}
	}
	if !strings.Contains(e.Message, "[redacted token]") {
		t.Errorf("message %q, want the token replaced", e.Message)
	}
}

// Header values that net/http refuses: Config.UserAgent with CR/LF is
// refused by New, and a request net/http cannot send is not retried.
func TestUnsendableRequestsAreRefused(t *testing.T) {
	a := newTestAPI(t)
	for _, ua := range []string{"svc\r\nX-Evil: 1", "svc\x00"} {
		_, err := api.New(api.Config{BaseURL: a.URL, ClientID: "x", ClientSecret: testClientSecret, UserAgent: ua})
		if err == nil || !strings.Contains(err.Error(), "UserAgent") {
			t.Errorf("UserAgent %q: %v", ua, err)
		}
	}
	c, w := newTestClient(t, a, api.Config{})
	bad := func(_ context.Context, req *http.Request) error {
		req.Header["X-Bad"] = []string{"a\nb"} // what a user's editor might do
		return nil
	}
	_, err := raw.New(c).GetUserWithResponse(context.Background(), id, id, bad)
	var e *api.Error
	if !errors.As(err, &e) || e.Attempts != 1 || len(w.all()) != 0 || api.IsRetryable(err) {
		t.Errorf("an unsendable request: %v, %d waits; want one attempt, not retryable", err, len(w.all()))
	}
}

// BaseURL with credentials is refused, without repeating them.
func TestBaseURLWithCredentials(t *testing.T) {
	_, err := api.New(api.Config{BaseURL: "https://partner:hunter2-pass@app.podero.com", ClientID: "x", ClientSecret: testClientSecret})
	if err == nil || !strings.Contains(err.Error(), "credentials") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("got %v", err)
	}
	if s := fmt.Sprint(api.Config{BaseURL: "https://partner:hunter2-pass@app.podero.com"}); strings.Contains(s, "hunter2") {
		t.Errorf("Config prints the password: %s", s)
	}
}

// A server that accepts the connection and never answers: each attempt is
// bounded by Config.Timeout (60 s by default), the timeout is retried for an
// idempotent call, and the error says how often it tried and that it is
// retryable.
func TestAttemptTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var conns atomic.Int64
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			t.Cleanup(func() { conn.Close() }) // accepted, never answered
		}
	}()
	base := "http://" + ln.Addr().String()
	// (Config.Timeout's default and -1 are checked by api's TestTimeoutDefaults.)
	c, err := api.New(api.Config{BaseURL: base, OrgID: id, TokenSource: staticToken("t"), Timeout: 50 * time.Millisecond,
		Retry: &api.RetryPolicy{MaxRetries: 2, InitialBackoff: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetUser(context.Background(), id)
	var e *api.Error
	// The attempt's timeout, not the caller's deadline (see api.IsTimeout).
	if !errors.As(err, &e) || e.Attempts != 3 || !api.IsRetryable(err) || !api.IsTimeout(err) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want a retryable timeout after 3 attempts", err)
	}
	if !strings.Contains(err.Error(), "attempt 3 timed out") || !strings.Contains(err.Error(), "retryable") {
		t.Errorf("%q does not say how often it tried and that it is retryable", err)
	}
	if n := conns.Load(); n < 3 {
		t.Errorf("%d connections, want one per attempt", n)
	}
}

// A network failure that was retried says how many attempts it made and
// that it is retryable.
func TestConnectionRefusedIsRetryable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there now
	c, err := api.New(api.Config{BaseURL: base, OrgID: id, TokenSource: staticToken("t"),
		Retry: &api.RetryPolicy{MaxRetries: 3, InitialBackoff: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetUser(context.Background(), id)
	var e *api.Error
	if !errors.As(err, &e) || e.StatusCode != 0 || e.Attempts != 4 || !api.IsRetryable(err) {
		t.Fatalf("got %#v, want a retryable failure after 4 attempts", err)
	}
	if !strings.Contains(err.Error(), "after 4 attempts (retryable") {
		t.Errorf("message %q", err)
	}
}

// The token endpoint refusing the credentials is "unauthorized" too, and
// neither the call nor the token source sends them again.
func TestRejectedCredentialsAreUnauthorized(t *testing.T) {
	a := newTestAPI(t)
	var logs bytes.Buffer
	c, err := api.New(api.Config{BaseURL: a.URL, OrgID: id, ClientID: testClientID, ClientSecret: "wrong-secret",
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetUser(context.Background(), id)
	if !api.IsUnauthorized(err) || api.IsRetryable(err) {
		t.Fatalf("got %v, want an unauthorized, not retryable error", err)
	}
	if n := a.tokens.Load(); n != 1 || a.apiHits() != 0 {
		t.Errorf("%d token requests and %d API requests, want 1 and 0", n, a.apiHits())
	}
	if strings.Contains(err.Error()+logs.String(), "wrong-secret") {
		t.Error("the secret leaks")
	}
}

// staticToken is a token source of one token.
func staticToken(tok string) oauth2.TokenSource {
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok})
}

// A wallbox claim token is a credential that travels in the path: errors and
// logs show the operation's path template instead.
func TestClaimTokenStaysOutOfErrorsAndLogs(t *testing.T) {
	a := newTestAPI(t)
	var logs bytes.Buffer
	c, _ := newTestClient(t, a, api.Config{Retry: &api.RetryPolicy{MaxRetries: 1},
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	const token = "claim-token-1f2e3d"
	a.fail(status(503), status(404))
	_, err := c.GetWallboxClaimTokenStatus(context.Background(), id, token)
	if !api.IsNotFound(err) {
		t.Fatalf("got %v, want the 404", err)
	}
	if strings.Contains(err.Error()+logs.String(), token) {
		t.Errorf("the claim token leaks:\n%v\n%s", err, logs.String())
	}
	if !strings.Contains(fmt.Sprintf("%+v", err), "/wallbox-claim-tokens/{token}/status") {
		t.Errorf("%+v does not show the path template", err)
	}
}

// cueSecret needs escaping in a query and in a path, so that each form in
// which a server may echo it differs.
const cueSecret = "cue/s3cret+x y=z"

// assertNoCueSecret fails if any form of cueSecret is in s.
func assertNoCueSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, f := range []string{"s3cret", url.QueryEscape(cueSecret), url.PathEscape(cueSecret)} {
		if strings.Contains(s, f) {
			t.Errorf("%s has the cue secret (%q): %s", what, f, s)
		}
	}
}

// A cue's secret travels in the query, a wallbox claim token in the path;
// a server that echoes either in an error body, or in a 2xx body that does
// not decode, must not put it into the error, its cause or the logs, for a
// call of the operation itself as for the helpers above it.
func TestEchoedSecretIsRedacted(t *testing.T) {
	for _, call := range []struct {
		name string
		// echoed is the secret as the request carried it, and decoded.
		echoed func(r *http.Request) (raw, decoded string)
		call   func(c *api.PartnerClient) error
	}{
		{"query", func(r *http.Request) (string, string) { return r.URL.RawQuery, r.URL.Query().Get("secret") },
			func(c *api.PartnerClient) error {
				_, err := c.ResolveCue(context.Background(), id, api.ResolveCueParams{Secret: cueSecret},
					api.ReauthenticateResolveInput{CancelURL: "https://example.com/c"})
				return err
			}},
		{"path", func(r *http.Request) (string, string) {
			seg := strings.Split(r.URL.EscapedPath(), "/")[7] // .../wallbox-claim-tokens/{token}/status
			dec, _ := url.PathUnescape(seg)
			return seg, dec
		}, func(c *api.PartnerClient) error {
			_, err := c.GetWallboxClaimTokenStatus(context.Background(), id, cueSecret)
			return err
		}},
	} {
		echo := func(code int, contentType string, body func(raw, decoded string) string) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", contentType)
				w.WriteHeader(code)
				fmt.Fprint(w, body(call.echoed(r)))
			}
		}
		for _, tc := range []struct {
			name  string
			fault http.HandlerFunc
		}{
			{"403 detail", echo(403, "application/json", func(raw, dec string) string {
				return fmt.Sprintf(`{"detail": "secret %s (%s) is not valid"}`, dec, raw)
			})},
			{"403 validation", echo(403, "application/json", func(raw, dec string) string {
				return fmt.Sprintf(`{"detail": [{"loc": ["query", %q], "msg": %q, "type": "x"}]}`, dec, raw)
			})},
			{"403 text", echo(403, "text/plain", func(raw, dec string) string { return dec + " " + raw })},
			{"200 not JSON", echo(200, "text/plain", func(raw, dec string) string { return dec + " " + raw })},
			{"200 bad body", echo(200, "application/json", func(raw, dec string) string {
				return fmt.Sprintf(`{"redirectUrl": %q, "secret": %q, `, raw, dec)
			})},
			{"200 wrong type", echo(200, "application/json", func(raw, dec string) string {
				return fmt.Sprintf(`{"redirectUrl": 1, "claimed": %q, %q: %q}`, raw, dec, raw)
			})},
		} {
			t.Run(call.name+"/"+tc.name, func(t *testing.T) {
				a := newTestAPI(t)
				var logs bytes.Buffer
				c, _ := newTestClient(t, a, api.Config{Retry: &api.RetryPolicy{},
					Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
				a.fail(tc.fault)
				err := call.call(c)
				var e *api.Error
				if !errors.As(err, &e) {
					t.Fatalf("err = %v, want an *api.Error", err)
				}
				assertNoCueSecret(t, "the error", fmt.Sprintf("%v | %+v | %s | %s | %v | %v", err, err, e.Message, e.Body, e.Validation, e.Payload))
				if e.Err != nil {
					assertNoCueSecret(t, "the error's cause", e.Err.Error())
				}
				assertNoCueSecret(t, "the logs", logs.String())
			})
		}
	}
}

// The connection drops on a request with a secret in its query: the
// network error (a *url.Error, which quotes the URL) and the logs keep it.
func TestNetworkErrorHidesQuerySecret(t *testing.T) {
	a := newTestAPI(t)
	var logs bytes.Buffer
	c, _ := newTestClient(t, a, api.Config{Retry: &api.RetryPolicy{},
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	drop := func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		conn.Close()
	}
	a.fail(drop)
	_, err := c.ResolveCue(context.Background(), id, api.ResolveCueParams{Secret: cueSecret},
		api.ReauthenticateResolveInput{CancelURL: "https://example.com/c"})
	if err == nil {
		t.Fatal("no error from a dropped connection")
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want a *url.Error inside", err)
	}
	assertNoCueSecret(t, "the error", fmt.Sprintf("%v | %+v | %v", err, err, ue))
	assertNoCueSecret(t, "the logs", logs.String())
	if !strings.Contains(logs.String(), "podero request") {
		t.Errorf("no request logged: %s", logs.String())
	}
}

// A 2xx whose body happens to look like a 422's is an invalid result, not
// a validation error: its *Error has no Validation items.
func TestInvalidResultHasNoValidation(t *testing.T) {
	a := newTestAPI(t)
	c, _ := newTestClient(t, a, api.Config{})
	a.fail(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"detail": [{"loc": ["body", "email"], "msg": "field required", "type": "missing"}]}`)
	})
	_, err := c.GetUser(context.Background(), id)
	var e *api.Error
	if !errors.As(err, &e) || e.StatusCode != 200 {
		t.Fatalf("err = %v, want an *api.Error for the 200", err)
	}
	if e.Validation != nil || e.Payload != nil || api.IsValidation(err) {
		t.Errorf("Validation = %v, Payload = %v for a 200: %v", e.Validation, e.Payload, err)
	}
}

// The re-authentication after a 401 is not a retry of the policy: with
// MaxRetries 1, a 401, a 503 and a 200 make a success in three requests.
func TestReauthIsNotARetry(t *testing.T) {
	a := newTestAPI(t)
	c, _ := newTestClient(t, a, api.Config{Retry: &api.RetryPolicy{MaxRetries: 1}})
	a.fail(status(401), status(503))
	var info api.ResponseInfo
	if _, err := c.GetUser(context.Background(), id, api.WithResponseInfo(&info)); err != nil {
		t.Fatalf("401, 503, 200 with MaxRetries 1: %v", err)
	}
	if info.Attempts != 3 || a.apiHits() != 3 {
		t.Errorf("Attempts = %d, requests = %d, want 3", info.Attempts, a.apiHits())
	}
}

// A secret parameter's value shorter than 8 bytes is not redacted: the
// parameters are found by name (a page token is one), and a short value
// would be cut out of every word of the body that contains it.
func TestShortSecretValueLeavesTheBodyAlone(t *testing.T) {
	a := newTestAPI(t)
	c, _ := newTestClient(t, a, api.Config{Retry: &api.RetryPolicy{}})
	const body = `{"detail": "a string is not a secret"}`
	a.fail(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, body)
	})
	_, err := c.ResolveCue(context.Background(), id, api.ResolveCueParams{Secret: "string"},
		api.ReauthenticateResolveInput{CancelURL: "https://example.com/c"})
	var e *api.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want an *api.Error", err)
	}
	if string(e.Body) != body || !strings.Contains(e.Message, "a string is not a secret") {
		t.Errorf("body %q, message %q: want them as sent", e.Body, e.Message)
	}
}
