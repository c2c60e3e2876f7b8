package poderotest

import (
	"context"
	"sync"
	"time"

	"github.com/podero-go/podero/api"
)

// Clock is a fake's time, and an [api.Clock] that a client (and a watcher
// on it) can keep, so that both sides see the same time. There are three
// kinds:
//
//   - [NewClock]: a manual clock. Its time moves only when a test calls
//     [Clock.Advance], [Clock.Set] or [Clock.Sleep]: Sleep moves the time on
//     by d instead of waiting, so a waiter that polls every 3 s runs in no
//     real time.
//   - [NewAcceleratedClock]: a clock that runs speed times faster than the
//     real one. Sleep waits d/speed of real time, so an hour of fleet time
//     runs in seconds while everything keeps its real concurrency.
//   - the fake's default ([Server.Clock] of a server on which
//     [Server.UseClock] was not called): the real time, which Sleep moves on
//     instead of waiting, as a manual clock's does.
//
// Moving a clock that goroutines share (Advance, or one goroutine's Sleep)
// moves it for all of them. A manual clock thus suits one waiter at a time;
// for many concurrent sleepers use an accelerated clock, or run the code
// under testing/synctest, where the system clock is fake and a server's
// default clock follows it.
//
// A Clock is safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	start  time.Time // the clock's time at realStart
	real   bool      // follows the real time (speed) rather than staying still
	speed  float64   // real: how much faster than the real time
	wait   bool      // Sleep waits d/speed of real time rather than moving the time
	offset time.Duration
	// realStart is the real time (time.Now, monotonic) the clock started at.
	realStart time.Time
}

var _ api.Clock = (*Clock)(nil)

// NewClock returns a manual clock that reads start until it is moved.
func NewClock(start time.Time) *Clock { return &Clock{start: start} }

// NewAcceleratedClock returns a clock that reads start now and runs speed
// times faster than the real time: at speed 60 an hour passes in a minute.
// Its Sleep waits d/speed of real time. It panics if speed is not positive.
func NewAcceleratedClock(start time.Time, speed float64) *Clock {
	if !(speed > 0) {
		panic("poderotest: NewAcceleratedClock: speed must be positive")
	}
	return &Clock{start: start, real: true, speed: speed, wait: true, realStart: time.Now()}
}

// newSteppedClock is a server's default clock: the real time, which Sleep
// moves on.
func newSteppedClock() *Clock {
	now := time.Now()
	return &Clock{start: now, real: true, speed: 1, realStart: now}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	t := c.start.Add(c.offset)
	if c.real {
		t = t.Add(time.Duration(float64(time.Since(c.realStart)) * c.speed))
	}
	return t
}

// Advance moves the clock on by d (back, if d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += t.Sub(c.nowLocked())
}

// Sleep lets d pass on the clock, or returns ctx.Err() if ctx ends first. A
// manual or default clock moves its time on by d and returns at once; an
// accelerated one waits d/speed of real time.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	if !c.wait {
		c.Advance(d)
		return nil
	}
	t := time.NewTimer(time.Duration(float64(d) / c.speed))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
