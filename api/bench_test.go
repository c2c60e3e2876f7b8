package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"golang.org/x/oauth2"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/specserver"
)

// benchServer answers every request with the GetElectricVehicle sample.
func benchServer(b *testing.B) *httptest.Server {
	doc, err := specserver.Doc()
	if err != nil {
		b.Fatal(err)
	}
	op := doc.Paths.Find("/api/partners/v2.0/org/{org_id}/users/{user_id}/electric-vehicles/{electric_vehicle_id}").Get
	_, sample, _ := specserver.SampleResponse(op)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		specserver.WriteJSON(w, http.StatusOK, sample)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkGetElectricVehicle measures one call with its decode, through the
// generated client alone and through the call layer (token, retry loop,
// buffered body), over loopback.
func BenchmarkGetElectricVehicle(b *testing.B) {
	srv := benchServer(b)
	ctx := context.Background()
	plain, err := api.NewClientWithResponses(srv.URL, bearer("t"))
	if err != nil {
		b.Fatal(err)
	}
	layered, err := api.New(api.Config{BaseURL: srv.URL, OrgID: id, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t"})})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		client *api.ClientWithResponses
	}{{"generated", plain}, {"raw-call-layer", layered.Raw()}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				resp, err := c.client.GetElectricVehicleWithResponse(ctx, id, id, id)
				if err != nil || resp.JSON200 == nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("PartnerClient", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := layered.GetElectricVehicle(ctx, id, id); err != nil {
				b.Fatal(err)
			}
		}
	})
}
