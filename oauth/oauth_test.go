package oauth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/oauth2"

	"github.com/podero-go/podero/internal/snippet"
)

const (
	testID       = "client-id-123"
	testSecret   = "s3cr3t-VALUE-xyz"
	testUser     = "partner@example.com"
	testPassword = "pa55-WORD-qrs"
	tokenPath    = "/oauth2/token/"
)

// clock is a settable clock, so expiry is tested without sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// logBuffer collects log output; the token request goroutine writes to it.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// tokenEndpoint is a token server that counts requests and answers the
// n-th with access token "tok-n".
type tokenEndpoint struct {
	*httptest.Server
	n atomic.Int64
}

// newTokenEndpoint starts a token server. Before answering it calls hold,
// if not nil, with the request.
func newTokenEndpoint(t *testing.T, expiresIn int, hold func(r *http.Request)) *tokenEndpoint {
	t.Helper()
	e := &tokenEndpoint{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := e.n.Add(1)
		// Read the body first: only then does net/http watch the
		// connection and cancel r.Context() when the client goes away.
		io.Copy(io.Discard, r.Body)
		if hold != nil {
			hold(r)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"Bearer","expires_in":%d,"scope":"read write"}`, n, expiresIn)
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *tokenEndpoint) requests() int64 { return e.n.Load() }

// testConfig returns a Config for url with a fake clock, a debug logger
// writing to logs, and no real waits between retries.
func testConfig(url string, c *clock, logs io.Writer) Config {
	return Config{
		ClientID:     testID,
		ClientSecret: testSecret,
		TokenURL:     url,
		Logger:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		now:          c.now,
		sleep:        func(time.Duration) {},
	}
}

// sleeps records the waits between retries instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(d time.Duration) {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
}

func (s *sleeps) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.d)
}

// flows builds a TokenSource for each supported grant and encoding.
var flows = []struct {
	name string
	make func(Config) (*TokenSource, error)
}{
	{"json", NewTokenSource},
	{"form", func(c Config) (*TokenSource, error) { c.Encoding = EncodingForm; return NewTokenSource(c) }},
	{"password", func(c Config) (*TokenSource, error) { return NewPasswordTokenSource(c, testUser, testPassword) }},
}

// mustNew is used as mustNew(t)(NewTokenSource(cfg)).
func mustNew(t *testing.T) func(*TokenSource, error) *TokenSource {
	return func(ts *TokenSource, err error) *TokenSource {
		t.Helper()
		if err != nil {
			t.Fatalf("new token source: %v", err)
		}
		return ts
	}
}

// assertNoSecrets fails if s contains the client secret or the password.
func assertNoSecrets(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range []string{testSecret, testPassword} {
		if strings.Contains(s, secret) {
			t.Errorf("%s contains a secret: %s", what, s)
		}
	}
}

func TestJSONRequestIsTheDocumentedOne(t *testing.T) {
	var got struct {
		method, path, contentType string
		user, pass                string
		basicOK                   bool
		body                      map[string]any
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.method, got.path, got.contentType = r.Method, r.URL.Path, r.Header.Get("Content-Type")
		got.user, got.pass, got.basicOK = r.BasicAuth()
		if err := json.NewDecoder(r.Body).Decode(&got.body); err != nil {
			t.Errorf("request body is not JSON: %v", err)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"tok-1","expires_in":36000,"token_type":"Bearer","scope":"read write"}`)
	}))
	defer srv.Close()
	c := newClock()
	ts := mustNew(t)(NewTokenSource(testConfig(srv.URL+tokenPath, c, io.Discard)))

	tok, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if got.method != http.MethodPost || got.path != tokenPath || got.contentType != "application/json" {
		t.Errorf("request = %s %s (Content-Type %q), want POST %s (application/json)", got.method, got.path, got.contentType, tokenPath)
	}
	if !got.basicOK || got.user != testID || got.pass != testSecret {
		t.Errorf("Basic auth = %q, %q, %v; want the client id and secret", got.user, got.pass, got.basicOK)
	}
	if len(got.body) != 1 || got.body["grant_type"] != "client_credentials" {
		t.Errorf("body = %v, want exactly {\"grant_type\":\"client_credentials\"}", got.body)
	}
	if tok.AccessToken != "tok-1" || tok.Type() != "Bearer" {
		t.Errorf("token = %q (%s), want tok-1 (Bearer)", tok.AccessToken, tok.Type())
	}
	if want := c.now().Add(36000 * time.Second); !tok.Expiry.Equal(want) {
		t.Errorf("Expiry = %v, want %v", tok.Expiry, want)
	}
	if s := tok.Extra("scope"); s != "read write" {
		t.Errorf(`Extra("scope") = %v, want "read write"`, s)
	}
}

func TestFormRequestIsRFC6749(t *testing.T) {
	var form map[string][]string
	var user, pass, contentType string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		contentType = r.Header.Get("Content-Type")
		user, pass, _ = r.BasicAuth()
		if err := r.ParseForm(); err != nil {
			t.Errorf("parse form: %v", err)
		}
		form = r.PostForm
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"tok-1","expires_in":60,"token_type":"bearer"}`)
	}))
	defer srv.Close()
	c := newClock()
	cfg := testConfig(srv.URL+tokenPath, c, io.Discard)
	cfg.Encoding = EncodingForm
	ts := mustNew(t)(NewTokenSource(cfg))

	tok, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type = %q", contentType)
	}
	if user != testID || pass != testSecret {
		t.Errorf("Basic auth = %q, %q; want the client id and secret", user, pass)
	}
	if want := map[string][]string{"grant_type": {"client_credentials"}}; fmt.Sprint(form) != fmt.Sprint(want) {
		t.Errorf("form = %v, want %v (credentials only in the header)", form, want)
	}
	// x/oauth2 computes Expiry with the wall clock; it must be moved onto ours.
	if d := tok.Expiry.Sub(c.now()); d < 55*time.Second || d > 60*time.Second {
		t.Errorf("Expiry is %v after the test clock's now, want about 60s", d)
	}
}

func TestPasswordRequest(t *testing.T) {
	var form map[string][]string
	var user, pass string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ = r.BasicAuth()
		if err := r.ParseForm(); err != nil {
			t.Errorf("parse form: %v", err)
		}
		form = r.PostForm
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"tok-1","expires_in":60,"token_type":"Bearer","refresh_token":"r"}`)
	}))
	defer srv.Close()
	cfg := testConfig("", newClock(), io.Discard)
	cfg.BaseURL, cfg.TokenURL = srv.URL, SpecTokenPath
	ts := mustNew(t)(NewPasswordTokenSource(cfg, testUser, testPassword))

	if _, err := ts.Token(); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"grant_type": {"password"}, "username": {testUser}, "password": {testPassword}}
	if fmt.Sprint(form) != fmt.Sprint(want) {
		t.Errorf("form = %v, want %v", form, want)
	}
	if user != testID || pass != testSecret {
		t.Errorf("Basic auth = %q, %q; want the client id and secret", user, pass)
	}
}

// TestConcurrentCallersShareOneRequest sends 200 concurrent API requests
// through RequestEditor, twice: with a cold cache and after expiry.
func TestConcurrentCallersShareOneRequest(t *testing.T) {
	const callers = 200
	var ready sync.WaitGroup
	var allCalling atomic.Pointer[chan struct{}]
	// The token endpoint answers only once every caller is about to ask for
	// a token, so that most of them arrive while the request is in flight.
	tokens := newTokenEndpoint(t, 3600, func(r *http.Request) {
		select {
		case <-*allCalling.Load():
		case <-r.Context().Done():
		}
	})
	var wantAuth atomic.Value
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != wantAuth.Load() {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer api.Close()

	c := newClock()
	ts := mustNew(t)(NewTokenSource(testConfig(tokens.URL+tokenPath, c, io.Discard)))
	edit := RequestEditor(ts)

	phase := func(wantToken string, wantRequests int64) {
		t.Helper()
		wantAuth.Store("Bearer " + wantToken)
		ch := make(chan struct{})
		allCalling.Store(&ch)
		ready.Add(callers)
		go func() { ready.Wait(); close(ch) }()

		errs := make(chan error, callers)
		for range callers {
			go func() {
				req, _ := http.NewRequest(http.MethodGet, api.URL, nil)
				ready.Done()
				if err := edit(context.Background(), req); err != nil {
					errs <- err
					return
				}
				resp, err := api.Client().Do(req)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("API answered %s: wrong bearer token", resp.Status)
				}
				errs <- err
			}()
		}
		for range callers {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		if n := tokens.requests(); n != wantRequests {
			t.Errorf("token requests = %d, want %d", n, wantRequests)
		}
	}

	phase("tok-1", 1)
	c.advance(time.Hour)
	phase("tok-2", 2)
}

func TestEarlyRefresh(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		expiresIn              int
		early                  time.Duration
		stillCached, refreshed time.Duration // clock offsets after the fetch
	}{
		{"default margin", 3600, 0, 3600*time.Second - 61*time.Second, 3600*time.Second - 59*time.Second},
		{"custom margin", 3600, 10 * time.Minute, 49 * time.Minute, 51 * time.Minute},
		{"no margin", 3600, -1, 3599 * time.Second, 3600 * time.Second},
		{"short-lived token: halfway", 10, 0, 4 * time.Second, 6 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tokens := newTokenEndpoint(t, tc.expiresIn, nil)
			c := newClock()
			start := c.now()
			cfg := testConfig(tokens.URL+tokenPath, c, io.Discard)
			cfg.EarlyRefresh = tc.early
			ts := mustNew(t)(NewTokenSource(cfg))

			get := func(at time.Duration, wantRequests int64) {
				t.Helper()
				c.advance(start.Add(at).Sub(c.now()))
				if _, err := ts.Token(); err != nil {
					t.Fatal(err)
				}
				if n := tokens.requests(); n != wantRequests {
					t.Errorf("at +%v: token requests = %d, want %d", at, n, wantRequests)
				}
			}
			get(0, 1)
			get(tc.stillCached, 1)
			get(tc.refreshed, 2)
		})
	}
}

