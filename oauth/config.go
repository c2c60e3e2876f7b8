package oauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/podero-go/podero/internal/httpguard"
)

// Token endpoints.
const (
	// ProductionTokenURL is the token endpoint documented in Podero's guides.
	ProductionTokenURL = "https://app.podero.com/oauth2/token/"
	// SandboxTokenURL is the documented token endpoint of the sandbox.
	SandboxTokenURL = "https://sandbox-app.podero.com/oauth2/token/"
	// SpecTokenPath is the relative tokenUrl that the OpenAPI description
	// declares for its clientCredentials and password flows. Set it as
	// [Config.TokenURL] together with [Config.BaseURL] to use it.
	SpecTokenPath = "/api/partners/v2.0/auth/token"
	// GuideTokenPath is the path of the token endpoint the guides document,
	// on the API's host: the default when Config.BaseURL is set.
	GuideTokenPath = "/oauth2/token/"
)

// Defaults used for zero fields of [Config].
const (
	// DefaultTimeout bounds a single try of a token request.
	DefaultTimeout = 30 * time.Second
	// DefaultEarlyRefresh is how long before expiry a token is renewed.
	DefaultEarlyRefresh = time.Minute
	// DefaultMaxRetries is how many times a token request that failed for
	// a transient reason is repeated.
	DefaultMaxRetries = 3
)

// Clock is the time a token source keeps: when tokens expire, and the waits
// between the tries of a token request. api.Clock is the same interface, and
// api.New passes api.Config.Clock on.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

// Encoding selects how a client-credentials token request is encoded.
type Encoding int

const (
	// EncodingJSON sends {"grant_type":"client_credentials"} as JSON with
	// the client credentials in a Basic Authorization header, as Podero's
	// guides document. It is the default.
	EncodingJSON Encoding = iota
	// EncodingForm sends the application/x-www-form-urlencoded request of
	// RFC 6749 section 4.4, with the client credentials in a Basic
	// Authorization header.
	EncodingForm
)

// String returns "json" or "form".
func (e Encoding) String() string {
	switch e {
	case EncodingJSON:
		return "json"
	case EncodingForm:
		return "form"
	}
	return fmt.Sprintf("Encoding(%d)", int(e))
}

// Config describes how to get tokens. Only ClientID and ClientSecret are
// required; the zero value of every other field selects the documented
// default.
//
// Printing a Config with fmt or log/slog redacts ClientSecret.
type Config struct {
	// ClientID and ClientSecret are the partner's API credentials.
	ClientID     string
	ClientSecret string

	// TokenURL is the token endpoint. Empty means the guides' endpoint on
	// BaseURL's host (BaseURL + [GuideTokenPath]: [SandboxTokenURL] for the
	// sandbox), or [ProductionTokenURL] when BaseURL is empty too. A relative
	// URL such as [SpecTokenPath] is resolved against BaseURL.
	TokenURL string
	// BaseURL is the API's base URL, such as "https://app.podero.com". It
	// picks the default TokenURL and resolves a relative one.
	BaseURL string

	// Encoding selects the client-credentials request format; the zero
	// value is [EncodingJSON]. [NewPasswordTokenSource] ignores it: the
	// password grant is always form encoded.
	Encoding Encoding

	// HTTPClient sends token requests; nil means a client with
	// [http.DefaultTransport]. It is copied, never modified: the copy
	// refuses redirects to another scheme or host:port.
	HTTPClient *http.Client
	// Timeout bounds each try of a token request; zero means
	// [DefaultTimeout].
	Timeout time.Duration
	// EarlyRefresh is how long before its expiry a token is renewed; zero
	// means [DefaultEarlyRefresh] and a negative value means at expiry. For
	// short-lived tokens it is capped at half the token's lifetime.
	EarlyRefresh time.Duration
	// Logger, if not nil, receives a debug record for each token fetched,
	// a warning for each failed try of a token request (retried or not)
	// and one for a token whose expires_in cannot be read. Records never
	// contain secrets or tokens.
	Logger *slog.Logger

	// MaxRetries is how many times a token request that failed for a
	// transient reason (no response, a timeout, HTTP 408, 429 or 5xx) is
	// repeated before the failure is returned; zero means
	// [DefaultMaxRetries] and a negative value means never. See
	// [TokenSource] for the waits between tries.
	MaxRetries int

	// Clock, if set, is the clock tokens expire on and the waits between
	// the tries of a token request are spent on; nil means the system's.
	Clock Clock

	// Middleware, if set, wraps each token request, its tries included
	// (each try is one request of HTTPClient): it calls next with a context
	// derived from ctx, which the requests carry, and returns next's error,
	// or an error of its own to fail the request (the waiting callers get
	// a *TokenError whose Err is it). A span around the token request, say;
	// api.New sets it to run the client's api.Middleware.
	Middleware func(ctx context.Context, next func(ctx context.Context) error) error

	// now is the clock and sleep waits between retries; nil means Clock's
	// (or time.Now and time.Sleep). Tests replace them.
	now   func() time.Time
	sleep func(time.Duration)
}

