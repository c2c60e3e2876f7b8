package api_test

import (
	"context"
	"errors"
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
	ctx   context.Context
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
	s := &simSleeper{ctx: ctx, until: c.now.Add(d), wake: make(chan struct{})}
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
// and wakes those due. A sleeper whose context has ended is awake (it is
// about to return), though it has not yet left the list: the time waits for
// it. The caller holds c.mu.
func (c *simClock) advance() {
	var next time.Time
	asleep := 0
	for _, s := range c.sleepers {
		if s.ctx.Err() != nil {
			continue
		}
		if asleep++; asleep == 1 || s.until.Before(next) {
			next = s.until
		}
	}
	if asleep == 0 || asleep < c.workers {
		return
	}
	if next.After(c.now) {
		c.now = next
	}
	c.sleepers = slices.DeleteFunc(c.sleepers, func(s *simSleeper) bool {
		if s.until.After(c.now) || s.ctx.Err() != nil {
			return false
		}
		close(s.wake)
		return true
	})
}

// limitedAPI is a server that allows perSecond requests in each second of
// clock's time (a fixed window) and answers 429 with Retry-After: 1 beyond
// that, until limitEnds if set; it answers 404 to the requests of org
// missing. It records when each request came and what it answered.
type limitedAPI struct {
	*httptest.Server
	clock     api.Clock
	perSecond int
	limitEnds time.Time // set before the first request
	missing   string    // likewise

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
		org := strings.Split(r.URL.Path, "/")[5]
		status := http.StatusOK
		switch {
		case a.count > a.perSecond && (a.limitEnds.IsZero() || now.Before(a.limitEnds)):
			status = http.StatusTooManyRequests
		case org == a.missing:
			status = http.StatusNotFound
		}
		a.log = append(a.log, hit{at: now, status: status, org: org})
		a.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if status == http.StatusNotFound {
			w.WriteHeader(status)
			w.Write([]byte(`{"detail": "Not found."}`))
			return
		}
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

// pauseRounds checks that after every 429 no request reached the server
// within the second of its Retry-After: 1, and returns the number of 429s
// and of rounds of them (429s answered together count once).
func pauseRounds(t *testing.T, hits []hit, start time.Time) (tooMany, rounds int) {
	t.Helper()
	for i, h := range hits {
		if h.status != http.StatusTooManyRequests {
			continue
		}
		tooMany++
		if i > 0 && hits[i-1].at.Equal(h.at) && hits[i-1].status == http.StatusTooManyRequests {
			continue // answered together with the one before
		}
		rounds++
		for _, later := range hits[i+1:] {
			if later.at.After(h.at) && later.at.Before(h.at.Add(time.Second)) {
				t.Fatalf("a request at +%v, within the second after the 429 at +%v", later.at.Sub(start), h.at.Sub(start))
			}
		}
	}
	return tooMany, rounds
}

// TestPauseAfter429: with DisableAdaptivePace and no RateLimit, once the
// server answers 429 with Retry-After: 1, no request of the client (or its
// ForOrg child) reaches it until that second has passed, though calls keep
// coming. (When the pause ends, every call it held back goes at once, and
// most meet a 429 again: the herd TestAdaptivePaceNoHerdAfter429 protects
// against.)
func TestPauseAfter429(t *testing.T) {
	t.Parallel()
	clock := newSimClock()
	srv := newLimitedAPI(t, clock, 20)
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: prodOrg, TokenSource: prodTokens, Clock: clock, DisableAdaptivePace: true})
	if err != nil {
		t.Fatal(err)
	}
	start := clock.Now()
	failed := stormCalls(t, clock, c)
	hits := srv.hits()
	tooMany, rounds := pauseRounds(t, hits, start)
	t.Logf("no RateLimit, DisableAdaptivePace: %d requests for 200 calls, %d answered 429 in %d rounds, %d calls failed after their retries, %v of clock time",
		len(hits), tooMany, rounds, failed, hits[len(hits)-1].at.Sub(start))
	first := slices.IndexFunc(hits, func(h hit) bool { return h.status == http.StatusTooManyRequests })
	if first != 20 || rounds < 2 {
		t.Errorf("first 429 at request %d, %d rounds of 429s: want the 21st request, and more than one round", first+1, rounds)
	}
}

