package api

import (
	"context"
	"time"
)

// WithWaitClock makes a waiter read the time from now and wait with sleep,
// so that tests run a wait on a fake clock without waiting.
func WithWaitClock(now func() time.Time, sleep func(context.Context, time.Duration) error) WaitOption {
	return func(o *waitOptions) { o.now, o.sleep = now, sleep }
}
