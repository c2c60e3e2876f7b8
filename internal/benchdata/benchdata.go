// Package benchdata holds the fixed response bodies the SDK's benchmarks
// serve and decode, and the hand-written structs of the baseline: the least
// a Go program can do, net/http and encoding/json into a struct with the
// same fields as the generated model (plain values where the spec says a
// field is always there or cannot be null, pointers where it can be null).
//
// The bodies are spec-valid (internal/bench tests that) and fully
// populated: every field has a value, as a chatty server would send.
package benchdata

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// IDs that the bodies use.
var (
	OrgID  = uuid.MustParse("6b1f2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b")
	UserID = uuid.MustParse("0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f")
	EVID   = uuid.MustParse("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d")
)

var base = time.Date(2026, 11, 30, 17, 45, 12, 345678000, time.UTC)

func ts(d time.Duration) string { return base.Add(d).Format(time.RFC3339Nano) }

// EV is a fully populated ElectricVehicleOutput: 64 fields, nested ones
// included, about 2.3 KB.
func EV() []byte {
	return mustJSON(map[string]any{
		"connection_status": "ok", "monitoring_status": "ok", "steering_status": "warning",
		"device_model": map[string]any{
			"device_type":  map[string]any{"short_name": "ev", "long_name": "Electric Vehicle"},
			"manufacturer": "Volkswagen", "model": "ID.4 Pro Performance", "year": 2023,
			"cloud_service":              uuid.NewSHA1(OrgID, []byte("we-connect")).String(),
			"cloud_service_instructions": "Log in with the account you use in the manufacturer's app.",
			"cloud_service_signup_link":  "https://www.volkswagen.de/de/konnektivitaet-und-mobilitaetsdienste.html",
		},
		"owner": map[string]any{"id": UserID.String(), "email": "ada.lovelace@example.com", "first_name": "Ada",
			"last_name": "Lovelace", "external_id": "customer-000042"},
		"created_at": ts(-400 * 24 * time.Hour), "updated_at": ts(-90 * time.Second), "price_zone": "DE_LU",
		"id": EVID.String(), "deleted_at": ts(24 * time.Hour), "lifecycle_state": "authenticated",
		"lifecycle_error": "none reported", "building": uuid.NewSHA1(UserID, []byte("home")).String(),
		"pause_power_until": ts(2 * time.Hour), "is_pause_power_active": false, "external_device_id": "WVGZZZE2ZPP012345",
		"is_authenticated": true, "is_smart_optimization_active": true, "optimization_score": 0.87,
		"current_mode": "smart_charging", "comment": "Family car, charges at home overnight",
		"current_state_last_updated_at": ts(-5 * time.Minute), "last_monitoring_executed_at": ts(-4 * time.Minute),
		"is_inverter_forced_mode_enabled": false, "is_inverter_forced_mode_active": false,
		"inverter_forced_mode_since": ts(-30 * 24 * time.Hour), "is_forecasting_enabled": true, "is_trading_enabled": true,
		"actual_steering_state": "DAY_AHEAD", "action_needed": true,
		"actions": []any{map[string]any{"code": "reauthenticate", "resolution_link": map[string]any{
			"url":                 "https://app.podero.com/api/partners/v2.0/cues/8d1c4f2e-9a7b-4c3d-8e5f-6a7b8c9d0e1f/resolve?secret=c2VjcmV0LXRva2VuLWZvci1iZW5jaA",
			"required_parameters": []any{"successUrl", "cancelUrl"}}}},
		"authorization_url": "https://connect.podero.com/?onboarding_session_id=4b3a2918-7c6d-4e5f-9a8b-7c6d5e4f3a2b",
		"charge_target_min": 20, "charge_target_max": 90, "is_charge_policy_enabled": true, "charge_deadline_at": "07:30:00",
		"minimum_charge_limit": 30, "charge_policy_last_updated_at": ts(-3 * 24 * time.Hour),
		"is_plugged_in": true, "is_charging": true, "charge_rate_w": 11000, "battery_level": 64,
		"battery_capacity_kwh": 77.0, "is_fully_charged": false, "driving_range": 312, "boost_state": "ongoing",
	})
}

// Session is the i-th of a page of charging sessions, about 640 bytes.
func Session(i int) map[string]any {
	start := base.Add(-time.Duration(i+1) * 7 * time.Hour)
	at := func(d time.Duration) string { return start.Add(d).Format(time.RFC3339Nano) }
	return map[string]any{
		"id": uuid.NewSHA1(EVID, fmt.Appendf(nil, "session-%d", i)).String(), "plug_in_time": at(0),
		"unplug_time": at(6*time.Hour + 13*time.Minute), "inferred_session_end": at(6*time.Hour + 12*time.Minute),
		"desired_charging_start_time": at(time.Hour + 17*time.Minute), "desired_charging_end_time": at(5*time.Hour + 44*time.Minute),
		"charge_deadline": at(6 * time.Hour), "target_soc_pct": 80.0, "initial_soc_pct": 23.5 + float64(i%7),
		"final_soc_pct": 79.25, "energy_charged_kwh": 41.625 + float64(i%5), "avg_charge_power_kw": 7.1875,
		"peak_charge_power_kw": 10.9375, "actual_cost_eur": 9.8125 + float64(i%3), "expected_savings_eur": 2.4375,
		"actual_savings_eur": 2.3125, "is_at_home": i%4 != 0, "session_outcome": "completed_on_target_before_deadline",
	}
}