func TestInvalidate(t *testing.T) {
	tokens := newTokenEndpoint(t, 3600, nil)
	ts := mustNew(t)(NewTokenSource(testConfig(tokens.URL+tokenPath, newClock(), io.Discard)))
	for i, want := range []string{"tok-1", "tok-1", "invalidate", "tok-2", "tok-2"} {
		if want == "invalidate" {
			ts.Invalidate()
			continue
		}
		tok, err := ts.Token()
		if err != nil {
			t.Fatal(err)
		}
		if tok.AccessToken != want {
			t.Errorf("call %d: token %q, want %q", i, tok.AccessToken, want)
		}
	}
	if n := tokens.requests(); n != 2 {
		t.Errorf("token requests = %d, want 2", n)
	}
}

func TestFailureIsNotCached(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, `{"access_token":"tok-2","expires_in":3600}`)
	}))
	defer srv.Close()
	cfg := testConfig(srv.URL+tokenPath, newClock(), io.Discard)
	cfg.MaxRetries = -1 // the first call fails
	ts := mustNew(t)(NewTokenSource(cfg))
	if _, err := ts.Token(); err == nil {
		t.Fatal("first call: want an error")
	}
	tok, err := ts.Token()
	if err != nil || tok.AccessToken != "tok-2" {
		t.Fatalf("second call = %v, %v; want tok-2", tok, err)
	}
}

