// Package raw is oapi-codegen's client for the Podero Partner API, generated
// from the pinned openapi.json beside package api's models: [Client],
// [ClientWithResponses], a NewXRequest builder and a ParseXResponse parser per
// operation, and the XResponse types with their JSON200, Body and
// HTTPResponse fields.
//
// Most code wants api.PartnerClient, whose methods return the decoded
// result or an *api.Error. Use raw for what they do not give: the raw
// response, or a request to change before it is sent. [New] puts it on a
// PartnerClient's transport (tokens, retries, re-authentication, errors):
//
//	c, err := api.New(api.Config{ /* ... */ })
//	...
//	rsp, err := raw.New(c).GetUserWithResponse(ctx, orgID, userID)
//	if err != nil {
//		return err // an *api.Error, as from c's methods
//	}
//	fmt.Println(rsp.StatusCode(), string(rsp.Body))
//
// [NewClientWithResponses] is the generated client alone, for a transport of
// your own (see oauth.RequestEditor for the token).
package raw
