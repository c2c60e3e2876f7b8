package api

// SetMaxBody sets the largest response body the client reads, so that a
// test of the limit need not send 64 MiB.
func SetMaxBody(c *PartnerClient, n int64) { c.t.maxBody = n }
