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
// which every attempt and every token request waits for. It has three parts:
//
//   - the pause: a 429 with Retry-After stops every request of the client
//     until that time (not just the call that got it), so that 200
//     goroutines do not each find out for themselves;
//   - the rate limit ([Config.RateLimit]): a token bucket whose waiters
//     queue by priority ([WithPriority]);
//   - without a rate limit, the adaptive pace: from a 429 on, the same
//     bucket at a rate the client learns (see "The adaptive pace" below),
//     so that the calls a pause held back do not all go at once when it
//     ends, and most of them meet a 429 again.
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
// [Config.RateLimit]). After the pause the client resumes at PerSecond,
// one request first, not with a burst; a 429 does not change PerSecond.
// Without a RateLimit the client learns a pace from 429s instead (see
// [Config.DisableAdaptivePace]); with one, PerSecond rules and the
// client learns nothing.
type RateLimit struct {
	// PerSecond is the average number of requests a second; it must be
	// positive.
	PerSecond float64
	// Burst is how many requests may go at once when the client has been
	// quiet; 0 means 1.
	Burst int
}

// Priority orders the calls that wait for the pace ([Config.RateLimit], or
// the pace a client without one learns from a 429: see
// [Config.DisableAdaptivePace]): higher first, in order of arrival within
// a priority. Any int is a priority; the constants name four lanes.
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

// WithoutAdaptivePace exempts the call from the pace a client without a
// RateLimit sets itself after a 429 ([Config.DisableAdaptivePace]), for a
// caller that paces its own requests and cuts its rate on 429s, as package
// watch does: two such paces one over the other wait twice for one signal.
// The call still waits for a 429's pause, and for Config.RateLimit when it
// is set; its requests still count in the rate the adaptive pace learns
// from, and its 429s still set it for the client's other calls.
func WithoutAdaptivePace() CallOption {
	return func(o *callOptions) { o.ownPace = true }
}

// WithPriority sets the call's priority while it waits for the client's
// pace ([Config.RateLimit], or the adaptive pace after a 429: see
// [Config.DisableAdaptivePace]). While the client is not pacing (no
// rate limit, and no recent 429) it changes nothing: no call waits.
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
	// clock; 0 when the client was never paused. paced is whether every
	// request takes a token from the bucket: a RateLimit is set, or the
	// adaptive pace is on. Both are read without the lock, so that a
	// client that is not pacing pays two loads a request (and, without
	// DisableAdaptivePace, the count of meter).
	until    atomic.Int64
	paced    atomic.Bool
	maxPause time.Duration // the longest pause a Retry-After sets

	rate     float64 // the RateLimit's tokens a second; 0: none
	burst    float64 // the bucket's size: the RateLimit's Burst, or 1
	adaptive bool    // no RateLimit, and not Config.DisableAdaptivePace

	mu     sync.Mutex
	tokens float64
	last   time.Time     // when tokens was last brought up to date
	queue  []*paceWaiter // by priority, highest first, then by arrival
	seq    uint64        // arrivals so far

	// The adaptive pace while it is on (paced, rate 0): see adaptiveBeta.
	peak   float64   // the rate at the last cut, requests a second (CUBIC's W_max)
	k      float64   // seconds after resume at which the rate is back at peak
	resume time.Time // when the last cut's pause ended: the rate grows from then
	cut    time.Time // when the last cut was made

	// meter counts the requests sent, for the adaptive pace. Every request
	// writes it: it comes last, on another cache line than the fields
	// every request reads.
	meter sendMeter
}

type paceWaiter struct {
	prio Priority
	seq  uint64
	// wake ends the waiter's sleep, so that it looks again at once: a
	// waiter ahead of it left the queue (see leave). nil while it does not
	// sleep. Guarded by pacer.mu.
	wake context.CancelFunc
}

