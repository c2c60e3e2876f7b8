package speccheck_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
	"github.com/podero-go/podero/api/speccheck"
)

// capture is a ResponseChecker that keeps the last response.
type capture struct{ last api.CheckedResponse }

func (c *capture) CheckResponse(_ context.Context, r *api.CheckedResponse) {
	c.last = *r
	c.last.Body, c.last.Header = bytes.Clone(r.Body), r.Header.Clone()
}

// sessionsPage returns poderotest's answer to ListElectricVehicleSessions
// with 200 sessions on the page, as the client hands it to its checker;
// tamper, if set, changes the page first.
func sessionsPage(b *testing.B, tamper func(map[string]any)) *api.CheckedResponse {
	b.Helper()
	srv := poderotest.New(b)
	var got capture
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: srv.OrgID, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret, ResponseCheck: &got})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	u, err := c.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: "ada@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	ev, _ := srv.AddDevice(u.ID, poderotest.ElectricVehicle)
	if err := srv.AddSessions(ev, 200); err != nil {
		b.Fatal(err)
	}
	if tamper != nil {
		srv.Tamper("ListElectricVehicleSessions", tamper)
	}
	now, limit := time.Now().UTC(), 200
	page, err := c.ListElectricVehicleSessions(ctx, u.ID, ev, api.ListElectricVehicleSessionsParams{
		From: api.NewDate(now.AddDate(0, 0, -30)), To: api.NewDate(now.AddDate(0, 0, 1)), Limit: &limit})
	if tamper == nil && (err != nil || len(page.Items) != 200) {
		b.Fatalf("the page: %v", err)
	}
	if got.last.Operation != "ListElectricVehicleSessions" || got.last.StatusCode != http.StatusOK {
		b.Fatalf("captured %s %d", got.last.Operation, got.last.StatusCode)
	}
	return &got.last
}

// BenchmarkCheck200Sessions is what checking a 200-session page costs: the
// copy on the caller's goroutine and the validation on the checker's
// (Flush waits for it), per response. "undeclared" has an undeclared
// property in every session, reported once.
func BenchmarkCheck200Sessions(b *testing.B) {
	for _, bc := range []struct {
		name   string
		tamper func(map[string]any)
	}{
		{"clean", nil},
		{"undeclared", func(body map[string]any) {
			for _, it := range body["items"].([]any) {
				it.(map[string]any)["tariff_eur_kwh"] = 0.31
			}
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := sessionsPage(b, bc.tamper)
			c, err := speccheck.New(speccheck.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			ctx := context.Background()
			c.CheckResponse(ctx, r) // parses the spec, once per process
			if err := c.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(r.Body)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				c.CheckResponse(ctx, r)
				if err := c.Flush(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if s := c.Summary(); s.Dropped != 0 || s.Failed != 0 || (bc.tamper == nil) != (len(s.Mismatches) == 0) {
				b.Fatalf("summary %+v", s)
			}
		})
	}
}

// BenchmarkCheckResponseUnsampled is what a response costs the caller when
// SampleRate does not choose it.
func BenchmarkCheckResponseUnsampled(b *testing.B) {
	r := &api.CheckedResponse{Operation: "GetUser", Method: "GET", Path: "/api/partners/v2.0/org/{org_id}/users/{user_id}", StatusCode: 200, Body: []byte(`{}`)}
	c, err := speccheck.New(speccheck.Options{SampleRate: 1e-9})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c.CheckResponse(ctx, r)
	}
}