// TestCancelledWaiterReturnsPromptly cancels the caller that started the
// token request: it must return ctx.Err() while the request goes on for
// another caller.
func TestCancelledWaiterReturnsPromptly(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	tokens := newTokenEndpoint(t, 3600, func(r *http.Request) {
		once.Do(func() { close(entered) })
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	ts := mustNew(t)(NewTokenSource(testConfig(tokens.URL+tokenPath, newClock(), io.Discard)))

	ctxA, cancelA := context.WithCancel(context.Background())
	errA := make(chan error, 1)
	go func() { _, err := ts.TokenContext(ctxA); errA <- err }()
	<-entered // A's token request is at the server

	type result struct {
		tok *oauth2.Token
		err error
	}
	resB := make(chan result, 1)
	go func() { tok, err := ts.TokenContext(context.Background()); resB <- result{tok, err} }()

	cancelA()
	select {
	case err := <-errA:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled caller got %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second): // hang guard, not a timing assertion
		t.Fatal("cancelled caller is still waiting for the token request")
	}

	close(release)
	b := <-resB
	if b.err != nil || b.tok.AccessToken != "tok-1" {
		t.Errorf("other caller got %v, %v; want tok-1 from the request the cancelled caller started", b.tok, b.err)
	}
	if n := tokens.requests(); n != 1 {
		t.Errorf("token requests = %d, want 1", n)
	}
}

func TestTokenErrors(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	cases := []struct {
		name    string
		handler http.HandlerFunc
		timeout time.Duration
		check   func(t *testing.T, flow string, err error, te *TokenError)
	}{
		{
			name: "bad credentials",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				io.WriteString(w, `{"error":"invalid_client","error_description":"Client authentication failed"}`)
			},
			check: func(t *testing.T, _ string, err error, te *TokenError) {
				if te.StatusCode != 401 || te.ErrorCode != "invalid_client" || te.Description != "Client authentication failed" {
					t.Errorf("TokenError = %+v", *te)
				}
				want := "oauth: token request to " + te.URL + " failed: 401 Unauthorized: invalid_client: Client authentication failed"
				if err.Error() != want {
					t.Errorf("error = %q\nwant    %q", err, want)
				}
			},
		},
		{
			name: "500 HTML page",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusInternalServerError)
				io.WriteString(w, "<html>\n<body><h1>Server Error (500)</h1>"+strings.Repeat("<p>padding</p>", 1000)+"</body></html>")
			},
			check: func(t *testing.T, _ string, err error, te *TokenError) {
				if te.StatusCode != 500 || !strings.HasPrefix(te.Body, "<html> <body><h1>Server Error (500)</h1>") {
					t.Errorf("StatusCode = %d, Body = %q", te.StatusCode, te.Body)
				}
				if len(te.Body) > maxSnippet+len("…") {
					t.Errorf("Body has %d bytes, want at most %d", len(te.Body), maxSnippet)
				}
				if !strings.Contains(err.Error(), "500 Internal Server Error: <html>") {
					t.Errorf("error = %q", err)
				}
			},
		},
		{
			name: "malformed JSON",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"access_token": "tok-`)
			},
			check: func(t *testing.T, _ string, err error, _ *TokenError) {
				if msg := err.Error(); !strings.Contains(strings.ToLower(msg), "json") || strings.Contains(msg, "tok-") {
					t.Errorf("error = %q, want it to mention JSON and not quote the body", msg)
				}
			},
		},
		{
			name: "missing access_token",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"token_type":"Bearer","expires_in":36000}`)
			},
			check: func(t *testing.T, _ string, err error, _ *TokenError) {
				if !strings.Contains(err.Error(), "access_token") {
					t.Errorf("error = %q, want it to mention access_token", err)
				}
			},
		},
		{
			name:    "slower than the timeout",
			timeout: 50 * time.Millisecond,
			handler: func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body) // see newTokenEndpoint
				select {
				case <-r.Context().Done():
				case <-stop:
				}
			},
			check: func(t *testing.T, _ string, err error, _ *TokenError) {
				if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no response within the 50ms timeout") {
					t.Errorf("error = %q, want a timeout of 50ms", err)
				}
			},
		},
		{
			name: "server echoes the credentials",
			handler: func(w http.ResponseWriter, r *http.Request) {
				r.ParseForm()
				_, secret, _ := r.BasicAuth()
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprintf(w, "bad request: secret=%s password=%s", secret, r.PostForm.Get("password"))
			},
			check: func(t *testing.T, flow string, err error, _ *TokenError) {
				if !strings.Contains(err.Error(), "secret=[redacted]") {
					t.Errorf("error = %q, want the echoed secret redacted", err)
				}
				if flow == "password" && !strings.Contains(err.Error(), "password=[redacted]") {
					t.Errorf("error = %q, want the echoed password redacted", err)
				}
			},
		},
	}
	for _, f := range flows {
		for _, tc := range cases {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				srv := httptest.NewServer(tc.handler)
				defer srv.Close()
				var logs logBuffer
				cfg := testConfig(srv.URL+tokenPath, newClock(), &logs)
				cfg.Timeout = tc.timeout
				ts := mustNew(t)(f.make(cfg))

				_, err := ts.Token()
				var te *TokenError
				if !errors.As(err, &te) {
					t.Fatalf("error = %v (%T), want a *TokenError", err, err)
				}
				if te.URL != srv.URL+tokenPath {
					t.Errorf("TokenError.URL = %q", te.URL)
				}
				tc.check(t, f.name, err, te)

				// Through the request editor, too.
				req := httptest.NewRequest(http.MethodGet, "https://app.podero.com/api/x", nil)
				err = RequestEditor(ts)(context.Background(), req)
				if err == nil || !strings.HasPrefix(err.Error(), "oauth: get access token: oauth: token request to ") {
					t.Errorf("editor error = %v", err)
				}
				if req.Header.Get("Authorization") != "" {
					t.Errorf("editor set Authorization despite the error")
				}
				assertNoSecrets(t, "error", err.Error())
				assertNoSecrets(t, "log", logs.String())
				if !strings.Contains(logs.String(), "token request failed") {
					t.Errorf("log has no failure record:\n%s", logs.String())
				}
			})
		}
	}
}

func TestLogsHaveNoSecrets(t *testing.T) {
	tokens := newTokenEndpoint(t, 36000, nil)
	for _, f := range flows {
		t.Run(f.name, func(t *testing.T) {
			var logs logBuffer
			cfg := testConfig(tokens.URL+tokenPath, newClock(), &logs)
			ts := mustNew(t)(f.make(cfg))
			tok, err := ts.Token()
			if err != nil {
				t.Fatal(err)
			}
			ts.Invalidate()
			slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "cfg", cfg)

			out := logs.String()
			for _, want := range []string{"token fetched", "expires_in=10h0m0s", "invalidated", "client_secret=[redacted]"} {
				if !strings.Contains(out, want) {
					t.Errorf("log lacks %q:\n%s", want, out)
				}
			}
			assertNoSecrets(t, "log", out)
			if strings.Contains(out, tok.AccessToken) {
				t.Errorf("log contains the access token:\n%s", out)
			}
		})
	}
}

func TestPrintingRedactsSecrets(t *testing.T) {
	cfg := testConfig(ProductionTokenURL, newClock(), io.Discard)
	ts := mustNew(t)(NewPasswordTokenSource(cfg, testUser, testPassword))
	for _, s := range []string{
		fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg),
		fmt.Sprintf("%v %+v %#v %s", &cfg, &cfg, &cfg, &cfg),
		fmt.Sprintf("%v %+v %#v %s", ts, ts, ts, ts),
		fmt.Sprintf("%+v", []any{cfg, ts}),
	} {
		assertNoSecrets(t, "printed form", s)
		if !strings.Contains(s, testID) {
			t.Errorf("printed form lacks the client id: %s", s)
		}
	}
}

func TestRequestEditor(t *testing.T) {
	t.Run("any oauth2.TokenSource", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "https://app.podero.com/api/x", nil)
		ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "abc", TokenType: "bearer"})
		if err := RequestEditor(ts)(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		if got := req.Header.Get("Authorization"); got != "Bearer abc" {
			t.Errorf("Authorization = %q, want %q", got, "Bearer abc")
		}
	})
	t.Run("failing source", func(t *testing.T) {
		boom := errors.New("boom")
		req := httptest.NewRequest(http.MethodGet, "https://app.podero.com/api/x", nil)
		err := RequestEditor(failingSource{boom})(context.Background(), req)
		if !errors.Is(err, boom) || err.Error() != "oauth: get access token: boom" {
			t.Errorf("error = %v", err)
		}
	})
	t.Run("empty token", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "https://app.podero.com/api/x", nil)
		err := RequestEditor(oauth2.StaticTokenSource(&oauth2.Token{}))(context.Background(), req)
		if err == nil || req.Header.Get("Authorization") != "" {
			t.Errorf("error = %v, Authorization = %q; want an error and no header", err, req.Header.Get("Authorization"))
		}
	})
	t.Run("context is passed on", func(t *testing.T) {
		tokens := newTokenEndpoint(t, 3600, nil)
		ts := mustNew(t)(NewTokenSource(testConfig(tokens.URL+tokenPath, newClock(), io.Discard)))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req := httptest.NewRequest(http.MethodGet, "https://app.podero.com/api/x", nil)
		if err := RequestEditor(ts)(ctx, req); !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want context.Canceled", err)
		}
		if n := tokens.requests(); n != 0 {
			t.Errorf("token requests = %d for a cancelled context, want 0", n)
		}
	})
}

type failingSource struct{ err error }

func (f failingSource) Token() (*oauth2.Token, error) { return nil, f.err }

func TestConfigValidation(t *testing.T) {
	valid := Config{ClientID: testID, ClientSecret: testSecret}
	for _, tc := range []struct {
		name    string
		edit    func(*Config)
		wantErr string
	}{
		{"empty client id", func(c *Config) { c.ClientID = "" }, "Config.ClientID is empty"},
		{"empty secret", func(c *Config) { c.ClientSecret = "" }, "Config.ClientSecret is empty"},
		{"unparsable token URL", func(c *Config) { c.TokenURL = "https://app podero.com/" }, "Config.TokenURL is not a valid URL"},
		{"credentials in token URL", func(c *Config) { c.TokenURL = "https://id:" + testSecret + "@app.podero.com/oauth2/token/" }, "Config.TokenURL must not contain credentials"},
		{"malformed URL with credentials", func(c *Config) { c.TokenURL = "https://id:" + testSecret + "@app podero.com/" }, "Config.TokenURL is not a valid URL"},
		{"plain http", func(c *Config) { c.TokenURL = "http://app.podero.com/oauth2/token/" }, "uses plain http; https is required"},
		{"other scheme", func(c *Config) { c.TokenURL = "ftp://app.podero.com/oauth2/token/" }, "must use https"},
		{"relative without base", func(c *Config) { c.TokenURL = SpecTokenPath }, "Config.TokenURL \"/api/partners/v2.0/auth/token\" is relative but Config.BaseURL is empty"},
		{"relative base", func(c *Config) { c.TokenURL, c.BaseURL = SpecTokenPath, "app.podero.com" }, "Config.BaseURL \"app.podero.com\" has no host"},
		{"plain http base", func(c *Config) { c.TokenURL, c.BaseURL = SpecTokenPath, "http://app.podero.com" }, "Config.BaseURL \"http://app.podero.com\" uses plain http"},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, "Config.Timeout is negative"},
		{"unknown encoding", func(c *Config) { c.Encoding = 7 }, "Config.Encoding has unknown value 7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := valid
			tc.edit(&cfg)
			_, err := NewTokenSource(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.wantErr)
			}
			assertNoSecrets(t, "error", err.Error())
		})
	}
	for _, tc := range []struct{ user, pass, wantErr string }{
		{"", testPassword, "username is empty"},
		{testUser, "", "password is empty"},
	} {
		if _, err := NewPasswordTokenSource(valid, tc.user, tc.pass); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("NewPasswordTokenSource(%q, %q) error = %v, want %q", tc.user, tc.pass, err, tc.wantErr)
		}
	}
}

func TestTokenURLResolution(t *testing.T) {
	for _, tc := range []struct{ tokenURL, baseURL, want string }{
		{"", "", ProductionTokenURL},
		{"", "https://app.podero.com", ProductionTokenURL},
		{"", "https://sandbox-app.podero.com/", SandboxTokenURL}, // sandbox credentials stay in the sandbox
		{"", "http://127.0.0.1:8080/prefix", "http://127.0.0.1:8080/prefix/oauth2/token/"},
		{SandboxTokenURL, "", SandboxTokenURL},
		{SpecTokenPath, "https://app.podero.com", "https://app.podero.com/api/partners/v2.0/auth/token"},
		{SpecTokenPath, "https://sandbox-app.podero.com/api/", "https://sandbox-app.podero.com/api/partners/v2.0/auth/token"},
		{"http://localhost:8080/t", "", "http://localhost:8080/t"},
		{"http://127.0.0.5/t", "", "http://127.0.0.5/t"},
		{"http://[::1]:9/t", "", "http://[::1]:9/t"},
	} {
		got, err := resolveTokenURL(tc.tokenURL, tc.baseURL)
		if err != nil || got != tc.want {
			t.Errorf("resolveTokenURL(%q, %q) = %q, %v; want %q", tc.tokenURL, tc.baseURL, got, err, tc.want)
		}
	}
}

func TestRelativeTokenURLIsUsed(t *testing.T) {
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		io.WriteString(w, `{"access_token":"tok-1","expires_in":3600}`)
	}))
	defer srv.Close()
	cfg := testConfig(SpecTokenPath, newClock(), io.Discard)
	cfg.BaseURL = srv.URL
	ts := mustNew(t)(NewTokenSource(cfg))
	if _, err := ts.Token(); err != nil {
		t.Fatal(err)
	}
	if path != SpecTokenPath {
		t.Errorf("token request went to %q, want %q", path, SpecTokenPath)
	}
}

// TestRedirects: both test servers are on 127.0.0.1, so host:port is what
// tells them apart.
func TestRedirects(t *testing.T) {
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		io.WriteString(w, `{"access_token":"stolen","expires_in":3600}`)
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+tokenPath, http.StatusTemporaryRedirect)
		case "/moved":
			http.Redirect(w, r, tokenPath, http.StatusPermanentRedirect)
		default:
			w.Header().Set("Content-Type", "application/json") // x/oauth2 reads text/plain as a form
			io.WriteString(w, `{"access_token":"tok-1","expires_in":3600}`)
		}
	}))
	defer srv.Close()

	for _, f := range flows {
		t.Run(f.name, func(t *testing.T) {
			userClient := &http.Client{}
			cfg := testConfig(srv.URL+"/away", newClock(), io.Discard)
			cfg.HTTPClient = userClient
			ts := mustNew(t)(f.make(cfg))
			_, err := ts.Token()
			if err == nil || !strings.Contains(err.Error(), "refusing redirect from http://"+srv.Listener.Addr().String()) {
				t.Errorf("error = %v, want a refused redirect", err)
			}
			if n := elsewhere.Load(); n != 0 {
				t.Errorf("the other host got %d requests", n)
			}
			if userClient.CheckRedirect != nil {
				t.Error("the caller's http.Client was modified")
			}

			// A redirect on the same host:port is followed.
			cfg.TokenURL = srv.URL + "/moved"
			ts = mustNew(t)(f.make(cfg))
			if tok, err := ts.Token(); err != nil || tok.AccessToken != "tok-1" {
				t.Errorf("same-host redirect: %v, %v; want tok-1", tok, err)
			}
		})
	}
}

// BenchmarkRequestEditor measures the hot path: a cached token.
func BenchmarkRequestEditor(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"access_token":"tok-1","token_type":"Bearer","expires_in":36000}`)
	}))
	defer srv.Close()
	ts, err := NewTokenSource(Config{ClientID: testID, ClientSecret: testSecret, TokenURL: srv.URL + tokenPath})
	if err != nil {
		b.Fatal(err)
	}
	edit := RequestEditor(ts)
	ctx := context.Background()
	req := httptest.NewRequest(http.MethodGet, "https://app.podero.com/api/x", nil)
	if err := edit(ctx, req); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := edit(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// A failed early refresh must not fail callers while the cached token is
// still valid, even after all its tries; it is tried again a little later,
// and only an expired token turns the failure into an error.
func TestFailedEarlyRefreshServesCachedToken(t *testing.T) {
	var failing atomic.Bool
	tokens := newTokenEndpoint(t, 3600, func(r *http.Request) {})
	// In front of it, an endpoint that answers 503 while failing is set.
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			tokens.n.Add(1)
			http.Error(w, `{"error":"temporarily_unavailable"}`, http.StatusServiceUnavailable)
			return
		}
		tokens.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	c := newClock()
	ts := mustNew(t)(NewTokenSource(testConfig(front.URL+tokenPath, c, io.Discard)))
	if tok, err := ts.Token(); err != nil || tok.AccessToken != "tok-1" {
		t.Fatalf("first token: %v %v", tok, err)
	}
	const tries = 1 + DefaultMaxRetries
	failing.Store(true)
	c.advance(3570 * time.Second) // inside the one-minute early-refresh window
	tok, err := ts.Token()
	if err != nil || tok.AccessToken != "tok-1" || tokens.requests() != 1+tries {
		t.Fatalf("during a failed early refresh: %v, %v after %d requests; want tok-1, nil after %d", tok, err, tokens.requests(), 1+tries)
	}
	c.advance(time.Second) // within the retry delay: no new request
	if _, err := ts.Token(); err != nil || tokens.requests() != 1+tries {
		t.Fatalf("right after: %v after %d requests", err, tokens.requests())
	}
	c.advance(30 * time.Second) // expired now
	_, err = ts.Token()
	var te *TokenError
	if !errors.As(err, &te) || te.Attempts != tries || !te.Temporary() {
		t.Fatalf("an expired token was served after the refresh failed, or the error is wrong: %v", err)
	}
	failing.Store(false)
	if tok, err := ts.Token(); err != nil || tok.AccessToken == "tok-1" {
		t.Fatalf("after recovery: %v %v", tok, err)
	}
}

