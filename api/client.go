package api

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/podero-go/podero/internal/httpguard"
	"github.com/podero-go/podero/internal/rawlink"
	"github.com/podero-go/podero/oauth"
)

// Version is this SDK's version, sent in the User-Agent.
const Version = "0.1.0"

// DefaultTimeout bounds each attempt of a call when [Config.Timeout] is zero.
const DefaultTimeout = 60 * time.Second

// Config configures [New]. The zero value of each field selects its default;
// ClientID and ClientSecret, or TokenSource, are required.
//
// Printing a Config with fmt or log/slog redacts ClientSecret.
type Config struct {
	// BaseURL is the API host: [ProductionBaseURL] (the default),
	// [SandboxBaseURL], or a test server's URL. It must not carry
	// credentials (user:password@).
	BaseURL string

	// OrgID is the partner's organization, the org_id of every
	// /org/{org_id}/... operation: the methods of [PartnerClient] take it
	// from here. [PartnerClient.ForOrg] gives a client for another one.
	OrgID UUID

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
	// InvalidateToken or Invalidate method, the client calls it after a 401
	// and retries once.
	TokenSource oauth2.TokenSource

	// HTTPClient sends the requests; nil means a client with
	// http.DefaultTransport. Set one to add a transport of your own, such
	// as OpenTelemetry's. Its Timeout, if any, bounds each attempt too. It
	// is copied, not modified: the copy refuses redirects to another scheme
	// or host:port, which would carry the bearer token along.
	HTTPClient *http.Client
	// Timeout bounds each attempt of a call (connecting, sending, and
	// reading the whole response): [DefaultTimeout] when zero, none when
	// negative. An attempt that times out counts as a failure the retry
	// policy may retry. The context bounds the whole call.
	Timeout time.Duration
	// UserAgent is put before "podero-go/<version>" in the User-Agent. It
	// must not hold control characters.
	UserAgent string
	// Retry is the retry policy; nil means [DefaultRetryPolicy].
	Retry *RetryPolicy
	// Logger, if set, gets a debug record for every attempt (operation,
	// method, path without the query, status, duration, attempt) and a
	// warning for every retry. Headers, bodies and tokens are never logged.
	Logger *slog.Logger
	// ResponseCheck, if set, sees every response the client receives: see
	// package api/speccheck, which reports where the API differs from the
	// pinned spec.
	ResponseCheck ResponseChecker
	// Clock is the time the client keeps, and its token source too: see
	// [Clock]. nil means [SystemClock].
	Clock Clock

	// Middleware sees every call of the client, its attempts and its token
	// requests, in order, the first outermost: see [Middleware], and
	// module github.com/podero-go/podero/otel for OpenTelemetry's.
	Middleware []Middleware
	// RateLimit, if set, paces the requests of the client and its ForOrg
	// children: see [RateLimit]. Whether it is set or not, a 429 with
	// Retry-After pauses them all until that time (at most the retry
	// policy's MaxRetryAfter), not only the call that got it. Without it,
	// the client paces itself after a 429: see DisableAdaptivePace. The
	// pace keeps time on Clock: its waits end when Clock.Now has moved on.
	RateLimit *RateLimit
	// DisableAdaptivePace turns off the pace that a client without a
	// RateLimit learns from 429s. Podero documents no rate limit, so by
	// default a client sends as fast as its calls come until the server
	// answers 429. From then on it paces itself, and its ForOrg children,
	// as a RateLimit would (one request at a time, by [Priority]): at
	// first at 0.7 times the rate it sent at in the second before the 429,
	// then faster the longer no 429 comes (CUBIC, as in the AWS SDKs'
	// "adaptive" retry mode), until, at twice that rate, it stops pacing;
	// another 429 cuts the pace again. Its waits are in
	// [ResponseInfo].PaceWait, and each cut is a warning in the log.
	//
	// It is on by default because without it, when a 429's pause ends,
	// every call the pause held back is sent at once, and most of them
	// meet a 429 again: against a server that allows 20 requests a second,
	// 200 calls made about 320 requests, about 240 of them answered 429,
	// and 80 to 120 calls failed after their retries; with the adaptive
	// pace, 204 requests, 4 of them answered 429, and none failed. A
	// client that never gets a 429 pays nothing for it but a count. With
	// a RateLimit set there is no adaptive pace: the RateLimit rules, and
	// a 429 only pauses the client.
	DisableAdaptivePace bool
	// RetryBudget bounds the retries of the client and its ForOrg children
	// while the server fails: nil means the default budget, a negative
	// Capacity none. See [RetryBudget].
	RetryBudget *RetryBudget
}

// String describes c with ClientSecret redacted.
func (c Config) String() string {
	secret := ""
	if c.ClientSecret != "" {
		secret = "[redacted]"
	}
	return fmt.Sprintf("api.Config{BaseURL: %q, OrgID: %s, ClientID: %q, ClientSecret: %q, TokenURL: %q}",
		httpguard.RedactURL(c.BaseURL), c.OrgID, c.ClientID, secret, httpguard.RedactURL(c.TokenURL))
}

// GoString is String, so that %#v redacts too.
func (c Config) GoString() string { return c.String() }

// LogValue is String, so that log/slog redacts too.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// PartnerClient is a client for the Partner API: one method per operation,
// bound to an organization (see [Config.OrgID]), with OAuth2 tokens,
// retries, a re-authentication after a 401, and an [*Error] for every call
// that does not return its result.
//
// Each method returns the decoded body of a 2xx response: a pointer for an
// object, a slice for an array, only the error for an operation without a
// body. A nil error guarantees a decoded result. Package api/raw has
// oapi-codegen's client on the same transport, for the raw responses:
// raw.New(c).
//
// A PartnerClient is safe for concurrent use.
type PartnerClient struct {
	t   *transport
	org UUID
}

