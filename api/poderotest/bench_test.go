package poderotest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
)

// benchFleet makes users users with an electric vehicle and a heat pump
// each, through the API and AddDevice, and returns a client and one user.
func benchFleet(b *testing.B, users int) (*api.PartnerClient, api.UUID) {
	b.Helper()
	srv := poderotest.NewServer()
	b.Cleanup(srv.Close)
	c, err := api.New(srv.Config())
	if err != nil {
		b.Fatal(err)
	}
	var last api.UUID
	for i := range users {
		u, err := c.CreateUser(context.Background(), api.UserCreateInput{Role: api.RoleUser, Email: fmt.Sprintf("u%d@example.com", i)})
		if err != nil {
			b.Fatal(err)
		}
		for _, k := range []poderotest.DeviceType{poderotest.ElectricVehicle, poderotest.HeatPump} {
			if _, err := srv.AddDevice(u.ID, k); err != nil {
				b.Fatal(err)
			}
		}
		last = u.ID
	}
	return c, last
}

// BenchmarkFleetReads: the cost of the reads a watcher makes, by the size
// of the store. A user's device list should cost the same at 100 users as
// at 2,000; the users list grows with the users it lists, and only with
// them.
func BenchmarkFleetReads(b *testing.B) {
	for _, n := range []int{100, 2000} {
		c, user := benchFleet(b, n)
		ctx := context.Background()
		b.Run(fmt.Sprintf("ListElectricVehicles/users=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := c.ListElectricVehicles(ctx, user); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("ListUsers/users=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := c.ListUsers(ctx, api.ListUsersParams{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
