package api

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// This file is the client's pace: one for a client and its ForOrg children,
// which every attempt and every token request waits for. It has two parts:
//
//   - the pause: a 429 with Retry-After stops every request of the client
//     until that time (not just the call that got it), so that 200
//     goroutines do not each find out for themselves;
//   - the rate limit ([Config.RateLimit]): a token bucket whose waiters
//     queue by priority ([WithPriority]).
//
// It is our own rather than golang.org/x/time/rate's Limiter, which has
// neither priorities nor an injectable clock: here all time is the
// client's Clock (Now and Sleep), so a test or a simulation can run the
// pace on a fake clock, and waiters only ever block in Clock.Sleep. A
// waiter sleeps until the bucket would have a token for its place in the
// queue, then looks again: a waiter of higher priority that arrived
// meanwhile has taken its place, and it sleeps on.

// RateLimit paces the requests of a client and its ForOrg children: at
// most PerSecond requests a second on average, and Burst at once after a
// quiet spell. Every attempt of a call (retries included) and every token
// request waits its turn, for as long as its context allows; the time it
// waited is [ResponseInfo].PaceWait. While calls wait, those of higher
// [Priority] go first ([WithPriority]), and token requests before all.
//
// Podero documents no rate limit: a 429 with Retry-After is its only
// signal, and pauses the client whether a RateLimit is set or not (see
// [Config.RateLimit]).
type RateLimit struct {
	// PerSecond is the average number of requests a second; it must be
	// positive.
	PerSecond float64
	// Burst is how many requests may go at once when the client has been
	// quiet; 0 means 1.
	Burst int
}

// Priority orders the calls that wait for the pace ([Config.RateLimit]):
// higher first, in order of arrival within a priority. Any int is a
// priority; the constants name four lanes.
type Priority int

// Priorities, lowest to highest. A call without [WithPriority] has
// PriorityNormal.
const (
	PriorityLow    Priority = -1 // background work: discovery, backfills
	PriorityNormal Priority = 0
	PriorityHigh   Priority = 1
	PriorityUrgent Priority = 2 // what a person waits for: a boost
)

// priorityToken is the priority of token requests: every call needs the
// token, so it goes before all of them.
const priorityToken = Priority(math.MaxInt)

// WithPriority sets the call's priority while it waits for the client's
// pace ([Config.RateLimit]); without a rate limit it changes nothing.
func WithPriority(p Priority) CallOption {
	return func(o *callOptions) { o.priority = p }
}

// check reports what is wrong with r, for New.
func (r *RateLimit) check() error {
	switch {
	case !(r.PerSecond > 0) || math.IsInf(r.PerSecond, 1):
		return fmt.Errorf("podero: Config.RateLimit.PerSecond is %v; it must be a positive number of requests a second (leave RateLimit nil for no limit)", r.PerSecond)
	case r.Burst < 0:
		return fmt.Errorf("podero: Config.RateLimit.Burst is %d; it must be 0 (for 1) or more", r.Burst)
	}
	return nil
}

// pacer is a client's pace; see the top of this file.
type pacer struct {
	// until is the end of the pause, in Unix nanoseconds on the client's
	// clock; 0 when the client was never paused. Read without the lock,
	// so that a client without a rate limit pays one atomic load a call.
	until    atomic.Int64
	maxPause time.Duration // the longest pause a Retry-After sets

	rate  float64 // tokens a second; 0: no rate limit
	burst float64

	mu     sync.Mutex
	tokens float64
	last   time.Time     // when tokens was last brought up to date
	queue  []*paceWaiter // by priority, highest first, then by arrival
	seq    uint64        // arrivals so far
}

type paceWaiter struct {
	prio Priority
	seq  uint64
}

func newPacer(rl *RateLimit, maxPause time.Duration) *pacer {
	p := &pacer{maxPause: maxPause}
	if rl != nil {
		p.rate, p.burst = rl.PerSecond, float64(max(rl.Burst, 1))
		p.tokens = p.burst
	}
	return p
}

// wait waits for the turn of one request of priority prio, and returns how
// long it waited. It fails only when ctx ends first, with ctx's error.
// waited is the end of a pause the caller has waited for already (the
// Retry-After of its own 429, before its retry), in Unix nanoseconds.
func (p *pacer) wait(ctx context.Context, prio Priority, waited int64, now func() time.Time, sleep func(context.Context, time.Duration) error) (time.Duration, error) {
	if p.rate == 0 && p.until.Load() <= waited {
		return 0, nil // the common case: no rate limit, not paused
	}
	start := now()
	var err error
	if p.rate == 0 {
		err = p.waitPause(ctx, waited, start, now, sleep)
	} else {
		err = p.waitBucket(ctx, prio, waited, start, now, sleep)
	}
	return now().Sub(start), err
}

