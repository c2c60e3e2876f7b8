package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/podero-go/podero/internal/httpguard"
	"github.com/podero-go/podero/oauth"
)

// Version is this SDK's version, sent in the User-Agent.
const Version = "0.1.0"

// maxResponseBody bounds a response body the client reads into memory.
const maxResponseBody = 64 << 20

// Config configures [New]. The zero value of each field selects its default;
// ClientID and ClientSecret, or TokenSource, are required.
//
// Printing a Config with fmt or log/slog redacts ClientSecret.
type Config struct {
	// BaseURL is the API host: [ProductionBaseURL] (the default),
	// [SandboxBaseURL], or a test server's URL.
	BaseURL string

	// ClientID and ClientSecret are the OAuth2 client credentials Podero
	// issued to the partner.
	ClientID     string
	ClientSecret string
	// TokenURL is the token endpoint. The default is the one Podero's
	// guides document, on BaseURL's host: BaseURL + [oauth.GuideTokenPath],
	// which is [oauth.ProductionTokenURL] or [oauth.SandboxTokenURL]. The
	// spec's own endpoint is [oauth.SpecTokenPath].
	TokenURL string
	// TokenEncoding selects the token request's format: JSON, as the guides
	// document (the default), or RFC 6749's form encoding.
	TokenEncoding oauth.Encoding
	// TokenSource, if set, supplies the tokens instead of the client
	// credentials: one backed by a secret store, say. If it has an
	// Invalidate method, the client calls it after a 401 and retries once.
	TokenSource oauth2.TokenSource

	// HTTPClient sends the requests; nil means a client with
	// http.DefaultTransport. Set one to add a transport of your own, such
	// as OpenTelemetry's. Its Timeout, if any, bounds each attempt. It is
	// copied, not modified: the copy refuses redirects to another scheme or
	// host:port, which would carry the bearer token along.
	HTTPClient *http.Client
	// UserAgent is put before "podero-go/<version>" in the User-Agent.
	UserAgent string
	// Retry is the retry policy; nil means [DefaultRetryPolicy].
	Retry *RetryPolicy
	// Logger, if set, gets a debug record for every attempt (operation,
	// method, path without the query, status, duration, attempt) and a
	// warning for every retry. Headers, bodies and tokens are never logged.
	Logger *slog.Logger
}

// String describes c with ClientSecret redacted.
func (c Config) String() string {
	secret := ""
	if c.ClientSecret != "" {
		secret = "[redacted]"
	}
	return fmt.Sprintf("api.Config{BaseURL: %q, ClientID: %q, ClientSecret: %q, TokenURL: %q}", c.BaseURL, c.ClientID, secret, c.TokenURL)
}

// GoString is String, so that %#v redacts too.
func (c Config) GoString() string { return c.String() }

// LogValue is String, so that log/slog redacts too.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// PartnerClient is the generated [ClientWithResponses] with the SDK's call
// layer under it: OAuth2 tokens, retries, a re-authentication after a 401,
// and an [*Error] for every response that is not a 2xx. Every generated
// method is available on it.
type PartnerClient struct {
	*ClientWithResponses
	// Tokens is the token source the client authenticates with.
	Tokens oauth2.TokenSource
}

// New returns a client for the Partner API configured by cfg.
func New(cfg Config) (*PartnerClient, error) {
	base := cfg.BaseURL
	if base == "" {
		base = ProductionBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("podero: Config.BaseURL %q is not an http(s) URL with a host", base)
	}
	// Tokens must not cross the network in the clear; loopback is for tests.
	if u.Scheme == "http" && !httpguard.IsLoopback(u.Hostname()) {
		return nil, fmt.Errorf("podero: Config.BaseURL %q: plain http is only allowed to a loopback address; use https", base)
	}
	ts := cfg.TokenSource
	if ts == nil {
		if cfg.ClientID == "" || cfg.ClientSecret == "" {
			return nil, errors.New("podero: Config needs ClientID and ClientSecret, or a TokenSource")
		}
		ts, err = oauth.NewTokenSource(oauth.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			TokenURL:     cfg.TokenURL,
			BaseURL:      base,
			Encoding:     cfg.TokenEncoding,
			HTTPClient:   cfg.HTTPClient,
			Logger:       cfg.Logger,
		})
		if err != nil {
			return nil, fmt.Errorf("podero: %w", err)
		}
	}
	t := &transport{
		http:      httpguard.SameOrigin(cfg.HTTPClient, "API requests carry the bearer token"),
		tokens:    ts,
		authorize: oauth.RequestEditor(ts),
		userAgent: strings.TrimSpace(cfg.UserAgent + " podero-go/" + Version),
		retry:     DefaultRetryPolicy().withDefaults(),
		logger:    cfg.Logger,
		sleep:     sleep,
	}
	if cfg.Retry != nil {
		t.retry = cfg.Retry.withDefaults()
	}
	c, err := NewClientWithResponses(base, WithHTTPClient(t))
	if err != nil {
		return nil, fmt.Errorf("podero: %w", err)
	}
	return &PartnerClient{ClientWithResponses: c, Tokens: ts}, nil
}

// transport is the HttpRequestDoer under the generated client: it adds the
// token and User-Agent, retries, and turns non-2xx responses into *Error.
type transport struct {
	http      *http.Client
	tokens    oauth2.TokenSource
	authorize func(context.Context, *http.Request) error // sets the bearer token from tokens
	userAgent string
	retry     RetryPolicy
	logger    *slog.Logger
	sleep     func(context.Context, time.Duration) error // tests record the waits
}

