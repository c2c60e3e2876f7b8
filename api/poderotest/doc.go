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
//   - a body over [MaxRequestBody] (1 MiB): 413 {"detail": "..."}, before
//     anything else is looked at
//   - no valid bearer token: 401 {"detail": "Unauthorized"}
//   - a request that does not conform: 422 {"detail": [{"loc", "msg", "type"}]},
//     a JSON body with anything but whitespace after its value included
//   - an unknown id: 404 {"detail": "Not Found"}; another organization: 403
//   - a cue operation with a wrong or expired secret: 403; a cue no longer
//     active: 404
//
// Ids are compared as UUIDs, whatever their case. An id is only found among
// the path's user's objects, whether in the path or, as building_id, in a
// request body: another user's building is 404 like an unknown one.
//
// It keeps users, buildings, energy contracts, devices (electric vehicles,
// heat pumps, inverters, wallboxes), onboarding sessions, EV charging
// sessions, wallbox HEMS sessions, users' charging configurations,
// vehicles' charge policies, wallbox claim tokens and devices' pending
// actions in memory, so what a test creates or updates
// reads back, lists and paginates. A user's charging configuration starts
// with smart_charging_mode "none", every mode available and the user's
// devices listed; a vehicle's charge policy starts with no targets, in UTC.
// Operations without state (device data,
// savings, prices, ...) answer a sample built from the spec. Every response
// is checked against the spec too; one that does not conform is answered 500
// instead, and [New] fails the test for it.
//
// What a real end user or vehicle would do is done by the test: complete an
// onboarding session ([Server.CompleteOnboarding]), add a device
// ([Server.AddDevice]), connect a wallbox with a claim token
// ([Server.ClaimWallbox]), plug in and charge ([Server.SetVehicleState],
// [Server.SetCharging]), record past sessions ([Server.AddSessions],
// [Server.AddHEMSSessions]).
//
// Broken connections and notices are pending actions ("cues") on a device:
// [Server.RequireReauthentication] and [Server.AddInformation] add them, and
// the cue operations resolve them (POST /cues/{cue_id}/resolve, /state,
// /information/resolve, with the secret from the action's resolution_link,
// good for an hour). The end user's part in Podero's Connect UI is
// [Server.CompleteOnboarding] or [Server.OpenLink], which opens an
// authentication_url or a cue's redirect_url without following the
// redirect to the partner's success_url. A new device's onboarding session
// has object_id null until it completes; a reauthentication session names
// its device from the start, so its completion shows on the device instead:
// is_authenticated true and no reauthenticate action.
//
// Time passes on the fake's clock ([Server.Clock]: the real time by
// default, which [Server.UseClock] and [Server.SetClock] replace), and
// state moves on with it as a client polling Podero would see it: a boost
// stays "requested" for [BoostStartDelay], then the device charges and
// boost_state reads "ongoing" ([Server.SetBoostOutcome] makes it end
// "unavailable" instead); a boost of an unplugged device is armed until it
// is plugged in. A client made from [Server.Config] keeps the fake's clock,
// whose Sleep moves the time on instead of waiting: its waiters take no
// real time. [NewClock] and [NewAcceleratedClock] make clocks of a time of
// the test's choosing, manual or faster than the real one.
//
// For code that watches a whole fleet, [Server.Populate] makes users with
// devices in one call and [Server.StartChanges] runs a seedable change
// process on the fake's clock (refreshes, attention with and without a
// cue, charges, boosts that settle every way or never, onboardings,
// deleted devices); [Server.Changes] is the ground truth of every change.
// [Server.SetRateLimit], [Server.AddFaultWindow], [Server.DropNextAnswers]
// and [Server.ConcurrentReads] test a client's pace and its failure
// handling; [NewInProcessServer] serves without a network, for
// simulations and testing/synctest bubbles. Lists and reads cost what their
// user has, not the whole store, and past its first responses the fake
// checks a sample of them against the spec ([Server.SampleChecks]).
//
// Faults are injected with [Server.FailNext] (every operation),
// [Server.FailNextOp] (one operation), [Server.ExpireTokens] and
// [Server.SetLatency].
//
// To test code that must notice when Podero drifts from the spec,
// [Server.Tamper] changes the body of an operation's successful answers and
// [Server.TamperStatus] their status. Such answers are wrong on purpose:
// they are not checked against the spec, and New does not fail the test for
// them.
package poderotest
