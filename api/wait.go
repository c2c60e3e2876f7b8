package api

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// This file is the engine under the WaitFor... methods, in the manner of
// the AWS SDK's waiters: poll, check a condition, wait with backoff and
// jitter, and give up at the context's deadline or the waiter's maximum
// wait with the last state seen. Podero has no webhooks (guides §8), so
// polling is how a partner learns that something happened.

// WaitOption changes how a WaitFor... method polls: [WithPollInterval],
// [WithMaxPollInterval], [WithMaxWait], [WithProgress], [WithPollOptions].
type WaitOption func(*waitOptions)

type waitOptions struct {
	interval, maxInterval time.Duration
	maxWait               time.Duration // 0: none but the context's
	progress              []func(WaitProgress)
	call                  []CallOption
}

// WithPollInterval sets the wait after the first poll. Each later wait is
// half as long again as the one before, up to the maximum interval
// ([WithMaxPollInterval]); every wait is jittered to between 80 % and 100 %
// of that, so that many waiters started together do not poll together. A
// d of zero or less keeps the waiter's default.
func WithPollInterval(d time.Duration) WaitOption {
	return func(o *waitOptions) {
		if d > 0 {
			o.interval = d
		}
	}
}

// WithMaxPollInterval caps the wait between polls. A d below the poll
// interval is raised to it; zero or less keeps the waiter's default.
func WithMaxPollInterval(d time.Duration) WaitOption {
	return func(o *waitOptions) {
		if d > 0 {
			o.maxInterval = d
		}
	}
}

// WithMaxWait bounds the whole wait by d, measured from the call, in
// addition to the context's deadline: it is a deadline the waiter keeps on
// the client's clock, and ends the wait the same way (a [*WaitTimeoutError]
// matching context.DeadlineExceeded). Zero or less means no bound but the
// context's.
func WithMaxWait(d time.Duration) WaitOption {
	return func(o *waitOptions) { o.maxWait = max(d, 0) }
}

// WithProgress calls f after every poll that does not end the wait with an
// error (the polls that succeed, and those that fail with a transient
// error), on the waiter's goroutine, before it waits for the next. f should
// return quickly: the deadline counts the time it takes. Several
// WithProgress options add several callbacks, called in order.
func WithProgress(f func(WaitProgress)) WaitOption {
	return func(o *waitOptions) {
		if f != nil {
			o.progress = append(o.progress, f)
		}
	}
}

// WithPollOptions passes opts to every request the waiter sends: a
// [WithRetry] policy for the polls, say, or a [WithHeader].
func WithPollOptions(opts ...CallOption) WaitOption {
	return func(o *waitOptions) { o.call = append(o.call, opts...) }
}

// WaitProgress is what a [WithProgress] callback is told after each poll.
type WaitProgress struct {
	// Waiter is the method's name, such as "WaitForBoost".
	Waiter string
	// Poll counts the polls, 1 for the first.
	Poll int
	// Waited is the time since the wait began, on the client's clock.
	Waited time.Duration
	// State is what this poll observed, of the type the waiter documents
	// (*ElectricVehicleOutput for WaitForBoost, ...); nil when the poll
	// failed.
	State any
	// Err is the transient error this poll failed with: one that
	// [IsRetryable] reports, which does not end the wait.
	Err error
	// Done reports that the condition holds: this was the last poll.
	Done bool
	// Next is the wait before the next poll; 0 when Done.
	Next time.Duration
}

// WaitTimeoutError is the error of a WaitFor... method that gave up before
// its condition held: the context's deadline or the [WithMaxWait] bound
// passed, or the context was cancelled. It says which in Err, so that
// errors.Is(err, context.DeadlineExceeded) and errors.Is(err,
// context.Canceled) see through it, and it keeps the last state a poll
// observed.
//
// A waiter does not sleep past its deadline: when the next poll could not
// happen before it, the waiter gives up straight away.
type WaitTimeoutError struct {
	// Waiter is the method's name, such as "WaitForBoost".
	Waiter string
	// LastState is the last state a poll observed, of the type the waiter
	// documents (*ElectricVehicleOutput for WaitForBoost, ...), or nil when
	// no poll succeeded.
	LastState any
	// LastErr is the transient error the last poll failed with, if it
	// failed.
	LastErr error
	// Polls is how many polls were made; Waited is how long the wait took,
	// on the client's clock.
	Polls  int
	Waited time.Duration
	// Err is why the wait ended: context.DeadlineExceeded (the context's
	// deadline or the maximum wait) or context.Canceled.
	Err error

	last string // LastState described, without secrets
}

