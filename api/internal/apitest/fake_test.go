package apitest_test

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
		BaseURL: srv.URL, OrgID: srv.OrgID, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret,
		Retry: &api.RetryPolicy{MaxRetries: 3, InitialBackoff: time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	user, err := c.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: "fake@example.com"})
	if err != nil {
		t.Fatal(err)
	}

	srv.FailNext(2, http.StatusServiceUnavailable, 0)
	before := len(srv.Requests())
	got, err := c.GetUser(ctx, user.ID)
	if err != nil || got.Email != "fake@example.com" {
		t.Fatalf("after two 503s: %v, %v", got, err)
	}
	if n := len(srv.Requests()) - before; n != 3 {
		t.Errorf("%d requests, want 3 (two 503s and the success)", n)
	}

	tokens := srv.TokenRequests()
	srv.ExpireTokens()
	if _, err := c.GetUser(ctx, user.ID); err != nil {
		t.Fatalf("after the tokens expired: %v", err)
	}
	if n := srv.TokenRequests() - tokens; n != 1 {
		t.Errorf("%d token requests after ExpireTokens, want 1", n)
	}

	_, err = c.GetElectricVehicle(ctx, user.ID, user.ID)
	if !api.IsNotFound(err) {
		t.Errorf("an unknown vehicle gave %v, want a 404 *api.Error", err)
	}

	// Another organization is refused by the fake, as by Podero.
	other, _ := api.ParseUUID("6f1d2c3b-0000-4000-8000-000000000001")
	if _, err := c.ForOrg(other).ListUsers(ctx, api.ListUsersParams{}); !hasStatus(err, http.StatusForbidden) {
		t.Errorf("ListUsers of another org: %v, want a 403", err)
	}
	if users, err := c.ListUsers(ctx, api.ListUsersParams{}); err != nil || len(users) != 1 {
		t.Errorf("ForOrg changed the client it was called on: %v %v", users, err)
	}
}
