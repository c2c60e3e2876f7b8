package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
)

// tickClock is a Clock whose time moves a microsecond at every reading,
// as a real clock moves between two readings, and by d at Sleep(d). The
// test may set it.
type tickClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *tickClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Microsecond)
	return c.now
}

func (c *tickClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
	return ctx.Err()
}

func (c *tickClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// paceRecords returns the log's records about the pace and the pause.
func paceRecords(log string, msg string) []string {
	var out []string
	for line := range strings.Lines(log) {
		if strings.Contains(line, msg) {
			out = append(out, line)
		}
	}
	return out
}

// TestNoPaceWaitAfterPauseEnded: once a 429's pause has ended (and the
// pace it set has relaxed), a call waits for nothing: its PaceWait is 0
// and the log has no pace record for it, as for a client that never met a
// 429. On a clock that moves between readings, as a real one does.
func TestNoPaceWaitAfterPauseEnded(t *testing.T) {
	for _, disable := range []bool{true, false} {
		t.Run("DisableAdaptivePace="+strconv.FormatBool(disable), func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if n.Add(1) == 1 {
					w.Header().Set("Retry-After", "1")
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				w.Write([]byte(`[]`))
			}))
			defer srv.Close()
			clock := &tickClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
			var log strings.Builder
			logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: prodOrg, TokenSource: prodTokens, Clock: clock,
				Logger: logger, DisableAdaptivePace: disable})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}); err != nil {
				t.Fatal(err) // a 429, and its retry after the pause
			}
			clock.Set(clock.Now().Add(time.Minute)) // long after the pause, and after the pace has grown
			for i := range 3 {
				log.Reset()
				var info api.ResponseInfo
				if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}, api.WithResponseInfo(&info)); err != nil {
					t.Fatal(err)
				}
				if info.PaceWait != 0 || len(paceRecords(log.String(), "podero pace")) != 0 {
					t.Errorf("call %d a minute after the pause: PaceWait %v, log %q; want 0 and no pace record", i, info.PaceWait, log.String())
				}
			}
		})
	}
}

// TestAdaptivePaceOneCutForRequestsInFlight: the 429s to requests that
// were all in flight when the first of them came cut the adaptive pace
// once, not once each (0.7ⁿ), even when they were sent at the same instant
// as the cut, as on a simulated clock. 25 calls at once against a server
// that answers them together, the last 5 with a 429: one cut, to 0.7 × 25
// a second.
func TestAdaptivePaceOneCutForRequestsInFlight(t *testing.T) {
	clock := newSimClock()
	var n atomic.Int32
	all := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		i := n.Add(1)
		if i <= 25 {
			if i == 25 {
				close(all)
			}
			select { // answer the 25 together: each was sent before any answer
			case <-all:
			case <-time.After(10 * time.Second):
				t.Error("the 25 requests did not all come")
			}
		}
		if i > 20 && i <= 25 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	var log strings.Builder
	logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: prodOrg, TokenSource: prodTokens, Clock: clock, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	clock.GoAll(25, func(int) {
		if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}); err != nil {
			t.Error(err)
		}
	})
	clock.Wait()
	cuts := paceRecords(log.String(), "podero pace")
	if len(cuts) != 1 || !strings.HasSuffix(cuts[0], " per_second=17.5\n") {
		t.Errorf("the log's pace records: %q; want one cut, to per_second=17.5 (0.7 × 25)", cuts)
	}
}

// TestAdaptivePaceMeterKeepsCount: the rate a 429 cuts from counts every
// request of the second before it, even when a request whose clock reading
// is a moment older (one read before the second turned, and sent after
// another request turned it) is counted after a newer one. 20 requests at
// +0.9 s, one at +1 s, one read at +0.999 s, and the 23rd, at +1.001 s,
// meets a 429: the client sent 23 in the second before it, and cuts to
// 0.7 of that, not to 0.7 of the 2 its meter kept.
func TestAdaptivePaceMeterKeepsCount(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if n.Add(1) == 23 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	start := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := &stepClock{now: start}
	var log strings.Builder
	logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: prodOrg, TokenSource: prodTokens, Clock: clock, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	call := func(at time.Duration) {
		clock.mu.Lock()
		clock.now = start.Add(at)
		clock.mu.Unlock()
		if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}); err != nil {
			t.Fatal(err)
		}
	}
	for range 20 {
		call(900 * time.Millisecond)
	}
	call(time.Second)
	call(999 * time.Millisecond) // read before the second turned, counted after
	call(1001 * time.Millisecond)
	cuts := paceRecords(log.String(), "podero pace")
	var rate float64
	if len(cuts) == 1 {
		_, s, _ := strings.Cut(strings.TrimSpace(cuts[0]), "per_second=")
		rate, _ = strconv.ParseFloat(s, 64)
	}
	if len(cuts) != 1 || rate < 0.7*20 || rate > 0.7*23 {
		t.Errorf("the log's pace records: %q; want one cut, to about 0.7 × 23 a second (16.1)", cuts)
	}
}

