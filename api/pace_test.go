package api_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/podero-go/podero/api"
)

// The pace's tests run on simClock: 200 goroutines, seconds of pace and
// pauses, in milliseconds of real time.

// prodOrg is the organization of these tests' clients.
var prodOrg = api.UUID{0x3f, 0xa8, 0x5f, 0x64, 0x57, 0x17, 0x45, 0x62, 0xb3, 0xfc, 0x2c, 0x96, 0x3f, 0x66, 0xaf, 0xa6}

// simClock is a Clock whose time moves only when every goroutine the test
// runs on it (Go) sleeps: then to the earliest wake-up. So the time a
// request reaches the server is the time the client sent it, and a wait of
// a second takes none.
type simClock struct {
	mu       sync.Mutex
	now      time.Time
	workers  int
	sleepers []*simSleeper
	wg       sync.WaitGroup
}

type simSleeper struct {
	until time.Time
	wake  chan struct{}
}

func newSimClock() *simClock {
	return &simClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *simClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 || ctx.Err() != nil {
		return ctx.Err()
	}
	c.mu.Lock()
	s := &simSleeper{until: c.now.Add(d), wake: make(chan struct{})}
	c.sleepers = append(c.sleepers, s)
	c.advance()
	c.mu.Unlock()
	select {
	case <-s.wake:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		if i := slices.Index(c.sleepers, s); i >= 0 {
			c.sleepers = slices.Delete(c.sleepers, i, i+1)
		}
		c.advance()
		c.mu.Unlock()
		return ctx.Err()
	}
}

// Go runs f on a goroutine of its own that the clock waits for.
func (c *simClock) Go(f func()) { c.GoAll(1, func(int) { f() }) }

// GoAll runs f(0) to f(n-1), each on a goroutine of its own that the clock
// waits for. All n count as workers before the first starts: started one at
// a time, the first could sleep before the second was counted, and the
// clock would move while the others were still to come.
func (c *simClock) GoAll(n int, f func(i int)) {
	c.mu.Lock()
	c.workers += n
	c.mu.Unlock()
	c.wg.Add(n)
	for i := range n {
		go func() {
			defer c.wg.Done()
			defer func() {
				c.mu.Lock()
				c.workers--
				c.advance()
				c.mu.Unlock()
			}()
			f(i)
		}()
	}
}

// Wait waits for the goroutines of Go.
func (c *simClock) Wait() { c.wg.Wait() }

// advance moves the time to the earliest wake-up when every worker sleeps,
// and wakes those due. The caller holds c.mu.
func (c *simClock) advance() {
	if len(c.sleepers) == 0 || len(c.sleepers) < c.workers {
		return
	}
	next := c.sleepers[0].until
	for _, s := range c.sleepers {
		if s.until.Before(next) {
			next = s.until
		}
	}
	if next.After(c.now) {
		c.now = next
	}
	c.sleepers = slices.DeleteFunc(c.sleepers, func(s *simSleeper) bool {
		if s.until.After(c.now) {
			return false
		}
		close(s.wake)
		return true
	})
}

// limitedAPI is a server that allows perSecond requests in each second of
// clock's time (a fixed window) and answers 429 with Retry-After: 1 beyond
// that. It records when each request came and what it answered.
type limitedAPI struct {
	*httptest.Server
	clock     api.Clock
	perSecond int

	mu     sync.Mutex
	window time.Time
	count  int
	log    []hit
}

type hit struct {
	at     time.Time
	status int
	org    string
}

func newLimitedAPI(t *testing.T, clock api.Clock, perSecond int) *limitedAPI {
	a := &limitedAPI{clock: clock, perSecond: perSecond}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := clock.Now()
		a.mu.Lock()
		if w := now.Truncate(time.Second); !w.Equal(a.window) {
			a.window, a.count = w, 0
		}
		a.count++
		status := http.StatusOK
		if a.count > a.perSecond {
			status = http.StatusTooManyRequests
		}
		a.log = append(a.log, hit{at: now, status: status, org: strings.Split(r.URL.Path, "/")[5]})
		a.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(status)
			w.Write([]byte(`{"detail": "Too many requests"}`))
			return
		}
		w.Write([]byte(`[]`))
	}))
	t.Cleanup(a.Close)
	return a
}

func (a *limitedAPI) hits() []hit {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.log)
}

// prodTokens is a token source that needs no token endpoint.
var prodTokens = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok-static-0123456789", TokenType: "Bearer"})