// The adaptive pace. Without a RateLimit a client sends as fast as its
// calls come. At a 429 (the first, or one to a request sent after the last
// cut) it cuts its pace: it takes the rate it sent at in the second before
// (meter; after an earlier cut, at most the rate it was held to) as the
// peak, and from then on every request takes a token from the bucket (of
// one token: no burst) at a rate that grows along CUBIC's curve (RFC 9438)
// the longer no 429 comes, as in the AWS SDKs' "adaptive" retry mode:
//
//	rate(t) = peak + adaptiveC·(t − K)³,  K = ∛(peak·(1−adaptiveBeta)/adaptiveC)
//
// where t is the time since the 429's pause ended. So the rate is
// adaptiveBeta of the peak when sending resumes, flattens out near the
// peak around K (where the server said no last time), and then grows ever
// faster. When it reaches adaptiveRelax times the peak with no 429
// meanwhile, the pace ends as soon as no call waits for it: the client
// sends as fast as its calls come again, paying nothing but meter's
// count, until the next 429. With a peak of 21 a second (the tests'
// server allows 20): 14.7 a second when the pause ends, 21 a second 2.5 s
// later, 42 a second (the end of the pace) 6.3 s after the pause.
//
// Unlike the AWS SDKs, which keep the bucket once it is on (capping its
// rate at twice the measured one), the pace ends: a client that met a
// 429 once does not pay the bucket's lock for the rest of its life, and
// its next 429 starts over from what it measures then. Waiters queue by
// priority as with a RateLimit.
const (
	adaptiveBeta  = 0.7 // the share of the peak the rate starts from (AWS's β)
	adaptiveC     = 0.4 // CUBIC's scale, requests a second per second³ (AWS's)
	adaptiveMin   = 0.5 // requests a second: the slowest pace (AWS's)
	adaptiveRelax = 2.0 // the pace ends when its rate is this many times the peak

	// A waiter of the adaptive pace sleeps at most half its wait when that
	// is longer than this, and then looks again: the rate has grown.
	adaptiveRecheck = 250 * time.Millisecond
)

func newPacer(rl *RateLimit, maxPause time.Duration, adaptive bool) *pacer {
	p := &pacer{maxPause: maxPause, burst: 1}
	if rl != nil {
		p.rate, p.burst = rl.PerSecond, float64(max(rl.Burst, 1))
		p.tokens = p.burst
		p.paced.Store(true)
	} else {
		p.adaptive = adaptive
	}
	return p
}

// wait waits for the turn of one request of priority prio, and returns how
// long it waited. It fails only when ctx ends first, with ctx's error.
// waited is the end of a pause the caller has waited for already (the
// Retry-After of its own 429, before its retry), in Unix nanoseconds. at
// is the time now, or a moment before: the caller has it at hand, and a
// request that need not wait reads no clock here.
func (p *pacer) wait(ctx context.Context, prio Priority, own bool, waited int64, at time.Time, now func() time.Time, sleep func(context.Context, time.Duration) error) (time.Duration, error) {
	// own: the call paces itself (WithoutAdaptivePace), so the adaptive
	// pace (a bucket without a RateLimit: rate 0) is not its to wait for.
	own = own && p.rate == 0
	// A pause that ended by at is over: after one, as before any, a
	// request that need not wait reads no clock and waits 0.
	if until := p.until.Load(); (own || !p.paced.Load()) && (until <= waited || until <= at.UnixNano()) {
		if p.adaptive {
			p.meter.add(at)
		}
		return 0, nil // the common case: not pacing, not paused
	}
	start := now()
	t := start
	slept := false // a request that never slept waited 0, not the time it took to look
	nap := func(ctx context.Context, d time.Duration) error {
		slept = true
		return sleep(ctx, d)
	}
	for {
		var done bool
		var err error
		if !own && p.paced.Load() {
			done, err = p.waitBucket(ctx, prio, waited, t, now, nap)
		} else {
			done, waited, err = p.waitPause(ctx, own, waited, t, now, nap)
		}
		if done || err != nil {
			if !slept {
				if err == nil && p.adaptive {
					p.meter.add(t)
				}
				return 0, err
			}
			end := now()
			if err == nil && p.adaptive {
				p.meter.add(end)
			}
			return end.Sub(start), err
		}
		t = now() // the pace started or ended meanwhile
	}
}