// TestPaceQueueMovesUpWhenWaiterLeaves: when a call at the head of the
// pace's queue leaves it (its context ends), the call behind it takes the
// next turn, not one turn later. With 1 request a second, a first call
// takes the burst at 0; A queues at 0 for the turn at 1 s, B at 1 ms for the
// turn after it; A's context ends at 100 ms, and B goes at 1 s.
func TestPaceQueueMovesUpWhenWaiterLeaves(t *testing.T) {
	clock := newSimClock()
	srv := newLimitedAPI(t, clock, 100)
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: prodOrg, TokenSource: prodTokens, Clock: clock,
		RateLimit: &api.RateLimit{PerSecond: 1}})
	if err != nil {
		t.Fatal(err)
	}
	start := clock.Now()
	if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var bWait time.Duration
	clock.GoAll(3, func(i int) {
		switch i {
		case 0: // A
			if _, err := c.ListUsers(ctx, api.ListUsersParams{}); err == nil {
				t.Error("A: no error, want its context's")
			}
		case 1: // B
			if err := clock.Sleep(context.Background(), time.Millisecond); err != nil {
				t.Error(err)
			}
			var info api.ResponseInfo
			if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}, api.WithResponseInfo(&info)); err != nil {
				t.Error(err)
			}
			bWait = info.PaceWait
		case 2: // ends A's context at 100 ms
			if err := clock.Sleep(context.Background(), 100*time.Millisecond); err != nil {
				t.Error(err)
			}
			cancel()
		}
	})
	clock.Wait()
	hits := srv.hits()
	if len(hits) != 2 || hits[1].at.Sub(start) != time.Second || bWait != 999*time.Millisecond {
		var at time.Duration
		if len(hits) == 2 {
			at = hits[1].at.Sub(start)
		}
		t.Errorf("%d requests, B's at +%v after a PaceWait of %v; want 2, B's at +1s (the turn A left), 999ms", len(hits), at, bWait)
	}
}

// TestRateLimitSlowerThanADurationWaits: a RateLimit so slow that a turn is
// further off than a time.Duration can say (1e-10 a second: one each 317
// years) makes a call wait, not spin: its waits are positive, and the
// call goes when the clock has moved on that far. (The wait used to
// overflow to a negative Duration: Sleep returned at once, and the call
// looked again, and again, at full CPU, until its context ended; the
// context here ends after 2 s of real time, only so that the defect cannot
// hang the test.)
func TestRateLimitSlowerThanADurationWaits(t *testing.T) {
	clock := &stepClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	srv := newLimitedAPI(t, clock, 100)
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: prodOrg, TokenSource: prodTokens, Clock: clock,
		RateLimit: &api.RateLimit{PerSecond: 1e-10}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}); err != nil {
		t.Fatal(err) // the burst's one request
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err = c.ListUsers(ctx, api.ListUsersParams{})
	clock.mu.Lock()
	sleeps := slices.Clone(clock.sleeps)
	clock.mu.Unlock()
	if err != nil || len(sleeps) == 0 || len(sleeps) > 3 || slices.ContainsFunc(sleeps, func(d time.Duration) bool { return d <= 0 }) {
		t.Errorf("the second call: %v after %d sleeps (the first few: %v); want it sent after a few long sleeps", err, len(sleeps), sleeps[:min(len(sleeps), 3)])
	}
}

// TestTokenRequest429CutIsLogged: a 429 to the token request cuts the
// adaptive pace like any other (every request counts, and waits for the
// pace), and, as Config.DisableAdaptivePace says of each cut, it is a
// warning in the log, naming the token request.
func TestTokenRequest429CutIsLogged(t *testing.T) {
	var tokens atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/oauth2/token/" {
			if tokens.Add(1) == 1 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			w.Write([]byte(`{"access_token":"tok-cut-0123456789","token_type":"Bearer","expires_in":3600}`))
			return
		}
		w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	clock := &stepClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	var log strings.Builder
	logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: prodOrg, ClientID: "id", ClientSecret: "secret-0123456789",
		Clock: clock, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}); err != nil {
		t.Fatal(err)
	}
	cuts := paceRecords(log.String(), "podero pace: after a 429")
	if tokens.Load() != 2 || len(cuts) != 1 || !strings.Contains(cuts[0], "operation=Token") {
		t.Errorf("%d token requests, the log's cut records: %q; want 2, and one cut naming operation=Token\n%s", tokens.Load(), cuts, log.String())
	}
}