// TestAdaptivePaceNoHerdAfter429: without a RateLimit, after the first 429
// the client paces itself (the adaptive pace), so that when the 429's
// pause ends the calls it held back do not all go at once: against a
// server that allows 20 requests a second, none of 200 calls fails, and
// the client meets few 429s: the first, which sets a pace of 14.7 a second
// (0.7 of the 21 requests it sent in the second before), and then at most
// one each time the pace has grown back past 20 a second, which takes
// over a second after each pause: at most one a 2 s of the run. The pause
// holds as before: no request within the second after a 429.
func TestAdaptivePaceNoHerdAfter429(t *testing.T) {
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
	tooMany, rounds := pauseRounds(t, hits, start)
	took := hits[len(hits)-1].at.Sub(start)
	t.Logf("no RateLimit, adaptive pace: %d requests for 200 calls, %d answered 429 in %d rounds, %d calls failed after their retries, %v of clock time",
		len(hits), tooMany, rounds, failed, took)
	first := slices.IndexFunc(hits, func(h hit) bool { return h.status == http.StatusTooManyRequests })
	if bound := 1 + int(took/(2*time.Second)); failed != 0 || first != 20 || tooMany > bound || len(hits) != 200+tooMany {
		t.Errorf("%d calls failed, first 429 at request %d, %d 429s in %d requests: want none failed, the 21st, at most %d 429s (1 + one a 2 s of %v), and 200 requests + the 429s",
			failed, first+1, tooMany, len(hits), bound, took)
	}
}

// every returns n offsets on clock, from + i×step for the i-th.
func every(n int, from, step time.Duration) []time.Duration {
	at := make([]time.Duration, n)
	for i := range at {
		at[i] = from + time.Duration(i)*step
	}
	return at
}

// pacedCalls makes a call at each offset on clock (all workers at once:
// see GoAll), and returns when each started and how long it waited for
// the pace. It fails t for a call that fails.
func pacedCalls(t *testing.T, clock *simClock, c *api.PartnerClient, at []time.Duration) (starts []time.Time, waits []time.Duration) {
	starts, waits = make([]time.Time, len(at)), make([]time.Duration, len(at))
	clock.GoAll(len(at), func(i int) {
		if err := clock.Sleep(context.Background(), at[i]); err != nil {
			t.Error(err)
		}
		starts[i] = clock.Now()
		var info api.ResponseInfo
		if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}, api.WithResponseInfo(&info)); err != nil {
			t.Errorf("call %d: %v", i, err)
		}
		waits[i] = info.PaceWait
	})
	clock.Wait()
	return starts, waits
}

// TestAdaptivePaceRelaxes: the pace a 429 sets does not last: when the
// server stops throttling, the pace grows back, and then ends. Calls come
// 30 a second for 14 s against a server that allows 20 a second for the
// first 2 s only. The 429 at 0.67 s (the 21st request) sets a pace of 0.7
// × 21 a second, which the calls after the pause wait for (their
// PaceWait, and one record in the log). Its rate reaches 42 a second 6.3
// s after the pause (at 7.9 s), and the pace ends when no call waits for
// it any more: the backlog is sent by 10 s. From 11 s on no call waits,
// and the server sees the calls' 30 a second; 20 calls made at once at
// 14.5 s reach it at once (a pace, even a fast one, would space them).
func TestAdaptivePaceRelaxes(t *testing.T) {
	t.Parallel()
	clock := newSimClock()
	srv := newLimitedAPI(t, clock, 20)
	start := clock.Now()
	srv.limitEnds = start.Add(2 * time.Second)
	var log strings.Builder
	logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: prodOrg, TokenSource: prodTokens, Clock: clock, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	starts, waits := pacedCalls(t, clock, c, append(every(420, 0, time.Second/30), every(20, 14500*time.Millisecond, 0)...))
	starts, waits, burst := starts[:420], waits[:420], waits[420:]
	if slices.ContainsFunc(burst, func(w time.Duration) bool { return w != 0 }) {
		t.Errorf("20 calls at once at 14.5 s waited for the pace: %v", burst)
	}
	hits := srv.hits()
	tooMany, _ := pauseRounds(t, hits, start)
	var paced, late, lastHits, afterBurst int
	var lastPaced time.Duration
	for i, w := range waits {
		at := starts[i].Sub(start)
		if w > 0 && at > 2*time.Second {
			paced++ // waited for the pace, not for the pause
			lastPaced = max(lastPaced, at)
		}
		if w > 0 && at >= 11*time.Second {
			late++
		}
	}
	for _, h := range hits {
		if at := h.at.Sub(start); at >= 13*time.Second && at < 14*time.Second {
			lastHits++
		}
		if at := h.at.Sub(start); at > 14500*time.Millisecond {
			afterBurst++
		}
	}
	if afterBurst != 0 {
		t.Errorf("%d requests after the burst at +14.5s: a pace spaced it", afterBurst)
	}
	t.Logf("%d requests, %d answered 429; %d calls after 2 s waited for the pace, the last starting at +%v; %d requests from 13 s to 14 s",
		len(hits), tooMany, paced, lastPaced, lastHits)
	if tooMany != 1 || paced == 0 || late != 0 || lastHits < 29 || lastHits > 31 {
		t.Errorf("%d 429s, %d calls after 2 s waited for the pace, %d of them from 11 s on, %d requests from 13 s to 14 s: want 1, some, none, 30",
			tooMany, paced, late, lastHits)
	}
	var paceLog []string // the log's pace records
	for line := range strings.Lines(log.String()) {
		if strings.Contains(line, "podero pace") {
			paceLog = append(paceLog, line)
		}
	}
	want := `level=WARN msg="podero pace: after a 429 the client paces itself (Config.DisableAdaptivePace)" operation=ListUsers`
	if len(paceLog) != 1 || !strings.Contains(paceLog[0], want) || !strings.HasSuffix(paceLog[0], " per_second=14.7\n") {
		t.Errorf("the log's pace records: %q; want one: %s ... per_second=14.7", paceLog, want)
	}
}

