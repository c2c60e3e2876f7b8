package api

import (
	"context"
	"time"
)

// SetNow replaces the client's clock, which its retries, its waiters and
// UploadDayAheadPrices read, so that tests run on a fake one.
func SetNow(c *PartnerClient, now func() time.Time) { c.t.now = now }

// GetDevice reads a device of the kind, as the waiters do.
func GetDevice(ctx context.Context, c *PartnerClient, kind DeviceKind, userID, id UUID) (Device, error) {
	return c.getDevice(ctx, kind, userID, id, nil)
}
