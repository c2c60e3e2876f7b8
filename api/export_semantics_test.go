package api

import "time"

// SetNow replaces the client's clock, which its retries, its waiters and
// UploadDayAheadPrices read, so that tests run on a fake one.
func SetNow(c *PartnerClient, now func() time.Time) { c.t.now = now }
