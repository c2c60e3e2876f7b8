package api_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
)

// The secrets a request carries, each with characters that escape
// differently in a path, a query and base64, so that every form a server
// may echo differs from the others.
const (
	leakClientID     = "leak-client-id"
	leakClientSecret = "leak/Cl13nt+s3cret"
	leakAccessToken  = "acc-token-7a9c3e1b5d"
	leakClaimToken   = "claim/t0k3n+a b"
	leakCueSecret    = "cue/s3cr3t+x y=z"
)

var leakID, _ = api.ParseUUID("3fa85f64-5717-4562-b3fc-2c963f66afa6")

// leakForms are the forms in which the secrets above may be echoed: as
// sent, and as a server decodes them.
func leakForms() []string {
	var forms []string
	for _, s := range []string{leakClientSecret, leakAccessToken, leakClaimToken, leakCueSecret} {
		forms = append(forms, s, url.QueryEscape(s), url.PathEscape(s))
	}
	basic := leakClientID + ":" + leakClientSecret
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		forms = append(forms, enc.EncodeToString([]byte(basic)))
	}
	return forms
}

// assertNoLeak fails if any form of any secret is in s.
func assertNoLeak(t *testing.T, what, s string) {
	t.Helper()
	for _, f := range leakForms() {
		if strings.Contains(s, f) {
			t.Errorf("%s has a secret (%q):\n%s", what, f, s)
			return
		}
	}
}

// echoes is everything a careless gateway may say back about a request:
// the request URI as sent and decoded (the claim token, the cue secret),
// the Authorization header (the bearer token), and the client credentials
// as the token request sent them.
func echoes(r *http.Request) string {
	path, _ := url.PathUnescape(r.URL.EscapedPath())
	query, _ := url.QueryUnescape(r.URL.RawQuery)
	basic := base64.StdEncoding.EncodeToString([]byte(leakClientID + ":" + leakClientSecret))
	return strings.Join([]string{r.URL.RequestURI(), path, query, r.Header.Get("Authorization"), leakClientSecret, "Basic " + basic}, " ")
}

// leakyServer is a Podero whose API answers with h, behind a token
// endpoint that issues leakAccessToken.
type leakyServer struct {
	*httptest.Server
	mu sync.Mutex
	h  http.HandlerFunc
}

func newLeakyServer(t *testing.T) *leakyServer {
	s := &leakyServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/token/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token": %q, "token_type": "Bearer", "expires_in": 3600}`, leakAccessToken)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		h := s.h
		s.mu.Unlock()
		h(w, r)
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *leakyServer) answer(h http.HandlerFunc) {
	s.mu.Lock()
	s.h = h
	s.mu.Unlock()
}

