package poderotest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
)

func TestUsers(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	a := createUser(t, srv, c, "cust-a")
	b := createUser(t, srv, c, "cust-b")
	if a.ID == b.ID || a.OrganizationID != srv.OrgID || a.Role != "user" || (*a.FirstName) != "Ada" {
		t.Fatalf("created %+v and %+v", a, b)
	}

	byExt, err := c.GetUserByExternalIDWithResponse(ctx, srv.OrgID, "cust-b", nil)
	expect(t, byExt, err, 200)
	if byExt.JSON200.ID != b.ID {
		t.Errorf("by external id cust-b: got user %s, want %s", byExt.JSON200.ID, b.ID)
	}
	missing, err := c.GetUserByExternalIDWithResponse(ctx, srv.OrgID, "nobody", nil)
	expect(t, missing, err, 404)

	var upd api.UserUpdateInput
	upd.LastName.Set("Lovelace")
	upd.CountryIso2.Set("AT")
	put, err := c.UpdateUserWithResponse(ctx, srv.OrgID, a.ID, upd)
	expect(t, put, err, 200)
	got, err := c.GetUserWithResponse(ctx, srv.OrgID, a.ID)
	expect(t, got, err, 200)
	if u := got.JSON200; (*u.LastName) != "Lovelace" || (*u.Country) != "AT" || (*u.FirstName) != "Ada" {
		t.Errorf("after a partial update: last name %v, country %v, first name %v; want Lovelace, AT and Ada kept",
			u.LastName, u.Country, u.FirstName)
	}

	list, err := c.ListUsersWithResponse(ctx, srv.OrgID, nil)
	expect(t, list, err, 200)
	if n := len(*list.JSON200); n != 2 || (*list.JSON200)[0].ID != a.ID || (*list.JSON200)[1].ID != b.ID {
		t.Errorf("list has %d users, want a then b: %s", n, list.Body)
	}
}

func TestBuildingsAndContracts(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	u := createUser(t, srv, c, "cust")

	created, err := c.CreateBuildingWithResponse(ctx, srv.OrgID, u.ID, api.BuildingCreateInput{Name: "Main House"})
	expect(t, created, err, 200)
	building := *created.JSON200.ID
	in := api.BuildingUpdateInput{Name: "Holiday Flat"}
	in.NumOccupants.Set(3)
	upd, err := c.UpdateBuildingWithResponse(ctx, srv.OrgID, u.ID, building, in)
	expect(t, upd, err, 200)
	got, err := c.GetBuildingWithResponse(ctx, srv.OrgID, u.ID, building)
	expect(t, got, err, 200)
	if got.JSON200.Name != "Holiday Flat" || (*got.JSON200.NumOccupants) != 3 {
		t.Errorf("building reads back %s", got.Body)
	}

	var ec api.EnergyContractCreateInput
	ec.BuildingID.Set(building)
	ec.Supplier.Set("Good Energy Company")
	contract, err := c.CreateEnergyContractWithResponse(ctx, srv.OrgID, u.ID, ec)
	expect(t, contract, err, 200)
	if (*contract.JSON200.Building) != building {
		t.Errorf("contract's building is %v, want %s (building_id in, building out)", contract.JSON200.Building, building)
	}
	var ecUpd api.EnergyContractUpdateInput
	ecUpd.MeterID.Set("125328591095")
	put, err := c.UpdateEnergyContractWithResponse(ctx, srv.OrgID, u.ID, (*contract.JSON200.ID), ecUpd)
	expect(t, put, err, 200)
	list, err := c.ListEnergyContractsWithResponse(ctx, srv.OrgID, u.ID)
	expect(t, list, err, 200)
	if l := *list.JSON200; len(l) != 1 || (*l[0].MeterID) != "125328591095" || (*l[0].Supplier) != "Good Energy Company" {
		t.Errorf("contracts: %s", list.Body)
	}
}

