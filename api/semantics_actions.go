package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
)

// This file is what a partner needs to notice a device that wants
// attention and to carry out its pending actions ("cues", guides §6–§7):
// a typed list of the actions, the cue operations that take an action's
// secret, and the redaction that keeps the secret out of every print.
//
// A cue's secret travels in the query of its resolution_link.url: it is a
// signed token that authorises the cue operations for an hour. Nothing in
// this package prints it: PendingAction, and the generated types that
// carry it (ResolutionLink, DeviceAction and the cue operations' Params),
// redact it in String, GoString, Format (every fmt verb) and LogValue
// (log/slog); the device outputs, which hold their actions behind a
// pointer, print as %v for every verb. JSON encodings keep it, as they are
// the wire format: do not log a device's JSON (slog's JSON handler
// marshals a struct it is given, such as a device output).

// ActionCode is the code of a device's pending action: the discriminator
// of the DeviceAction union.
type ActionCode string

// The action codes the spec documents.
const (
	// ActionReauthenticate: the device's authorization at its
	// manufacturer ended; the end user must connect it again. It sets the
	// device's action_needed.
	ActionReauthenticate ActionCode = "reauthenticate"
	// ActionInformation: a notice for the device's owner, marked read with
	// [PartnerClient.MarkInformationRead]. It does not set action_needed.
	ActionInformation ActionCode = "information"
)

// PendingAction is one of a device's pending actions, as
// [ElectricVehicleOutput.PendingActions] and its like list them: the
// action's code, the cue id that the cue operations take, and its
// resolution link, whose secret it keeps but never prints.
type PendingAction struct {
	// Code says what the action is; a code this SDK does not know is kept
	// as the API sent it.
	Code ActionCode
	// CueID is the cue_id of the cue operations, from the resolution
	// link's path; zero when the link names none.
	CueID UUID
	// RequiredParameters are the body fields the action's resolution
	// needs, such as "successUrl" and "cancelUrl".
	RequiredParameters []string

	link string // resolution_link.url, secret included
}

// ResolutionURL returns the action's resolution_link.url, with its secret
// in the query. It is an API endpoint that takes the bearer token, not a
// link for the end user: use it only to make the cue calls yourself, and
// never log it. [PartnerClient.StartReauthentication] and its like use it
// for you.
func (a PendingAction) ResolutionURL() string { return a.link }

// secret is the secret in the action's resolution link.
func (a PendingAction) secret() string {
	u, err := url.Parse(a.link)
	if err != nil {
		return ""
	}
	return u.Query().Get("secret")
}

// String describes the action with its secret redacted.
func (a PendingAction) String() string {
	s := "api.PendingAction{Code: " + quoted(string(a.Code)) + ", CueID: " + a.CueID.String()
	if len(a.RequiredParameters) > 0 {
		s += ", RequiredParameters: [" + strings.Join(a.RequiredParameters, " ") + "]"
	}
	if a.link != "" {
		s += ", ResolutionURL: " + redactSecret(a.link)
	}
	return s + "}"
}

// GoString is String, so that %#v redacts too.
func (a PendingAction) GoString() string { return a.String() }

// Format writes String for every verb (%q quotes it), so that no verb
// prints the secret.
func (a PendingAction) Format(f fmt.State, verb rune) { formatRedacted(f, verb, a.String()) }

// LogValue is String, so that log/slog redacts too.
func (a PendingAction) LogValue() slog.Value { return slog.StringValue(a.String()) }

// String describes the link with its secret redacted.
func (l ResolutionLink) String() string {
	s := "api.ResolutionLink{URL: " + redactSecret(l.GetURL())
	if p := l.GetRequiredParameters(); len(p) > 0 {
		s += ", RequiredParameters: [" + strings.Join(p, " ") + "]"
	}
	return s + "}"
}

// GoString is String, so that %#v redacts too.
func (l ResolutionLink) GoString() string { return l.String() }

// Format writes String for every verb, so that no verb prints the secret.
func (l ResolutionLink) Format(f fmt.State, verb rune) { formatRedacted(f, verb, l.String()) }

// LogValue is String, so that log/slog redacts too.
func (l ResolutionLink) LogValue() slog.Value { return slog.StringValue(l.String()) }