// Token sources that can drop a cached token after a 401: InvalidateToken
// drops it only if it is the one that was rejected (see oauth.TokenSource).
type (
	tokenInvalidator interface{ InvalidateToken(accessToken string) }
	invalidator      interface{ Invalidate() }
)

func (t *transport) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	op := operationName(req.Method, req.URL.Path)
	call := op
	if call == "" {
		call = req.Method + " " + req.URL.Path
	}
	// The body is sent again on a retry, so keep it.
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("podero: %s: read request body: %w", call, err)
		}
	}
	canRetry := t.retry.retryMethod(req.Method)
	reauthed := false
	sent := 0 // requests sent, the re-authentication included
	for attempt := 1; ; attempt++ {
		sent++
		resp, respBody, err := t.attempt(ctx, req, body, op, sent)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("podero: %s: %w", call, ctx.Err())
			}
			if !retryError(err) || !canRetry || attempt > t.retry.MaxRetries {
				return nil, fmt.Errorf("podero: %s: %w", call, err)
			}
			if err := t.wait(ctx, t.retry.backoff(attempt), op, req, attempt, err.Error()); err != nil {
				return nil, fmt.Errorf("podero: %s: %w", call, err)
			}
			continue
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return resp, nil
		}
		apiErr := newError(op, req.Method, req.URL.Path, resp.StatusCode, resp.Header, respBody)
		apiErr.Attempts = sent
		// A 401 may be a token the server dropped before its expiry: get a
		// fresh one and try once more. This is not a retry of the policy.
		if resp.StatusCode == http.StatusUnauthorized && !reauthed && t.invalidate(resp.Request) {
			reauthed = true
			attempt--
			continue
		}
		if !canRetry || !retryStatus(resp.StatusCode) || attempt > t.retry.MaxRetries {
			return nil, apiErr
		}
		wait := t.retry.backoff(attempt)
		if ra, ok := retryAfter(resp.Header, time.Now()); ok {
			if ra > t.retry.MaxRetryAfter {
				return nil, apiErr // the caller decides whether to wait that long
			}
			wait = ra
		}
		if err := t.wait(ctx, wait, op, req, attempt, resp.Status); err != nil {
			return nil, fmt.Errorf("podero: %s: %w (after %w)", call, err, apiErr)
		}
	}
}

// invalidate drops the token that req carried from the token source's
// cache, and reports whether the source can do that.
func (t *transport) invalidate(req *http.Request) bool {
	switch ts := t.tokens.(type) {
	case tokenInvalidator:
		_, token, _ := strings.Cut(req.Header.Get("Authorization"), " ")
		ts.InvalidateToken(token)
	case invalidator:
		ts.Invalidate()
	default:
		return false
	}
	return true
}

// attempt sends the request once and reads the whole response, so that a
// connection that breaks mid-body counts as a failed attempt too.
func (t *transport) attempt(ctx context.Context, orig *http.Request, body []byte, op string, n int) (*http.Response, []byte, error) {
	req := orig.Clone(ctx)
	if body != nil {
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		req.ContentLength = int64(len(body))
	}
	req.Header.Set("User-Agent", t.userAgent)
	if t.tokens != nil {
		if err := t.authorize(ctx, req); err != nil {
			return nil, nil, err
		}
	}
	start := time.Now()
	resp, err := t.http.Do(req)
	var respBody []byte
	if err == nil {
		respBody, err = io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
		resp.Body.Close()
		switch {
		case err != nil:
			err = fmt.Errorf("read response (%s): %w", resp.Status, err)
		case len(respBody) > maxResponseBody:
			return nil, nil, &tooLargeError{status: resp.Status}
		}
		resp.Body = io.NopCloser(bytes.NewReader(respBody))
	}
	// *url.Error quotes the whole URL, and a cue's query carries its secret.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		urlErr.URL = req.URL.Scheme + "://" + req.URL.Host + req.URL.Path
	}
	if t.logger != nil {
		attrs := []slog.Attr{slog.String("operation", op), slog.String("method", req.Method),
			slog.String("path", req.URL.Path), slog.Int("attempt", n), slog.Duration("duration", time.Since(start))}
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		} else {
			attrs = append(attrs, slog.Int("status", resp.StatusCode))
		}
		t.logger.LogAttrs(ctx, slog.LevelDebug, "podero request", attrs...)
	}
	if err != nil {
		return nil, nil, err
	}
	return resp, respBody, nil
}

// retryError reports whether a failed attempt is worth repeating: not when
// the token could not be had (the token source has its own policy), the
// answer is too large, or a redirect was refused.
func retryError(err error) bool {
	var (
		tokenErr    *oauth.TokenError
		tooLarge    *tooLargeError
		redirectErr *httpguard.RedirectError
	)
	return !errors.As(err, &tokenErr) && !errors.As(err, &tooLarge) && !errors.As(err, &redirectErr)
}

// tooLargeError is a response body over maxResponseBody, which is not read.
type tooLargeError struct{ status string }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("response (%s) is larger than %d MiB; not read", e.status, maxResponseBody>>20)
}

func (t *transport) wait(ctx context.Context, d time.Duration, op string, req *http.Request, attempt int, reason string) error {
	if t.logger != nil {
		t.logger.LogAttrs(ctx, slog.LevelWarn, "podero retry", slog.String("operation", op),
			slog.String("method", req.Method), slog.String("path", req.URL.Path), slog.Int("attempt", attempt),
			slog.String("reason", reason), slog.Duration("wait", d))
	}
	return t.sleep(ctx, d)
}
