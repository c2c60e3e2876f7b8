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
