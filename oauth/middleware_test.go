package oauth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestMiddlewareWrapsTokenRequest: Config.Middleware wraps each token
// request once, its tries included; the requests carry its context; its
// own error fails the request as a *TokenError that wraps it.
func TestMiddlewareWrapsTokenRequest(t *testing.T) {
	type key struct{}
	var tries, marked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if tries.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable) // tried again, inside the one request
			return
		}
		w.Write([]byte(`{"access_token":"tok-mw-0123456789","token_type":"Bearer","expires_in":1}`))
	}))
	defer srv.Close()
	seen := &recordingTransport{base: http.DefaultTransport, key: key{}, marked: &marked}
	var wraps atomic.Int32
	fail := atomic.Bool{}
	errPolicy := errors.New("no tokens after hours")
	ts, err := NewTokenSource(Config{ClientID: testID, ClientSecret: testSecret, TokenURL: srv.URL + tokenPath,
		HTTPClient: &http.Client{Transport: seen}, Clock: &stepClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)},
		Middleware: func(ctx context.Context, next func(context.Context) error) error {
			wraps.Add(1)
			if fail.Load() {
				return errPolicy
			}
			return next(context.WithValue(ctx, key{}, true))
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Token(); err != nil {
		t.Fatal(err)
	}
	if wraps.Load() != 1 || tries.Load() != 2 || marked.Load() != 2 {
		t.Errorf("%d wraps, %d tries, %d carrying the middleware's context; want 1, 2, 2", wraps.Load(), tries.Load(), marked.Load())
	}
	fail.Store(true)
	ts.Invalidate()
	_, err = ts.Token()
	var te *TokenError
	if !errors.As(err, &te) || !errors.Is(err, errPolicy) || !strings.Contains(err.Error(), "middleware: no tokens after hours") || tries.Load() != 2 {
		t.Errorf("got %v after %d tries, want a *TokenError wrapping the middleware's, and no request", err, tries.Load())
	}
}

// recordingTransport counts the requests whose context has key.
type recordingTransport struct {
	base   http.RoundTripper
	key    any
	marked *atomic.Int32
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Context().Value(rt.key) != nil {
		rt.marked.Add(1)
	}
	return rt.base.RoundTrip(r)
}

// stepClock moves its time on when a try waits.
type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return ctx.Err()
}
