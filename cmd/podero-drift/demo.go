package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
)

// demo starts poderotest with an organization to survey (two users, one
// device of each kind, sessions, pending actions) and drift injected on
// purpose, one of each kind the checker reports, so that the sample report
// shows them all.
func demo() (*poderotest.Server, error) {
	srv := poderotest.NewServer()
	if err := populate(srv); err != nil {
		srv.Close()
		return nil, fmt.Errorf("start the in-memory fake: %w", err)
	}
	injectDrift(srv)
	return srv, nil
}

// populate sets up the fake's organization, as partners' end users and
// their onboardings would have. It uses a client without a checker: the
// survey starts afterwards.
func populate(srv *poderotest.Server) error {
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: srv.OrgID, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret})
	if err != nil {
		return err
	}
	ctx := context.Background()
	ada, err := c.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: "ada@example.com", ExternalUserID: api.Value("customer-1")})
	if err != nil {
		return err
	}
	if _, err := c.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: "grace@example.com"}); err != nil {
		return err
	}
	home, err := c.CreateBuilding(ctx, ada.ID, api.BuildingCreateInput{Name: "Home"})
	if err != nil {
		return err
	}
	session, err := c.CreateOnboardingSession(ctx, api.DeviceOnboardingSessionCreateInput{
		UserID: ada.ID, BuildingID: api.Value(home.GetID()), Language: api.LanguageEn, PriceZoneDefault: api.PriceZoneAT,
		DeviceType: api.Value(api.DeviceKindEV), SuccessURL: "https://example.com/ok", CancelURL: "https://example.com/cancel"})
	if err != nil {
		return err
	}
	ev, err := srv.CompleteOnboarding(session.GetID()) // in the building
	if err != nil {
		return err
	}
	if err := srv.AddSessions(ev, 24); err != nil {
		return err
	}
	devices := map[poderotest.DeviceType]api.UUID{}
	for _, kind := range []poderotest.DeviceType{poderotest.HeatPump, poderotest.Inverter, poderotest.Wallbox} {
		if devices[kind], err = srv.AddDevice(ada.ID, kind); err != nil {
			return err
		}
	}
	if err := srv.AddHEMSSessions(devices[poderotest.Wallbox], 3); err != nil {
		return err
	}
	if _, err := srv.RequireReauthentication(devices[poderotest.HeatPump]); err != nil {
		return err
	}
	return nil
}

// injectDrift makes the fake answer as a Podero that has moved on from
// the spec would: one drift of each kind.
func injectDrift(srv *poderotest.Server) {
	// A property the spec does not declare, in a list and in the detail.
	firmware := func(body map[string]any) { body["firmware_channel"] = "beta" }
	srv.Tamper("ListElectricVehicles", firmware)
	srv.Tamper("GetElectricVehicle", firmware)
	// A string where the spec declares an integer, and a required field
	// left out.
	srv.Tamper("GetUser", func(body map[string]any) {
		body["num_heat_pumps"] = "1"
		delete(body, "email")
	})
	// An action code the spec's discriminator does not map.
	srv.Tamper("GetHeatPump", func(body map[string]any) {
		actions, _ := body["actions"].([]any)
		body["actions"] = append(actions, map[string]any{"code": "firmware_update"})
	})
	// null in a field that is not nullable.
	srv.Tamper("GetInverter", func(body map[string]any) { body["price_zone"] = nil })
	// A new field in every session, a number or null.
	srv.Tamper("ListElectricVehicleSessions", func(body map[string]any) {
		items, _ := body["items"].([]any)
		for i, it := range items {
			if item, ok := it.(map[string]any); ok {
				item["tariff_eur_kwh"] = 0.25
				if i%3 == 2 {
					item["tariff_eur_kwh"] = nil
				}
			}
		}
	})
	// A 202 where the spec declares only 200.
	srv.TamperStatus("GetChargingConfig", http.StatusAccepted)
}