// SessionsPage is a SessionListOutput of n sessions out of a total of
// 1,000: about 640 bytes a session, 128 KB for 200.
func SessionsPage(n int) []byte { return SessionsPageAt(0, n) }

// SessionsPageAt is the page of n sessions at offset of the 1,000: each
// session of the list has an id of its own, as the iterators check.
func SessionsPageAt(offset, n int) []byte {
	items := make([]any, n)
	for i := range items {
		items[i] = Session(offset + i)
	}
	return mustJSON(map[string]any{"total": 1000, "items": items})
}

// CreateUserRequest is the 291-byte UserCreateInput the create-user call
// sends.
func CreateUserRequest() []byte {
	return mustJSON(map[string]any{"role": "user", "email": "grace.hopper@example.com", "external_user_id": "customer-000043",
		"first_name": "Grace", "last_name": "Hopper", "street_and_number": "Mariahilfer Strasse 1", "street_add_info": "Top 12",
		"zip_code": "1060", "town": "Wien", "country_iso2": "AT", "latitude": 48.1986, "longitude": 16.3479})
}

// CreatedUser is the UserOutput the create-user call answers.
func CreatedUser() []byte {
	return mustJSON(map[string]any{"id": UserID.String(), "organization_id": OrgID.String(), "role": "user",
		"email": "grace.hopper@example.com", "num_inverters": 0, "num_heat_pumps": 0, "num_electric_vehicles": 0,
		"num_wallboxes": 0, "external_user_id": "customer-000043", "first_name": "Grace", "last_name": "Hopper",
		"is_onboarded": false, "street_and_number": "Mariahilfer Strasse 1", "street_add_info": "Top 12", "zip_code": "1060",
		"town": "Wien", "country": "AT", "latitude": 48.1986, "longitude": 16.3479, "last_login": ts(-time.Hour),
		"joined_at": ts(-10 * time.Second)})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of JSON values always encode
	}
	return b
}

// The baseline's hand-written structs.

// BaselineEV has ElectricVehicleOutput's fields.
type BaselineEV struct {
	ConnectionStatus string `json:"connection_status"`
	MonitoringStatus string `json:"monitoring_status"`
	SteeringStatus   string `json:"steering_status"`
	DeviceModel      struct {
		DeviceType struct {
			ShortName string `json:"short_name"`
			LongName  string `json:"long_name"`
		} `json:"device_type"`
		Manufacturer             string     `json:"manufacturer"`
		Model                    string     `json:"model"`
		Year                     *int       `json:"year"`
		CloudService             *uuid.UUID `json:"cloud_service"`
		CloudServiceInstructions *string    `json:"cloud_service_instructions"`
		CloudServiceSignupLink   *string    `json:"cloud_service_signup_link"`
	} `json:"device_model"`
	Owner struct {
		ID         uuid.UUID `json:"id"`
		Email      string    `json:"email"`
		FirstName  *string   `json:"first_name"`
		LastName   *string   `json:"last_name"`
		ExternalID *string   `json:"external_id"`
	} `json:"owner"`
	CreatedAt                   time.Time  `json:"created_at"`
	UpdatedAt                   time.Time  `json:"updated_at"`
	PriceZone                   string     `json:"price_zone"`
	ID                          uuid.UUID  `json:"id"`
	DeletedAt                   *time.Time `json:"deleted_at"`
	LifecycleState              string     `json:"lifecycle_state"`
	LifecycleError              *string    `json:"lifecycle_error"`
	Building                    *uuid.UUID `json:"building"`
	PausePowerUntil             *time.Time `json:"pause_power_until"`
	IsPausePowerActive          bool       `json:"is_pause_power_active"`
	ExternalDeviceID            string     `json:"external_device_id"`
	IsAuthenticated             bool       `json:"is_authenticated"`
	IsSmartOptimizationActive   bool       `json:"is_smart_optimization_active"`
	OptimizationScore           *float64   `json:"optimization_score"`
	CurrentMode                 *string    `json:"current_mode"`
	Comment                     *string    `json:"comment"`
	CurrentStateLastUpdatedAt   *time.Time `json:"current_state_last_updated_at"`
	LastMonitoringExecutedAt    *time.Time `json:"last_monitoring_executed_at"`
	IsInverterForcedModeEnabled bool       `json:"is_inverter_forced_mode_enabled"`
	IsInverterForcedModeActive  bool       `json:"is_inverter_forced_mode_active"`
	InverterForcedModeSince     time.Time  `json:"inverter_forced_mode_since"`
	IsForecastingEnabled        bool       `json:"is_forecasting_enabled"`
	IsTradingEnabled            bool       `json:"is_trading_enabled"`
	ActualSteeringState         string     `json:"actual_steering_state"`
	ActionNeeded                bool       `json:"action_needed"`
	Actions                     []struct {
		Code           string `json:"code"`
		ResolutionLink struct {
			URL                string   `json:"url"`
			RequiredParameters []string `json:"required_parameters"`
		} `json:"resolution_link"`
	} `json:"actions"`
	AuthorizationURL          *string    `json:"authorization_url"`
	ChargeTargetMin           *int       `json:"charge_target_min"`
	ChargeTargetMax           *int       `json:"charge_target_max"`
	IsChargePolicyEnabled     bool       `json:"is_charge_policy_enabled"`
	ChargeDeadlineAt          *string    `json:"charge_deadline_at"`
	MinimumChargeLimit        *int       `json:"minimum_charge_limit"`
	ChargePolicyLastUpdatedAt *time.Time `json:"charge_policy_last_updated_at"`
	IsPluggedIn               *bool      `json:"is_plugged_in"`
	IsCharging                *bool      `json:"is_charging"`
	ChargeRateW               *int       `json:"charge_rate_w"`
	BatteryLevel              *int       `json:"battery_level"`
	BatteryCapacityKwh        *float64   `json:"battery_capacity_kwh"`
	IsFullyCharged            *bool      `json:"is_fully_charged"`
	DrivingRange              *int       `json:"driving_range"`
	BoostState                *string    `json:"boost_state"`
}