// InvalidateToken drops only the token it names, so a late 401 for an old
// token leaves the newer one alone.
func TestInvalidateTokenLeavesNewerToken(t *testing.T) {
	tokens := newTokenEndpoint(t, 3600, nil)
	ts := mustNew(t)(NewTokenSource(testConfig(tokens.URL+tokenPath, newClock(), io.Discard)))
	old, _ := ts.Token()
	ts.InvalidateToken(old.AccessToken)
	fresh, _ := ts.Token()
	ts.InvalidateToken(old.AccessToken) // a late 401 for the old token
	again, err := ts.Token()
	if err != nil || again.AccessToken != fresh.AccessToken || tokens.requests() != 2 {
		t.Errorf("got %v (%v) after %d requests; want %s after 2", again, err, tokens.requests(), fresh.AccessToken)
	}
}

func TestSnippetKeepsNonUTF8Text(t *testing.T) {
	body := append([]byte("Fehler: Zugriff verweigert f\xfcr diesen Client "), bytes.Repeat([]byte("x"), 400)...)
	s := snippet.Of(body, maxSnippet)
	if !strings.HasPrefix(s, "Fehler: Zugriff verweigert f?r diesen Client") || !utf8.ValidString(s) || len(s) > maxSnippet+len("…") {
		t.Errorf("snippet = %q", s)
	}
}

// Some servers answer with a form-encoded body, which x/oauth2 accepts;
// every flow reads it.
func TestFormEncodedResponse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
		io.WriteString(w, "access_token=tok-1&token_type=bearer&expires_in=3600&scope=read+write")
	}))
	defer srv.Close()
	for _, f := range flows {
		t.Run(f.name, func(t *testing.T) {
			c := newClock()
			ts := mustNew(t)(f.make(testConfig(srv.URL+tokenPath, c, io.Discard)))
			tok, err := ts.Token()
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken != "tok-1" || tok.Type() != "Bearer" || !tok.Expiry.Equal(c.now().Add(time.Hour)) || tok.Extra("scope") != "read write" {
				t.Errorf("token = %q (%s), Expiry %v, scope %v", tok.AccessToken, tok.Type(), tok.Expiry, tok.Extra("scope"))
			}
		})
	}
}

// RFC 6749 section 7.1: a client must not use a token whose type it does
// not understand. Only Bearer is sent; any other type is refused at once
// rather than ending in a 401 from the API.
func TestNonBearerTokenTypeIsRefused(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"tok-mac-1","token_type":"MAC","expires_in":3600,"mac_key":"k"}`)
	}))
	defer srv.Close()
	for _, f := range flows {
		t.Run(f.name, func(t *testing.T) {
			n.Store(0)
			var logs logBuffer
			ts := mustNew(t)(f.make(testConfig(srv.URL+tokenPath, newClock(), &logs)))
			tok, err := ts.Token()
			var te *TokenError
			if !errors.As(err, &te) {
				t.Fatalf("Token() = %v, %v; want a *TokenError", tok, err)
			}
			if msg := err.Error(); !strings.Contains(msg, "token_type") || !strings.Contains(msg, `"MAC"`) || strings.Contains(msg, "tok-mac-1") {
				t.Errorf("error = %q, want it to name token_type and \"MAC\" and not quote the token", msg)
			}
			if strings.Contains(logs.String(), "tok-mac-1") {
				t.Errorf("log quotes the token:\n%s", logs.String())
			}
			if got := n.Load(); got != 1 {
				t.Errorf("token requests = %d, want 1: a wrong token type is not worth a retry", got)
			}
		})
	}
}

// Bearer in any case, or no token_type at all, is a bearer token.
func TestBearerTokenTypeInAnyCase(t *testing.T) {
	for _, tt := range []string{`"Bearer"`, `"bearer"`, `"BEARER"`, `""`, `null`} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"tok-1","expires_in":3600,"token_type":`+tt+`}`)
		}))
		for _, f := range flows {
			ts := mustNew(t)(f.make(testConfig(srv.URL+tokenPath, newClock(), io.Discard)))
			if tok, err := ts.Token(); err != nil || tok.Type() != "Bearer" {
				t.Errorf("%s, token_type %s: %v, %v; want a Bearer token", f.name, tt, tok, err)
			}
		}
		srv.Close()
	}
}

