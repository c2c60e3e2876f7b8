package api

import "strings"

// What a dashboard shows of a device, as Podero's dashboard guide reads
// the fields (guides §12). Each method is nil-safe, like the getters.

// ChargeStatus is what a dashboard shows of a vehicle's charging, from
// is_plugged_in and is_charging:
//
//	is_plugged_in  is_charging  ChargeStatus
//	false          any          ChargeStatusUnplugged
//	true           false        ChargeStatusWaiting (plugged in and waiting)
//	true           true         ChargeStatusCharging
//	absent         any          ChargeStatusUnknown
type ChargeStatus int

// The charge statuses. String gives a label for each.
const (
	ChargeStatusUnknown   ChargeStatus = iota // is_plugged_in absent or null
	ChargeStatusUnplugged                     // "Unplugged"
	ChargeStatusWaiting                       // "Plugged in": plugged in and waiting
	ChargeStatusCharging                      // "Charging"
)

// String returns the status's label: "Unplugged", "Plugged in", "Charging",
// or "Unknown".
func (s ChargeStatus) String() string {
	switch s {
	case ChargeStatusUnplugged:
		return "Unplugged"
	case ChargeStatusWaiting:
		return "Plugged in"
	case ChargeStatusCharging:
		return "Charging"
	}
	return "Unknown"
}

// ChargeStatus returns the vehicle's [ChargeStatus]: unplugged, plugged in
// and waiting, or charging. An is_charging that is absent reads as not
// charging.
func (v *ElectricVehicleOutput) ChargeStatus() ChargeStatus {
	switch {
	case v == nil || v.IsPluggedIn == nil:
		return ChargeStatusUnknown
	case !*v.IsPluggedIn:
		return ChargeStatusUnplugged
	case v.GetIsCharging():
		return ChargeStatusCharging
	}
	return ChargeStatusWaiting
}

// ChargeNowOffered reports whether a dashboard offers "Charge now" (a
// boost) for a device in this state: only when it is "available". The
// guide's reading of the states:
//
//	available    Charge Now enabled
//	requested    starting; poll about every 3 s (PartnerClient.WaitForBoost)
//	ongoing      charging because of the boost
//	unavailable  full, already charging, or not connected
func (s BoostState) ChargeNowOffered() bool { return s == BoostStateAvailable }

// ChargeNowOffered reports whether a dashboard offers "Charge now" for the
// vehicle: its boost_state is "available" (see [BoostState.ChargeNowOffered]).
func (v *ElectricVehicleOutput) ChargeNowOffered() bool { return v.GetBoostState().ChargeNowOffered() }

// ChargeNowOffered reports whether a dashboard offers "Charge now" for the
// wallbox: its boost_state is "available" (see [BoostState.ChargeNowOffered]).
func (v *WallboxOutput) ChargeNowOffered() bool { return v.GetBoostState().ChargeNowOffered() }

// ModeLabel returns the label a dashboard shows for the heat pump's mode:
// "Not optimizing" when is_smart_optimization_active is false (or absent);
// otherwise current_mode mapped as the guide does, in any case:
//
//	min  "Min"
//	low  "ECO"
//	mid  "Comfort"
//	max  "Boost"
//
// Another current_mode is returned as the API sent it, and none as "".
func (v *HeatPumpOutput) ModeLabel() string {
	if !v.GetIsSmartOptimizationActive() {
		return "Not optimizing"
	}
	mode := v.GetCurrentMode()
	switch strings.ToLower(mode) {
	case "min":
		return "Min"
	case "low":
		return "ECO"
	case "mid":
		return "Comfort"
	case "max":
		return "Boost"
	}
	return mode
}

// GridExportW returns the power the site exports to the grid, in W: the
// dashboard guide reads current_power_to_grid_w as positive when
// exporting and negative when importing, so this is its positive part (0
// when importing or absent).
func (v *InverterOutput) GridExportW() int { return max(v.GetCurrentPowerToGridW(), 0) }

// GridImportW returns the power the site imports from the grid, in W, as a
// positive number: the negative part of current_power_to_grid_w (0 when
// exporting or absent).
func (v *InverterOutput) GridImportW() int { return max(-v.GetCurrentPowerToGridW(), 0) }

// SurplusW returns the solar surplus, in W, as the dashboard guide defines
// it: current_solar_production_w − household_consumption_w, negative when
// the household uses more than the panels produce. It is solar_surplus_w
// when the API sends that; otherwise it is computed from the two (0 when
// either is absent).
func (v *InverterOutput) SurplusW() int {
	switch {
	case v == nil:
		return 0
	case v.SolarSurplusW != nil:
		return *v.SolarSurplusW
	case v.CurrentSolarProductionW == nil || v.HouseholdConsumptionW == nil:
		return 0
	}
	return *v.CurrentSolarProductionW - *v.HouseholdConsumptionW
}

// BatteryPowerRawW returns battery_charge_discharge_power_w as the API
// sent it, in W, with no sign convention applied, because Podero's guides
// contradict each other: the dashboard guide says positive means
// discharging and negative charging; the inverter state reference says
// positive means charging and negative discharging (its example is -755).
// Until Podero settles it, the SDK offers no charging/discharging helper:
// check the sign against a known state of the battery you integrate.
func (v *InverterOutput) BatteryPowerRawW() int { return v.GetBatteryChargeDischargePowerW() }