// BaselineSession has SessionItem's fields.
type BaselineSession struct {
	ID                       uuid.UUID  `json:"id"`
	PlugInTime               *time.Time `json:"plug_in_time"`
	UnplugTime               *time.Time `json:"unplug_time"`
	InferredSessionEnd       *time.Time `json:"inferred_session_end"`
	DesiredChargingStartTime *time.Time `json:"desired_charging_start_time"`
	DesiredChargingEndTime   *time.Time `json:"desired_charging_end_time"`
	ChargeDeadline           *time.Time `json:"charge_deadline"`
	TargetSocPct             *float64   `json:"target_soc_pct"`
	InitialSocPct            *float64   `json:"initial_soc_pct"`
	FinalSocPct              *float64   `json:"final_soc_pct"`
	EnergyChargedKwh         *float64   `json:"energy_charged_kwh"`
	AvgChargePowerKw         *float64   `json:"avg_charge_power_kw"`
	PeakChargePowerKw        *float64   `json:"peak_charge_power_kw"`
	ActualCostEur            *float64   `json:"actual_cost_eur"`
	ExpectedSavingsEur       *float64   `json:"expected_savings_eur"`
	ActualSavingsEur         *float64   `json:"actual_savings_eur"`
	IsAtHome                 *bool      `json:"is_at_home"`
	SessionOutcome           *string    `json:"session_outcome"`
}

// BaselineSessionPage has SessionListOutput's fields.
type BaselineSessionPage struct {
	Total int               `json:"total"`
	Items []BaselineSession `json:"items"`
}

// BaselineUserInput has UserCreateInput's fields.
type BaselineUserInput struct {
	Role            string   `json:"role"`
	Email           string   `json:"email"`
	ExternalUserID  *string  `json:"external_user_id,omitempty"`
	FirstName       *string  `json:"first_name,omitempty"`
	LastName        *string  `json:"last_name,omitempty"`
	StreetAndNumber *string  `json:"street_and_number,omitempty"`
	StreetAddInfo   *string  `json:"street_add_info,omitempty"`
	ZipCode         *string  `json:"zip_code,omitempty"`
	Town            *string  `json:"town,omitempty"`
	CountryIso2     *string  `json:"country_iso2,omitempty"`
	Latitude        *float64 `json:"latitude,omitempty"`
	Longitude       *float64 `json:"longitude,omitempty"`
}

// BaselineUser has UserOutput's fields.
type BaselineUser struct {
	ID                  uuid.UUID  `json:"id"`
	OrganizationID      uuid.UUID  `json:"organization_id"`
	Role                string     `json:"role"`
	Email               string     `json:"email"`
	NumInverters        int        `json:"num_inverters"`
	NumHeatPumps        int        `json:"num_heat_pumps"`
	NumElectricVehicles int        `json:"num_electric_vehicles"`
	NumWallboxes        int        `json:"num_wallboxes"`
	ExternalUserID      *string    `json:"external_user_id"`
	FirstName           *string    `json:"first_name"`
	LastName            *string    `json:"last_name"`
	IsOnboarded         *bool      `json:"is_onboarded"`
	StreetAndNumber     *string    `json:"street_and_number"`
	StreetAddInfo       *string    `json:"street_add_info"`
	ZipCode             *string    `json:"zip_code"`
	Town                *string    `json:"town"`
	Country             *string    `json:"country"`
	Latitude            *float64   `json:"latitude"`
	Longitude           *float64   `json:"longitude"`
	LastLogin           *time.Time `json:"last_login"`
	JoinedAt            *time.Time `json:"joined_at"`
}