// TestDevices runs the same journey for each device type the API creates:
// create, list, get, update, and the generic device PATCH.
func TestDevices(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	u := createUser(t, srv, c, "cust")
	type device struct {
		ID      *openapi_types.UUID
		Comment *string
	}
	// The operations of each device type, with bodies that set comment.
	cases := map[string]struct {
		create func() (response, error)
		list   func() (response, error)
		get    func(id openapi_types.UUID) (response, error)
		update func(id openapi_types.UUID, comment string) (response, error)
	}{
		"electric vehicle": {
			create: func() (response, error) {
				var in api.ElectricVehicleCreateInput
				in.Comment.Set("first")
				return c.CreateElectricVehicleWithResponse(ctx, srv.OrgID, u.ID, in)
			},
			list: func() (response, error) { return c.ListElectricVehiclesWithResponse(ctx, srv.OrgID, u.ID) },
			get: func(id openapi_types.UUID) (response, error) {
				return c.GetElectricVehicleWithResponse(ctx, srv.OrgID, u.ID, id)
			},
			update: func(id openapi_types.UUID, s string) (response, error) {
				var in api.ElectricVehicleUpdateInput
				in.Comment.Set(s)
				return c.UpdateElectricVehicleWithResponse(ctx, srv.OrgID, u.ID, id, in)
			},
		},
		"heat pump": {
			create: func() (response, error) {
				var in api.HeatPumpCreateInput
				in.Comment.Set("first")
				return c.CreateHeatPumpWithResponse(ctx, srv.OrgID, u.ID, in)
			},
			list: func() (response, error) { return c.ListHeatPumpsWithResponse(ctx, srv.OrgID, u.ID) },
			get: func(id openapi_types.UUID) (response, error) {
				return c.GetHeatPumpWithResponse(ctx, srv.OrgID, u.ID, id, nil)
			},
			update: func(id openapi_types.UUID, s string) (response, error) {
				var in api.HeatPumpUpdateInput
				in.Comment.Set(s)
				return c.UpdateHeatPumpWithResponse(ctx, srv.OrgID, u.ID, id, in)
			},
		},
		"inverter": {
			create: func() (response, error) {
				var in api.InverterCreateInput
				in.Comment.Set("first")
				return c.CreateInverterWithResponse(ctx, srv.OrgID, u.ID, in)
			},
			list: func() (response, error) { return c.ListInvertersWithResponse(ctx, srv.OrgID, u.ID) },
			get: func(id openapi_types.UUID) (response, error) {
				return c.GetInverterWithResponse(ctx, srv.OrgID, u.ID, id)
			},
			update: func(id openapi_types.UUID, s string) (response, error) {
				var in api.InverterUpdateInput
				in.Comment.Set(s)
				return c.UpdateInverterWithResponse(ctx, srv.OrgID, u.ID, id, in)
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := tc.create()
			expect(t, r, err, 200)
			var created device
			decode(t, r.GetBody(), &created)
			id := *created.ID

			r, err = tc.list()
			expect(t, r, err, 200)
			var listed []device
			decode(t, r.GetBody(), &listed)
			if len(listed) != 1 || *listed[0].ID != id {
				t.Errorf("list after create: %s", r.GetBody())
			}

			r, err = tc.update(id, "second")
			expect(t, r, err, 200)
			r, err = tc.get(id)
			expect(t, r, err, 200)
			var got device
			decode(t, r.GetBody(), &got)
			if *got.Comment != "second" {
				t.Errorf("comment after PUT: %q", *got.Comment)
			}

			var patch api.DeviceUpdateInput
			patch.Comment.Set("third")
			p, err := c.UpdateDeviceWithResponse(ctx, srv.OrgID, u.ID, id, patch)
			expect(t, p, err, 200)
			r, err = tc.get(id)
			expect(t, r, err, 200)
			decode(t, r.GetBody(), &got)
			if *got.Comment != "third" {
				t.Errorf("comment after the generic device PATCH: %q", *got.Comment)
			}
		})
	}
}