// expires_in is only RECOMMENDED (RFC 6749 section 5.1): a value that
// cannot be read costs no more than an absent one. The token is used, with
// an unknown lifetime, until it is invalidated, and a warning names the field.
func TestUnreadableExpiresInKeepsTheToken(t *testing.T) {
	for _, tc := range []struct {
		name, contentType, body string
	}{
		{"json string", "application/json", `{"access_token":"tok-%d","token_type":"Bearer","expires_in":"soon"}`},
		{"json bool", "application/json", `{"access_token":"tok-%d","token_type":"Bearer","expires_in":true}`},
		{"json object", "application/json", `{"access_token":"tok-%d","token_type":"Bearer","expires_in":{"s":1}}`},
		{"form", "application/x-www-form-urlencoded", `access_token=tok-%d&token_type=Bearer&expires_in=soon`},
	} {
		for _, f := range flows {
			t.Run(tc.name+"/"+f.name, func(t *testing.T) {
				var n atomic.Int64
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", tc.contentType)
					fmt.Fprintf(w, tc.body, n.Add(1))
				}))
				defer srv.Close()
				var logs logBuffer
				c := newClock()
				ts := mustNew(t)(f.make(testConfig(srv.URL+tokenPath, c, &logs)))

				tok, err := ts.Token()
				if err != nil {
					t.Fatalf("Token() error = %v, want the token with an unknown lifetime", err)
				}
				if tok.AccessToken != "tok-1" || !tok.Expiry.IsZero() {
					t.Errorf("token = %q, Expiry %v; want tok-1 with no expiry", tok.AccessToken, tok.Expiry)
				}
				out := logs.String()
				if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "expires_in") || strings.Contains(out, "tok-1") {
					t.Errorf("want a warning that names expires_in and not the token:\n%s", out)
				}
				c.advance(30 * 24 * time.Hour)
				if tok, err := ts.Token(); err != nil || tok.AccessToken != "tok-1" {
					t.Errorf("later: %v, %v; want tok-1 reused", tok, err)
				}
				ts.InvalidateToken("tok-1") // the API said 401
				if tok, err := ts.Token(); err != nil || tok.AccessToken != "tok-2" {
					t.Errorf("after invalidation: %v, %v; want tok-2", tok, err)
				}
			})
		}
	}
}

func TestExpiresInValues(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  time.Duration // 0: unknown
	}{
		{`3600`, time.Hour},
		{`"3600"`, time.Hour},
		{`1.5`, 1500 * time.Millisecond},
		{`0`, 0},
		{`-5`, 0},
		{`"-5"`, 0},
		{`null`, 0},
		{`""`, 0},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"tok-1","token_type":"Bearer","expires_in":`+tc.value+`}`)
		}))
		for _, f := range flows {
			c := newClock()
			ts := mustNew(t)(f.make(testConfig(srv.URL+tokenPath, c, io.Discard)))
			tok, err := ts.Token()
			switch {
			case err != nil:
				t.Errorf("%s, expires_in %s: %v", f.name, tc.value, err)
			case tc.want == 0 && !tok.Expiry.IsZero():
				t.Errorf("%s, expires_in %s: Expiry %v, want none", f.name, tc.value, tok.Expiry)
			case tc.want != 0 && !tok.Expiry.Equal(c.now().Add(tc.want)):
				t.Errorf("%s, expires_in %s: Expiry %v, want %v", f.name, tc.value, tok.Expiry, c.now().Add(tc.want))
			}
		}
		srv.Close()
	}
}

// Credentials with characters that every encoding changes, so that each
// form of a secret differs from the others.
const (
	oddID       = "cli+ent/id 78"
	oddSecret   = `s3cr3t/VAL+UE~~x y&z"<é>?`
	oddPassword = `pa55/WO+RD~ q&r"<ü>=`
)

// secretForms is every form in which a server or proxy might echo the
// client secret and the password: as they were sent (Basic credentials of
// either encoding in any base64 alphabet, padded or not; the form-encoded
// password), and raw, URL-, path-, JSON- or HTML-escaped. Only the password
// grant knows a password: withPassword adds its forms.
func secretForms(withPassword bool) []string {
	var forms []string
	secrets := []string{oddSecret}
	if withPassword {
		secrets = append(secrets, oddPassword)
	}
	for _, s := range secrets {
		js, _ := json.Marshal(s) // escapes <, > and & too
		var plain bytes.Buffer
		enc := json.NewEncoder(&plain)
		enc.SetEscapeHTML(false)
		enc.Encode(s)
		forms = append(forms, s, url.QueryEscape(s), url.PathEscape(s), html.EscapeString(s),
			strings.Trim(string(js), `"`), strings.Trim(strings.TrimSpace(plain.String()), `"`))
	}
	for _, creds := range []string{oddID + ":" + oddSecret, url.QueryEscape(oddID) + ":" + url.QueryEscape(oddSecret)} {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			forms = append(forms, enc.EncodeToString([]byte(creds)))
		}
	}
	return forms
}

// TestEchoedSecretsAreRedacted has a token endpoint echo, in an error,
// the request it got and one form of a secret, in the shapes servers and
// proxies use: OAuth error JSON, an HTML error page and plain text. No form
// of a secret may reach the error, in any print form, or the log.
func TestEchoedSecretsAreRedacted(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range secretForms(true) {
		if seen[f] {
			t.Fatalf("form %q twice: pick credentials whose forms all differ", f)
		}
		seen[f] = true
	}
	shapes := map[string]func(w http.ResponseWriter, echo string){
		"json error_description": func(w http.ResponseWriter, echo string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "error_description": echo})
		},
		"html 500": func(w http.ResponseWriter, echo string) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, "<html><body><h1>Server Error</h1><pre>"+echo+"</pre></body></html>")
		},
		"plain 400": func(w http.ResponseWriter, echo string) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, "bad request\n"+echo)
		},
	}
	var mu sync.Mutex
	var shape, form string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		shapes[shape](w, "Authorization: "+r.Header.Get("Authorization")+" body: "+string(body)+" form: "+form)
	}))
	defer srv.Close()

	for _, f := range flows {
		forms := secretForms(f.name == "password")
		for name := range shapes {
			for i, fm := range forms {
				t.Run(fmt.Sprintf("%s/%s/form %d", f.name, name, i), func(t *testing.T) {
					mu.Lock()
					shape, form = name, fm
					mu.Unlock()
					var logs logBuffer
					cfg := testConfig(srv.URL+tokenPath, newClock(), &logs)
					cfg.ClientID, cfg.ClientSecret = oddID, oddSecret
					ts := mustNew(t)(f.make(cfg))
					if f.name == "password" {
						ts = mustNew(t)(NewPasswordTokenSource(cfg, testUser, oddPassword))
					}
					_, err := ts.Token()
					var te *TokenError
					if !errors.As(err, &te) {
						t.Fatalf("error = %v, want a *TokenError", err)
					}
					if !strings.Contains(err.Error(), "form: [redacted]") {
						t.Errorf("error = %q, want the echoed form redacted whole", err)
					}
					wrapped := fmt.Errorf("call: %w", err)
					outputs := map[string]string{
						"Error()":           err.Error(),
						"%v":                fmt.Sprintf("%v", err),
						"%+v":               fmt.Sprintf("%+v", err),
						"%#v":               fmt.Sprintf("%#v", err),
						"%+v of the struct": fmt.Sprintf("%+v", *te),
						"%#v of the struct": fmt.Sprintf("%#v", *te),
						"wrapped":           fmt.Sprintf("%v %+v %#v", wrapped, wrapped, wrapped),
						"log":               logs.String(),
					}
					for what, out := range outputs {
						for j, bad := range forms {
							if strings.Contains(out, bad) {
								t.Errorf("%s contains form %d of a secret (%q):\n%s", what, j, bad, out)
							}
						}
					}
				})
			}
		}
	}
}

// A secret cut in half by the length limit on quoted text must not leave
// its first part behind: text is redacted before it is shortened.
func TestSecretCutByTheSnippetLimitIsRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusBadRequest)
		// The limit falls four bytes before the end of the credentials.
		io.WriteString(w, strings.Repeat("x", maxSnippet-len(auth)+4)+auth+" and more")
	}))
	defer srv.Close()
	for _, f := range flows {
		t.Run(f.name, func(t *testing.T) {
			cfg := testConfig(srv.URL+tokenPath, newClock(), io.Discard)
			cfg.ClientID, cfg.ClientSecret = oddID, oddSecret
			ts := mustNew(t)(f.make(cfg))
			_, err := ts.Token()
			for _, form := range secretForms(f.name == "password") {
				if len(form) > 8 && strings.Contains(err.Error(), form[:len(form)-4]) {
					t.Errorf("error = %q, holds the start of %q", err, form)
				}
			}
		})
	}
}