// waitPause waits for the end of the pause while the client is not
// pacing. A pause it has waited for counts as over even if the clock says
// otherwise (a test's sleep that does not move the clock); one made longer
// meanwhile is waited for again. It returns false, and the end of the
// pause it waited for, when a 429 started the adaptive pace meanwhile:
// then the caller queues for the bucket, rather than going with everyone
// the pause held back.
func (p *pacer) waitPause(ctx context.Context, own bool, waited int64, t time.Time, now func() time.Time, sleep func(context.Context, time.Duration) error) (bool, int64, error) {
	for {
		if !own && p.paced.Load() {
			return false, waited, nil
		}
		until := p.until.Load()
		if until <= waited {
			return true, waited, nil
		}
		d := time.Duration(until - t.UnixNano())
		if d <= 0 {
			return true, waited, nil
		}
		if err := sleep(ctx, d); err != nil {
			return false, waited, err
		}
		waited, t = until, now()
	}
}

// waitBucket takes a token from the bucket, queueing by priority when there
// is none, and not during a pause. It returns false without a token when
// ctx ends (with its error), or when the adaptive pace has ended (see
// relaxed).
func (p *pacer) waitBucket(ctx context.Context, prio Priority, waited int64, t time.Time, now func() time.Time, sleep func(context.Context, time.Duration) error) (bool, error) {
	p.mu.Lock()
	if p.relaxed(t) {
		p.mu.Unlock()
		return false, nil
	}
	p.refill(t)
	if len(p.queue) == 0 && p.tokens >= 1 && p.pause(waited, t) <= 0 {
		p.tokens--
		p.mu.Unlock()
		return true, nil
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
			return true, nil
		}
		// A turn further off than a Duration can say (a RateLimit of one
		// in centuries) waits as long as one can: converted, it would
		// overflow to a negative wait, and the waiter would spin.
		wait := time.Duration(math.MaxInt64)
		if s := (need - p.tokens) / p.rateAt(t); s < 1<<32 {
			wait = time.Duration(math.Ceil(s * float64(time.Second)))
		}
		if p.rate == 0 && wait > adaptiveRecheck {
			// The adaptive rate grows: a waiter far back looks again
			// halfway, so that the faster rate reaches it.
			wait = max(wait/2, adaptiveRecheck)
		}
		d := max(pause, wait)
		nap, wake := context.WithCancel(ctx)
		w.wake = wake
		p.mu.Unlock()
		err := sleep(nap, d)
		wake()
		if err != nil && ctx.Err() == nil {
			err = nil // woken by leave: look again
		}
		t = now()
		p.mu.Lock()
		w.wake = nil
		if err != nil || p.relaxed(t) {
			p.leave(w)
			p.mu.Unlock()
			return false, err
		}
		p.refill(t)
	}
}