func (s *leakyServer) client(t *testing.T) *api.PartnerClient {
	t.Helper()
	c, err := api.New(api.Config{BaseURL: s.URL, OrgID: leakID, ClientID: leakClientID, ClientSecret: leakClientSecret,
		Retry: &api.RetryPolicy{}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// leakyCalls are calls whose requests carry each secret: the bearer token
// and a cue secret in the query (ResolveCue), a claim token in the path
// (GetWallboxClaimTokenStatus).
var leakyCalls = []struct {
	name string
	call func(c *api.PartnerClient, opts ...api.CallOption) error
}{
	{"ResolveCue", func(c *api.PartnerClient, opts ...api.CallOption) error {
		_, err := c.ResolveCue(context.Background(), leakID, api.ResolveCueParams{Secret: leakCueSecret},
			api.ReauthenticateResolveInput{CancelURL: "https://example.com/c"}, opts...)
		return err
	}},
	{"GetWallboxClaimTokenStatus", func(c *api.PartnerClient, opts ...api.CallOption) error {
		_, err := c.GetWallboxClaimTokenStatus(context.Background(), leakID, leakClaimToken, opts...)
		return err
	}},
	{"GetElectricVehicle", func(c *api.PartnerClient, opts ...api.CallOption) error {
		_, err := c.GetElectricVehicle(context.Background(), leakID, leakID, opts...)
		return err
	}},
}

// printed is err in every form a program prints an error.
func printed(err error) string {
	return fmt.Sprintf("%v | %+v | %s | %q | %#v", err, err, err, err, err)
}

// A gateway that echoes the request URI (or the Authorization header) in
// its request id header must not put a secret into the error's RequestID
// or its text.
func TestRequestIDIsRedacted(t *testing.T) {
	srv := newLeakyServer(t)
	c := srv.client(t)
	srv.answer(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", echoes(r))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"detail": "Not Found"}`)
	})
	for _, call := range leakyCalls {
		err := call.call(c)
		var e *api.Error
		if !errors.As(err, &e) || e.StatusCode != http.StatusNotFound {
			t.Fatalf("%s: %v, want the 404", call.name, err)
		}
		if e.RequestID == "" {
			t.Errorf("%s: the request id is gone, not redacted", call.name)
		}
		assertNoLeak(t, call.name+": RequestID", e.RequestID)
		assertNoLeak(t, call.name+": the error", printed(err))
	}
}

// leakyHeaders answers with the credentials of the request echoed in
// headers, as a careless gateway does, and with credential headers of the
// server's own.
func leakyHeaders(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Request-Id", echoes(r))
		h.Set("X-Echo-Authorization", r.Header.Get("Authorization"))
		h.Set("X-Echo", echoes(r))
		h.Set("WWW-Authenticate", `Bearer realm="podero", error="invalid_token", token="`+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")+`"`)
		h.Set("Set-Cookie", "sessionid=unknown-session-cookie-value; HttpOnly")
		h.Set("Proxy-Authenticate", "Basic realm=gateway")
		h.Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

// WithResponseInfo gives a redacted copy of the headers, on a 2xx as on an
// error: the credential headers masked, and every header that holds a
// secret of the request redacted.
func TestResponseInfoHeadersAreRedacted(t *testing.T) {
	srv := newLeakyServer(t)
	c := srv.client(t)
	bodies := map[string]string{ // a 200 body each call decodes
		"ResolveCue":                 `{"redirect_url": "https://example.com/r"}`,
		"GetWallboxClaimTokenStatus": `{"claimed": true}`,
		"GetElectricVehicle":         `{"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}`,
	}
	for _, status := range []int{200, 401, 403, 500} {
		for _, call := range leakyCalls {
			body := `{"detail": "no"}`
			if status == 200 {
				body = bodies[call.name]
			}
			srv.answer(leakyHeaders(status, body))
			var info api.ResponseInfo
			err := call.call(c, api.WithResponseInfo(&info))
			if (status == 200) != (err == nil) || info.StatusCode != status {
				t.Fatalf("%s %d: err %v, info.StatusCode %d", call.name, status, err, info.StatusCode)
			}
			what := fmt.Sprintf("%s %d: ResponseInfo", call.name, status)
			assertNoLeak(t, what, fmt.Sprintf("%v %+v %#v", info, info, info))
			if strings.Contains(fmt.Sprint(info.Header), "unknown-session-cookie-value") {
				t.Errorf("%s has the Set-Cookie value: %v", what, info.Header)
			}
			if info.Header.Get("Content-Type") != "application/json" || info.Header.Get("X-Echo") == "" {
				t.Errorf("%s lost headers that carry no credential: %v", what, info.Header)
			}
			if err != nil {
				assertNoLeak(t, fmt.Sprintf("%s %d: the error", call.name, status), printed(err))
			}
		}
	}
}

// %#v of an *api.Error prints its fields, and no copy of the raw headers.
func TestErrorGoStringIsRedacted(t *testing.T) {
	srv := newLeakyServer(t)
	c := srv.client(t)
	srv.answer(leakyHeaders(http.StatusConflict, `{"detail": "taken"}`))
	for _, call := range leakyCalls {
		err := call.call(c)
		var e *api.Error
		if !errors.As(err, &e) {
			t.Fatalf("%s: %v, want an *api.Error", call.name, err)
		}
		s := fmt.Sprintf("%#v", e)
		assertNoLeak(t, call.name+": %#v", s)
		if strings.Contains(s, "unknown-session-cookie-value") {
			t.Errorf("%s: %%#v has the Set-Cookie value: %s", call.name, s)
		}
		if strings.Contains(s, "header:") || strings.Contains(s, "Www-Authenticate") {
			t.Errorf("%s: %%#v prints the unexported copy of the headers: %s", call.name, s)
		}
		if !strings.Contains(s, "StatusCode:409") {
			t.Errorf("%s: %%#v does not show the fields: %s", call.name, s)
		}
	}
}

// The cause of a 2xx that does not decode quotes the value that did not
// fit: a secret the server echoed into it is redacted there too, through
// the whole chain of causes.
func TestUndecodableResultCauseIsRedacted(t *testing.T) {
	srv := newLeakyServer(t)
	c := srv.client(t)
	srv.answer(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		// Every field of every result is the echo: no UUID, no bool.
		e := echoes(r)
		fmt.Fprintf(w, `{"id": %q, "claimed": %q, "redirect_url": 7, "x": %q}`, e, e, e)
	})
	for _, call := range leakyCalls {
		err := call.call(c)
		var e *api.Error
		if !errors.As(err, &e) || e.StatusCode != 200 || e.Err == nil {
			t.Fatalf("%s: %v, want an undecodable 200 with its cause", call.name, err)
		}
		assertNoLeak(t, call.name+": the error", printed(err)+" "+e.Message+" "+string(e.Body))
		for cause := e.Err; cause != nil; cause = errors.Unwrap(cause) {
			assertNoLeak(t, call.name+": a cause", printed(cause))
		}
	}
}

// echoingTransport fails every request with an error that quotes the
// request: its URL (the claim token, the cue secret) and Authorization
// header, as a careless proxy's client does. The error is a net.Error, so
// that the call retries it.
type echoingTransport struct{}

type echoedError struct{ msg string }

func (e *echoedError) Error() string   { return e.msg }
func (e *echoedError) Timeout() bool   { return false }
func (e *echoedError) Temporary() bool { return true }

func (echoingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == "/oauth2/token/" {
		return http.DefaultTransport.RoundTrip(r)
	}
	return nil, &echoedError{"proxy refused " + echoes(r)}
}

// The cause of an attempt that got no response, and the logs of its retry,
// do not carry what that cause quotes of the request's secrets.
func TestFailedAttemptCauseIsRedacted(t *testing.T) {
	srv := newLeakyServer(t)
	var logs strings.Builder
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: leakID, ClientID: leakClientID, ClientSecret: leakClientSecret,
		HTTPClient: &http.Client{Transport: echoingTransport{}},
		Retry:      &api.RetryPolicy{MaxRetries: 1, InitialBackoff: time.Millisecond, RetryNonIdempotent: true},
		Logger:     slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	for _, call := range leakyCalls {
		err := call.call(c)
		var e *api.Error
		if !errors.As(err, &e) || e.StatusCode != 0 || e.Attempts != 2 {
			t.Fatalf("%s: %v, want a failure without a response after 2 attempts", call.name, err)
		}
		assertNoLeak(t, call.name+": the error", printed(err)+" "+e.Message)
		for cause := e.Err; cause != nil; cause = errors.Unwrap(cause) {
			assertNoLeak(t, call.name+": a cause", printed(cause))
		}
	}
	if !strings.Contains(logs.String(), "podero retry") {
		t.Fatalf("no retry logged:\n%s", logs.String())
	}
	assertNoLeak(t, "the logs", logs.String())
}

// TestWithRedactedRawBody: a 2xx body that echoes every credential of its
// request, as sent, decoded and with "/" JSON-escaped, comes out of
// WithRedactedRawBody without any of them and otherwise as sent; WithRawBody
// gives it as sent.
func TestWithRedactedRawBody(t *testing.T) {
	srv := newLeakyServer(t)
	c := srv.client(t)
	bodies := map[string]string{ // a 200 body each call decodes, with room for the echo
		"ResolveCue":                 `{"redirect_url": "https://example.com/r", "echo": %q, "escaped": "%s"}`,
		"GetWallboxClaimTokenStatus": `{"claimed": true, "echo": %q, "escaped": "%s"}`,
		"GetElectricVehicle":         `{"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "echo": %q, "escaped": "%s"}`,
	}
	for _, call := range leakyCalls {
		var sent string
		srv.answer(func(w http.ResponseWriter, r *http.Request) {
			e := echoes(r)
			w.Header().Set("Content-Type", "application/json")
			sent = fmt.Sprintf(bodies[call.name], e, strings.ReplaceAll(strings.ReplaceAll(e, `"`, `\"`), "/", `\/`))
			fmt.Fprint(w, sent)
		})
		var raw, shown []byte
		if err := call.call(c, api.WithRawBody(&raw)); err != nil {
			t.Fatalf("%s: %v", call.name, err)
		}
		if string(raw) != sent {
			t.Errorf("%s: WithRawBody gave %s, want the body as sent", call.name, raw)
		}
		if err := call.call(c, api.WithRedactedRawBody(&shown)); err != nil {
			t.Fatalf("%s: %v", call.name, err)
		}
		assertNoLeak(t, call.name+": WithRedactedRawBody", strings.ReplaceAll(string(shown), `\/`, "/"))
		if !strings.Contains(string(shown), "[redacted") || !strings.HasPrefix(string(shown), sent[:20]) {
			t.Errorf("%s: WithRedactedRawBody gave %s", call.name, shown)
		}
	}
}
