package api_test

import (
	"context"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
)

// WithResponseInfo is reset and filled for every return, a call refused
// before sending included: what it held from an earlier call must not
// pass for this one's.
func TestResponseInfoIsResetOnRefusedCalls(t *testing.T) {
	srv := newLeakyServer(t)
	srv.answer(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	c := srv.client(t)
	noOrg, err := api.New(api.Config{BaseURL: srv.URL, ClientID: leakClientID, ClientSecret: leakClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		call func(opts ...api.CallOption) error
	}{
		{"a bad WithHeader", func(opts ...api.CallOption) error {
			return c.UpdateDevice(ctx, leakID, leakID, api.DeviceUpdateInput{}, append(opts, api.WithHeader("Bad Name", "x"))...)
		}},
		{"an empty path parameter", func(opts ...api.CallOption) error {
			_, err := c.GetWallboxClaimTokenStatus(ctx, leakID, "", opts...)
			return err
		}},
		{"no organization", func(opts ...api.CallOption) error {
			return noOrg.UpdateDevice(ctx, leakID, leakID, api.DeviceUpdateInput{}, opts...)
		}},
		{"a body that does not encode", func(opts ...api.CallOption) error {
			_, err := c.UpdateElectricVehicle(ctx, leakID, leakID, api.ElectricVehicleUpdateInput{OptimizationScore: api.Value(math.NaN())}, opts...)
			return err
		}},
		{"a helper's refusal (MarkInformationRead)", func(opts ...api.CallOption) error {
			return c.MarkInformationRead(ctx, api.PendingAction{}, opts...)
		}},
		{"a helper's refusal (UploadDayAheadPrices)", func(opts ...api.CallOption) error {
			_, err := c.UploadDayAheadPrices(ctx, &api.DayAheadPrices{}, opts...)
			return err
		}},
	} {
		// An earlier call filled info.
		info := api.ResponseInfo{StatusCode: 204, Header: http.Header{"X-Old": {"1"}}, RequestID: "old", Attempts: 3, Duration: time.Hour}
		err := tc.call(api.WithResponseInfo(&info))
		if err == nil {
			t.Fatalf("%s: the call was not refused", tc.name)
		}
		if info.StatusCode != 0 || info.Header != nil || info.RequestID != "" || info.Attempts != 0 || info.Duration >= time.Hour {
			t.Errorf("%s: info = %+v, want it reset (nothing was sent)", tc.name, info)
		}
	}
}
