package apitest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
)

func TestInBandErrorsOfModels(t *testing.T) {
	for _, tc := range []struct {
		name       string
		model      interface{ Err() error }
		state, msg string // of the *InBandError; "" and "" for none
	}{
		{"upload accepted", &api.TradingDayAheadPricesUpdateOutput{State: api.TradingDayAheadPricesStateSuccess}, "", ""},
		{"upload replacing prices", &api.TradingDayAheadPricesUpdateOutput{State: api.TradingDayAheadPricesStateExisting, Error: ptr("")}, "", ""},
		{"upload with an error", &api.TradingDayAheadPricesUpdateOutput{State: api.TradingDayAheadPricesStateSuccess, Error: ptr("no devices in AT")}, "", "no devices in AT"},
		{"upload too late", &api.TradingDayAheadPricesUpdateOutput{State: api.TradingDayAheadPricesStateLate}, "late", ""},
		{"upload empty, with a message", &api.TradingDayAheadPricesUpdateOutput{State: api.TradingDayAheadPricesStateEmpty, Error: ptr("no data")}, "empty", "no data"},
		{"prices", &api.TradingDayAheadPricesOutput{}, "", ""},
		{"prices, error {}", &api.TradingDayAheadPricesOutput{Metadata: api.TradingDayAheadPricesMetadata{Error: map[string]any{}}}, "", ""},
		{"prices, error string", &api.TradingDayAheadPricesOutput{Metadata: api.TradingDayAheadPricesMetadata{Error: "zone not enabled"}}, "", "zone not enabled"},
		{"prices, error object", &api.TradingDayAheadPricesOutput{Metadata: api.TradingDayAheadPricesMetadata{Error: map[string]any{"code": 7}}}, "", `{"code":7}`},
		{"statistics", &api.StatisticsOutput{}, "", ""},
		{"statistics with an error", &api.StatisticsOutput{Metadata: api.StatisticsMetadata{Error: ptr("no data for the range")}}, "", "no data for the range"},
		{"charge policy", &api.ChargePolicyOutput{}, "", ""},
		{"charge policy with an error", &api.ChargePolicyOutput{Metadata: api.ChargePolicyOutputMetadata{Error: ptr("policy disabled")}}, "", "policy disabled"},
		{"nil upload", (*api.TradingDayAheadPricesUpdateOutput)(nil), "", ""},
		{"nil statistics", (*api.StatisticsOutput)(nil), "", ""},
	} {
		err := tc.model.Err()
		if tc.state == "" && tc.msg == "" {
			if err != nil {
				t.Errorf("%s: %v, want none", tc.name, err)
			}
			continue
		}
		var e *api.InBandError
		if !errors.As(err, &e) || e.State != tc.state || e.Message != tc.msg || e.Result != tc.model {
			t.Errorf("%s: %#v, want state %q, message %q and the result", tc.name, err, tc.state, tc.msg)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, tc.msg) || !strings.Contains(msg, tc.state) || !strings.Contains(msg, "200") {
			t.Errorf("%s: the error says %q", tc.name, msg)
		}
	}
}

// On the fake: its samples carry an error string where the spec allows
// one, which Err reports; the charge policy it keeps reports none.
func TestInBandErrorsOnFake(t *testing.T) {
	env := newWaitEnv(t)
	srv, c, user, ctx := env.srv, env.c, env.user, context.Background()
	hp, _ := srv.AddDevice(user, poderotest.HeatPump)
	ev, _ := srv.AddDevice(user, poderotest.ElectricVehicle)

	stats, err := c.GetHeatPumpStatistics(ctx, user, hp, api.GetHeatPumpStatisticsParams{})
	if err != nil {
		t.Fatal(err)
	}
	var e *api.InBandError
	if err := stats.Err(); !errors.As(err, &e) || e.Type != "StatisticsOutput" || e.Result.(*api.StatisticsOutput) != stats {
		t.Errorf("statistics with metadata.error %q: %v", stats.Metadata.GetError(), err)
	}
	policy, err := c.GetElectricVehicleChargePolicy(ctx, user, ev)
	if err != nil || policy.Err() != nil {
		t.Errorf("charge policy: %v, %v", err, policy.Err())
	}
	srv.Tamper("GetElectricVehicleChargePolicy", func(b map[string]any) {
		b["metadata"].(map[string]any)["error"] = "the vehicle reports no schedule"
	})
	policy, err = c.GetElectricVehicleChargePolicy(ctx, user, ev)
	if err != nil || policy.Err() == nil || !strings.Contains(policy.Err().Error(), "no schedule") {
		t.Errorf("charge policy with an error: %v, %v", err, policy.Err())
	}
	now := time.Now()
	prices, err := c.GetTradingDayAheadPrices(ctx, api.GetTradingDayAheadPricesParams{FromDt: now, ToDt: now.Add(time.Hour), PriceZone: api.MarketPriceZoneAT})
	if err != nil || prices.Err() != nil {
		t.Errorf("prices with metadata.error %v: %v, %v", prices.Metadata.Error, err, prices.Err())
	}
}
