package api

import (
	"context"
	"time"
)

// SetSleep replaces the client's wait between attempts, so that tests can
// see how long it would wait.
func SetSleep(c *PartnerClient, f func(context.Context, time.Duration) error) {
	c.t.sleep = f
}

// Sleep is the client's real wait.
var Sleep = sleep

// SetMaxBody sets the largest response body the client reads, so that a
// test of the limit need not send 64 MiB.
func SetMaxBody(c *PartnerClient, n int64) { c.t.maxBody = n }

// AttemptTimeout is the client's per-attempt timeout (0 for none).
func AttemptTimeout(c *PartnerClient) time.Duration { return c.t.timeout }