// TestAdaptivePaceNothingWithout429: a client that never meets a 429
// never waits: after a 404 (an error, but no throttle), 200 calls in a
// second and then 20 at once, against a server that allows them all, reach
// it when they are made, none with a PaceWait, and nothing is logged about
// a pace.
func TestAdaptivePaceNothingWithout429(t *testing.T) {
	t.Parallel()
	clock := newSimClock()
	srv := newLimitedAPI(t, clock, 1000)
	var log strings.Builder
	logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: prodOrg, TokenSource: prodTokens, Clock: clock, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	start := clock.Now()
	srv.missing = api.UUID{2}.String()
	if _, err := c.ForOrg(api.UUID{2}).ListUsers(context.Background(), api.ListUsersParams{}); !api.IsNotFound(err) {
		t.Fatalf("got %v, want a 404", err)
	}
	starts, waits := pacedCalls(t, clock, c, append(every(200, 0, 5*time.Millisecond), every(20, 1500*time.Millisecond, 0)...))
	hits := srv.hits()
	late := 0
	for _, h := range hits {
		if h.at.Sub(start)%(5*time.Millisecond) != 0 || h.status != http.StatusOK && h.org != srv.missing {
			late++
		}
	}
	for i, w := range waits {
		if w != 0 {
			t.Errorf("call %d (at +%v) waited %v for the pace", i, starts[i].Sub(start), w)
		}
	}
	if len(hits) != 221 || late != 0 || hits[len(hits)-1].at.Sub(start) != 1500*time.Millisecond || strings.Contains(log.String(), "pace") {
		t.Errorf("%d requests, %d of them not at a call's start or not 200, the last at +%v, pace in the log: %v; want 221, all at their call's start, the last at +1.5s, no pace in the log",
			len(hits), late, hits[len(hits)-1].at.Sub(start), strings.Contains(log.String(), "pace"))
	}
}

