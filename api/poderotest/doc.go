// Package poderotest is an in-memory Podero Partner API for tests and
// examples, in the manner of net/http/httptest: [New] starts one on loopback
// for a test, [NewServer] for anything else.
//
// The fake issues OAuth2 tokens at Podero's documented token endpoint
// (POST /oauth2/token/, HTTP Basic client credentials, JSON or form body) and
// at the spec's /api/partners/v2.0/auth/token (form encoded; client
// credentials and password grants). Every API request is checked against
// the SDK's pinned openapi.json, as Podero's django-ninja server would:
//
//   - no valid bearer token: 401 {"detail": "Unauthorized"}
//   - a request that does not conform: 422 {"detail": [{"loc", "msg", "type"}]}
//   - an unknown id: 404 {"detail": "Not Found"}; another organization: 403
//
// It keeps users, buildings, energy contracts, devices (electric vehicles,
// heat pumps, inverters, wallboxes), onboarding sessions and EV charging
// sessions in memory, so what a test creates reads back, lists and
// paginates. Operations without state (device data, savings, prices, ...)
// answer a sample built from the spec. Every response is checked against the
// spec too; one that does not conform is answered 500 instead, and [New]
// fails the test for it.
//
// What a real end user or vehicle would do is done by the test: complete an
// onboarding session ([Server.CompleteOnboarding]), add a device
// ([Server.AddDevice]), start charging ([Server.SetCharging]), record charging
// sessions ([Server.AddSessions]). Faults are injected with
// [Server.FailNext], [Server.ExpireTokens] and [Server.SetLatency].
package poderotest