func TestOnboarding(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	u := createUser(t, srv, c, "cust")
	building, err := c.CreateBuildingWithResponse(ctx, srv.OrgID, u.ID, api.BuildingCreateInput{Name: "Home"})
	expect(t, building, err, 200)

	in := api.DeviceOnboardingSessionCreateInput{Language: "de", PriceZoneDefault: "DE_LU", UserID: u.ID,
		SuccessURL: "https://partner.example/ok", CancelURL: "https://partner.example/cancel"}
	in.BuildingID.Set(*building.JSON200.ID)
	in.DeviceType.Set("wb")
	created, err := c.CreateOnboardingSessionWithResponse(ctx, in)
	expect(t, created, err, 200)
	sess := created.JSON200
	if *sess.AuthenticationURL == "" || sess.ObjectID != nil {
		t.Fatalf("new session: %s", created.Body)
	}

	wallbox, err := srv.CompleteOnboarding(*sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.GetOnboardingSessionWithResponse(ctx, *sess.ID)
	expect(t, again, err, 200)
	if (*again.JSON200.ObjectID) != wallbox {
		t.Errorf("object_id is %v, want the new device %s", again.JSON200.ObjectID, wallbox)
	}
	wb, err := c.GetWallboxWithResponse(ctx, srv.OrgID, u.ID, wallbox)
	expect(t, wb, err, 200)
	if w := wb.JSON200; !*w.IsAuthenticated || (*w.Building) != *building.JSON200.ID || *w.PriceZone != "DE_LU" || w.Owner.ID == nil || *w.Owner.ID != u.ID {
		t.Errorf("onboarded wallbox: %s", wb.Body)
	}
	user, err := c.GetUserWithResponse(ctx, srv.OrgID, u.ID)
	expect(t, user, err, 200)
	if user.JSON200.NumWallboxes != 1 || !(*user.JSON200.IsOnboarded) {
		t.Errorf("user after onboarding: %s", user.Body)
	}

	if id, err := srv.CompleteOnboarding(*sess.ID); err != nil || id != wallbox {
		t.Errorf("completing again: %s, %v; want the same device", id, err)
	}
	if _, err := srv.CompleteOnboarding(u.ID); err == nil {
		t.Error("completing a user id as a session: no error")
	}
}

// TestConnectURL opens an authentication_url as an end user's browser
// would: the fake completes the session and redirects to success_url.
func TestConnectURL(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	u := createUser(t, srv, c, "cust")
	in := api.DeviceOnboardingSessionCreateInput{Language: "en", PriceZoneDefault: "AT", UserID: u.ID,
		SuccessURL: "https://partner.example/ok", CancelURL: "https://partner.example/cancel"}
	created, err := c.CreateOnboardingSessionWithResponse(ctx, in)
	expect(t, created, err, 200)

	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(*created.JSON200.AuthenticationURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != in.SuccessURL {
		t.Errorf("opening the authentication_url: %d to %q, want 303 to %s", resp.StatusCode, resp.Header.Get("Location"), in.SuccessURL)
	}
	evs, err := c.ListElectricVehiclesWithResponse(ctx, srv.OrgID, u.ID)
	expect(t, evs, err, 200)
	if len(*evs.JSON200) != 1 {
		t.Errorf("a session without device_type onboards an electric vehicle; the user has %s", evs.Body)
	}
}

func TestReauthenticate(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	u := createUser(t, srv, c, "cust")
	inv := onboard(t, srv, c, u.ID, "iv")

	var unauth api.DeviceUpdateInput
	unauth.IsAuthenticated.Set(false)
	p, err := c.UpdateDeviceWithResponse(ctx, srv.OrgID, u.ID, inv, unauth)
	expect(t, p, err, 200)

	var in api.AuthSessionInput
	in.SuccessURL.Set("https://partner.example/again")
	auth, err := c.ReauthenticateInverterWithResponse(ctx, srv.OrgID, u.ID, inv, in)
	expect(t, auth, err, 200)
	if (*auth.JSON200.DeviceID) != inv || (*auth.JSON200.AuthenticationURL) == "" {
		t.Fatalf("auth session: %s", auth.Body)
	}
	if id, err := srv.CompleteOnboarding((*auth.JSON200.SessionID)); err != nil || id != inv {
		t.Fatalf("completing the auth session: %s, %v; want the inverter %s", id, err, inv)
	}
	got, err := c.GetInverterWithResponse(ctx, srv.OrgID, u.ID, inv)
	expect(t, got, err, 200)
	if !*got.JSON200.IsAuthenticated {
		t.Error("the inverter is not authenticated after its auth session completed")
	}
	if evs, _ := c.ListInvertersWithResponse(ctx, srv.OrgID, u.ID); len(*evs.JSON200) != 1 {
		t.Errorf("reauthentication added a device: %s", evs.Body)
	}
}

func TestBoost(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	u := createUser(t, srv, c, "cust")
	ev := onboard(t, srv, c, u.ID, "ev")

	b, err := c.TriggerElectricVehicleBoostWithResponse(ctx, srv.OrgID, u.ID, ev)
	expect(t, b, err, 204)
	got, err := c.GetElectricVehicleWithResponse(ctx, srv.OrgID, u.ID, ev)
	expect(t, got, err, 200)
	if s := (*got.JSON200.BoostState); s != "requested" {
		t.Errorf("boost_state after a boost: %s", s)
	}
	d, err := c.DisarmElectricVehicleBoostWithResponse(ctx, srv.OrgID, u.ID, ev)
	expect(t, d, err, 204)

	if err := srv.SetCharging(ev, true); err != nil {
		t.Fatal(err)
	}
	b, err = c.TriggerElectricVehicleBoostWithResponse(ctx, srv.OrgID, u.ID, ev)
	expect(t, b, err, 409)
	if b.JSON409.Reason == nil || *b.JSON409.Reason != "already_charging" || b.JSON409.State == nil {
		t.Errorf("409 body: %s", b.Body)
	}
	cur, err := c.GetCurrentElectricVehicleSessionWithResponse(ctx, srv.OrgID, u.ID, ev)
	expect(t, cur, err, 200)
	if cur.JSON200.Session == nil {
		t.Error("no current session while charging")
	}

	if err := srv.SetCharging(ev, false); err != nil {
		t.Fatal(err)
	}
	cur, err = c.GetCurrentElectricVehicleSessionWithResponse(ctx, srv.OrgID, u.ID, ev)
	expect(t, cur, err, 200)
	if cur.JSON200.Session != nil {
		t.Errorf("current session when not charging: %s", cur.Body)
	}

	wb, err := srv.AddDevice(u.ID, poderotest.Wallbox)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.SetCharging(wb, true); err != nil {
		t.Fatal(err)
	}
	wbBoost, err := c.TriggerWallboxBoostWithResponse(ctx, srv.OrgID, u.ID, wb)
	expect(t, wbBoost, err, 409)
	if err := srv.SetCharging(u.ID, true); err == nil {
		t.Error("SetCharging of a user id: no error")
	}
}

func TestChargingSessionsPaginate(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	u := createUser(t, srv, c, "cust")
	ev := onboard(t, srv, c, u.ID, "ev")
	const n = 7
	if err := srv.AddSessions(ev, n); err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC()
	params := func(limit, offset int) *api.ListElectricVehicleSessionsParams {
		return &api.ListElectricVehicleSessionsParams{
			From:  openapi_types.Date{Time: today.AddDate(0, 0, -2)},
			To:    openapi_types.Date{Time: today},
			Limit: &limit, Offset: &offset,
		}
	}
	seen := map[openapi_types.UUID]bool{}
	var last time.Time
	for offset := 0; offset < n; offset += 3 {
		page, err := c.ListElectricVehicleSessionsWithResponse(ctx, srv.OrgID, u.ID, ev, params(3, offset))
		expect(t, page, err, 200)
		if page.JSON200.Total != n || len(page.JSON200.Items) != min(3, n-offset) {
			t.Fatalf("offset %d: total %d, %d items; want %d and %d", offset, page.JSON200.Total, len(page.JSON200.Items), n, min(3, n-offset))
		}
		for _, it := range page.JSON200.Items {
			plugIn := (*it.PlugInTime)
			if seen[*it.ID] || (!last.IsZero() && !plugIn.Before(last)) {
				t.Errorf("offset %d: session %s repeated or out of order (newest first)", offset, *it.ID)
			}
			seen[*it.ID], last = true, plugIn
		}
	}
	if len(seen) != n {
		t.Errorf("paged through %d sessions, want %d", len(seen), n)
	}

	future := params(50, 0)
	future.From.Time, future.To.Time = today.AddDate(0, 0, 1), today.AddDate(0, 0, 2)
	empty, err := c.ListElectricVehicleSessionsWithResponse(ctx, srv.OrgID, u.ID, ev, future)
	expect(t, empty, err, 200)
	if empty.JSON200.Total != 0 || len(empty.JSON200.Items) != 0 {
		t.Errorf("sessions from tomorrow on: %s", empty.Body)
	}
}

// TestIDsAreChecked: ids that do not exist, belong to another user, name
// another kind of object or another organization are refused.
func TestIDsAreChecked(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	a := createUser(t, srv, c, "a")
	b := createUser(t, srv, c, "b")
	ev := onboard(t, srv, c, a.ID, "ev")
	other := openapi_types.UUID{1}

	for name, call := range map[string]func() (response, error){
		"unknown user": func() (response, error) { return c.GetUserWithResponse(ctx, srv.OrgID, other) },
		"unknown vehicle": func() (response, error) {
			return c.GetElectricVehicleWithResponse(ctx, srv.OrgID, a.ID, other)
		},
		"another user's vehicle": func() (response, error) {
			return c.GetElectricVehicleWithResponse(ctx, srv.OrgID, b.ID, ev)
		},
		"a vehicle as a heat pump": func() (response, error) {
			return c.GetHeatPumpWithResponse(ctx, srv.OrgID, a.ID, ev, nil)
		},
		"a vehicle's data for an unknown vehicle": func() (response, error) {
			return c.GetElectricVehicleChargePolicyWithResponse(ctx, srv.OrgID, a.ID, other)
		},
		"unknown onboarding session": func() (response, error) { return c.GetOnboardingSessionWithResponse(ctx, other) },
	} {
		r, err := call()
		expect(t, r, err, 404)
		var problem struct{ Detail string }
		decode(t, r.GetBody(), &problem)
		if problem.Detail != "Not Found" {
			t.Errorf("%s: body %s", name, r.GetBody())
		}
	}

	// UUIDs are compared as UUIDs, not as strings.
	status, _, body := raw(t, http.MethodGet, path(srv, "/users/"+strings.ToUpper(a.ID.String())), token(t, srv), "")
	if status != 200 || body["id"] != a.ID.String() {
		t.Errorf("GET with the user id in capitals: %d %v", status, body)
	}

	r, err := c.GetUserWithResponse(ctx, other, a.ID)
	expect(t, r, err, 403)
	var problem struct{ Detail string }
	decode(t, r.Body, &problem)
	if problem.Detail == "" {
		t.Errorf("403 without detail: %s", r.Body)
	}
}

// TestIDsInCapitals: an id in the path is the same object whatever its case:
// what is created under a user id in capitals belongs to that user.
func TestIDsInCapitals(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	u := createUser(t, srv, c, "cust")
	tok := token(t, srv)
	upper := "/users/" + strings.ToUpper(u.ID.String())

	status, _, building := raw(t, http.MethodPost, path(srv, upper+"/buildings"), tok, `{"name":"Home"}`)
	if status != 200 {
		t.Fatalf("create a building under the user id in capitals: %d %v", status, building)
	}
	bID := building["id"].(string)
	status, _, ev := raw(t, http.MethodPost, path(srv, upper+"/electric-vehicles"), tok,
		`{"building_id":"`+strings.ToUpper(bID)+`"}`)
	if status != 200 {
		t.Fatalf("create a vehicle under the user id in capitals: %d %v", status, ev)
	}
	if ev["building"] != bID {
		t.Errorf("the vehicle's building is %v, want %s as stored", ev["building"], bID)
	}
	evID := parseUUID(t, ev["id"].(string))

	got, err := c.GetElectricVehicleWithResponse(ctx, srv.OrgID, u.ID, evID)
	expect(t, got, err, 200)
	if got.JSON200.Owner.ID == nil || *got.JSON200.Owner.ID != u.ID {
		t.Errorf("vehicle owner: %s", got.Body)
	}
	user, err := c.GetUserWithResponse(ctx, srv.OrgID, u.ID)
	expect(t, user, err, 200)
	if user.JSON200.NumElectricVehicles != 1 {
		t.Errorf("num_electric_vehicles = %d, want 1", user.JSON200.NumElectricVehicles)
	}
	b, err := c.GetBuildingWithResponse(ctx, srv.OrgID, u.ID, parseUUID(t, bID))
	expect(t, b, err, 200)

	// The onboarding session's user and building, and the Connect link.
	status, _, sess := raw(t, http.MethodPost, srv.URL+"/api/partners/v2.0/device-onboarding", tok,
		`{"language":"en","price_zone_default":"AT","success_url":"https://partner.example/ok","cancel_url":"https://partner.example/no",`+
			`"device_type":"hp","user_id":"`+strings.ToUpper(u.ID.String())+`","building_id":"`+strings.ToUpper(bID)+`"}`)
	if status != 200 || sess["user"] != u.ID.String() {
		t.Fatalf("onboarding session for the user id in capitals: %d %v", status, sess)
	}
	hp, err := srv.CompleteOnboarding(parseUUID(t, sess["id"].(string)))
	if err != nil {
		t.Fatal(err)
	}
	got2, err := c.GetHeatPumpWithResponse(ctx, srv.OrgID, u.ID, hp, nil)
	expect(t, got2, err, 200)
	if (*got2.JSON200.Building).String() != bID {
		t.Errorf("onboarded heat pump: %s", got2.Body)
	}
}

// TestBuildingMustBeTheUsers: a building_id in a body must name one of the
// user's buildings, as an id in the path must; else 404, and nothing is
// created or changed.
func TestBuildingMustBeTheUsers(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	a := createUser(t, srv, c, "a")
	b := createUser(t, srv, c, "b")
	created, err := c.CreateBuildingWithResponse(ctx, srv.OrgID, a.ID, api.BuildingCreateInput{Name: "A's"})
	expect(t, created, err, 200)
	aBuilding := *created.JSON200.ID
	created, err = c.CreateBuildingWithResponse(ctx, srv.OrgID, b.ID, api.BuildingCreateInput{Name: "B's"})
	expect(t, created, err, 200)
	bBuilding := *created.JSON200.ID
	bEV := onboard(t, srv, c, b.ID, "ev")
	unknown := openapi_types.UUID{1}

	for name, building := range map[string]openapi_types.UUID{"another user's building": aBuilding, "an unknown building": unknown} {
		calls := map[string]func() (response, error){
			"create a vehicle": func() (response, error) {
				var in api.ElectricVehicleCreateInput
				in.BuildingID.Set(building)
				return c.CreateElectricVehicleWithResponse(ctx, srv.OrgID, b.ID, in)
			},
			"create an energy contract": func() (response, error) {
				var in api.EnergyContractCreateInput
				in.BuildingID.Set(building)
				return c.CreateEnergyContractWithResponse(ctx, srv.OrgID, b.ID, in)
			},
			"move a vehicle": func() (response, error) {
				var in api.ElectricVehicleUpdateInput
				in.BuildingID.Set(building)
				return c.UpdateElectricVehicleWithResponse(ctx, srv.OrgID, b.ID, bEV, in)
			},
			"start an onboarding session": func() (response, error) {
				in := api.DeviceOnboardingSessionCreateInput{Language: "en", PriceZoneDefault: "AT", UserID: b.ID,
					SuccessURL: "https://partner.example/ok", CancelURL: "https://partner.example/cancel"}
				in.BuildingID.Set(building)
				return c.CreateOnboardingSessionWithResponse(ctx, in)
			},
		}
		for what, call := range calls {
			r, err := call()
			expect(t, r, err, 404)
			var problem struct{ Detail string }
			decode(t, r.GetBody(), &problem)
			if problem.Detail != "Not Found" {
				t.Errorf("%s with %s: %s", what, name, r.GetBody())
			}
		}
	}

	evs, err := c.ListElectricVehiclesWithResponse(ctx, srv.OrgID, b.ID)
	expect(t, evs, err, 200)
	if l := *evs.JSON200; len(l) != 1 || l[0].Building != nil {
		t.Errorf("b's vehicles after the refused calls: %s", evs.Body)
	}
	contracts, err := c.ListEnergyContractsWithResponse(ctx, srv.OrgID, b.ID)
	expect(t, contracts, err, 200)
	if len(*contracts.JSON200) != 0 {
		t.Errorf("b's contracts after the refused calls: %s", contracts.Body)
	}

	// The user's own building, or none, is fine.
	var own api.ElectricVehicleUpdateInput
	own.BuildingID.Set(bBuilding)
	r, err := c.UpdateElectricVehicleWithResponse(ctx, srv.OrgID, b.ID, bEV, own)
	expect(t, r, err, 200)
	var none api.ElectricVehicleCreateInput
	none.BuildingID.SetNull()
	r2, err := c.CreateElectricVehicleWithResponse(ctx, srv.OrgID, b.ID, none)
	expect(t, r2, err, 200)
}

// TestUndeclaredFieldsIgnored: fields a request body's schema does not
// declare are ignored, as pydantic ignores them, rather than written into
// the object.
func TestUndeclaredFieldsIgnored(t *testing.T) {
	srv, c := setup(t)
	u := createUser(t, srv, c, "cust")
	ev := onboard(t, srv, c, u.ID, "ev")
	tok := token(t, srv)
	evPath := path(srv, "/users/"+u.ID.String()+"/electric-vehicles/"+ev.String())
	status, _, got := raw(t, http.MethodPut, evPath, tok, `{"comment":"hi","id":"3fa85f64-5717-4562-b3fc-2c963f66afa6","is_charging":true}`)
	if status != 200 || got["comment"] != "hi" || got["id"] != ev.String() || got["is_charging"] != false {
		t.Errorf("PUT with undeclared fields: %d %v", status, got)
	}
	cfgPath := path(srv, "/users/"+u.ID.String()+"/charging-config")
	status, _, cfg := raw(t, http.MethodPut, cfgPath, tok, `{"smart_charging_mode":"spot","mode_conflict":true}`)
	if status != 200 || cfg["smart_charging_mode"] != "spot" || cfg["mode_conflict"] != false {
		t.Errorf("PUT charging-config with an undeclared field: %d %v", status, cfg)
	}
}
