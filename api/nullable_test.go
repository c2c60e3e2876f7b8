package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oapi-codegen/nullable"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/specserver"
)

// TestUpdateBodyTriState sends a real update body through the client and
// reads what reached the server: an absent nullable field is omitted, an
// explicit null is sent as null, and a value is sent as the value. The guides
// need the explicit null to clear pause_power_until.
func TestUpdateBodyTriState(t *testing.T) {
	srv, h := specserver.NewServer(t)
	client, err := api.NewClientWithResponses(srv.URL, bearer("t"))
	if err != nil {
		t.Fatal(err)
	}
	until := time.Date(2026, 11, 27, 18, 30, 0, 0, time.UTC)
	cases := []struct {
		name string
		body func() api.UpdateElectricVehicleJSONRequestBody
		want map[string]any // what the server must see for pause_power_until; nil = absent
	}{
		{"absent", func() api.UpdateElectricVehicleJSONRequestBody {
			var b api.UpdateElectricVehicleJSONRequestBody
			b.Comment.Set("family car") // something else, so the body is not empty
			return b
		}, nil},
		{"null", func() api.UpdateElectricVehicleJSONRequestBody {
			var b api.UpdateElectricVehicleJSONRequestBody
			b.PausePowerUntil.SetNull()
			return b
		}, map[string]any{"pause_power_until": nil}},
		{"value", func() api.UpdateElectricVehicleJSONRequestBody {
			var b api.UpdateElectricVehicleJSONRequestBody
			b.PausePowerUntil.Set(until)
			return b
		}, map[string]any{"pause_power_until": "2026-11-27T18:30:00Z"}},
	}
	id := uuid.MustParse(specserver.SampleUUID)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(h.Calls())
			resp, err := client.UpdateElectricVehicleWithResponse(context.Background(), id, id, id, tc.body())
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode() != http.StatusOK || resp.JSON200 == nil {
				t.Fatalf("status %d, body %s", resp.StatusCode(), resp.Body)
			}
			calls := h.Calls()[before:]
			if len(calls) != 1 {
				t.Fatalf("server saw %d calls", len(calls))
			}
			var sent map[string]any
			if err := json.Unmarshal(calls[0].Body, &sent); err != nil {
				t.Fatalf("body %q: %v", calls[0].Body, err)
			}
			v, present := sent["pause_power_until"]
			switch {
			case tc.want == nil && present:
				t.Errorf("absent field was sent as %v; body %s", v, calls[0].Body)
			case tc.want != nil && !present:
				t.Errorf("field was omitted; body %s", calls[0].Body)
			case tc.want != nil && v != tc.want["pause_power_until"]:
				t.Errorf("sent %#v, want %#v; body %s", v, tc.want["pause_power_until"], calls[0].Body)
			}
		})
	}
}

// TestNullableDecodes reads the three states back from JSON, as a response
// decoder sees them.
func TestNullableDecodes(t *testing.T) {
	for _, tc := range []struct {
		in              string
		specified, null bool
		wantComment     string
	}{
		{`{}`, false, false, ""},
		{`{"comment": null}`, true, true, ""},
		{`{"comment": "Family car"}`, true, false, "Family car"},
	} {
		var b api.ElectricVehicleUpdateInput
		if err := json.Unmarshal([]byte(tc.in), &b); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if b.Comment.IsSpecified() != tc.specified || b.Comment.IsNull() != tc.null {
			t.Errorf("%s: specified=%v null=%v, want %v %v", tc.in, b.Comment.IsSpecified(), b.Comment.IsNull(), tc.specified, tc.null)
		}
		if got, err := b.Comment.Get(); tc.wantComment != "" && (err != nil || got != tc.wantComment) {
			t.Errorf("%s: Get() = %q, %v", tc.in, got, err)
		}
	}
	var _ nullable.Nullable[string] = api.ElectricVehicleUpdateInput{}.Comment
}
