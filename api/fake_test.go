package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
)

// The call layer against poderotest's fault injection: two 503s are retried
// away, an expired token is replaced after one 401, and the fake's 404 for an
// unknown id comes back as *api.Error.
func TestCallLayerOnFake(t *testing.T) {
	srv := poderotest.New(t)
	c, err := api.New(api.Config{
		BaseURL: srv.URL, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret,
		Retry: &api.RetryPolicy{MaxRetries: 3, InitialBackoff: time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	user, err := c.CreateUserWithResponse(ctx, srv.OrgID, api.UserCreateInput{Role: "user", Email: "fake@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	userID := user.JSON200.ID

	srv.FailNext(2, http.StatusServiceUnavailable, 0)
	before := len(srv.Requests())
	got, err := c.GetUserWithResponse(ctx, srv.OrgID, userID)
	if err != nil || got.JSON200 == nil || got.JSON200.Email != "fake@example.com" {
		t.Fatalf("after two 503s: %v", err)
	}
	if n := len(srv.Requests()) - before; n != 3 {
		t.Errorf("%d requests, want 3 (two 503s and the success)", n)
	}

	tokens := srv.TokenRequests()
	srv.ExpireTokens()
	if _, err := c.GetUserWithResponse(ctx, srv.OrgID, userID); err != nil {
		t.Fatalf("after the tokens expired: %v", err)
	}
	if n := srv.TokenRequests() - tokens; n != 1 {
		t.Errorf("%d token requests after ExpireTokens, want 1", n)
	}

	_, err = c.GetElectricVehicleWithResponse(ctx, srv.OrgID, userID, userID)
	if !api.IsNotFound(err) {
		t.Errorf("an unknown vehicle gave %v, want a 404 *api.Error", err)
	}
}
