package api_test

import (
	"testing"

	"github.com/podero-go/podero/api"
)

func ptr[T any](v T) *T { return &v }

// The dashboard guide's table: (is_plugged_in, is_charging).
func TestChargeStatus(t *testing.T) {
	for _, tc := range []struct {
		plugged, charging *bool
		want              api.ChargeStatus
		label             string
	}{
		{ptr(false), ptr(false), api.ChargeStatusUnplugged, "Unplugged"},
		{ptr(false), ptr(true), api.ChargeStatusUnplugged, "Unplugged"}, // false/–
		{ptr(false), nil, api.ChargeStatusUnplugged, "Unplugged"},
		{ptr(true), ptr(false), api.ChargeStatusWaiting, "Plugged in"},
		{ptr(true), nil, api.ChargeStatusWaiting, "Plugged in"},
		{ptr(true), ptr(true), api.ChargeStatusCharging, "Charging"},
		{nil, ptr(true), api.ChargeStatusUnknown, "Unknown"},
	} {
		ev := &api.ElectricVehicleOutput{IsPluggedIn: tc.plugged, IsCharging: tc.charging}
		if got := ev.ChargeStatus(); got != tc.want || got.String() != tc.label {
			t.Errorf("plugged %v, charging %v: %v (%d), want %v", deref(tc.plugged), deref(tc.charging), got, got, tc.label)
		}
	}
	if s := (*api.ElectricVehicleOutput)(nil).ChargeStatus(); s != api.ChargeStatusUnknown {
		t.Errorf("nil: %v", s)
	}
}

func deref(b *bool) any {
	if b == nil {
		return "absent"
	}
	return *b
}

// The guide's boost_state values: only available offers "Charge now".
func TestChargeNowOffered(t *testing.T) {
	for _, tc := range []struct {
		state api.BoostState
		want  bool
	}{
		{api.BoostStateAvailable, true}, {api.BoostStateRequested, false},
		{api.BoostStateOngoing, false}, {api.BoostStateUnavailable, false}, {"", false},
	} {
		ev := &api.ElectricVehicleOutput{BoostState: ptr(tc.state)}
		wb := &api.WallboxOutput{BoostState: ptr(tc.state)}
		if tc.state.ChargeNowOffered() != tc.want || ev.ChargeNowOffered() != tc.want || wb.ChargeNowOffered() != tc.want {
			t.Errorf("boost_state %q: offered %t, want %t", tc.state, ev.ChargeNowOffered(), tc.want)
		}
	}
	if (*api.ElectricVehicleOutput)(nil).ChargeNowOffered() {
		t.Error("a nil vehicle offers Charge now")
	}
}

// The guide's heat-pump labels.
func TestModeLabel(t *testing.T) {
	for _, tc := range []struct {
		optimizing *bool
		mode       *string
		want       string
	}{
		{ptr(false), ptr("max"), "Not optimizing"},
		{nil, ptr("mid"), "Not optimizing"},
		{ptr(true), ptr("min"), "Min"},
		{ptr(true), ptr("low"), "ECO"},
		{ptr(true), ptr("mid"), "Comfort"},
		{ptr(true), ptr("max"), "Boost"},
		{ptr(true), ptr("Mid"), "Comfort"},
		{ptr(true), ptr("defrost"), "defrost"},
		{ptr(true), nil, ""},
	} {
		hp := &api.HeatPumpOutput{IsSmartOptimizationActive: tc.optimizing, CurrentMode: tc.mode}
		if got := hp.ModeLabel(); got != tc.want {
			t.Errorf("optimizing %v, current_mode %v: %q, want %q", deref(tc.optimizing), hp.GetCurrentMode(), got, tc.want)
		}
	}
}

// The guide's inverter sign conventions: current_power_to_grid_w positive
// is export, negative import; surplus is production minus consumption.
func TestInverterQuantities(t *testing.T) {
	for _, tc := range []struct {
		name                     string
		iv                       api.InverterOutput
		export, imports, surplus int
	}{
		{"exporting", api.InverterOutput{CurrentPowerToGridW: ptr(1200), CurrentSolarProductionW: ptr(3000), HouseholdConsumptionW: ptr(1800)}, 1200, 0, 1200},
		{"importing", api.InverterOutput{CurrentPowerToGridW: ptr(-650), CurrentSolarProductionW: ptr(200), HouseholdConsumptionW: ptr(850)}, 0, 650, -650},
		{"balanced", api.InverterOutput{CurrentPowerToGridW: ptr(0)}, 0, 0, 0},
		{"surplus from the API", api.InverterOutput{SolarSurplusW: ptr(400), CurrentSolarProductionW: ptr(3000), HouseholdConsumptionW: ptr(1800)}, 0, 0, 400},
		{"consumption unknown", api.InverterOutput{CurrentSolarProductionW: ptr(3000)}, 0, 0, 0},
	} {
		iv := &tc.iv
		if iv.GridExportW() != tc.export || iv.GridImportW() != tc.imports || iv.SurplusW() != tc.surplus {
			t.Errorf("%s: export %d, import %d, surplus %d; want %d, %d, %d", tc.name,
				iv.GridExportW(), iv.GridImportW(), iv.SurplusW(), tc.export, tc.imports, tc.surplus)
		}
	}
	// The battery's sign is left as sent: the guides contradict each other.
	iv := &api.InverterOutput{BatteryChargeDischargePowerW: ptr(-755)}
	if iv.BatteryPowerRawW() != -755 {
		t.Errorf("BatteryPowerRawW %d", iv.BatteryPowerRawW())
	}
	var none *api.InverterOutput
	if none.GridExportW() != 0 || none.GridImportW() != 0 || none.SurplusW() != 0 || none.BatteryPowerRawW() != 0 {
		t.Error("a nil inverter has quantities")
	}
	if (*api.HeatPumpOutput)(nil).ModeLabel() != "Not optimizing" {
		t.Error("a nil heat pump")
	}
}