// String describes the action as [PendingAction.String] does, its secret
// redacted.
func (t DeviceAction) String() string {
	a := pendingAction(t)
	return "api.DeviceAction" + strings.TrimPrefix(a.String(), "api.PendingAction")
}

// GoString is String, so that %#v redacts too.
func (t DeviceAction) GoString() string { return t.String() }

// Format writes String for every verb, so that no verb prints the secret
// (the union's raw JSON carries it).
func (t DeviceAction) Format(f fmt.State, verb rune) { formatRedacted(f, verb, t.String()) }

// LogValue is String, so that log/slog redacts too.
func (t DeviceAction) LogValue() slog.Value { return slog.StringValue(t.String()) }

// The device outputs carry the actions, and so the secrets, in their
// actions field. fmt prints that field, a pointer, as an address; but a verb
// that does not suit a struct (%s, %q, %d) makes fmt print it in full,
// with the union's raw JSON as numbers, methods ignored. So the device
// outputs print as %v does, whatever the verb.

// Format prints the vehicle as %v (%+v, %#v) does, whatever the verb, so
// that no verb prints the secrets of its actions.
func (v ElectricVehicleOutput) Format(f fmt.State, verb rune) {
	type plain ElectricVehicleOutput
	formatPlain(f, plain(v), "ElectricVehicleOutput")
}

// Format prints the heat pump as %v (%+v, %#v) does, whatever the verb,
// so that no verb prints the secrets of its actions.
func (v HeatPumpOutput) Format(f fmt.State, verb rune) {
	type plain HeatPumpOutput
	formatPlain(f, plain(v), "HeatPumpOutput")
}

// Format prints the inverter as %v (%+v, %#v) does, whatever the verb, so
// that no verb prints the secrets of its actions.
func (v InverterOutput) Format(f fmt.State, verb rune) {
	type plain InverterOutput
	formatPlain(f, plain(v), "InverterOutput")
}

// Format prints the wallbox as %v (%+v, %#v) does, whatever the verb, so
// that no verb prints the secrets of its actions.
func (v WallboxOutput) Format(f fmt.State, verb rune) {
	type plain WallboxOutput
	formatPlain(f, plain(v), "WallboxOutput")
}

// formatPlain prints v, a device output converted to a type without
// methods, with %v and f's flags, under the output's own name for %#v.
func formatPlain(f fmt.State, v any, name string) {
	s := fmt.Sprintf(fmt.FormatString(f, 'v'), v)
	if f.Flag('#') {
		s = strings.Replace(s, "api.plain", "api."+name, 1)
	}
	_, _ = io.WriteString(f, s)
}

// The cue operations' query parameters carry the secret as well.

// String describes p with its secret redacted.
func (p ResolveCueParams) String() string {
	return "api.ResolveCueParams{Secret: " + redacted(p.Secret) + "}"
}

// GoString is String, so that %#v redacts too.
func (p ResolveCueParams) GoString() string { return p.String() }

// Format writes String for every verb, so that no verb prints the secret.
func (p ResolveCueParams) Format(f fmt.State, verb rune) { formatRedacted(f, verb, p.String()) }

// LogValue is String, so that log/slog redacts too.
func (p ResolveCueParams) LogValue() slog.Value { return slog.StringValue(p.String()) }

// String describes p with its secret redacted.
func (p ReportCueStateParams) String() string {
	return "api.ReportCueStateParams{Secret: " + redacted(p.Secret) + "}"
}

// GoString is String, so that %#v redacts too.
func (p ReportCueStateParams) GoString() string { return p.String() }

// Format writes String for every verb, so that no verb prints the secret.
func (p ReportCueStateParams) Format(f fmt.State, verb rune) { formatRedacted(f, verb, p.String()) }

// LogValue is String, so that log/slog redacts too.
func (p ReportCueStateParams) LogValue() slog.Value { return slog.StringValue(p.String()) }

// String describes p with its secret redacted.
func (p ResolveInformationCueParams) String() string {
	return "api.ResolveInformationCueParams{Secret: " + redacted(p.Secret) + "}"
}

