package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/podero-go/podero/internal/httpguard"
)

// TokenSource gets tokens from a Podero token endpoint and caches them. It
// is safe for concurrent use; make one per set of credentials and share it.
//
// A token is reused until EarlyRefresh before its expiry (a token of unknown
// lifetime, without a usable expires_in, is reused until it is invalidated;
// see the package documentation). Only one token request is in flight at a
// time: callers that need a token meanwhile wait for it and share its
// outcome. (The exception is [TokenSource.TokenAfter], which does not wait
// for a request that began before its stamp.)
//
// A token request that fails for a transient reason (see
// [TokenError.Temporary]) is tried again, up to Config.MaxRetries times,
// inside that one request: the waiting callers see only the final outcome.
// Between tries it waits with exponential backoff and jitter (about 0.5s,
// 1s, 2s, ..., at most 8s), or as long as a 429 or 503 response's
// Retry-After says if that is longer; a Retry-After of more than 10s ends
// the retries. A request therefore takes at most Config.Timeout times the
// tries plus those waits. Failed requests are not cached; the next caller
// tries again.
type TokenSource struct {
	s       *settings
	client  *http.Client
	request requestFunc       // builds one token request of the grant
	grant   string            // for String and logs
	redact  *strings.Replacer // removes our secrets from server-sent text

	mu        sync.Mutex
	started   uint64 // token requests started so far; see Stamp
	tok       *oauth2.Token
	tokSeq    uint64    // seq of the request that fetched tok
	refreshAt time.Time // zero: never (no expiry known)
	inflight  *call     // the newest token request, nil unless it is running
}

// call is one token request that several callers may wait for.
type call struct {
	seq  uint64        // the request's number: 1 for the first one
	done chan struct{} // closed when the fields below are set
	tok  *oauth2.Token
	err  error
	// stale is the cached token, still unexpired, that callers get instead
	// of err when an early refresh fails, and staleSeq its request's seq.
	stale    *oauth2.Token
	staleSeq uint64
}

// Stamp marks the token source's state; take it when the API rejects a
// token (a 401 arrived) and pass it to [TokenSource.TokenAfter]. Stamps are
// comparable; the zero Stamp means "before any token request".
type Stamp struct{ seq uint64 } // the number of token requests started

var _ oauth2.TokenSource = (*TokenSource)(nil)

// NewTokenSource returns a TokenSource for the client-credentials grant,
// sent as cfg.Encoding says. It makes no request until the first token is
// needed.
func NewTokenSource(cfg Config) (*TokenSource, error) {
	s, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	request := jsonRequest(s)
	if s.Encoding == EncodingForm {
		request = formRequest(s, url.Values{"grant_type": {"client_credentials"}})
	}
	return newTokenSource(s, request, "client_credentials", ""), nil
}

// NewPasswordTokenSource returns a TokenSource for the resource-owner
// password grant that the OpenAPI description declares: a form-encoded
// RFC 6749 request with grant_type=password, username and password, and
// the client credentials in a Basic Authorization header. cfg.Encoding is
// ignored. Podero's guides do not document this grant; it is typically
// used with TokenURL [SpecTokenPath].
//
// A refresh token in the response is not used: when the token is due for
// renewal the password grant is simply repeated.
func NewPasswordTokenSource(cfg Config, username, password string) (*TokenSource, error) {
	s, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	if username == "" {
		return nil, errors.New("oauth: username is empty")
	}
	if password == "" {
		return nil, errors.New("oauth: password is empty")
	}
	request := formRequest(s, url.Values{"grant_type": {"password"}, "username": {username}, "password": {password}})
	return newTokenSource(s, request, "password", password), nil
}

func newTokenSource(s *settings, request requestFunc, grant, password string) *TokenSource {
	return &TokenSource{s: s, client: tokenClient(s.HTTPClient), request: request, grant: grant,
		redact: redactor(s.ClientID, s.ClientSecret, password)}
}

// Token returns a valid token, fetching one if needed. It implements
// [oauth2.TokenSource]; see [TokenSource.TokenContext]. The returned token
// is shared and must not be modified.
func (ts *TokenSource) Token() (*oauth2.Token, error) {
	return ts.TokenContext(context.Background())
}

// TokenContext returns a valid token, fetching one if needed. The returned
// token is shared and must not be modified.
//
// If ctx ends first, TokenContext returns ctx.Err() at once, but the token
// request it started or joined goes on, retries included, for the other
// callers and for the cache. The request sees ctx's values (for tracing,
// say) but not its cancellation; each try is bounded by Config.Timeout.
func (ts *TokenSource) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	return ts.TokenAfter(ctx, Stamp{}) // any token will do
}

// Stamp returns a [Stamp] of the token source's current state. Take it
// right after the API rejected a token (HTTP 401), then get the token for
// the retry with [TokenSource.TokenAfter].
func (ts *TokenSource) Stamp() Stamp {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return Stamp{ts.started}
}

