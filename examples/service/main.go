// Command service is the newcomer's service, whole: a car's status, a boost
// with its 409's reason, and the energy it charged in the last month.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/podero-go/podero/api"
)

func main() {
	ctx, env := context.Background(), os.Getenv
	org, _ := api.ParseUUID(env("PODERO_ORG_ID"))
	user, _ := api.ParseUUID(env("PODERO_USER_ID"))
	car, _ := api.ParseUUID(env("PODERO_EV_ID"))
	c, err := api.New(api.Config{BaseURL: env("PODERO_BASE_URL"), OrgID: org,
		ClientID: env("PODERO_CLIENT_ID"), ClientSecret: env("PODERO_CLIENT_SECRET")})
	if err != nil {
		log.Fatal(err)
	}
	ev, err := c.GetElectricVehicle(ctx, user, car)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d%%, %s\n", ev.GetDeviceModel().GetModel(), ev.GetBatteryLevel(), ev.ChargeStatus())
	err = c.TriggerElectricVehicleBoost(ctx, user, car)
	if conflict, ok := api.BoostConflict(err); ok {
		fmt.Println("no boost:", conflict.GetReason())
	} else if err != nil {
		log.Fatal(err)
	}
	month := api.ListElectricVehicleSessionsParams{From: api.NewDate(time.Now().AddDate(0, -1, 0)), To: api.NewDate(time.Now())}
	var kWh float64
	for s, err := range c.ListElectricVehicleSessionsIter(ctx, user, car, month) {
		if err != nil {
			log.Fatal(err) // api.IsListChanged(err): the list moved under the walk; run again
		}
		kWh += s.GetEnergyChargedKwh()
	}
	fmt.Printf("last month: %.1f kWh\n", kWh)
}
