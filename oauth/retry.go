package oauth

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/podero-go/podero/internal/httpguard"
)

// Waits between the tries of a token request.
const (
	// retryBackoff is the wait before the first retry, doubled for each
	// next one up to maxBackoff, then jittered down by up to half.
	retryBackoff = 500 * time.Millisecond
	maxBackoff   = 8 * time.Second
	// maxRetryAfter is the longest Retry-After that is waited for; a
	// longer one ends the retries: the endpoint will not be back soon.
	maxRetryAfter = 10 * time.Second
)

// get performs a token request through Config.Middleware, if any. Its
// error is a *TokenError.
func (ts *TokenSource) get(ctx context.Context) (*oauth2.Token, error) {
	mw := ts.s.Middleware
	if mw == nil {
		return ts.tries(ctx)
	}
	var tok *oauth2.Token
	var tokErr error
	called := false
	err := mw(ctx, func(ctx context.Context) error {
		called = true
		tok, tokErr = ts.tries(ctx)
		return tokErr
	})
	switch {
	case err == nil && !called:
		err = errors.New("the middleware returned without an error and without sending the request")
	case err == nil && tokErr == nil:
		return tok, nil
	case err == nil:
		return nil, tokErr // a failure cannot become a token
	case err == tokErr:
		return nil, err
	}
	var te *TokenError
	if errors.As(err, &te) {
		return nil, te
	}
	return nil, &TokenError{URL: ts.s.tokenURL, Err: fmt.Errorf("middleware: %w", err)}
}

// tries performs a token request: up to 1+MaxRetries tries while they fail
// for a transient reason. Its error is a *TokenError.
func (ts *TokenSource) tries(ctx context.Context) (*oauth2.Token, error) {
	for attempt := 1; ; attempt++ {
		tok, te := ts.try(ctx)
		if te == nil {
			return tok, nil
		}
		te.Attempts = attempt
		wait, again := ts.retryWait(te, attempt)
		if !again {
			ts.s.Logger.WarnContext(ctx, "oauth: token request failed", "token_url", ts.s.tokenURL, "grant_type", ts.grant,
				"attempts", attempt, "error", te.Error())
			return nil, te
		}
		ts.s.Logger.WarnContext(ctx, "oauth: token request failed; retrying", "token_url", ts.s.tokenURL, "grant_type", ts.grant,
			"attempt", attempt, "wait", wait, "error", te.Error())
		ts.s.sleep(wait)
	}
}

// try makes one token request, bounded by Config.Timeout.
func (ts *TokenSource) try(ctx context.Context) (*oauth2.Token, *TokenError) {
	ctx, cancel := context.WithTimeout(ctx, ts.s.Timeout)
	defer cancel()
	tok, err := ts.fetch(ctx)
	if err == nil {
		return tok, nil
	}
	te := toTokenError(err, ts.s.tokenURL, ts.redact)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		te.timeout, te.temporary = ts.s.Timeout, true
	}
	return nil, te
}

// retryWait reports whether the attempt-th try, which failed with te, is
// to be followed by another, and how long to wait before it.
func (ts *TokenSource) retryWait(te *TokenError, attempt int) (time.Duration, bool) {
	if !te.temporary || attempt > ts.s.MaxRetries || te.retryAfter > maxRetryAfter {
		return 0, false
	}
	d := httpguard.Backoff(retryBackoff, maxBackoff, attempt)
	return max(d, te.retryAfter), true
}

// temporaryStatus reports whether an HTTP status may pass if the request
// is repeated: a timeout, rate limiting or any server error (a wider rule
// than the API client's, by requirement).
func temporaryStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500
}

// transient reports whether a request that got no response may get one if
// it is repeated: not after a refused redirect or an untrusted certificate.
func transient(err error) bool {
	var redirect *httpguard.RedirectError
	var cert *tls.CertificateVerificationError
	return !errors.As(err, &redirect) && !errors.As(err, &cert)
}
