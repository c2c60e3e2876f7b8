package main

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
)

// TestEveryOperation walks api.Operations and runs `podero call` for each
// against the fake: every operation has a command, and the command's
// request reaches that operation and succeeds.
func TestEveryOperation(t *testing.T) {
	fake := startFake(t)
	ctx := context.Background()
	c, err := api.New(fake.Config())
	if err != nil {
		t.Fatal(err)
	}
	user := fake.UserID
	// What the path parameters name: the seeded objects, and what the
	// test adds for the operations that need more.
	inverter, err := fake.AddDevice(user, poderotest.Inverter)
	if err != nil {
		t.Fatal(err)
	}
	wallbox, err := fake.AddDevice(user, poderotest.Wallbox)
	if err != nil {
		t.Fatal(err)
	}
	if err := fake.AddHEMSSessions(wallbox, 1); err != nil {
		t.Fatal(err)
	}
	hems, err := c.ListWallboxHEMSSessions(ctx, user, wallbox, api.ListWallboxHEMSSessionsParams{From: api.NewDate(time.Now().AddDate(0, 0, -60)), To: api.NewDate(time.Now())})
	if err != nil || len(hems.Items) == 0 {
		t.Fatalf("HEMS sessions: %v, %v", hems, err)
	}
	contract, err := c.CreateEnergyContract(ctx, user, api.EnergyContractCreateInput{})
	if err != nil {
		t.Fatal(err)
	}
	session, err := c.CreateOnboardingSession(ctx, api.DeviceOnboardingSessionCreateInput{Language: api.LanguageEn, PriceZoneDefault: api.PriceZoneAT,
		UserID: user, SuccessURL: "https://example.com/ok", CancelURL: "https://example.com/cancel"})
	if err != nil {
		t.Fatal(err)
	}
	claim, err := c.CreateWallboxClaimToken(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	// A cue for each cue operation, each with its secret: resolving one
	// starts it, reporting ends it.
	cues := map[string]api.PendingAction{}
	for _, op := range []string{"ResolveCue", "ReportCueState"} {
		ev, err := fake.AddDevice(user, poderotest.ElectricVehicle)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fake.RequireReauthentication(ev); err != nil {
			t.Fatal(err)
		}
		got, err := c.GetElectricVehicle(ctx, user, ev)
		if err != nil {
			t.Fatal(err)
		}
		cues[op] = got.PendingActions()[0]
	}
	info, err := fake.AddInformation(fake.HeatPumpID)
	if err != nil {
		t.Fatal(err)
	}
	hp, err := c.GetHeatPump(ctx, user, fake.HeatPumpID, api.GetHeatPumpParams{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range hp.PendingActions() {
		if a.CueID.String() == info {
			cues["ResolveInformationCue"] = a
		}
	}
	paths := map[string]string{
		"user_id": user.String(), "building_id": fake.BuildingID.String(), "electric_vehicle_id": fake.VehicleID.String(),
		"heat_pump_id": fake.HeatPumpID.String(), "inverter_id": inverter.String(), "wallbox_id": wallbox.String(),
		"device_id": fake.VehicleID.String(), "energy_contract_id": contract.GetID().String(), "session_id": strconv.Itoa(hems.Items[0].GetID()),
		"onboarding_session_id": session.GetID().String(), "external_id": "quickstart",
		"market_id": "EPEX_DA", "price_zone": "AT", "price_zone_key": "AT",
	}
	queries := map[string]string{
		"from": "2026-01-01", "to": "2026-01-31", "from_dt": "2026-01-01T00:00:00Z", "to_dt": "2026-01-02T00:00:00Z",
		"start_datetime": "2026-01-01T00:00:00Z", "end_datetime": "2026-01-31T00:00:00Z", "price_zone": "AT",
	}
	dateTime := map[string]bool{"GetElectricVehicleSavings": true, "GetHeatPumpSavings": true, "GetInverterSavings": true}
	// Bodies for the operations whose bodies need fields; the others get
	// {} when their body is required.
	bodies := map[string]string{
		"CreateUser":                  `{"email":"every@example.com","role":"user"}`,
		"CreateBuilding":              `{"name":"Every Home"}`,
		"CreateOnboardingSession":     `{"language":"en","price_zone_default":"AT","user_id":"` + user.String() + `","success_url":"https://example.com/ok","cancel_url":"https://example.com/c"}`,
		"ResolveCue":                  `{"successUrl":"https://example.com/ok","cancelUrl":"https://example.com/c"}`,
		"ReportCueState":              `{"state":"success"}`,
		"UpdateTradingDayAheadPrices": `{"metadata":{"price_zone":"AT"},"data":[{"timestamp":"2026-01-01T00:00:00Z","price":0.1234}]}`,
		"UpdateBuilding":              `{"name":"Renamed Home"}`,
	}
	dir := t.TempDir()
	byOp := map[string]command{}
	for _, cmd := range commands {
		byOp[cmd.op] = cmd
	}
	for _, info := range api.Operations {
		t.Run(info.Name, func(t *testing.T) {
			cmd, ok := byOp[info.Name]
			if !ok {
				t.Fatalf("no command for %s", info.Name)
			}
			args := []string{"--fake", "call", info.Name}
			for _, p := range cmd.args {
				v, ok := paths[p]
				if a, isCue := cues[info.Name]; isCue && p == "cue_id" {
					v, ok = a.CueID.String(), true
				}
				if !ok {
					t.Fatalf("the test has no value for the path parameter %s", p)
				}
				args = append(args, v)
			}
			for _, f := range cmd.flags {
				switch {
				case f.secret:
					v := claim.GetToken()
					if a, ok := cues[info.Name]; ok {
						v = secretOf(t, a)
					}
					file := filepath.Join(dir, info.Name+"-"+f.name)
					if err := os.WriteFile(file, []byte(v+"\n"), 0o600); err != nil {
						t.Fatal(err)
					}
					args = append(args, "--"+f.name, file)
				case f.required:
					v := queries[f.param]
					if dateTime[info.Name] {
						v += "T00:00:00Z"
					}
					args = append(args, "--"+f.name, v)
				}
			}
			if cmd.body {
				if b, ok := bodies[info.Name]; ok {
					args = append(args, "--data", b)
				}
			}
			before := len(fake.Requests())
			r := cli(t, fake, nil, "", args...)
			if r.code != 0 {
				t.Fatalf("podero %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
			}
			sent := fake.Requests()[before:]
			if !slices.ContainsFunc(sent, func(rq poderotest.Request) bool { return rq.OperationID == info.OperationID && rq.Status < 300 }) {
				t.Errorf("no successful request to %s (%s %s) among %v", info.OperationID, info.Method, info.Path, sent)
			}
			if info.Method == "GET" && r.stdout != "" && !json.Valid([]byte(r.stdout)) {
				t.Errorf("the output is not JSON:\n%s", r.stdout)
			}
		})
	}
}

// secretOf is a pending action's secret, from its resolution link.
func secretOf(t *testing.T, a api.PendingAction) string {
	t.Helper()
	_, q, ok := strings.Cut(a.ResolutionURL(), "secret=")
	if !ok {
		t.Fatalf("no secret in %v", a)
	}
	q, _, _ = strings.Cut(q, "&")
	s, err := urlUnescape(q)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func urlUnescape(s string) (string, error) { return url.QueryUnescape(s) }