// TestAdaptivePacePriority: while the adaptive pace holds calls back, they
// go by priority, highest first, as with a RateLimit; the urgent ones wait
// least. 21 calls at once get the server's 20 and a 429 (Retry-After: 1);
// 40 calls of four priorities made during the pause wait for the pace
// together.
func TestAdaptivePacePriority(t *testing.T) {
	clock := newSimClock()
	var mu sync.Mutex
	var order []int
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if n.Add(1) == 21 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		if p, err := strconv.Atoi(r.Header.Get("X-Priority")); err == nil {
			mu.Lock()
			order = append(order, p)
			mu.Unlock()
		}
		w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: prodOrg, TokenSource: prodTokens, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	prios := []api.Priority{api.PriorityLow, api.PriorityNormal, api.PriorityHigh, api.PriorityUrgent}
	var waits [4]atomic.Int64
	clock.GoAll(21+40, func(i int) {
		if i < 21 {
			if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}); err != nil {
				t.Error(err)
			}
			return
		}
		p := prios[i%4]
		if err := clock.Sleep(context.Background(), 500*time.Millisecond); err != nil {
			t.Error(err)
		}
		var info api.ResponseInfo
		_, err := c.ListUsers(context.Background(), api.ListUsersParams{}, api.WithPriority(p),
			api.WithHeader("X-Priority", strconv.Itoa(int(p))), api.WithResponseInfo(&info))
		if err != nil {
			t.Error(err)
		}
		waits[i%4].Add(int64(info.PaceWait))
	})
	clock.Wait()
	if !slices.IsSortedFunc(order, func(a, b int) int { return b - a }) || len(order) != 40 {
		t.Errorf("priorities in the order the server saw them: %v, want 40, highest first", order)
	}
	var mean [4]time.Duration
	for i := range mean {
		mean[i] = time.Duration(waits[i].Load()) / 10
	}
	if !(mean[3] < mean[2] && mean[2] < mean[1] && mean[1] < mean[0]) || mean[3] < 500*time.Millisecond {
		t.Errorf("mean PaceWait by priority, low to urgent: %v; want shorter for higher, each past the pause's 0.5 s", mean)
	}
}

// TestWithoutAdaptivePace: after a 429 has set the adaptive pace, calls
// that pace themselves (WithoutAdaptivePace, as package watch's) wait for
// the pause and not for the pace: 20 of them go together when the pause
// ends, where 20 ordinary calls are spaced out by the pace.
func TestWithoutAdaptivePace(t *testing.T) {
	for _, own := range []bool{false, true} {
		clock := newSimClock()
		var n atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if n.Add(1) == 21 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			w.Write([]byte(`[]`))
		}))
		c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: prodOrg, TokenSource: prodTokens, Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		start := clock.Now()
		var last atomic.Int64 // the latest end of the 20 calls after the 429, in clock time
		clock.GoAll(21+20, func(i int) {
			var opts []api.CallOption
			if i >= 21 {
				if err := clock.Sleep(context.Background(), 500*time.Millisecond); err != nil {
					t.Error(err)
				}
				if own {
					opts = append(opts, api.WithoutAdaptivePace())
				}
			}
			if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}, opts...); err != nil {
				t.Error(err)
			}
			if i >= 21 {
				for d := int64(clock.Now().Sub(start)); ; {
					if l := last.Load(); d <= l || last.CompareAndSwap(l, d) {
						break
					}
				}
			}
		})
		clock.Wait()
		srv.Close()
		took := time.Duration(last.Load())
		switch {
		case own && took > time.Second+time.Millisecond:
			t.Errorf("WithoutAdaptivePace: the 20 calls after the 429 ended %v after the start, want when its 1 s pause ended", took)
		case !own && took <= 2*time.Second:
			t.Errorf("ordinary calls: the 20 after the 429 ended %v after the start, want them spaced out by the adaptive pace, past 2 s", took)
		}
	}
}

// TestRateLimitRulesAfter429: with a RateLimit the client learns no pace
// from a 429: it pauses, then sends at the RateLimit's rate again, not
// slower. A client at 10 a second whose 5th request meets a 429 sends the
// rest 100 ms apart after the pause.
func TestRateLimitRulesAfter429(t *testing.T) {
	clock := newSimClock()
	var mu sync.Mutex
	var at []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		at = append(at, clock.Now())
		n := len(at)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if n == 5 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: prodOrg, TokenSource: prodTokens, Clock: clock,
		RateLimit: &api.RateLimit{PerSecond: 10, Burst: 1}})
	if err != nil {
		t.Fatal(err)
	}
	start := clock.Now()
	clock.GoAll(30, func(int) {
		if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}); err != nil {
			t.Error(err)
		}
	})
	clock.Wait()
	// The 429 at +400ms pauses the client until +1.4s; from then on one
	// request each 100 ms: the 26 left (the 429's retry among them).
	if len(at) != 31 || at[5].Sub(start) != 1400*time.Millisecond {
		t.Fatalf("%d requests, the one after the 429 at +%v: want 31, at +1.4s", len(at), at[min(5, len(at)-1)].Sub(start))
	}
	for i := 6; i < len(at); i++ {
		if d := at[i].Sub(at[i-1]); d != 100*time.Millisecond {
			t.Errorf("request %d came %v after the one before, want 100ms (the RateLimit's pace)", i+1, d)
		}
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
