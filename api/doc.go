// Package api is a typed Go client for the Podero Partner API v2.0.
//
// The client, its request and response types and the operation table
// (*.gen.go) are generated from the pinned openapi.json by gen/ with
// oapi-codegen; never edit them by hand, run `make generate`. This package is
// an unofficial SDK, not made or supported by Podero.
//
// [New] returns a [PartnerClient]: the generated client with OAuth2 tokens,
// retries and typed errors ([Error]) under it. [NewClientWithResponses] is
// the generated client alone, for callers who bring their own transport.
//
// Every operation has a method on [ClientWithResponses] named after it
// (GetElectricVehicleWithResponse, ListElectricVehicleSessionsWithResponse,
// ...) whose response carries the decoded body in a typed field (JSON200,
// JSON409, ...). Paginated lists also have an ...Iter method that walks
// every page. The spec has no servers: pass [ProductionBaseURL] or
// [SandboxBaseURL] as the server; the paths carry /api/partners/v2.0.
//
// Nullable fields are nullable.Nullable values (github.com/oapi-codegen/nullable), which tell absent, null and
// a value apart: leave a field zero to omit it from a request, call SetNull
// to send an explicit null, and Set to send a value.
package api

// Base URLs of Podero's environments. The spec's paths already start with
// /api/partners/v2.0, so these are hosts only.
const (
	ProductionBaseURL = "https://app.podero.com"
	SandboxBaseURL    = "https://sandbox-app.podero.com"
)