// GoString is String, so that %#v redacts too.
func (p ResolveInformationCueParams) GoString() string { return p.String() }

// Format writes String for every verb, so that no verb prints the secret.
func (p ResolveInformationCueParams) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, p.String())
}

// LogValue is String, so that log/slog redacts too.
func (p ResolveInformationCueParams) LogValue() slog.Value { return slog.StringValue(p.String()) }

func redacted(secret string) string {
	if secret == "" {
		return `""`
	}
	return redactedSecret
}

// redactSecret returns a resolution link with the value of its secret
// query parameter redacted. A link that does not parse is not shown at all,
// as the secret could be anywhere in it.
func redactSecret(link string) string {
	if link == "" {
		return `""`
	}
	u, err := url.Parse(link)
	if err != nil {
		return "[a link that does not parse]"
	}
	if u.RawQuery != "" {
		q := u.Query()
		if q.Has("secret") {
			q.Set("secret", redactedSecret)
		}
		// Encode escapes the brackets; the redaction reads better without.
		u.RawQuery = strings.ReplaceAll(q.Encode(), url.QueryEscape(redactedSecret), redactedSecret)
	}
	u.User = nil
	return u.String()
}

// formatRedacted writes s, a redacted description, for any fmt verb.
func formatRedacted(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = fmt.Sprintf("%q", s)
	}
	_, _ = io.WriteString(f, s)
}

// pendingAction reads one DeviceAction of the union.
func pendingAction(t DeviceAction) PendingAction {
	var raw struct {
		Code           ActionCode      `json:"code"`
		ResolutionLink *ResolutionLink `json:"resolution_link"`
	}
	b, _ := t.MarshalJSON()
	_ = json.Unmarshal(b, &raw) // an action that does not decode reads as one with no code
	a := PendingAction{Code: raw.Code, RequiredParameters: raw.ResolutionLink.GetRequiredParameters(), link: raw.ResolutionLink.GetURL()}
	a.CueID = cueID(a.link)
	return a
}

// cueID reads the cue id from a resolution link: .../cues/{cue_id}/...
func cueID(link string) UUID {
	u, err := url.Parse(link)
	if err != nil {
		return UUID{}
	}
	segs := strings.Split(u.Path, "/")
	for i := 0; i+1 < len(segs); i++ {
		if segs[i] == "cues" {
			id, _ := ParseUUID(segs[i+1])
			return id
		}
	}
	return UUID{}
}

func pendingActions(actions []DeviceAction) []PendingAction {
	if len(actions) == 0 {
		return nil
	}
	out := make([]PendingAction, len(actions))
	for i, t := range actions {
		out[i] = pendingAction(t)
	}
	return out
}

// hasAction reports whether actions has one with the code.
func hasAction(actions []PendingAction, code ActionCode) bool {
	for _, a := range actions {
		if a.Code == code {
			return true
		}
	}
	return false
}

// Device is what the four device outputs (*ElectricVehicleOutput,
// *HeatPumpOutput, *InverterOutput, *WallboxOutput) have in common, for
// code that handles a device of any kind, such as
// [PartnerClient.WaitForDeviceHealthy]. Type-switch on it for the rest.
type Device interface {
	// Kind is the device's kind, as onboarding sessions name it.
	Kind() DeviceKind
	GetID() UUID
	GetIsAuthenticated() bool
	GetActionNeeded() bool
	GetConnectionStatus() DeviceStatus
	GetMonitoringStatus() DeviceStatus
	GetSteeringStatus() DeviceStatus
	// PendingActions lists the device's pending actions.
	PendingActions() []PendingAction
	// NeedsAttention reports whether the partner or the end user must act
	// before the device works normally again.
	NeedsAttention() bool
	// Healthy reports whether the device is connected and working.
	Healthy() bool
}

var (
	_ Device = (*ElectricVehicleOutput)(nil)
	_ Device = (*HeatPumpOutput)(nil)
	_ Device = (*InverterOutput)(nil)
	_ Device = (*WallboxOutput)(nil)
)

