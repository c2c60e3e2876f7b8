package poderotest_test

import (
	"context"
	"testing"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
)

// TestChargingConfig: a user's charging configuration reads back what PUT
// set, per user; omitted and null fields are left unchanged.
func TestChargingConfig(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	a := createUser(t, srv, c, "a")
	b := createUser(t, srv, c, "b")
	inv, err := srv.AddDevice(a.ID, poderotest.Inverter)
	if err != nil {
		t.Fatal(err)
	}
	wb, err := srv.AddDevice(a.ID, poderotest.Wallbox)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := srv.AddDevice(a.ID, poderotest.ElectricVehicle) // a charger too, but not the first
	if err != nil {
		t.Fatal(err)
	}

	got, err := c.GetChargingConfigWithResponse(ctx, srv.OrgID, a.ID)
	expect(t, got, err, 200)
	cfg := got.JSON200
	if *cfg.SmartChargingMode != api.SmartChargingModeNone || len(*cfg.AvailableModes) != 4 {
		t.Errorf("a new user's charging config: %s", got.Body)
	}
	if d := *cfg.Devices; len(d) != 3 || *d[0].DeviceID != inv || *d[1].DeviceID != wb || *d[2].DeviceID != ev ||
		*d[0].IsPrimaryActuator || !*d[1].IsPrimaryActuator || *d[2].IsPrimaryActuator {
		t.Errorf("devices: %s; want the inverter, the wallbox as primary actuator, then the vehicle", got.Body)
	}

	var in api.ChargingConfigUpdateInput
	in.SmartChargingMode.Set(api.SmartChargingModeHEMS)
	in.HEMSMinExportToStartW.Set(1400)
	put, err := c.UpdateChargingConfigWithResponse(ctx, srv.OrgID, a.ID, in)
	expect(t, put, err, 200)
	if *put.JSON200.SmartChargingMode != "hems" {
		t.Errorf("PUT answered %s", put.Body)
	}

	var more api.ChargingConfigUpdateInput
	more.SmartChargingMode.SetNull()
	more.HEMSMaxImportBeforeStoppingW.Set(200)
	put, err = c.UpdateChargingConfigWithResponse(ctx, srv.OrgID, a.ID, more)
	expect(t, put, err, 200)

	got, err = c.GetChargingConfigWithResponse(ctx, srv.OrgID, a.ID)
	expect(t, got, err, 200)
	th := got.JSON200.Thresholds
	if *got.JSON200.SmartChargingMode != "hems" || *th.HEMSMinExportToStartW != 1400 || *th.HEMSMaxImportBeforeStoppingW != 200 {
		t.Errorf("after two PUTs: %s; want mode hems and thresholds 1400 and 200", got.Body)
	}

	other, err := c.GetChargingConfigWithResponse(ctx, srv.OrgID, b.ID)
	expect(t, other, err, 200)
	if *other.JSON200.SmartChargingMode != "none" || len(*other.JSON200.Devices) != 0 {
		t.Errorf("another user's charging config: %s", other.Body)
	}
}

// TestChargePolicy: a vehicle's charge policy reads back what PUT set, per
// vehicle, with the vehicle and its user in metadata.
func TestChargePolicy(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	u := createUser(t, srv, c, "cust")
	ev := onboard(t, srv, c, u.ID, "ev")
	ev2 := onboard(t, srv, c, u.ID, "ev")

	got, err := c.GetElectricVehicleChargePolicyWithResponse(ctx, srv.OrgID, u.ID, ev)
	expect(t, got, err, 200)
	if m := got.JSON200.Metadata; *m.ElectricVehicleID != ev || *m.UserID != u.ID || m.Error != nil {
		t.Errorf("metadata: %s", got.Body)
	}
	if !got.JSON200.Data.Mon.ChargePercentage.IsNull() {
		t.Errorf("a new vehicle's policy has a target: %s", got.Body)
	}

	day := func(pct int, deadline string) *api.DailyChargePolicySchema {
		var d api.DailyChargePolicySchema
		d.ChargePercentage.Set(pct)
		d.ChargeDeadline.Set(deadline)
		return &d
	}
	zone := "Europe/Vienna"
	put, err := c.UpdateElectricVehicleChargePolicyWithResponse(ctx, srv.OrgID, u.ID, ev,
		api.ChargeWeeklyPolicySchema{Mon: day(80, "07:00"), Timezone: &zone})
	expect(t, put, err, 200)
	put, err = c.UpdateElectricVehicleChargePolicyWithResponse(ctx, srv.OrgID, u.ID, ev,
		api.ChargeWeeklyPolicySchema{Tue: day(60, "08:30")})
	expect(t, put, err, 200)

	got, err = c.GetElectricVehicleChargePolicyWithResponse(ctx, srv.OrgID, u.ID, ev)
	expect(t, got, err, 200)
	d := got.JSON200.Data
	if d.Mon.ChargePercentage.MustGet() != 80 || d.Mon.ChargeDeadline.MustGet() != "07:00" ||
		d.Tue.ChargePercentage.MustGet() != 60 || *d.Timezone != zone || !d.Wed.ChargePercentage.IsNull() {
		t.Errorf("after two PUTs: %s", got.Body)
	}

	other, err := c.GetElectricVehicleChargePolicyWithResponse(ctx, srv.OrgID, u.ID, ev2)
	expect(t, other, err, 200)
	if !other.JSON200.Data.Mon.ChargePercentage.IsNull() || *other.JSON200.Metadata.ElectricVehicleID != ev2 {
		t.Errorf("the other vehicle's policy: %s", other.Body)
	}
}
