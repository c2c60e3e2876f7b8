package api

import (
	"context"
	"time"
)

// Clock is the time a client keeps: when it reads the time (a Retry-After
// date, a waiter's deadline, a call's duration) and when it waits (between
// retries, between a waiter's polls). [Config.Clock] sets it; nil means the
// system's clock. A test can give the client its fake's clock, so that a
// waiter that polls every 3 s runs in no real time (see
// api/poderotest's Server.Clock), and a simulation can run on an
// accelerated one.
//
// The token source that [New] makes keeps its time on the same clock.
type Clock interface {
	// Now is the current time.
	Now() time.Time
	// Sleep waits for d, or until ctx ends, when it returns ctx.Err(). A d
	// of zero or less returns at once.
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the system's clock: time.Now, and a timer for Sleep.
var SystemClock Clock = systemClock{}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error { return sleep(ctx, d) }