// String describes c with ClientSecret redacted.
func (c Config) String() string {
	return fmt.Sprintf("oauth.Config{ClientID: %q, ClientSecret: %s, TokenURL: %q, BaseURL: %q, Encoding: %v, Timeout: %v, EarlyRefresh: %v, MaxRetries: %d}",
		c.ClientID, redacted(c.ClientSecret), httpguard.RedactURL(c.TokenURL), httpguard.RedactURL(c.BaseURL), c.Encoding, c.Timeout, c.EarlyRefresh, c.MaxRetries)
}

// GoString is like String, so that %#v does not print the secret either.
func (c Config) GoString() string { return c.String() }

// LogValue implements [slog.LogValuer] with ClientSecret redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("client_id", c.ClientID),
		slog.String("client_secret", redacted(c.ClientSecret)),
		slog.String("token_url", httpguard.RedactURL(c.TokenURL)),
		slog.String("base_url", httpguard.RedactURL(c.BaseURL)),
		slog.String("encoding", c.Encoding.String()),
	)
}

// redacted shows whether a secret is set without showing it.
func redacted(secret string) string {
	if secret == "" {
		return `""`
	}
	return "[redacted]"
}

// settings is a validated Config with defaults filled in.
type settings struct {
	Config
	tokenURL string // absolute
}

func (c Config) validate() (*settings, error) {
	if c.ClientID == "" {
		return nil, errors.New("oauth: Config.ClientID is empty")
	}
	if c.ClientSecret == "" {
		return nil, errors.New("oauth: Config.ClientSecret is empty")
	}
	if c.Encoding != EncodingJSON && c.Encoding != EncodingForm {
		return nil, fmt.Errorf("oauth: Config.Encoding has unknown value %d", int(c.Encoding))
	}
	if c.Timeout < 0 {
		return nil, fmt.Errorf("oauth: Config.Timeout is negative (%v)", c.Timeout)
	}
	tokenURL, err := resolveTokenURL(c.TokenURL, c.BaseURL)
	if err != nil {
		return nil, err
	}
	s := &settings{Config: c, tokenURL: tokenURL}
	if s.Timeout == 0 {
		s.Timeout = DefaultTimeout
	}
	switch {
	case s.EarlyRefresh == 0:
		s.EarlyRefresh = DefaultEarlyRefresh
	case s.EarlyRefresh < 0:
		s.EarlyRefresh = 0
	}
	switch {
	case s.MaxRetries == 0:
		s.MaxRetries = DefaultMaxRetries
	case s.MaxRetries < 0:
		s.MaxRetries = 0
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
		if s.Clock != nil {
			s.now = s.Clock.Now
		}
	}
	if s.sleep == nil {
		s.sleep = time.Sleep
		if clock := s.Clock; clock != nil {
			s.sleep = func(d time.Duration) { _ = clock.Sleep(context.Background(), d) }
		}
	}
	return s, nil
}

// resolveTokenURL returns the absolute token URL, or an error naming the
// offending field.
func resolveTokenURL(tokenURL, baseURL string) (string, error) {
	switch {
	case tokenURL == "" && baseURL != "":
		// Sandbox credentials must go to the sandbox's token endpoint.
		tokenURL = strings.TrimRight(baseURL, "/") + GuideTokenPath
	case tokenURL == "":
		tokenURL = ProductionTokenURL
	}
	u, err := parseURL("TokenURL", tokenURL)
	if err != nil {
		return "", err
	}
	var base *url.URL
	if baseURL != "" {
		if base, err = parseURL("BaseURL", baseURL); err != nil {
			return "", err
		}
		if err := checkAbsolute("BaseURL", base); err != nil {
			return "", err
		}
	}
	if !u.IsAbs() && u.Host == "" {
		if base == nil {
			return "", fmt.Errorf("oauth: Config.TokenURL %q is relative but Config.BaseURL is empty", tokenURL)
		}
		u = base.ResolveReference(u)
	}
	if err := checkAbsolute("TokenURL", u); err != nil {
		return "", err
	}
	return u.String(), nil
}

// parseURL parses raw without echoing it in the error.
func parseURL(field, raw string) (*url.URL, error) {
	u, err := httpguard.ParseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("oauth: Config.%s %w", field, err)
	}
	return u, nil
}

// checkAbsolute accepts https URLs, and http URLs only for loopback hosts.
func checkAbsolute(field string, u *url.URL) error {
	if err := httpguard.CheckURL(u); err != nil {
		return fmt.Errorf("oauth: Config.%s %w", field, err)
	}
	return nil
}
