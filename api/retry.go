package api

import (
	"context"
	"net/http"
	"time"

	"github.com/podero-go/podero/internal/httpguard"
)

// RetryPolicy says when and how long the client that [New] returns waits
// before sending a request again. A nil *RetryPolicy in [Config] means
// [DefaultRetryPolicy]; in a non-nil one, zero durations take the defaults and
// MaxRetries 0 turns retries off.
//
// Retried: connection errors (including a connection reset while reading
// the response) and the statuses 408, 429, 502, 503 and 504. By default only
// idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS) are retried, because
// Podero's POSTs (auth sessions, onboarding sessions, boosts, claim tokens)
// carry no idempotency key and a retry could do the thing twice.
type RetryPolicy struct {
	// MaxRetries is how many times a request may be sent again after the
	// first attempt.
	MaxRetries int
	// InitialBackoff is the wait before the first retry; each retry doubles
	// it, up to MaxBackoff. The wait is jittered: between half and all of it.
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
	// MaxRetryAfter caps a server's Retry-After. A longer Retry-After is not
	// waited for: the call returns its *Error, whose RetryAfter says when to
	// try again.
	MaxRetryAfter time.Duration
	// RetryNonIdempotent retries POST and PATCH as well. Only for callers
	// who know that doing the call twice is harmless.
	RetryNonIdempotent bool
}

// Defaults of [DefaultRetryPolicy].
const (
	DefaultMaxRetries     = 3
	DefaultInitialBackoff = 500 * time.Millisecond
	DefaultMaxBackoff     = 20 * time.Second
	DefaultMaxRetryAfter  = time.Minute
)

// DefaultRetryPolicy returns the policy the client uses when Config.Retry is
// nil.
func DefaultRetryPolicy() *RetryPolicy {
	return &RetryPolicy{MaxRetries: DefaultMaxRetries}
}

// withDefaults fills in zero durations.
func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.InitialBackoff <= 0 {
		p.InitialBackoff = DefaultInitialBackoff
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = DefaultMaxBackoff
	}
	if p.MaxBackoff < p.InitialBackoff {
		p.MaxBackoff = p.InitialBackoff
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if p.MaxRetries < 0 {
		p.MaxRetries = 0
	}
	return p
}

// retryMethod reports whether a request with this method may be sent again.
func (p RetryPolicy) retryMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return p.RetryNonIdempotent
}

func retryStatus(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// backoff is the jittered wait before retry number n (1 for the first).
func (p RetryPolicy) backoff(n int) time.Duration {
	return httpguard.Backoff(p.InitialBackoff, p.MaxBackoff, n)
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date. A
// value too large to represent reads as maxRetryAfter, longer than any
// MaxRetryAfter, so that the call is not retried.
var retryAfter = httpguard.RetryAfter

const maxRetryAfter = httpguard.MaxRetryAfter

// sleep waits for d or until ctx is done, whichever is first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