// needsAttention is NeedsAttention for any device: it is not authenticated
// (never connected, or its connection broke), action_needed is set, or a
// reauthenticate action is pending. An information action alone does not
// count: it is a notice, and the spec keeps action_needed for actions
// needed "before the device can resume normal operation".
func needsAttention(d Device) bool {
	return !d.GetIsAuthenticated() || d.GetActionNeeded() || hasAction(d.PendingActions(), ActionReauthenticate)
}

// healthy is Healthy for any device: authenticated, no reauthenticate
// action pending, connection_status "ok", and neither monitoring_status
// nor steering_status "error". Monitoring and steering may read "unknown"
// or "warning": not every device is monitored or steered.
func healthy(d Device) bool {
	return d.GetIsAuthenticated() && !hasAction(d.PendingActions(), ActionReauthenticate) &&
		d.GetConnectionStatus() == DeviceStatusOk &&
		d.GetMonitoringStatus() != DeviceStatusError && d.GetSteeringStatus() != DeviceStatusError
}

// Kind returns DeviceKindEV.
func (v *ElectricVehicleOutput) Kind() DeviceKind { return DeviceKindEV }

// PendingActions lists the vehicle's pending actions (its actions field),
// typed; nil when none is pending.
func (v *ElectricVehicleOutput) PendingActions() []PendingAction {
	return pendingActions(v.GetActions())
}

// NeedsAttention reports whether the partner or the end user must act
// before the vehicle works normally again: it is not authenticated,
// action_needed is set, or a reauthenticate action is pending (see
// [PendingAction]). An information action alone does not count.
func (v *ElectricVehicleOutput) NeedsAttention() bool { return needsAttention(v) }

// Healthy reports whether the vehicle is connected and working: it is
// authenticated, no reauthenticate action is pending, connection_status is
// "ok", and neither monitoring_status nor steering_status is "error".
func (v *ElectricVehicleOutput) Healthy() bool { return healthy(v) }

// Kind returns DeviceKindHp.
func (v *HeatPumpOutput) Kind() DeviceKind { return DeviceKindHp }

// PendingActions lists the heat pump's pending actions, typed; nil when
// none is pending.
func (v *HeatPumpOutput) PendingActions() []PendingAction { return pendingActions(v.GetActions()) }

// NeedsAttention is [ElectricVehicleOutput.NeedsAttention] for a heat pump.
func (v *HeatPumpOutput) NeedsAttention() bool { return needsAttention(v) }

// Healthy is [ElectricVehicleOutput.Healthy] for a heat pump.
func (v *HeatPumpOutput) Healthy() bool { return healthy(v) }

// Kind returns DeviceKindIv.
func (v *InverterOutput) Kind() DeviceKind { return DeviceKindIv }

// PendingActions lists the inverter's pending actions, typed; nil when
// none is pending.
func (v *InverterOutput) PendingActions() []PendingAction { return pendingActions(v.GetActions()) }

// NeedsAttention is [ElectricVehicleOutput.NeedsAttention] for an inverter.
func (v *InverterOutput) NeedsAttention() bool { return needsAttention(v) }

// Healthy is [ElectricVehicleOutput.Healthy] for an inverter.
func (v *InverterOutput) Healthy() bool { return healthy(v) }

// Kind returns DeviceKindWb.
func (v *WallboxOutput) Kind() DeviceKind { return DeviceKindWb }

// PendingActions lists the wallbox's pending actions, typed; nil when none
// is pending.
func (v *WallboxOutput) PendingActions() []PendingAction { return pendingActions(v.GetActions()) }

// NeedsAttention is [ElectricVehicleOutput.NeedsAttention] for a wallbox.
func (v *WallboxOutput) NeedsAttention() bool { return needsAttention(v) }

// Healthy is [ElectricVehicleOutput.Healthy] for a wallbox.
func (v *WallboxOutput) Healthy() bool { return healthy(v) }

// The cue flow (guides §7), with the action's secret taken from its link.

