package main

import (
	"context"
	"testing"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
)

func TestCountUsers(t *testing.T) {
	srv := poderotest.New(t)
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: srv.OrgID, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: "a@example.com"}); err != nil {
		t.Fatal(err)
	}
	if n, err := countUsers(ctx, c); err != nil || n != 1 {
		t.Errorf("countUsers = %d, %v; want 1 user", n, err)
	}
}
