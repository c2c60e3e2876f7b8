package poderotest_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
)

// chargeNow is the code under test: a service's "charge my car now" button.
// It boosts the user's vehicles and says what happened to each.
func chargeNow(ctx context.Context, c *api.PartnerClient, user api.UUID) ([]string, error) {
	evs, err := c.ListElectricVehicles(ctx, user)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, ev := range evs {
		err := c.TriggerElectricVehicleBoost(ctx, user, ev.GetID())
		switch {
		case api.IsConflict(err):
			out = append(out, "already charging")
		case err != nil:
			return nil, err
		default:
			out = append(out, "boost requested")
		}
	}
	return out, nil
}

// In a test, start the fake with poderotest.New(t), which also closes it and
// fails the test if the fake ever answered outside the spec. Set up state
// through the API, as the service would, and play the end user and the
// vehicles with the Server's methods.
func Example() {
	srv := poderotest.NewServer() // in a test: srv := poderotest.New(t)
	defer srv.Close()
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: srv.OrgID, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	user, err := c.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: "ada@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	userID := user.ID
	// The user onboards two vehicles; one is charging already.
	idle, _ := srv.AddDevice(userID, poderotest.ElectricVehicle)
	charging, _ := srv.AddDevice(userID, poderotest.ElectricVehicle)
	_ = srv.SetCharging(charging, true)

	got, err := chargeNow(ctx, c, userID)
	fmt.Println(got, err)

	ev, _ := c.GetElectricVehicle(ctx, userID, idle)
	fmt.Println(ev.GetBoostState())
	// Output:
	// [boost requested already charging] <nil>
	// requested
}

// A wallbox's HEMS sessions, seeded with AddHEMSSessions, page through the
// SDK's iterator as they would on Podero.
func ExampleServer_AddHEMSSessions() {
	srv := poderotest.NewServer() // in a test: srv := poderotest.New(t)
	defer srv.Close()
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: srv.OrgID, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	user, err := c.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: "ada@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	wallbox, _ := srv.AddDevice(user.ID, poderotest.Wallbox)
	_ = srv.AddHEMSSessions(wallbox, 5) // an hour apart, the newest an hour ago

	today := time.Now().UTC()
	limit := 2 // pages of two
	params := api.ListWallboxHEMSSessionsParams{From: api.NewDate(today.AddDate(0, 0, -1)), To: api.NewDate(today), Limit: &limit}
	var ids []int
	for s, err := range c.ListWallboxHEMSSessionsIter(ctx, user.ID, wallbox, params) {
		if err != nil {
			log.Fatal(err)
		}
		ids = append(ids, s.GetID())
	}
	fmt.Println(ids)
	// Output:
	// [1 2 3 4 5]
}
