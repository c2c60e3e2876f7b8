package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
)

// stepClock is a Clock whose Sleep moves its time on at once.
type stepClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return ctx.Err()
}

// TestConfigClock: the client waits between retries, and measures a call,
// on Config.Clock, and so does the token source New makes (its retry after
// a 503 of the token endpoint).
func TestConfigClock(t *testing.T) {
	var tokens, calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/oauth2/token/" {
			if tokens.Add(1) == 1 {
				w.Header().Set("Retry-After", "2")
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			w.Write([]byte(`{"access_token":"tok-clock-0123456789","token_type":"Bearer","expires_in":3600}`))
			return
		}
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	clock := &stepClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: id, ClientID: "id", ClientSecret: "secret-0123456789", Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	var info api.ResponseInfo
	if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}, api.WithResponseInfo(&info)); err != nil {
		t.Fatal(err)
	}
	if len(clock.sleeps) != 2 || clock.sleeps[0] != 2*time.Second || clock.sleeps[1] != 7*time.Second {
		t.Errorf("waits on the clock: %v, want the token endpoint's 2s, then the API's 7s", clock.sleeps)
	}
	if info.Duration != 9*time.Second {
		t.Errorf("ResponseInfo.Duration = %v, want the clock's 9s", info.Duration)
	}
}
