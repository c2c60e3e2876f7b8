package api_test

import (
	"testing"
	"time"

	"github.com/podero-go/podero/api"
)

// A device's price zone flows into the day-ahead trading helpers through a
// conversion the compiler finds, which refuses a zone that is no market's.
func TestPriceZoneFlowsIntoTrading(t *testing.T) {
	ev := &api.ElectricVehicleOutput{PriceZone: api.Ptr(api.PriceZoneDELU)}
	zone, ok := ev.GetPriceZone().MarketPriceZone()
	if !ok || zone != api.MarketPriceZoneDELU {
		t.Fatalf("PriceZoneDELU.MarketPriceZone() = %q, %v", zone, ok)
	}
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	prices := make([]float64, 96)
	if _, err := api.NewDayAheadPrices(zone).AddDay(api.NewDate(now.AddDate(0, 0, 1)), prices).Build(now); err != nil {
		t.Errorf("a device's zone, converted: %v", err)
	}
	if z, ok := api.PriceZoneCH.MarketPriceZone(); ok {
		t.Errorf("PriceZoneCH.MarketPriceZone() = %q, true; CH has no market prices", z)
	}
	if api.MarketPriceZoneSE1.PriceZone() != api.PriceZoneSE1 {
		t.Error("MarketPriceZoneSE1.PriceZone() is not PriceZoneSE1")
	}
	if p := api.Ptr(3); *p != 3 || p == api.Ptr(3) {
		t.Error("api.Ptr does not return a pointer to a copy")
	}
}