// StartReauthentication starts a reauthenticate action (POST
// /cues/{cue_id}/resolve, with the secret from the action's resolution
// link) and returns the redirect_url to send the end user to: a Connect
// link, on which they connect the device again. body needs the action's
// RequiredParameters (successUrl and cancelUrl); the SDK refuses, without
// sending, an action of another code, one without a cue id or secret, and
// a body whose JSON lacks a required parameter or has it null or empty.
//
// The action stays listed, "in progress", until its outcome is reported
// with [PartnerClient.ReportActionOutcome]: report success when the end
// user lands on successUrl, and failure on cancelUrl. The secret expires an
// hour after it was issued: read the device again for a fresh one.
//
//	POST /api/partners/v2.0/cues/{cue_id}/resolve?secret=...
func (c *PartnerClient) StartReauthentication(ctx context.Context, a PendingAction, body ReauthenticateResolveInput, opts ...CallOption) (string, error) {
	if err := a.check(&opResolveCue, ActionReauthenticate); err != nil {
		return "", refuse(opts, err)
	}
	if p := missingParameter(body, a.RequiredParameters); p != "" {
		return "", refuse(opts, &Error{Operation: opResolveCue.name, Method: opResolveCue.method, Path: opResolveCue.path,
			Message: "the action requires " + p + " in the body; the request was not sent"})
	}
	out, err := c.ResolveCue(ctx, a.CueID, ResolveCueParams{Secret: a.secret()}, body, opts...)
	if err != nil {
		return "", err // the secret redacted, as in every error of a call (see operation.secretQuery)
	}
	return out.RedirectURL, nil
}

// missingParameter returns the first of the names that body, as JSON,
// lacks or has null or empty, or "". The JSON names are the ones the
// action's required_parameters use, so a name the SDK has not heard of
// is checked too (and, as no field has it, reported missing).
func missingParameter(body any, names []string) string {
	var fields map[string]any
	if b, err := json.Marshal(body); err == nil {
		_ = json.Unmarshal(b, &fields) // a body that does not encode lacks every name
	}
	for _, name := range names {
		switch v := fields[name].(type) {
		case nil:
			return name
		case string:
			if v == "" {
				return name
			}
		case map[string]any:
			if len(v) == 0 {
				return name
			}
		case []any:
			if len(v) == 0 {
				return name
			}
		}
	}
	return ""
}

// ReportActionOutcome reports the outcome of an action that
// [PartnerClient.StartReauthentication] started (POST /cues/{cue_id}/state,
// with the action's secret): body.State [CueStateSuccess] ends the action,
// so that it leaves the device's actions; [CueStateFail] leaves it for
// another start. An action that is no longer active is a 404.
//
//	POST /api/partners/v2.0/cues/{cue_id}/state?secret=...
func (c *PartnerClient) ReportActionOutcome(ctx context.Context, a PendingAction, body CueStateInput, opts ...CallOption) error {
	if err := a.check(&opReportCueState, ""); err != nil {
		return refuse(opts, err)
	}
	_, err := c.ReportCueState(ctx, a.CueID, ReportCueStateParams{Secret: a.secret()}, body, opts...)
	return err
}

// MarkInformationRead marks an information action as read (POST
// /cues/{cue_id}/information/resolve, with the action's secret), so that it
// leaves the device's actions. An action of another code is refused
// without sending.
//
//	POST /api/partners/v2.0/cues/{cue_id}/information/resolve?secret=...
func (c *PartnerClient) MarkInformationRead(ctx context.Context, a PendingAction, opts ...CallOption) error {
	if err := a.check(&opResolveInformationCue, ActionInformation); err != nil {
		return refuse(opts, err)
	}
	_, err := c.ResolveInformationCue(ctx, a.CueID, ResolveInformationCueParams{Secret: a.secret()}, InformationResolveInput{}, opts...)
	return err
}

// check refuses an action that op cannot take: of another code than want
// (any code when want is ""), or without a cue id or secret.
func (a PendingAction) check(op *operation, want ActionCode) error {
	msg := ""
	switch {
	case want != "" && a.Code != want:
		msg = fmt.Sprintf("the action is a %s action, not a %s action", quoted(string(a.Code)), want)
	case a.CueID == (UUID{}):
		msg = "the action's resolution link names no cue id"
	case a.secret() == "":
		msg = "the action's resolution link has no secret"
	default:
		return nil
	}
	return &Error{Operation: op.name, Method: op.method, Path: op.path, Message: msg + "; the request was not sent"}
}