// leave takes w out of the queue without a token (its context ended), and
// wakes the waiters behind it: each has moved up a place, and slept for a
// turn that comes later than its own now. Without this, the turn w leaves
// goes to nobody: the next waiter sleeps on to the turn after. The caller
// holds p.mu.
func (p *pacer) leave(w *paceWaiter) {
	i := slices.Index(p.queue, w)
	if i < 0 {
		return
	}
	p.queue = slices.Delete(p.queue, i, i+1)
	for _, o := range p.queue[i:] {
		if o.wake != nil {
			o.wake()
		}
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

// rateAt is the bucket's rate at t, in tokens a second: the RateLimit's,
// or the adaptive pace's. The caller holds p.mu.
func (p *pacer) rateAt(t time.Time) float64 {
	if p.rate > 0 {
		return p.rate
	}
	x := max(t.Sub(p.resume).Seconds(), 0) - p.k
	return max(p.peak+adaptiveC*x*x*x, adaptiveMin)
}

// relaxed reports whether the client has no adaptive pace at t, and ends
// the pace when its rate has grown to adaptiveRelax times the peak and no
// call waits for it (so that no backlog goes at once). The caller holds
// p.mu.
func (p *pacer) relaxed(t time.Time) bool {
	if p.rate > 0 {
		return false
	}
	if p.paced.Load() && len(p.queue) == 0 && p.rateAt(t) >= adaptiveRelax*p.peak {
		p.paced.Store(false)
	}
	return !p.paced.Load()
}

// refill brings the bucket up to time t. The caller holds p.mu.
func (p *pacer) refill(t time.Time) {
	if t.After(p.last) {
		if !p.last.IsZero() {
			p.tokens = min(p.burst, p.tokens+t.Sub(p.last).Seconds()*p.rateAt(t))
		}
		p.last = t
	}
}

// observe takes in the response to a request sent at sent (when its wait
// for the pace ended). A 429 with Retry-After pauses the client: until the
// time it says, or for maxPause if that is sooner (a longer Retry-After is
// the caller's to wait for: its *Error has RetryAfter). Any 429 cuts the
// adaptive pace of a client without a RateLimit (see adaptiveBeta's
// comment). observe returns the end of the pause resp asks for, or the
// zero time when it asks for none; whether it made the pause longer; and
// the rate a cut set, in requests a second, or 0 for none. now is the
// client's time.
func (p *pacer) observe(resp *http.Response, now, sent time.Time) (end time.Time, longer bool, cut float64) {
	if resp.StatusCode != http.StatusTooManyRequests {
		return time.Time{}, false, 0
	}
	if d, ok := retryAfter(resp.Header, now); ok && d > 0 {
		end = now.Add(min(d, p.maxPause))
		longer = p.pauseUntil(end.UnixNano())
	}
	switch {
	case p.rate > 0 && longer:
		// Resume at the pace, not with a burst: the server has just said
		// that we sent too much. One request may go when the pause ends.
		p.mu.Lock()
		p.tokens, p.last = min(1, p.burst), end
		p.mu.Unlock()
	case p.adaptive:
		cut = p.cutPace(now, sent, longer)
	}
	return end, longer, cut
}

// pauseUntil makes the pause last until end (Unix nanoseconds), and reports
// whether that made it longer.
func (p *pacer) pauseUntil(end int64) bool {
	for {
		cur := p.until.Load()
		if cur >= end {
			return false // already paused as long or longer
		}
		if p.until.CompareAndSwap(cur, end) {
			return true
		}
	}
}

// cutPace starts or cuts the adaptive pace after a 429 at now to a request
// sent at sent, and returns the new rate. A 429 to a request sent before
// the last cut, or at its instant (a clock too coarse, or simulated, to
// tell them apart), is of that cut (the requests in flight then): it cuts
// nothing, returning 0, and only moves the pace's start to the end of the
// pause when it made that longer.
func (p *pacer) cutPace(now, sent time.Time, longer bool) float64 {
	resume := now
	if u := time.Unix(0, p.until.Load()); u.After(now) {
		resume = u // sending resumes when the pause ends
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	paced := p.paced.Load()
	if paced && !sent.After(p.cut) {
		if longer {
			p.tokens, p.last, p.resume = 1, resume, resume
		}
		return 0
	}
	peak := p.meter.rate(now)
	if paced {
		peak = min(peak, p.rateAt(now))
	}
	p.peak = max(peak, adaptiveMin)
	p.k = math.Cbrt(p.peak * (1 - adaptiveBeta) / adaptiveC)
	p.cut, p.resume = now, resume
	// One request may go when the pause ends; then one at each token.
	p.tokens, p.last = 1, resume
	p.paced.Store(true)
	return p.rateAt(resume)
}

// sendMeter counts the requests a client sends by second of its clock, so
// that a 429 can tell the rate the client sent at. It takes no lock: every
// request of a client that is not pacing counts itself.
type sendMeter struct {
	sec   atomic.Int64 // the second counted, Unix time
	count atomic.Int64 // the requests sent in it
	prev  atomic.Int64 // those sent in the second before it
}

// add counts a request sent at t.
func (m *sendMeter) add(t time.Time) {
	if s := t.Unix(); s != m.sec.Load() {
		m.turn(s)
	}
	m.count.Add(1)
}

// turn moves the meter on to second s: the first request of a second does
// it. A request racing with it may count in the second before or after;
// the rate is an estimate anyway. A request of the second just gone (its
// clock read before another request turned the meter) counts in the
// current one: turning back would drop the counts of both.
func (m *sendMeter) turn(s int64) {
	cur := m.sec.Load()
	if cur == s || s == cur-1 || !m.sec.CompareAndSwap(cur, s) {
		return
	}
	n := m.count.Swap(0)
	if s != cur+1 {
		n = 0 // the second before s saw no request
	}
	m.prev.Store(n)
}

// rate estimates the requests sent in the second before t: those of t's
// second, and of the second before it the share that lies within a second
// of t (the sliding-window estimate of rate limiters).
func (m *sendMeter) rate(t time.Time) float64 {
	s := t.Unix()
	cur, n, prev := m.sec.Load(), float64(m.count.Load()), float64(m.prev.Load())
	switch s {
	case cur:
	case cur + 1:
		n, prev = 0, n
	default:
		return 0
	}
	return n + prev*(1-float64(t.Nanosecond())/float64(time.Second))
}

// paceState is what the pace and the retry budget did to one sending of
// a call (transport.send), for ResponseInfo and the next attempt.
type paceState struct {
	wait        time.Duration // the time its attempts waited for the pace
	pauseWaited int64         // the end of a 429's pause it waits for before its retry
	sent        time.Time     // when its last attempt's wait for the pace ended
	budgetSpent bool          // a retry was denied
	retryCost   int64         // what its last retry took from the budget
}

// waitPace waits for the pace before an attempt of x, or returns the
// *Error of a call whose context ended first. at is the time now (see
// pacer.wait).
func (t *transport) waitPace(ctx context.Context, x *exchange, ps *paceState, at time.Time) *Error {
	d, err := t.pace.wait(ctx, x.opts.priority, x.opts.ownPace, ps.pauseWaited, at, t.now, t.sleep)
	ps.wait, ps.sent = ps.wait+d, at
	if d > 0 {
		ps.sent = at.Add(d)
	}
	if x.opts.call != nil {
		x.opts.call.attemptPace = d
	}
	if err != nil {
		return &Error{Operation: x.op.name, Method: x.req.Method, Path: x.path(), Err: err,
			Message: "the call's context ended while it waited for the client's pace (a 429's pause, Config.RateLimit, or the pace a 429 set): " + err.Error()}
	}
	if d > 0 && t.logger != nil {
		t.logger.LogAttrs(ctx, slog.LevelDebug, "podero pace", slog.String("operation", x.op.name),
			slog.String("method", x.req.Method), slog.String("path", x.path()), slog.Duration("wait", d))
	}
	return nil
}

// observe pauses the client after a 429 with Retry-After, and cuts its
// adaptive pace, and says so in the log. The call itself waits the
// Retry-After before its retry, so that its retry need not wait for that
// pause again.
func (t *transport) observe(ctx context.Context, x *exchange, resp *http.Response, ps *paceState) {
	end, longer, cut := t.pace.observe(resp, t.now(), ps.sent)
	if !end.IsZero() {
		ps.pauseWaited = end.UnixNano()
	}
	if t.logger == nil {
		return
	}
	if longer {
		t.logger.LogAttrs(ctx, slog.LevelWarn, "podero pause: a 429's Retry-After holds every request of the client",
			slog.String("operation", x.op.name), slog.String("method", x.req.Method), slog.String("path", x.path()),
			slog.Time("until", end))
	}
	if cut > 0 {
		t.logger.LogAttrs(ctx, slog.LevelWarn, "podero pace: after a 429 the client paces itself (Config.DisableAdaptivePace)",
			slog.String("operation", x.op.name), slog.String("method", x.req.Method), slog.String("path", x.path()),
			slog.Float64("per_second", math.Round(cut*100)/100))
	}
}
