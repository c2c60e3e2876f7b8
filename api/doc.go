// Package api is a typed Go client for the Podero Partner API v2.0. It is an
// unofficial SDK, not made or supported by Podero.
//
// [New] returns a [PartnerClient], bound to the partner's organization
// ([Config.OrgID]): one method per operation, named as in
// gen/operation_names.txt, with OAuth2 tokens, retries and typed errors
// under it.
//
//	ev, err := client.GetElectricVehicle(ctx, userID, evID)
//	if err != nil {
//		return err // an *api.Error: the call, the status, what the server said
//	}
//	fmt.Println(ev.GetBatteryLevel(), ev.GetIsCharging())
//
// Every method takes ctx first, then the path parameters in path order
// (org_id comes from the client), then the query parameters as a struct
// value when the operation has any, then the request body when it has one,
// and last any options, each a [CallOption] ([WithRetry], [WithTimeout], [WithHeader],
// [WithResponseInfo], [WithRawBody]). It returns the decoded body of the 2xx answer: a
// pointer for an object, a slice for an array, only the error for an
// operation without a body. A nil error guarantees a decoded result; a 2xx
// whose body is not what the spec declares is an [*Error] too. Paginated
// lists also have an ...Iter method that walks every page, and ends with a
// [*ListChangedError] when the list shifts under it, rather than skip or
// repeat an item ([Collect] walks again).
//
// An [*Error] prints as one line that names the call, the status and what
// the server said ("podero: TriggerElectricVehicleBoost: 409 Conflict:
// already_charging"); a declared error body is read with its generated
// accessor ([BoostConflict]) or [AsPayload]; [IsNotFound], [IsConflict],
// [IsTimeout], [IsRetryable] and the other predicates classify it. No
// secret of a request reaches an error, a log or [ResponseInfo].
//
// # Models
//
// The request and response types are oapi-codegen's, generated from the
// pinned openapi.json (*.gen.go; never edit them, run `make generate`):
//
//   - A field the spec requires is a plain value (UserOutput.Email string).
//   - An optional or nullable field of a schema that only responses use is a
//     pointer: nil when the field was absent or null. Its getter returns the
//     value or the zero value ([ElectricVehicleOutput.GetBatteryLevel]), and
//     getters chain (ev.GetDeviceModel().GetManufacturer()).
//   - A nullable field of a schema that requests use is a [Nullable], which
//     has three states: left zero, the field is omitted; [Null] sends an
//     explicit null (to clear pause_power_until, say); [Value] sends the
//     value. A schema that responses use as well keeps them there.
//   - An enum that the spec repeats is one named type ([PriceZone],
//     [DeviceStatus]), whose constants carry its name (PriceZoneAT).
//   - [UUID], [Date] and [Nullable] are re-exported, so the basics need no
//     other import.
//
// # Decoding
//
// A method reads a 2xx body as JSON.parse and Python read it, and never
// changes a value:
//
//   - a number is the float64 nearest its digits (what strconv.ParseFloat
//     gives), an integer exactly; an integer written 2.0 or 1e2, as Python
//     writes a float that holds one, decodes, and 2.5 for an integer is an
//     error that names the field;
//   - a date-time without a zone offset, as pydantic writes a datetime that
//     has none, is UTC, since the guides say every time is;
//   - a key given twice is its last value, whole; keys match exactly, case
//     included;
//   - bytes of a string that are not UTF-8 become U+FFFD, as encoding/json
//     makes them;
//   - a property the spec does not declare is kept: the result's
//     ExtraFields method ([UserOutput.ExtraFields], ...) returns it as raw
//     JSON, and [WithRawBody] gives the whole body.
//
// A body that does not decode is an [*Error] whose message names the JSON
// path and quotes at most a short prefix of the value. [speccheck] reports
// naive date-times and integers written as floats as drift.
//
// encoding/json, which the raw client (package api/raw) decodes with, reads
// these types otherwise: it refuses a naive date-time and an integer written
// 2.0, merges an object given twice into one, matches keys whatever their
// case, keeps no undeclared property, and does not check the required
// fields. A union's As methods decode as a method does.
//
// Package api/raw has oapi-codegen's client (ClientWithResponses, the
// NewXRequest builders and the XResponse types with JSON200, Body and
// HTTPResponse) for whoever needs the raw responses: raw.New(client) puts it
// on the same transport (tokens, retries, errors).
//
// The spec has no servers: [ProductionBaseURL] or [SandboxBaseURL] is the
// host, and the paths carry /api/partners/v2.0.
//
// # Podero's own semantics
//
// Written by hand on top of the generated methods, from Podero's guides:
//
//   - Waiting, since Podero has no webhooks: [PartnerClient.WaitForOnboarding],
//     [PartnerClient.WaitForBoost], [PartnerClient.WaitForWallboxClaim],
//     [PartnerClient.WaitForDeviceHealthy], [PartnerClient.WaitForLoadCurve];
//     their options [WithPollInterval], [WithMaxPollInterval], [WithMaxWait],
//     [WithProgress], [WithPollOptions]; a [*WaitTimeoutError] when they give up.
//   - Dashboards: a car's state of charge (SoC) is its battery level in
//     percent, [ElectricVehicleOutput.GetBatteryLevel];
//     [ElectricVehicleOutput.ChargeStatus] (unplugged, plugged in, charging)
//     and [ElectricVehicleOutput.ChargeNowOffered]; [HeatPumpOutput.ModeLabel];
//     [InverterOutput.GridExportW], [InverterOutput.GridImportW],
//     [InverterOutput.SurplusW] and [InverterOutput.BatteryPowerRawW].
//   - Device attention and the cue flow: every device is a [Device], with
//     NeedsAttention, Healthy and PendingActions ([PendingAction]);
//     [PartnerClient.StartReauthentication] gives the link to send the user
//     to, [PartnerClient.ReportActionOutcome] closes the action and
//     [PartnerClient.MarkInformationRead] dismisses a notice.
//   - In-band errors: statistics, charge policies and trading answers can
//     report an error inside a 200; their Err method returns it as an
//     [*InBandError] ([StatisticsOutput.Err], [ChargePolicyOutput.Err]).
//   - Day-ahead trading: [NewDayAheadPrices] builds a checked price upload
//     (96 slots a day, in order, future days only) for
//     [PartnerClient.UploadDayAheadPrices]; [NewDayAheadTimeline] gives the
//     trading day's deadlines in Berlin time; [WhToMWh],
//     [EURPerMWhToEURPerKWh] and their inverses convert units.
//
// [speccheck]: https://pkg.go.dev/github.com/podero-go/podero/api/speccheck
package api

// Base URLs of Podero's environments. The spec's paths already start with
// /api/partners/v2.0, so these are hosts only.
const (
	ProductionBaseURL = "https://app.podero.com"
	SandboxBaseURL    = "https://sandbox-app.podero.com"
)