// raw.New reaches a client's transport through internal/rawlink, so that
// PartnerClient needs no exported method for it.
func init() {
	rawlink.Register(func(c *PartnerClient) (string, rawlink.Doer) { return c.t.base, c.t })
}

// New returns a client for the Partner API configured by cfg.
func New(cfg Config) (*PartnerClient, error) {
	base := cfg.BaseURL
	if base == "" {
		base = ProductionBaseURL
	}
	u, err := httpguard.ParseURL(base)
	if err == nil {
		err = httpguard.CheckURL(u)
	}
	switch {
	case err != nil:
		return nil, fmt.Errorf("podero: Config.BaseURL %w", err)
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("podero: Config.BaseURL %q must not have a query or fragment", u.String())
	}
	if strings.ContainsFunc(cfg.UserAgent, isControl) {
		return nil, errors.New("podero: Config.UserAgent has a control character, which no request may carry")
	}
	if cfg.TokenSource == nil && (cfg.ClientID == "" || cfg.ClientSecret == "") {
		return nil, errors.New("podero: Config needs ClientID and ClientSecret, or a TokenSource")
	}
	if cfg.RateLimit != nil {
		if err := cfg.RateLimit.check(); err != nil {
			return nil, err
		}
	}
	budget, err := newBudget(cfg.RetryBudget)
	if err != nil {
		return nil, err
	}
	timeout := cfg.Timeout
	switch {
	case timeout == 0:
		timeout = DefaultTimeout
	case timeout < 0:
		timeout = 0
	}
	t := &transport{
		http:      httpguard.SameOrigin(cfg.HTTPClient, "API requests carry the bearer token"),
		base:      strings.TrimRight(base, "/"),
		userAgent: []string{strings.TrimSpace(cfg.UserAgent + " podero-go/" + Version)},
		retry:     DefaultRetryPolicy().withDefaults(),
		timeout:   timeout,
		logger:    cfg.Logger,
		checker:   cfg.ResponseCheck,
		maxBody:   maxResponseBody,
		sleep:     sleep,
		now:       time.Now,
	}
	if bu, err := url.Parse(t.base); err == nil && bu.RawPath == "" && bu.Opaque == "" {
		t.baseURL = bu
	}
	if cfg.Clock != nil {
		t.now, t.sleep = cfg.Clock.Now, cfg.Clock.Sleep
	}
	if cfg.TokenSource == nil {
		t.credentials = clientCredentials(cfg.ClientID, cfg.ClientSecret)
	}
	if cfg.Retry != nil {
		t.retry = cfg.Retry.withDefaults()
	}
	t.pace, t.budget = newPacer(cfg.RateLimit, t.retry.MaxRetryAfter, !cfg.DisableAdaptivePace), budget
	t.setMiddleware(cfg.Middleware)
	ts := cfg.TokenSource
	if ts == nil {
		// Its requests wait for the pace, and are calls for the middleware.
		var tokenPath string
		ocfg := oauth.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			TokenURL:     cfg.TokenURL,
			BaseURL:      base,
			Encoding:     cfg.TokenEncoding,
			HTTPClient:   t.tokenHTTPClient(cfg.HTTPClient),
			Logger:       cfg.Logger,
			Clock:        cfg.Clock,
		}
		if hasCallHook(t.mw) || hasAttemptHook(t.mw) {
			ocfg.Middleware = t.tokenCall(&tokenPath)
		}
		ots, err := oauth.NewTokenSource(ocfg)
		if err != nil {
			return nil, fmt.Errorf("podero: %w", err)
		}
		if u, err := url.Parse(ots.URL()); err == nil {
			tokenPath = u.Path
		}
		ts = ots
	}
	t.tokens = ts
	t.stamps, _ = ts.(stamper)
	t.ctxTokens, _ = ts.(oauth.ContextTokenSource)
	return &PartnerClient{t: t, org: cfg.OrgID}, nil
}

// ForOrg returns a client for the organization id that shares c's token
// source, transport and settings.
func (c *PartnerClient) ForOrg(id UUID) *PartnerClient {
	cp := *c
	cp.org = id
	return &cp
}

// TokenSource returns the token source c authenticates with.
func (c *PartnerClient) TokenSource() oauth2.TokenSource { return c.t.tokens }

// orgID is the organization for an operation's org_id, or the error for a
// client that has none.
func (c *PartnerClient) orgID(op *operation) (UUID, error) {
	if c.org == (UUID{}) {
		return UUID{}, op.refused(op.path, "no organization: set Config.OrgID, or use ForOrg", nil)
	}
	return c.org, nil
}

// clientCredentials are the forms in which a server may echo the client
// credentials, for errors and ResponseInfo to redact: the secret (which
// secretForms also takes escaped), and the Basic credentials the token
// request sends, in either base64 alphabet, padded or not, of either
// encoding (see package oauth's own redaction of token errors).
func clientCredentials(id, secret string) []string {
	out := []string{secret}
	for _, creds := range []string{id + ":" + secret, url.QueryEscape(id) + ":" + url.QueryEscape(secret)} {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			out = append(out, enc.EncodeToString([]byte(creds)))
		}
	}
	return slices.Clip(out) // shared by every call's secrets: an append must copy
}