func (e *WaitTimeoutError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "podero: %s gave up after %d poll", e.Waiter, e.Polls)
	if e.Polls != 1 {
		b.WriteString("s")
	}
	fmt.Fprintf(&b, " in %v", e.Waited)
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	if e.last != "" {
		b.WriteString("; last state: " + e.last)
	}
	if e.LastErr != nil {
		b.WriteString("; the last poll failed: " + e.LastErr.Error())
	}
	return b.String()
}

// Unwrap returns Err.
func (e *WaitTimeoutError) Unwrap() error { return e.Err }

// waiter is one WaitFor... method: how to poll, when it is done, and its
// defaults.
type waiter[T any] struct {
	name                  string
	interval, maxInterval time.Duration // the defaults
	// notBefore, if not zero, is the earliest time worth polling (a load
	// curve's calculation time): the first poll waits for it.
	notBefore time.Time
	// poll reads the state once and reports whether the condition holds.
	// An error that IsRetryable reports does not end the wait; any other
	// does, and is returned as it is, wrapped with the waiter's name.
	poll func(ctx context.Context, call []CallOption) (state T, done bool, err error)
	// describe says briefly what a state is, for the timeout error. It
	// must not include secrets.
	describe func(T) string
}

// run runs w, through the client's Call middleware if it has any (as a
// call of kind CallWait).
func (w *waiter[T]) run(ctx context.Context, c *PartnerClient, opts []WaitOption) (T, error) {
	if !hasCallHook(c.t.mw) {
		return w.loop(ctx, c, opts, nil)
	}
	var res T
	err := c.t.waitCall(ctx, w.name, func(ctx context.Context, info *ResponseInfo) error {
		var err error
		res, err = w.loop(ctx, c, opts, info)
		return err
	})
	return res, err
}

// loop polls until w's condition holds, the context ends, or the deadline
// (the context's, or the maximum wait) would pass before the next poll. It
// keeps time on c's clock, the one its retries wait on. info, if not nil,
// counts the polls in Attempts.
func (w *waiter[T]) loop(ctx context.Context, c *PartnerClient, opts []WaitOption, info *ResponseInfo) (T, error) {
	o := waitOptions{interval: w.interval, maxInterval: w.maxInterval}
	now, sleep := c.t.now, c.t.sleep
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	o.maxInterval = max(o.maxInterval, o.interval)
	start := now()
	deadline, hasDeadline := ctx.Deadline()
	if o.maxWait > 0 && (!hasDeadline || start.Add(o.maxWait).Before(deadline)) {
		deadline, hasDeadline = start.Add(o.maxWait), true
	}

	var zero, last T
	seen := false
	var lastErr error
	polls := 0
	giveUp := func(cause error) (T, error) {
		e := &WaitTimeoutError{Waiter: w.name, LastErr: lastErr, Polls: polls, Waited: now().Sub(start), Err: cause}
		if seen {
			e.LastState, e.last = last, w.describe(last)
		}
		return zero, e
	}
	// pause waits d, or reports DeadlineExceeded at once if the deadline
	// would pass before the wait ends.
	pause := func(d time.Duration) error {
		if hasDeadline && !now().Add(d).Before(deadline) {
			return context.DeadlineExceeded
		}
		return sleep(ctx, d)
	}

	if !w.notBefore.IsZero() {
		if d := w.notBefore.Sub(start); d > 0 {
			if err := pause(d); err != nil {
				return giveUp(err)
			}
		}
	}
	interval := o.interval
	for {
		polls++
		if info != nil {
			info.Attempts = polls
		}
		state, done, err := w.poll(ctx, o.call)
		p := WaitProgress{Waiter: w.name, Poll: polls}
		switch {
		case err == nil:
			last, seen, lastErr = state, true, nil
			p.State, p.Done = state, done
		case ctx.Err() != nil:
			return giveUp(ctx.Err())
		case !IsRetryable(err):
			if c.t.events {
				c.t.event(ctx, &Event{Kind: EventPoll, Name: w.name, N: polls, Err: err, Waited: now().Sub(start)})
			}
			return zero, fmt.Errorf("podero: %s: %w", w.name, err)
		default:
			lastErr, p.Err = err, err
		}
		if !p.Done {
			p.Next = jitter(interval)
			interval = min(interval+interval/2, o.maxInterval)
		}
		p.Waited = now().Sub(start)
		for _, f := range o.progress {
			f(p)
		}
		if c.t.events {
			c.t.event(ctx, &Event{Kind: EventPoll, Name: w.name, N: polls, Err: p.Err, Done: p.Done, Waited: p.Waited, Next: p.Next})
		}
		if p.Done {
			return state, nil
		}
		if err := pause(p.Next); err != nil {
			return giveUp(err)
		}
	}
}

// jitter returns a wait between 80 % and 100 % of d.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d - rand.N(d/5+1)
}
