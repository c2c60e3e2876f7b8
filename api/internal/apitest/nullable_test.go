package apitest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oapi-codegen/nullable"
	"golang.org/x/oauth2"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/specserver"
)

// TestUpdateBodyTriState sends a real update body through the client and
// reads what reached the server: an absent nullable field is omitted, an
// explicit null is sent as null, and a value is sent as the value. The guides
// need the explicit null to clear pause_power_until.
func TestUpdateBodyTriState(t *testing.T) {
	srv, h := specserver.NewServer(t)
	id := uuid.MustParse(specserver.SampleUUID)
	client, err := api.New(api.Config{BaseURL: srv.URL, OrgID: id, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t"})})
	if err != nil {
		t.Fatal(err)
	}
	until := time.Date(2026, 11, 27, 18, 30, 0, 0, time.UTC)
	cases := []struct {
		name string
		body api.ElectricVehicleUpdateInput
		want map[string]any // what the server must see for pause_power_until; nil = absent
	}{
		// something else is set, so that the body is not empty
		{"absent", api.ElectricVehicleUpdateInput{Comment: api.Value("family car")}, nil},
		{"null", api.ElectricVehicleUpdateInput{PausePowerUntil: api.Null[time.Time]()}, map[string]any{"pause_power_until": nil}},
		{"value", api.ElectricVehicleUpdateInput{PausePowerUntil: api.Value(until)}, map[string]any{"pause_power_until": "2026-11-27T18:30:00Z"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(h.Calls())
			if _, err := client.UpdateElectricVehicle(context.Background(), id, id, tc.body); err != nil {
				t.Fatal(err)
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

// A schema that requests and responses share (a charge policy is read and
// written) keeps its three states in a response too: the PartnerClient's
// decoder tells null from absent from a value.
func TestSharedSchemaDecodesThreeStates(t *testing.T) {
	srv, h := specserver.NewServer(t)
	id := uuid.MustParse(specserver.SampleUUID)
	h.Respond = func(c *specserver.Call, r *http.Request) (specserver.Response, bool) {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/charge-policy") {
			return specserver.Response{}, false
		}
		return specserver.Response{Status: 200, Body: map[string]any{
			"metadata": map[string]any{"error": nil},
			"data": map[string]any{"timezone": "Europe/Vienna",
				"mon": map[string]any{"charge_percentage": nil},
				"tue": map[string]any{"charge_percentage": 80, "charge_deadline": "07:00"}},
		}}, true
	}
	client, err := api.New(api.Config{BaseURL: srv.URL, OrgID: id, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t"})})
	if err != nil {
		t.Fatal(err)
	}
	got, err := client.GetElectricVehicleChargePolicy(context.Background(), id, id)
	if err != nil {
		t.Fatal(err)
	}
	mon, tue := got.Data.Mon, got.Data.Tue
	if !mon.ChargePercentage.IsNull() || mon.ChargeDeadline.IsSpecified() {
		t.Errorf("mon: charge_percentage null=%v, charge_deadline specified=%v; want null and absent", mon.ChargePercentage.IsNull(), mon.ChargeDeadline.IsSpecified())
	}
	if tue.GetChargePercentage() != 80 || tue.GetChargeDeadline() != "07:00" {
		t.Errorf("tue: %v %q, want 80 07:00", tue.GetChargePercentage(), tue.GetChargeDeadline())
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