// stormCalls runs 200 goroutines, one call each, the i-th starting i×5 ms
// into the test (so that calls keep coming while the server limits them),
// half of them through a ForOrg child, and returns how many failed.
func stormCalls(t *testing.T, clock *simClock, c *api.PartnerClient) int {
	other := c.ForOrg(api.UUID{1})
	var failed atomic.Int32
	clock.GoAll(200, func(i int) {
		if err := clock.Sleep(context.Background(), time.Duration(i)*5*time.Millisecond); err != nil {
			t.Error(err)
		}
		client := c
		if i%2 == 1 {
			client = other
		}
		if _, err := client.ListUsers(context.Background(), api.ListUsersParams{}); err != nil {
			if !api.IsRateLimited(err) {
				t.Errorf("call %d: %v", i, err)
			}
			failed.Add(1)
		}
	})
	clock.Wait()
	return int(failed.Load())
}

// TestRateLimitAvoids429: against a server that allows 20 requests a
// second, 200 goroutines on a client (and its ForOrg child) with RateLimit
// 20/s get a 429 only while the burst is spent, in the first second; after
// that none, and every call succeeds.
func TestRateLimitAvoids429(t *testing.T) {
	t.Parallel()
	clock := newSimClock()
	srv := newLimitedAPI(t, clock, 20)
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: prodOrg, TokenSource: prodTokens, Clock: clock,
		RateLimit: &api.RateLimit{PerSecond: 20, Burst: 20}})
	if err != nil {
		t.Fatal(err)
	}
	start := clock.Now()
	if failed := stormCalls(t, clock, c); failed != 0 {
		t.Errorf("%d calls failed", failed)
	}
	hits := srv.hits()
	var tooMany, late int
	orgs := map[string]int{}
	for _, h := range hits {
		orgs[h.org]++
		if h.status == http.StatusTooManyRequests {
			tooMany++
			if h.at.Sub(start) >= time.Second {
				late++
			}
		}
	}
	t.Logf("RateLimit 20/s, burst 20: %d requests for 200 calls, %d answered 429 (%d after the first second), %v of clock time",
		len(hits), tooMany, late, hits[len(hits)-1].at.Sub(start))
	if late != 0 || tooMany > 1 || len(hits) != 200+tooMany {
		t.Errorf("%d requests, %d 429s, %d of them after the burst: want 200 + the 429s, at most 1 429 and none after the burst", len(hits), tooMany, late)
	}
	if len(orgs) != 2 {
		t.Errorf("requests by org: %v, want both the client's and its ForOrg child's", orgs)
	}
}

// TestPauseAfter429: without a RateLimit, once the server answers 429 with
// Retry-After: 1, no request of the client (or its ForOrg child) reaches it
// until that second has passed, though calls keep coming.
func TestPauseAfter429(t *testing.T) {
	t.Parallel()
	clock := newSimClock()
	srv := newLimitedAPI(t, clock, 20)
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: prodOrg, TokenSource: prodTokens, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	start := clock.Now()
	failed := stormCalls(t, clock, c)
	hits := srv.hits()
	tooMany, pauses := 0, 0
	for i, h := range hits {
		if h.status != http.StatusTooManyRequests {
			continue
		}
		tooMany++
		if i > 0 && hits[i-1].at.Equal(h.at) && hits[i-1].status == http.StatusTooManyRequests {
			continue // answered together with the one before
		}
		pauses++
		for _, later := range hits[i+1:] {
			if later.at.After(h.at) && later.at.Before(h.at.Add(time.Second)) {
				t.Fatalf("a request at +%v, within the second after the 429 at +%v", later.at.Sub(start), h.at.Sub(start))
			}
		}
	}
	t.Logf("no RateLimit: %d requests for 200 calls, %d answered 429 in %d rounds, %d calls failed after their retries, %v of clock time",
		len(hits), tooMany, pauses, failed, hits[len(hits)-1].at.Sub(start))
	first := slices.IndexFunc(hits, func(h hit) bool { return h.status == http.StatusTooManyRequests })
	if first != 20 || pauses < 2 {
		t.Errorf("first 429 at request %d, %d rounds of 429s: want the 21st request, and more than one round", first+1, pauses)
	}
}

