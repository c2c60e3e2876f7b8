// Package journey is what the podero command and the MCP server offer on
// top of the operations, from the SDK's domain helpers: a car's status, the
// devices of a user that need attention, and waiting for an onboarding.
// Its results are secret-free: a pending action shows its code and cue id,
// never its resolution link, which carries the cue's secret.
package journey

import (
	"context"
	"errors"
	"strings"

	"github.com/podero-go/podero/api"
)

// Action is a device's pending action, without its secret.
type Action struct {
	Code               string   `json:"code"`
	CueID              api.UUID `json:"cue_id"`
	RequiredParameters []string `json:"required_parameters,omitempty"`
}

// DeviceStatus is what a support person looks at first on a device.
type DeviceStatus struct {
	Kind             api.DeviceKind `json:"kind"`
	ID               api.UUID       `json:"id"`
	Model            string         `json:"model,omitempty"`
	NeedsAttention   bool           `json:"needs_attention"`
	Healthy          bool           `json:"healthy"`
	IsAuthenticated  bool           `json:"is_authenticated"`
	ConnectionStatus string         `json:"connection_status,omitempty"`
	MonitoringStatus string         `json:"monitoring_status,omitempty"`
	SteeringStatus   string         `json:"steering_status,omitempty"`
	PendingActions   []Action       `json:"pending_actions,omitempty"`
}

func statusOf(d api.Device, model *api.DeviceModelOutput) DeviceStatus {
	s := DeviceStatus{Kind: d.Kind(), ID: d.GetID(), NeedsAttention: d.NeedsAttention(), Healthy: d.Healthy(),
		IsAuthenticated: d.GetIsAuthenticated(), ConnectionStatus: string(d.GetConnectionStatus()),
		MonitoringStatus: string(d.GetMonitoringStatus()), SteeringStatus: string(d.GetSteeringStatus())}
	s.Model = strings.TrimSpace(model.GetManufacturer() + " " + model.GetModel())
	for _, a := range d.PendingActions() {
		s.PendingActions = append(s.PendingActions, Action{Code: string(a.Code), CueID: a.CueID, RequiredParameters: a.RequiredParameters})
	}
	return s
}

// CarStatus is a vehicle's status as a dashboard shows it (guides §12).
type CarStatus struct {
	UserID api.UUID `json:"user_id"`
	DeviceStatus
	// ChargeStatus is Unplugged, Plugged in, Charging or Unknown.
	ChargeStatus     string `json:"charge_status"`
	BatteryLevel     *int   `json:"battery_level,omitempty"`
	BoostState       string `json:"boost_state,omitempty"`
	ChargeNowOffered bool   `json:"charge_now_offered"`
}

// Car reads a vehicle and says how it is.
func Car(ctx context.Context, c *api.PartnerClient, userID, vehicleID api.UUID) (*CarStatus, error) {
	ev, err := c.GetElectricVehicle(ctx, userID, vehicleID)
	if err != nil {
		return nil, err
	}
	return &CarStatus{UserID: userID, DeviceStatus: statusOf(ev, ev.GetDeviceModel()),
		ChargeStatus: ev.ChargeStatus().String(), BatteryLevel: ev.BatteryLevel,
		BoostState: string(ev.GetBoostState()), ChargeNowOffered: ev.ChargeNowOffered()}, nil
}

// Attention is a user's devices that need attention.
type Attention struct {
	UserID api.UUID `json:"user_id"`
	// Checked is how many devices were read: the user's electric
	// vehicles, heat pumps and inverters (the API lists no wallboxes).
	Checked int            `json:"checked"`
	Devices []DeviceStatus `json:"devices"`
}

// NeedingAttention lists the devices of a user that need the partner or
// the end user to act ([api.Device].NeedsAttention).
func NeedingAttention(ctx context.Context, c *api.PartnerClient, userID api.UUID) (*Attention, error) {
	out := &Attention{UserID: userID, Devices: []DeviceStatus{}}
	add := func(d api.Device, m *api.DeviceModelOutput) {
		out.Checked++
		if d.NeedsAttention() {
			out.Devices = append(out.Devices, statusOf(d, m))
		}
	}
	evs, err := c.ListElectricVehicles(ctx, userID)
	if err != nil {
		return nil, err
	}
	for i := range evs {
		add(&evs[i], evs[i].GetDeviceModel())
	}
	hps, err := c.ListHeatPumps(ctx, userID)
	if err != nil {
		return nil, err
	}
	for i := range hps {
		add(&hps[i], hps[i].GetDeviceModel())
	}
	ivs, err := c.ListInverters(ctx, userID)
	if err != nil {
		return nil, err
	}
	for i := range ivs {
		add(&ivs[i], ivs[i].GetDeviceModel())
	}
	return out, nil
}

// Onboarded is the outcome of an onboarding.
type Onboarded struct {
	SessionID api.UUID       `json:"session_id"`
	DeviceID  api.UUID       `json:"device_id"`
	Kind      api.DeviceKind `json:"kind"`
	Device    DeviceStatus   `json:"device"`
}

// EndUser plays the end user's part of an onboarding; on the fake, nil
// against Podero, where a person opens the link.
type EndUser func(sessionID api.UUID) error

// WaitOnboarding waits for an onboarding session's device to connect
// ([api.PartnerClient.WaitForOnboarding]).
func WaitOnboarding(ctx context.Context, c *api.PartnerClient, sessionID api.UUID, endUser EndUser, opts ...api.WaitOption) (*Onboarded, error) {
	if endUser != nil {
		if err := endUser(sessionID); err != nil {
			return nil, err
		}
	}
	st, err := c.WaitForOnboarding(ctx, sessionID, opts...)
	if err != nil {
		return nil, err
	}
	if st.Device == nil {
		return nil, errors.New("the onboarding completed without a device")
	}
	return &Onboarded{SessionID: sessionID, DeviceID: st.DeviceID, Kind: st.Kind, Device: statusOf(st.Device, modelOf(st.Device))}, nil
}

func modelOf(d api.Device) *api.DeviceModelOutput {
	switch d := d.(type) {
	case *api.ElectricVehicleOutput:
		return d.GetDeviceModel()
	case *api.HeatPumpOutput:
		return d.GetDeviceModel()
	case *api.InverterOutput:
		return d.GetDeviceModel()
	case *api.WallboxOutput:
		return d.GetDeviceModel()
	}
	return nil
}