// TokenAfter returns a token whose token request began after s was taken:
// the cached one if it qualifies, else the in-flight request if it began
// after s, else a new request (shared by all concurrent callers that can use
// it). It drops cached tokens that do not qualify. It is otherwise like
// [TokenSource.TokenContext], which is TokenAfter with the zero Stamp.
//
// A token fetched before a 401, such as one from an early refresh while
// the rejected one was still in use, may have been revoked with it; a
// request begun after the 401 gets one issued after the revocation. When
// many calls get a 401 at about the same time, their stamps are equal, so
// one new token request serves them all. If that request fails, TokenAfter
// returns its error even if the dropped token has not expired.
func (ts *TokenSource) TokenAfter(ctx context.Context, s Stamp) (*oauth2.Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ts.mu.Lock()
	if ts.tok != nil && ts.tokSeq <= s.seq {
		ts.tok, ts.refreshAt = nil, time.Time{}
	}
	if ts.tok != nil && (ts.refreshAt.IsZero() || ts.s.now().Before(ts.refreshAt)) {
		tok := ts.tok
		ts.mu.Unlock()
		return tok, nil
	}
	c := ts.inflight
	if c == nil || c.seq <= s.seq {
		// A request in flight that began before s may be overtaken: then
		// two are in flight, and the newer one is cached (see run).
		ts.started++
		c = &call{seq: ts.started, done: make(chan struct{})}
		ts.inflight = c
		go ts.run(context.WithoutCancel(ctx), c)
	}
	ts.mu.Unlock()

	select {
	case <-c.done:
		if c.err != nil && c.stale != nil && c.staleSeq > s.seq {
			return c.stale, nil
		}
		return c.tok, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// run performs the token request for c, retries included, and caches its
// result.
func (ts *TokenSource) run(ctx context.Context, c *call) {
	tok, err := ts.get(ctx)
	now := ts.s.now()
	if err == nil {
		ts.s.Logger.DebugContext(ctx, "oauth: token fetched", "token_url", ts.s.tokenURL, "grant_type", ts.grant,
			"token_type", tok.TokenType, "expires_in", expiresIn(tok, now))
	}

	ts.mu.Lock()
	switch {
	case err == nil:
		// A request overtaken by a newer one must not replace its token.
		if c.seq > ts.tokSeq {
			ts.tok, ts.tokSeq, ts.refreshAt = tok, c.seq, refreshTime(tok, now, ts.s.EarlyRefresh)
		}
	case ts.tok != nil && now.Before(ts.tok.Expiry):
		// An early refresh failed, but the cached token is still good:
		// serve it, and try again a little later rather than on every call
		// (unless the token is newer than this request, which it was not
		// meant to replace).
		c.stale, c.staleSeq = ts.tok, ts.tokSeq
		if c.seq > ts.tokSeq {
			ts.refreshAt = now.Add(min(retryEarlyRefresh, ts.tok.Expiry.Sub(now)/2))
		}
	}
	if ts.inflight == c {
		ts.inflight = nil
	}
	ts.mu.Unlock()

	c.tok, c.err = tok, err
	close(c.done)
}

// retryEarlyRefresh is how long a token source waits after a failed early
// refresh before it tries again, while the cached token is still valid.
const retryEarlyRefresh = 5 * time.Second

// refreshTime is when tok, received at now, should be replaced: margin
// before its expiry, but no earlier than halfway through its lifetime so
// that short-lived tokens are not fetched on every call.
func refreshTime(tok *oauth2.Token, now time.Time, margin time.Duration) time.Time {
	if tok.Expiry.IsZero() {
		return time.Time{}
	}
	return tok.Expiry.Add(-min(margin, tok.Expiry.Sub(now)/2))
}

// expiresIn is the token lifetime for logs; 0 means unknown.
func expiresIn(tok *oauth2.Token, now time.Time) time.Duration {
	if tok.Expiry.IsZero() {
		return 0
	}
	return tok.Expiry.Sub(now).Round(time.Second)
}

// Invalidate drops the cached token, so that the next call fetches a new
// one. A token request already in flight is not affected. After the API
// rejects a token (HTTP 401), prefer [TokenSource.TokenAfter] or
// [TokenSource.InvalidateToken], which leave a newer token alone.
func (ts *TokenSource) Invalidate() {
	ts.InvalidateToken("")
}

// InvalidateToken drops the cached token if its access token is
// accessToken ("" matches any), so that the next call fetches a new one.
// Call it with the token the API rejected (HTTP 401) and retry once: when
// many requests fail with the same stale token, only the first drops it, and
// a token fetched meanwhile survives. If the server revokes all tokens at
// once, that newer token may be revoked too; [TokenSource.TokenAfter] with a
// [Stamp] taken after the 401 does not reuse it.
func (ts *TokenSource) InvalidateToken(accessToken string) {
	ts.mu.Lock()
	dropped := ts.tok != nil && (accessToken == "" || ts.tok.AccessToken == accessToken)
	if dropped {
		ts.tok, ts.refreshAt = nil, time.Time{}
	}
	ts.mu.Unlock()
	if dropped {
		ts.s.Logger.Debug("oauth: cached token invalidated", "token_url", ts.s.tokenURL)
	}
}

// URL is the token endpoint ts sends its requests to.
func (ts *TokenSource) URL() string { return ts.s.tokenURL }

// String describes ts without secrets.
func (ts *TokenSource) String() string {
	enc := ts.s.Encoding.String()
	if ts.grant == "password" {
		enc = EncodingForm.String()
	}
	return fmt.Sprintf("oauth.TokenSource{TokenURL: %q, ClientID: %q, GrantType: %q, Encoding: %s}",
		ts.s.tokenURL, ts.s.ClientID, ts.grant, enc)
}

// GoString is like String, so that %#v does not print secrets either.
func (ts *TokenSource) GoString() string { return ts.String() }

// tokenClient returns a copy of c (or of a default client) that refuses
// redirects to another scheme or host:port, so that credentials only go
// to the configured endpoint. The caller's client is not modified.
func tokenClient(c *http.Client) *http.Client {
	return httpguard.SameOrigin(c, "token requests carry credentials")
}