// waitPause waits for the end of the pause, without a rate limit. A pause
// it has waited for counts as over even if the clock says otherwise (a
// test's sleep that does not move the clock); one made longer meanwhile is
// waited for again.
func (p *pacer) waitPause(ctx context.Context, waited int64, t time.Time, now func() time.Time, sleep func(context.Context, time.Duration) error) error {
	for {
		until := p.until.Load()
		if until <= waited {
			return nil
		}
		d := time.Duration(until - t.UnixNano())
		if d <= 0 {
			return nil
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
		waited, t = until, now()
	}
}

// waitBucket takes a token from the bucket, queueing by priority when there
// is none, and not during a pause.
func (p *pacer) waitBucket(ctx context.Context, prio Priority, waited int64, t time.Time, now func() time.Time, sleep func(context.Context, time.Duration) error) error {
	p.mu.Lock()
	p.refill(t)
	if len(p.queue) == 0 && p.tokens >= 1 && p.pause(waited, t) <= 0 {
		p.tokens--
		p.mu.Unlock()
		return nil
	}
	w := &paceWaiter{prio: prio, seq: p.seq}
	p.seq++
	i, _ := slices.BinarySearchFunc(p.queue, w, waiterOrder)
	p.queue = slices.Insert(p.queue, i, w)
	for {
		i := slices.Index(p.queue, w)
		// The waiters ahead take a token each; this one needs the next.
		need := float64(i + 1)
		pause := p.pause(waited, t)
		if p.tokens >= need && pause <= 0 {
			p.queue = slices.Delete(p.queue, i, i+1)
			p.tokens--
			p.mu.Unlock()
			return nil
		}
		d := max(pause, time.Duration(math.Ceil((need-p.tokens)/p.rate*float64(time.Second))))
		p.mu.Unlock()
		err := sleep(ctx, d)
		t = now()
		p.mu.Lock()
		if err != nil {
			if i := slices.Index(p.queue, w); i >= 0 {
				p.queue = slices.Delete(p.queue, i, i+1)
			}
			p.mu.Unlock()
			return err
		}
		p.refill(t)
	}
}

// pause is how much of the pause remains at t, unless the caller has waited
// for it (see wait).
func (p *pacer) pause(waited int64, t time.Time) time.Duration {
	until := p.until.Load()
	if until <= waited {
		return 0
	}
	return time.Duration(until - t.UnixNano())
}

// waiterOrder sorts the queue: higher priority first, then earlier arrival.
func waiterOrder(a, b *paceWaiter) int {
	switch {
	case a.prio != b.prio && a.prio > b.prio:
		return -1
	case a.prio != b.prio:
		return 1
	case a.seq < b.seq:
		return -1
	case a.seq > b.seq:
		return 1
	}
	return 0
}

// refill brings the bucket up to time t. The caller holds p.mu.
func (p *pacer) refill(t time.Time) {
	if t.After(p.last) {
		if !p.last.IsZero() {
			p.tokens = min(p.burst, p.tokens+t.Sub(p.last).Seconds()*p.rate)
		}
		p.last = t
	}
}

// observe pauses the client after a 429 with Retry-After: until the time
// it says, or for maxPause if that is sooner (a longer Retry-After is the
// caller's to wait for: its *Error has RetryAfter). It returns the end of
// the pause resp asks for, or the zero time when it asks for none, and
// whether it made the pause longer. now is the client's time.
func (p *pacer) observe(resp *http.Response, now time.Time) (time.Time, bool) {
	if resp.StatusCode != http.StatusTooManyRequests {
		return time.Time{}, false
	}
	d, ok := retryAfter(resp.Header, now)
	if !ok || d <= 0 {
		return time.Time{}, false
	}
	end := now.Add(min(d, p.maxPause))
	for {
		cur := p.until.Load()
		if cur >= end.UnixNano() {
			return end, false // already paused as long or longer
		}
		if p.until.CompareAndSwap(cur, end.UnixNano()) {
			break
		}
	}
	if p.rate > 0 {
		// Resume at the pace, not with a burst: the server has just said
		// that we sent too much. One request may go when the pause ends.
		p.mu.Lock()
		p.tokens, p.last = min(1, p.burst), end
		p.mu.Unlock()
	}
	return end, true
}

// paceState is what the pace and the retry budget did to one sending of
// a call (transport.send), for ResponseInfo and the next attempt.
type paceState struct {
	wait        time.Duration // the time its attempts waited for the pace
	pauseWaited int64         // the end of a 429's pause it waits for before its retry
	budgetSpent bool          // a retry was denied
	retryCost   int64         // what its last retry took from the budget
}

// waitPace waits for the pace before an attempt of x, or returns the
// *Error of a call whose context ended first.
func (t *transport) waitPace(ctx context.Context, x *exchange, ps *paceState) *Error {
	d, err := t.pace.wait(ctx, x.opts.priority, ps.pauseWaited, t.now, t.sleep)
	ps.wait += d
	if x.opts.call != nil {
		x.opts.call.attemptPace = d
	}
	if err != nil {
		return &Error{Operation: x.op.name, Method: x.req.Method, Path: x.path(), Err: err,
			Message: "the call's context ended while it waited for the client's pace (a 429's pause, or Config.RateLimit): " + err.Error()}
	}
	if d > 0 && t.logger != nil {
		t.logger.LogAttrs(ctx, slog.LevelDebug, "podero pace", slog.String("operation", x.op.name),
			slog.String("method", x.req.Method), slog.String("path", x.path()), slog.Duration("wait", d))
	}
	return nil
}

// observe pauses the client after a 429 with Retry-After, and says so in
// the log. The call itself waits the Retry-After before its retry, so that
// its retry need not wait for that pause again.
func (t *transport) observe(ctx context.Context, x *exchange, resp *http.Response, ps *paceState) {
	end, longer := t.pace.observe(resp, t.now())
	if end.IsZero() {
		return
	}
	ps.pauseWaited = end.UnixNano()
	if longer && t.logger != nil {
		t.logger.LogAttrs(ctx, slog.LevelWarn, "podero pause: a 429's Retry-After holds every request of the client",
			slog.String("operation", x.op.name), slog.String("method", x.req.Method), slog.String("path", x.path()),
			slog.Time("until", end))
	}
}