// failFirst serves tokens from a newTokenEndpoint-like handler after its
// first n requests, which fail as fail says.
func failFirst(t *testing.T, n int64, fail http.HandlerFunc) *tokenEndpoint {
	t.Helper()
	e := &tokenEndpoint{}
	var served atomic.Int64
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.n.Add(1)
		io.Copy(io.Discard, r.Body)
		if served.Add(1) <= n {
			fail(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"Bearer","expires_in":3600}`, served.Load())
	}))
	t.Cleanup(e.Close)
	return e
}

func status(code int, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		http.Error(w, http.StatusText(code), code)
	}
}

// hangUp drops the connection without an answer.
func hangUp(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

// A transient failure of the token endpoint, once, costs the caller nothing:
// the token source tries again.
func TestTransientTokenFailureIsRetried(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fail    http.HandlerFunc
		timeout time.Duration
	}{
		{"503", status(http.StatusServiceUnavailable), 0},
		{"500", status(http.StatusInternalServerError), 0},
		{"502", status(http.StatusBadGateway), 0},
		{"429", status(http.StatusTooManyRequests), 0},
		{"408", status(http.StatusRequestTimeout), 0},
		{"connection dropped", hangUp, 0},
		{"attempt timed out", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, 50 * time.Millisecond},
	} {
		for _, f := range flows {
			t.Run(tc.name+"/"+f.name, func(t *testing.T) {
				tokens := failFirst(t, 1, tc.fail)
				cfg := testConfig(tokens.URL+tokenPath, newClock(), io.Discard)
				cfg.Timeout = tc.timeout
				ts := mustNew(t)(f.make(cfg))
				tok, err := ts.Token()
				if err != nil || tok.AccessToken != "tok-2" {
					t.Fatalf("Token() = %v, %v; want tok-2 from the second attempt", tok, err)
				}
				if n := tokens.requests(); n != 2 {
					t.Errorf("token requests = %d, want 2", n)
				}
			})
		}
	}
}

// Callers waiting for the same token request share its outcome, retries
// included: one 503 fails none of them.
func TestWaitingCallersShareTheRetriedRequest(t *testing.T) {
	const callers = 50
	var ready sync.WaitGroup
	ready.Add(callers)
	allCalling := make(chan struct{})
	go func() { ready.Wait(); close(allCalling) }()
	tokens := failFirst(t, 1, func(w http.ResponseWriter, r *http.Request) {
		<-allCalling // answer once every caller is asking
		status(http.StatusServiceUnavailable)(w, r)
	})
	ts := mustNew(t)(NewTokenSource(testConfig(tokens.URL+tokenPath, newClock(), io.Discard)))

	errs := make(chan error, callers)
	for range callers {
		go func() {
			ready.Done()
			tok, err := ts.TokenContext(context.Background())
			if err == nil && tok.AccessToken != "tok-2" {
				err = fmt.Errorf("got %s, want tok-2", tok.AccessToken)
			}
			errs <- err
		}()
	}
	for range callers {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := tokens.requests(); n != 2 {
		t.Errorf("token requests = %d, want 2", n)
	}
}

// Rejected credentials and other OAuth errors would fail again: they are
// returned after one request, and are not Temporary.
func TestOAuthErrorsAreNotRetried(t *testing.T) {
	oauthError := func(code int, errorCode string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"error":%q}`, errorCode)
		}
	}
	for _, tc := range []struct {
		name string
		fail http.HandlerFunc
	}{
		{"401 invalid_client", oauthError(http.StatusUnauthorized, "invalid_client")},
		{"400 invalid_grant", oauthError(http.StatusBadRequest, "invalid_grant")},
		{"400 unsupported_grant_type", oauthError(http.StatusBadRequest, "unsupported_grant_type")},
		{"200 invalid_scope", oauthError(http.StatusOK, "invalid_scope")},
		{"403 plain text", status(http.StatusForbidden)},
		{"404", status(http.StatusNotFound)},
		{"malformed 200", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":`)
		}},
	} {
		for _, f := range flows {
			t.Run(tc.name+"/"+f.name, func(t *testing.T) {
				tokens := failFirst(t, 1, tc.fail)
				ts := mustNew(t)(f.make(testConfig(tokens.URL+tokenPath, newClock(), io.Discard)))
				_, err := ts.Token()
				var te *TokenError
				if !errors.As(err, &te) {
					t.Fatalf("error = %v, want a *TokenError", err)
				}
				if te.Temporary() || te.Attempts != 1 || strings.Contains(err.Error(), "attempts") {
					t.Errorf("Temporary() = %v, Attempts = %d, error %q; want false, 1", te.Temporary(), te.Attempts, err)
				}
				if n := tokens.requests(); n != 1 {
					t.Errorf("token requests = %d, want 1", n)
				}
			})
		}
	}
}

func TestRetriesAreBounded(t *testing.T) {
	for _, tc := range []struct {
		maxRetries int
		want       int64
	}{{0, 1 + DefaultMaxRetries}, {1, 2}, {-1, 1}} {
		t.Run(fmt.Sprint("MaxRetries ", tc.maxRetries), func(t *testing.T) {
			tokens := failFirst(t, 1000, status(http.StatusServiceUnavailable))
			cfg := testConfig(tokens.URL+tokenPath, newClock(), io.Discard)
			cfg.MaxRetries = tc.maxRetries
			ts := mustNew(t)(NewTokenSource(cfg))
			_, err := ts.Token()
			var te *TokenError
			if !errors.As(err, &te) {
				t.Fatalf("error = %v, want a *TokenError", err)
			}
			if n := tokens.requests(); n != tc.want || te.Attempts != int(tc.want) || !te.Temporary() {
				t.Errorf("requests = %d, Attempts = %d, Temporary() = %v; want %d, %d, true", n, te.Attempts, te.Temporary(), tc.want, tc.want)
			}
			wantMsg := fmt.Sprintf("failed after %d attempts: 503 Service Unavailable", tc.want)
			if tc.want == 1 {
				wantMsg = "failed: 503 Service Unavailable"
			}
			if !strings.Contains(err.Error(), wantMsg) {
				t.Errorf("error = %q, want it to contain %q", err, wantMsg)
			}
		})
	}
}

// The waits between tries grow exponentially, with jitter.
func TestRetryBackoffGrowsWithJitter(t *testing.T) {
	tokens := failFirst(t, 1000, status(http.StatusBadGateway))
	var rec sleeps
	cfg := testConfig(tokens.URL+tokenPath, newClock(), io.Discard)
	cfg.MaxRetries, cfg.sleep = 5, rec.sleep
	ts := mustNew(t)(NewTokenSource(cfg))
	if _, err := ts.Token(); err == nil {
		t.Fatal("want an error")
	}
	waits := rec.waits()
	if len(waits) != 5 {
		t.Fatalf("waits = %v, want 5", waits)
	}
	for i, d := range waits {
		hi := retryBackoff << i
		if d < hi/2 || d > hi {
			t.Errorf("wait %d = %v, want within [%v, %v]", i+1, d, hi/2, hi)
		}
	}
}

// A short Retry-After on 429 or 503 is waited for; a long one ends the
// retries, since the endpoint will not be back soon.
func TestRetryAfterIsHonoured(t *testing.T) {
	c := newClock()
	for _, tc := range []struct {
		name       string
		fail       http.HandlerFunc
		wantWaits  []time.Duration // nil: no retry
		wantTokens bool
	}{
		{"429 seconds", status(http.StatusTooManyRequests, "Retry-After", "3"), []time.Duration{3 * time.Second}, true},
		{"503 date", status(http.StatusServiceUnavailable, "Retry-After", c.now().Add(4*time.Second).Format(http.TimeFormat)), []time.Duration{4 * time.Second}, true},
		{"503 too long", status(http.StatusServiceUnavailable, "Retry-After", "3600"), nil, false},
		{"429 huge", status(http.StatusTooManyRequests, "Retry-After", "99999999999999999999"), nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tokens := failFirst(t, 1, tc.fail)
			var rec sleeps
			cfg := testConfig(tokens.URL+tokenPath, c, io.Discard)
			cfg.sleep = rec.sleep
			ts := mustNew(t)(NewTokenSource(cfg))
			_, err := ts.Token()
			if (err == nil) != tc.wantTokens {
				t.Errorf("error = %v, want a token: %v", err, tc.wantTokens)
			}
			if waits := rec.waits(); !slices.Equal(waits, tc.wantWaits) {
				t.Errorf("waits = %v, want %v", waits, tc.wantWaits)
			}
			var te *TokenError
			if errors.As(err, &te) && !te.Temporary() {
				t.Errorf("Temporary() = false, want true")
			}
		})
	}
}

// A caller's context bounds its own wait, also while the token source
// waits between retries; the others still get the token.
func TestCallerContextBoundsTheWaitDuringRetries(t *testing.T) {
	tokens := failFirst(t, 1, status(http.StatusServiceUnavailable))
	sleeping, wake := make(chan struct{}), make(chan struct{})
	cfg := testConfig(tokens.URL+tokenPath, newClock(), io.Discard)
	cfg.sleep = func(time.Duration) { close(sleeping); <-wake }
	ts := mustNew(t)(NewTokenSource(cfg))

	ctx, cancel := context.WithCancel(context.Background())
	errA := make(chan error, 1)
	go func() { _, err := ts.TokenContext(ctx); errA <- err }()
	select {
	case <-sleeping: // between the first attempt and the retry
	case err := <-errA:
		t.Fatalf("caller returned %v before any retry", err)
	}
	cancel()
	if err := <-errA; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller got %v, want context.Canceled", err)
	}
	type result struct {
		tok *oauth2.Token
		err error
	}
	resB := make(chan result, 1)
	go func() { tok, err := ts.Token(); resB <- result{tok, err} }()
	close(wake)
	if b := <-resB; b.err != nil || b.tok.AccessToken != "tok-2" {
		t.Errorf("other caller got %v, %v; want tok-2", b.tok, b.err)
	}
}