// TestPriorityOrder: calls that wait for the pace go by priority, highest
// first, whatever their order of arrival.
func TestPriorityOrder(t *testing.T) {
	clock := newSimClock()
	var mu sync.Mutex
	var order []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := strconv.Atoi(r.Header.Get("X-Priority"))
		mu.Lock()
		order = append(order, p)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: prodOrg, TokenSource: prodTokens, Clock: clock,
		RateLimit: &api.RateLimit{PerSecond: 10, Burst: 1}})
	if err != nil {
		t.Fatal(err)
	}
	// The first call takes the burst; the 40 after it queue at once, in
	// an order of arrival the scheduler picks.
	if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}, api.WithHeader("X-Priority", "9")); err != nil {
		t.Fatal(err)
	}
	prios := []api.Priority{api.PriorityLow, api.PriorityNormal, api.PriorityHigh, api.PriorityUrgent}
	var waits [4]atomic.Int64
	clock.GoAll(40, func(i int) {
		p := prios[i%4]
		var info api.ResponseInfo
		_, err := c.ListUsers(context.Background(), api.ListUsersParams{}, api.WithPriority(p),
			api.WithHeader("X-Priority", strconv.Itoa(int(p))), api.WithResponseInfo(&info))
		if err != nil {
			t.Error(err)
		}
		waits[i%4].Add(int64(info.PaceWait))
	})
	clock.Wait()
	if !slices.IsSortedFunc(order[1:], func(a, b int) int { return b - a }) || len(order) != 41 {
		t.Errorf("priorities in the order the server saw them: %v, want highest first", order[1:])
	}
	// At 10/s, the 10 urgent calls wait 0.1-1 s, the 10 low ones 3.1-4 s.
	for i, want := range []time.Duration{3550, 2550, 1550, 550} {
		want *= time.Millisecond
		if got := time.Duration(waits[i].Load()) / 10; got < want || got > want+time.Millisecond {
			t.Errorf("priority %d: mean PaceWait %v, want %v", prios[i], got, want)
		}
	}
}

// TestTokenRequestsWaitForPace: the token request of the token source New
// makes waits its turn too: with 1 request a second, a cold client's first
// call takes the first turn, its token request the next, a second later.
func TestTokenRequestsWaitForPace(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/oauth2/token/" {
			w.Write([]byte(`{"access_token":"tok-paced-0123456789","token_type":"Bearer","expires_in":3600}`))
			return
		}
		w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	clock := &stepClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	var token api.Call
	seeToken := api.Middleware{Call: func(ctx context.Context, c *api.Call, next api.Next) error {
		err := next(ctx)
		if c.Kind == api.CallToken {
			token = *c
		}
		return err
	}}
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: prodOrg, ClientID: "id", ClientSecret: "secret-0123456789", Clock: clock,
		RateLimit: &api.RateLimit{PerSecond: 1}, Middleware: []api.Middleware{seeToken}})
	if err != nil {
		t.Fatal(err)
	}
	var info api.ResponseInfo
	if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}, api.WithResponseInfo(&info)); err != nil {
		t.Fatal(err)
	}
	if info.PaceWait != 0 || info.Duration != time.Second || len(paths) != 2 || paths[0] != "/oauth2/token/" {
		t.Errorf("call: PaceWait %v, Duration %v, requests %v; want the first turn, and 1s for its token", info.PaceWait, info.Duration, paths)
	}
	if token.Operation != "Token" || token.Info.PaceWait != time.Second || token.Info.Attempts != 1 || token.Info.StatusCode != 200 {
		t.Errorf("the token call: %+v, want Token, 1 attempt, 200, after 1s of pace", token)
	}
}

// TestPaceWaitEndsWithContext: a call whose context ends while it waits
// for the pace returns an *Error that says so and matches the context's
// error, and takes no turn from the calls after it.
func TestPaceWaitEndsWithContext(t *testing.T) {
	clock := newSimClock()
	srv := newLimitedAPI(t, clock, 100)
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: prodOrg, TokenSource: prodTokens, Clock: clock,
		RateLimit: &api.RateLimit{PerSecond: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.ListUsers(ctx, api.ListUsersParams{})
	var e *api.Error
	if !errors.As(err, &e) || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "waited for the client's pace") ||
		e.Operation != "ListUsers" || e.Attempts != 0 {
		t.Errorf("got %#v (%v), want an *Error of ListUsers, not sent, saying it waited for the pace", err, err)
	}
	var info api.ResponseInfo
	clock.Go(func() {
		if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}, api.WithResponseInfo(&info)); err != nil {
			t.Error(err)
		}
	})
	clock.Wait()
	if info.PaceWait != time.Second || len(srv.hits()) != 2 {
		t.Errorf("the next call waited %v (%d requests), want 1s", info.PaceWait, len(srv.hits()))
	}
}

// TestRateLimitChecked: a RateLimit that cannot be kept is refused.
func TestRateLimitChecked(t *testing.T) {
	for _, rl := range []api.RateLimit{{PerSecond: 0}, {PerSecond: -1}, {PerSecond: 5, Burst: -1}} {
		_, err := api.New(api.Config{TokenSource: prodTokens, RateLimit: &rl})
		if err == nil || !strings.Contains(err.Error(), "Config.RateLimit") {
			t.Errorf("RateLimit %+v: got %v, want an error naming Config.RateLimit", rl, err)
		}
	}
}
