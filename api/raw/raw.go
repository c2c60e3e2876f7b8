package raw

import (
	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/rawlink"
)

// New returns the generated client on c's transport: the same base URL,
// tokens, User-Agent, retries, timeouts and errors as c's methods (a
// response that is not a 2xx is an [*api.Error]), with oapi-codegen's
// responses (JSON200, Body, HTTPResponse, ...). Its methods take the org_id
// as their first argument; c's Config.OrgID is not applied. c must not be
// nil.
func New(c *api.PartnerClient) *ClientWithResponses {
	base, doer := rawlink.Transport(c)
	return &ClientWithResponses{ClientInterface: &Client{Server: base + "/", Client: doer}}
}