// revocableAPI is an API server that accepts the bearer tokens in valid.
type revocableAPI struct {
	*httptest.Server
	mu    sync.Mutex
	valid map[string]bool
	hold  func() // if not nil, called before answering
}

func newRevocableAPI(t *testing.T) *revocableAPI {
	a := &revocableAPI{valid: map[string]bool{}}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.hold != nil {
			a.hold()
		}
		a.mu.Lock()
		ok := a.valid[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		a.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	t.Cleanup(a.Close)
	return a
}

func (a *revocableAPI) set(tok string, valid bool) {
	a.mu.Lock()
	a.valid[tok] = valid
	a.mu.Unlock()
}

// call sends one API request with tok and returns its status.
func (a *revocableAPI) call(t *testing.T, tok *oauth2.Token) int {
	req, _ := http.NewRequest(http.MethodGet, a.URL, nil)
	tok.SetAuthHeader(req)
	resp, err := a.Client().Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A call is in flight with T1 while the cache has moved on to T2 (an early
// refresh). The server revokes both. The re-authentication after the 401
// must not reuse T2, which was fetched before the 401: it fetches T3.
func TestReauthenticationAfterRevocationFetchesANewerToken(t *testing.T) {
	tokens := newTokenEndpoint(t, 3600, nil)
	api := newRevocableAPI(t)
	c := newClock()
	ts := mustNew(t)(NewTokenSource(testConfig(tokens.URL+tokenPath, c, io.Discard)))

	t1, err := ts.Token() // call A's token
	if err != nil {
		t.Fatal(err)
	}
	c.advance(3570 * time.Second) // early-refresh window: another call gets T2
	t2, err := ts.Token()
	if err != nil || t2.AccessToken != "tok-2" {
		t.Fatalf("early refresh: %v, %v; want tok-2", t2, err)
	}
	api.set("tok-1", false) // revoked, as is tok-2: neither is valid
	if got := api.call(t, t1); got != http.StatusUnauthorized {
		t.Fatalf("API answered %d for the revoked token, want 401", got)
	}
	stamp := ts.Stamp() // right after the 401
	tok, err := ts.TokenAfter(context.Background(), stamp)
	if err != nil || tok.AccessToken != "tok-3" {
		t.Fatalf("TokenAfter = %v, %v; want tok-3, from a request begun after the 401", tok, err)
	}
	api.set("tok-3", true)
	if got := api.call(t, tok); got != http.StatusOK {
		t.Errorf("retried call: API answered %d, want 200", got)
	}
	// The new token now qualifies for that stamp and for everyone else.
	again, err := ts.TokenAfter(context.Background(), stamp)
	if err != nil || again.AccessToken != "tok-3" {
		t.Errorf("TokenAfter again = %v, %v; want the cached tok-3", again, err)
	}
	if tok, err := ts.Token(); err != nil || tok.AccessToken != "tok-3" {
		t.Errorf("Token() = %v, %v; want tok-3", tok, err)
	}
	if n := tokens.requests(); n != 3 {
		t.Errorf("token requests = %d, want 3", n)
	}
}

// 200 concurrent API calls get 401 at about the same time and each asks
// for a token begun after its 401: one token request serves them all.
func TestConcurrent401sCauseOneTokenRequest(t *testing.T) {
	const callers = 200
	tokens := newTokenEndpoint(t, 3600, nil)
	api := newRevocableAPI(t)
	var arrived sync.WaitGroup
	arrived.Add(callers)
	allArrived := make(chan struct{})
	var holding atomic.Bool
	holding.Store(true)
	go func() { arrived.Wait(); holding.Store(false); close(allArrived) }()
	api.set("tok-2", true) // tok-1 is revoked; tok-2 will be good
	// The first round of calls is answered together.
	api.hold = func() {
		if holding.Load() {
			arrived.Done()
			<-allArrived
		}
	}
	ts := mustNew(t)(NewTokenSource(testConfig(tokens.URL+tokenPath, newClock(), io.Discard)))
	edit := RequestEditor(ts)
	if _, err := ts.Token(); err != nil { // tok-1, then revoked
		t.Fatal(err)
	}

	var stamped sync.WaitGroup
	stamped.Add(callers)
	stamps := make(chan Stamp, callers)
	errs := make(chan error, callers)
	for range callers {
		go func() {
			req, _ := http.NewRequest(http.MethodGet, api.URL, nil)
			if err := edit(context.Background(), req); err != nil {
				stamped.Done()
				errs <- err
				return
			}
			resp, err := api.Client().Do(req)
			if err != nil {
				stamped.Done()
				errs <- err
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				stamped.Done()
				errs <- fmt.Errorf("first call: %s, want 401", resp.Status)
				return
			}
			s := ts.Stamp() // right after the 401
			stamps <- s
			stamped.Done()
			stamped.Wait() // every stamp is taken before any new token request
			tok, err := ts.TokenAfter(context.Background(), s)
			if err != nil {
				errs <- err
				return
			}
			if tok.AccessToken != "tok-2" {
				errs <- fmt.Errorf("TokenAfter gave %s, want tok-2", tok.AccessToken)
				return
			}
			if got := api.call(t, tok); got != http.StatusOK {
				errs <- fmt.Errorf("retried call: API answered %d, want 200", got)
				return
			}
			errs <- nil
		}()
	}
	for range callers {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	close(stamps)
	first := <-stamps
	for s := range stamps {
		if s != first {
			t.Fatalf("stamps differ: %v and %v", s, first)
		}
	}
	if n := tokens.requests(); n != 2 {
		t.Errorf("token requests = %d, want 2: one before, one for all 200 re-authentications", n)
	}
}

// A token request that began before the stamp does not qualify, even while
// it is in flight: TokenAfter starts a newer one. The older request's late
// answer goes to its own callers and does not replace the newer token.
func TestTokenAfterDoesNotJoinAnOlderRequest(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var first atomic.Bool
	first.Store(true)
	tokens := newTokenEndpoint(t, 3600, func(r *http.Request) {
		if first.CompareAndSwap(true, false) {
			close(entered)
			<-release
		}
	})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	ts := mustNew(t)(NewTokenSource(testConfig(tokens.URL+tokenPath, newClock(), io.Discard)))

	type result struct {
		tok *oauth2.Token
		err error
	}
	resA := make(chan result, 1)
	go func() { tok, err := ts.Token(); resA <- result{tok, err} }()
	<-entered // request 1 is at the endpoint

	stamp := ts.Stamp()
	resB := make(chan result, 1)
	go func() { tok, err := ts.TokenAfter(context.Background(), stamp); resB <- result{tok, err} }()
	select {
	case b := <-resB:
		if b.err != nil || b.tok.AccessToken != "tok-2" {
			t.Fatalf("TokenAfter = %v, %v; want tok-2", b.tok, b.err)
		}
	case <-time.After(10 * time.Second): // hang guard, not a timing assertion
		t.Fatal("TokenAfter waits for a request that began before its stamp")
	}
	close(release)
	if a := <-resA; a.err != nil || a.tok.AccessToken != "tok-1" {
		t.Errorf("older request's caller got %v, %v; want tok-1", a.tok, a.err)
	}
	if tok, err := ts.Token(); err != nil || tok.AccessToken != "tok-2" {
		t.Errorf("Token() = %v, %v; want the newer tok-2 still cached", tok, err)
	}
	if n := tokens.requests(); n != 2 {
		t.Errorf("token requests = %d, want 2", n)
	}
}

// When the new request fails, TokenAfter returns the error: the cached
// token that the API rejected is no fallback, even while it is unexpired.
func TestTokenAfterFailureDoesNotFallBackToTheRejectedToken(t *testing.T) {
	var failing atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"invalid_client"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"tok-1","token_type":"Bearer","expires_in":3600}`)
	}))
	defer srv.Close()
	c := newClock()
	ts := mustNew(t)(NewTokenSource(testConfig(srv.URL+tokenPath, c, io.Discard)))
	if _, err := ts.Token(); err != nil {
		t.Fatal(err)
	}
	failing.Store(true)
	c.advance(3570 * time.Second) // early refresh fails; the cached token is still served
	if tok, err := ts.Token(); err != nil || tok.AccessToken != "tok-1" {
		t.Fatalf("Token() = %v, %v; want tok-1 served after a failed early refresh", tok, err)
	}
	// The API rejects tok-1.
	tok, err := ts.TokenAfter(context.Background(), ts.Stamp())
	var te *TokenError
	if !errors.As(err, &te) || te.ErrorCode != "invalid_client" {
		t.Errorf("TokenAfter = %v, %v; want the invalid_client error", tok, err)
	}
}

func TestStampZeroValue(t *testing.T) {
	tokens := newTokenEndpoint(t, 3600, nil)
	ts := mustNew(t)(NewTokenSource(testConfig(tokens.URL+tokenPath, newClock(), io.Discard)))
	if ts.Stamp() != (Stamp{}) {
		t.Errorf("Stamp() before any token request = %v, want the zero Stamp", ts.Stamp())
	}
	if tok, err := ts.TokenAfter(context.Background(), Stamp{}); err != nil || tok.AccessToken != "tok-1" {
		t.Fatalf("TokenAfter(zero) = %v, %v", tok, err)
	}
	if ts.Stamp() == (Stamp{}) {
		t.Error("Stamp() after a token request is still the zero Stamp")
	}
	// Every token qualifies for the zero Stamp: the cached one is used.
	if tok, err := ts.TokenAfter(context.Background(), Stamp{}); err != nil || tok.AccessToken != "tok-1" || tokens.requests() != 1 {
		t.Errorf("TokenAfter(zero) again = %v, %v after %d requests; want the cached tok-1", tok, err, tokens.requests())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ts.TokenAfter(ctx, ts.Stamp()); !errors.Is(err, context.Canceled) {
		t.Errorf("TokenAfter with a cancelled context = %v, want context.Canceled", err)
	}
}

// When an older request, overtaken by TokenAfter, fails after the newer
// one succeeded, its callers get the newer token, whose refresh is not
// brought forward.
func TestOvertakenRequestFailureServesTheNewerToken(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if i := n.Add(1); i == 1 {
			close(entered)
			<-release
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"invalid_client"}`)
			return
		}
		fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"Bearer","expires_in":3600}`, n.Load())
	}))
	defer srv.Close()
	c := newClock()
	ts := mustNew(t)(NewTokenSource(testConfig(srv.URL+tokenPath, c, io.Discard)))
	type result struct {
		tok *oauth2.Token
		err error
	}
	resA := make(chan result, 1)
	go func() { tok, err := ts.Token(); resA <- result{tok, err} }()
	<-entered
	if tok, err := ts.TokenAfter(context.Background(), ts.Stamp()); err != nil || tok.AccessToken != "tok-2" {
		t.Fatalf("TokenAfter = %v, %v; want tok-2", tok, err)
	}
	close(release)
	if a := <-resA; a.err != nil || a.tok.AccessToken != "tok-2" {
		t.Errorf("caller of the failed older request got %v, %v; want the newer tok-2", a.tok, a.err)
	}
	c.advance(10 * time.Second)
	if tok, err := ts.Token(); err != nil || tok.AccessToken != "tok-2" || n.Load() != 2 {
		t.Errorf("Token() = %v, %v after %d requests; want tok-2 after 2", tok, err, n.Load())
	}
}

// A URL's userinfo is a credential too: no form of it is printed.
func TestPrintingRedactsURLCredentials(t *testing.T) {
	const pw = "hunter2/?#@x"
	for _, raw := range []string{
		"https://u:" + url.PathEscape(pw) + "@h.example/",
		"https://" + url.PathEscape(pw) + "@h.example/",   // a user name alone may be the secret
		"https:u:" + url.PathEscape(pw) + "@h.example/",   // opaque: parses without userinfo
		"https://u:" + url.PathEscape(pw) + "@h example/", // does not parse
	} {
		cfg := Config{ClientID: testID, BaseURL: raw, TokenURL: raw}
		var logged bytes.Buffer
		slog.New(slog.NewJSONHandler(&logged, nil)).Info("cfg", "cfg", cfg)
		slog.New(slog.NewTextHandler(&logged, nil)).Info("cfg", "cfg", cfg)
		for _, s := range []string{
			fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg),
			fmt.Sprintf("%v %+v %#v %s", &cfg, &cfg, &cfg, &cfg),
			logged.String(),
		} {
			for _, form := range []string{"hunter2", url.PathEscape(pw), url.QueryEscape(pw)} {
				if strings.Contains(s, form) {
					t.Errorf("%s: printed form has %q: %s", raw, form, s)
				}
			}
		}
	}
}

// heldEndpoint is a token endpoint whose n-th request (from 1) waits for
// release[n-1] after signalling entered[n-1]; fail says which requests
// answer invalid_client instead of a token tok-<n>.
func heldEndpoint(t *testing.T, n int, fail func(int) bool) (srv *httptest.Server, entered, release []chan struct{}, requests *atomic.Int64) {
	requests = new(atomic.Int64)
	for range n {
		entered, release = append(entered, make(chan struct{})), append(release, make(chan struct{}))
	}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(requests.Add(1))
		io.Copy(io.Discard, r.Body)
		if i <= n {
			close(entered[i-1])
			<-release[i-1]
		}
		w.Header().Set("Content-Type", "application/json")
		if fail(i) {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"invalid_client"}`)
			return
		}
		fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"Bearer","expires_in":3600}`, i)
	}))
	t.Cleanup(func() {
		for _, c := range release {
			select {
			case <-c:
			default:
				close(c)
			}
		}
		srv.Close()
	})
	return srv, entered, release, requests
}

// TokenAfter's request fails while an older request, begun before the
// stamp, has meanwhile cached its token: that token is no fallback, as it
// may be the one the API rejected.
func TestTokenAfterFailureDoesNotFallBackToAnOlderRequestsToken(t *testing.T) {
	srv, entered, release, _ := heldEndpoint(t, 2, func(i int) bool { return i == 2 })
	ts := mustNew(t)(NewTokenSource(testConfig(srv.URL+tokenPath, newClock(), io.Discard)))
	resA := make(chan error, 1)
	go func() { _, err := ts.Token(); resA <- err }()
	<-entered[0] // request 1 is at the endpoint
	stamp := ts.Stamp()
	type result struct {
		tok *oauth2.Token
		err error
	}
	resB := make(chan result, 1)
	go func() { tok, err := ts.TokenAfter(context.Background(), stamp); resB <- result{tok, err} }()
	<-entered[1] // request 2, TokenAfter's, too
	close(release[0])
	if err := <-resA; err != nil { // tok-1 is cached
		t.Fatal(err)
	}
	close(release[1]) // request 2 fails
	b := <-resB
	var te *TokenError
	if !errors.As(b.err, &te) || te.ErrorCode != "invalid_client" {
		t.Errorf("TokenAfter = %v, %v; want the invalid_client error, not tok-1 from before the stamp", b.tok, b.err)
	}
}

// An older request that finishes while a newer one is in flight leaves
// the newer one in flight: a later TokenAfter with the same stamp joins it
// instead of starting a third request.
func TestOlderRequestLeavesTheNewerInFlight(t *testing.T) {
	srv, entered, release, requests := heldEndpoint(t, 2, func(int) bool { return false })
	ts := mustNew(t)(NewTokenSource(testConfig(srv.URL+tokenPath, newClock(), io.Discard)))
	resA := make(chan error, 1)
	go func() { _, err := ts.Token(); resA <- err }()
	<-entered[0]
	stamp := ts.Stamp()
	type result struct {
		tok *oauth2.Token
		err error
	}
	resB, resC := make(chan result, 1), make(chan result, 1)
	go func() { tok, err := ts.TokenAfter(context.Background(), stamp); resB <- result{tok, err} }()
	<-entered[1]
	close(release[0]) // request 1 ends while request 2 is in flight
	if err := <-resA; err != nil {
		t.Fatal(err)
	}
	go func() { tok, err := ts.TokenAfter(context.Background(), stamp); resC <- result{tok, err} }()
	// C must wait for request 2; give a wrong implementation time to start
	// request 3 (whose answer would come at once).
	select {
	case c := <-resC:
		t.Fatalf("second TokenAfter returned %v, %v before request 2 ended", c.tok, c.err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release[1])
	for _, r := range []result{<-resB, <-resC} {
		if r.err != nil || r.tok.AccessToken != "tok-2" {
			t.Errorf("TokenAfter = %v, %v; want tok-2", r.tok, r.err)
		}
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("token requests = %d, want 2", n)
	}
}

// A password that starts with the client secret is redacted whole, not as
// the secret followed by the rest of the password.
func TestPasswordStartingWithTheSecretIsRedactedWhole(t *testing.T) {
	const password = testSecret + "-and-the-rest"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, "bad password "+r.PostForm.Get("password"))
	}))
	defer srv.Close()
	var logs logBuffer
	ts := mustNew(t)(NewPasswordTokenSource(testConfig(srv.URL+tokenPath, newClock(), &logs), testUser, password))
	_, err := ts.Token()
	if err == nil {
		t.Fatal("no error for a 400")
	}
	for _, out := range []string{err.Error(), fmt.Sprintf("%+v %#v", err, err), logs.String()} {
		if strings.Contains(out, "and-the-rest") || strings.Contains(out, testSecret) {
			t.Errorf("the password shows: %s", out)
		}
	}
}
