package speccheck_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
	"github.com/podero-go/podero/api/raw"
	"github.com/podero-go/podero/api/speccheck"
)

// canary is a value no report may contain.
const canary = "zz-canary-6e1f"

// lockedBuffer is a log destination safe for the checker's goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// env is a fake Podero, a checked client for it, and what was reported.
type env struct {
	srv     *poderotest.Server
	c       *api.PartnerClient
	checker *speccheck.Checker
	log     *lockedBuffer

	mu       sync.Mutex
	reported []speccheck.Mismatch
}

func newEnv(t *testing.T, opts speccheck.Options) *env {
	t.Helper()
	e := &env{srv: poderotest.New(t), log: &lockedBuffer{}}
	opts.OnMismatch = func(m speccheck.Mismatch) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.reported = append(e.reported, m)
	}
	checker, err := speccheck.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = checker.Close() })
	e.checker = checker
	logger := slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.c, err = api.New(api.Config{BaseURL: e.srv.URL, OrgID: e.srv.OrgID, ClientID: e.srv.ClientID,
		ClientSecret: e.srv.ClientSecret, Logger: logger, ResponseCheck: checker,
		Retry: &api.RetryPolicy{MaxRetries: 0}})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// mismatches flushes the checker and returns what it reported.
func (e *env) mismatches(t *testing.T) []speccheck.Mismatch {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := e.checker.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]speccheck.Mismatch(nil), e.reported...)
}

// world is a user with a building and one device of each kind, with
// sessions, as a partner's organization has them.
type world struct {
	user, building, ev, hp, iv, wb api.UUID
}

func (e *env) populate(t *testing.T) world {
	t.Helper()
	ctx := context.Background()
	u, err := e.c.CreateUser(ctx, api.UserCreateInput{Role: api.RoleUser, Email: "ada@example.com", ExternalUserID: api.Value("customer-1")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.c.CreateBuilding(ctx, u.ID, api.BuildingCreateInput{Name: "Home"})
	if err != nil {
		t.Fatal(err)
	}
	w := world{user: u.ID, building: b.GetID()}
	for _, d := range []struct {
		id  *api.UUID
		typ poderotest.DeviceType
	}{{&w.ev, poderotest.ElectricVehicle}, {&w.hp, poderotest.HeatPump}, {&w.iv, poderotest.Inverter}, {&w.wb, poderotest.Wallbox}} {
		if *d.id, err = e.srv.AddDevice(u.ID, d.typ); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.srv.AddSessions(w.ev, 30); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.AddHEMSSessions(w.wb, 5); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestInjectedDrift: each kind of drift poderotest can inject is reported
// exactly once, with its operation and pointer, however often the
// operation is called, and nothing else is reported.
func TestInjectedDrift(t *testing.T) {
	for _, tc := range []struct {
		name   string
		inject func(srv *poderotest.Server, w world)
		call   func(ctx context.Context, c *api.PartnerClient, w world) error
		want   speccheck.Mismatch
		types  []string
	}{{
		name: "undeclared property",
		inject: func(srv *poderotest.Server, w world) {
			srv.Tamper("GetElectricVehicle", func(b map[string]any) { b["firmware_channel"] = canary })
		},
		call: func(ctx context.Context, c *api.PartnerClient, w world) error {
			_, err := c.GetElectricVehicle(ctx, w.user, w.ev)
			return err
		},
		want: speccheck.Mismatch{Operation: "GetElectricVehicle", Status: 200, Pointer: "/firmware_channel",
			Schema: "ElectricVehicleOutput", Kind: speccheck.UndeclaredProperty, Got: "string"},
		types: []string{"string"},
	}, {
		name: "a string where an integer is declared",
		inject: func(srv *poderotest.Server, w world) {
			srv.Tamper("GetUser", func(b map[string]any) { b["num_heat_pumps"] = canary })
		},
		call: func(ctx context.Context, c *api.PartnerClient, w world) error {
			_, err := c.GetUser(ctx, w.user)
			return err
		},
		want: speccheck.Mismatch{Operation: "GetUser", Status: 200, Pointer: "/num_heat_pumps", Schema: "UserOutput",
			Kind: speccheck.WrongType, Expected: "integer", Got: "string"},
		types: []string{"string"},
	}, {
		name: "an action code outside the spec's",
		inject: func(srv *poderotest.Server, w world) {
			srv.Tamper("GetHeatPump", func(b map[string]any) {
				actions, _ := b["actions"].([]any)
				b["actions"] = append(actions, map[string]any{"code": canary})
			})
		},
		call: func(ctx context.Context, c *api.PartnerClient, w world) error {
			_, err := c.GetHeatPump(ctx, w.user, w.hp, api.GetHeatPumpParams{})
			return err
		},
		want: speccheck.Mismatch{Operation: "GetHeatPump", Status: 200, Pointer: "/actions/*/code", Schema: "HeatPumpOutput",
			Kind: speccheck.NotInEnum, Expected: "one of information, reauthenticate (the discriminator)", Got: "string"},
	}, {
		name: "null in a field that is not nullable",
		inject: func(srv *poderotest.Server, w world) {
			srv.Tamper("GetInverter", func(b map[string]any) { b["price_zone"] = nil })
		},
		call: func(ctx context.Context, c *api.PartnerClient, w world) error {
			_, err := c.GetInverter(ctx, w.user, w.iv)
			return err
		},
		want: speccheck.Mismatch{Operation: "GetInverter", Status: 200, Pointer: "/price_zone", Schema: "InverterOutput",
			Kind: speccheck.UnexpectedNull, Expected: "string", Got: "null"},
	}, {
		name: "a required field missing",
		inject: func(srv *poderotest.Server, w world) {
			srv.Tamper("GetUser", func(b map[string]any) { delete(b, "email") })
		},
		call: func(ctx context.Context, c *api.PartnerClient, w world) error {
			_, err := c.GetUser(ctx, w.user)
			return err
		},
		want: speccheck.Mismatch{Operation: "GetUser", Status: 200, Pointer: "/email", Schema: "UserOutput",
			Kind: speccheck.MissingRequired, Expected: "required", Got: "absent"},
	}, {
		name: "202 where only 200 is declared",
		inject: func(srv *poderotest.Server, w world) {
			srv.TamperStatus("GetBuilding", http.StatusAccepted)
		},
		call: func(ctx context.Context, c *api.PartnerClient, w world) error {
			_, err := c.GetBuilding(ctx, w.user, w.building)
			return err
		},
		want: speccheck.Mismatch{Operation: "GetBuilding", Status: 202, Kind: speccheck.UndeclaredStatus,
			Expected: "status 200", Got: "202 Accepted"},
	}, {
		name: "an undeclared property in every item of a list",
		inject: func(srv *poderotest.Server, w world) {
			srv.Tamper("ListElectricVehicleSessions", func(b map[string]any) {
				items, _ := b["items"].([]any)
				for i, it := range items {
					if i%2 == 0 {
						it.(map[string]any)["tariff_eur_kwh"] = 0.31
					} else {
						it.(map[string]any)["tariff_eur_kwh"] = nil
					}
				}
			})
		},
		call: func(ctx context.Context, c *api.PartnerClient, w world) error {
			now := time.Now().UTC()
			_, err := c.ListElectricVehicleSessions(ctx, w.user, w.ev, api.ListElectricVehicleSessionsParams{
				From: api.NewDate(now.AddDate(0, 0, -30)), To: api.NewDate(now.AddDate(0, 0, 1))})
			return err
		},
		want: speccheck.Mismatch{Operation: "ListElectricVehicleSessions", Status: 200, Pointer: "/items/*/tariff_eur_kwh",
			Schema: "SessionItem", Kind: speccheck.UndeclaredProperty, Expected: "not declared", Got: "number"},
		types: []string{"null", "number"},
	}, {
		name: "an integer written 2.0",
		inject: func(srv *poderotest.Server, w world) {
			srv.Tamper("GetUser", func(b map[string]any) { b["num_heat_pumps"] = json.Number("2.0") })
		},
		call: func(ctx context.Context, c *api.PartnerClient, w world) error {
			_, err := c.GetUser(ctx, w.user)
			return err
		},
		want: speccheck.Mismatch{Operation: "GetUser", Status: 200, Pointer: "/num_heat_pumps", Schema: "UserOutput",
			Kind: speccheck.IntegerAsFloat, Got: "number"},
	}, {
		name: "a date-time without a zone in every item of a list",
		inject: func(srv *poderotest.Server, w world) {
			srv.Tamper("ListElectricVehicleSessions", func(b map[string]any) {
				items, _ := b["items"].([]any)
				for i, it := range items {
					it.(map[string]any)["plug_in_time"] = fmt.Sprintf("2026-03-01T12:00:%02d.%d", i%60, i)
				}
			})
		},
		call: func(ctx context.Context, c *api.PartnerClient, w world) error {
			now := time.Now().UTC()
			_, err := c.ListElectricVehicleSessions(ctx, w.user, w.ev, api.ListElectricVehicleSessionsParams{
				From: api.NewDate(now.AddDate(0, 0, -30)), To: api.NewDate(now.AddDate(0, 0, 1))})
			return err
		},
		want: speccheck.Mismatch{Operation: "ListElectricVehicleSessions", Status: 200, Pointer: "/items/*/plug_in_time",
			Schema: "SessionItem", Kind: speccheck.NaiveDateTime, Expected: "format date-time, with a zone offset", Got: "string"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, speccheck.Options{})
			w := e.populate(t)
			tc.inject(e.srv, w)
			const calls = 3
			for range calls {
				_ = tc.call(context.Background(), e.c, w) // the SDK may refuse the body: the checker has seen it
			}
			got := e.mismatches(t)
			if len(got) != 1 {
				t.Fatalf("reported %d mismatches, want exactly 1 (%v):\n%s", len(got), tc.want, lines(got))
			}
			m := got[0]
			if m.Operation != tc.want.Operation || m.Status != tc.want.Status || m.Pointer != tc.want.Pointer ||
				m.Kind != tc.want.Kind || m.Schema != tc.want.Schema || m.Got != tc.want.Got ||
				(tc.want.Expected != "" && m.Expected != tc.want.Expected) {
				t.Errorf("reported\n\t%+v\nwant\n\t%+v", m, tc.want)
			}
			if m.Method != http.MethodGet || !strings.HasPrefix(m.Path, "/api/partners/v2.0/") || m.OperationID == "" {
				t.Errorf("the mismatch names the call as %s %s (%q)", m.Method, m.Path, m.OperationID)
			}
			sum := e.checker.Summary()
			if len(sum.Mismatches) != 1 || sum.Mismatches[0].Responses != calls {
				t.Fatalf("summary: %+v, want the mismatch seen in %d responses", sum.Mismatches, calls)
			}
			if tc.types != nil && fmt.Sprint(sum.Mismatches[0].Types()) != fmt.Sprint(tc.types) {
				t.Errorf("types seen: %v, want %v", sum.Mismatches[0].Types(), tc.types)
			}
			if n := strings.Count(e.log.String(), "differs from the pinned spec"); n != 1 {
				t.Errorf("%d warnings in the log, want 1:\n%s", n, e.log)
			}
			if !strings.Contains(e.log.String(), "level=WARN") || !strings.Contains(e.log.String(), "operation="+tc.want.Operation) {
				t.Errorf("the log has no warning naming %s:\n%s", tc.want.Operation, e.log)
			}
			assertNoCanary(t, e)
		})
	}
}

// TestPythonSpellingsDecode: what a Python server may write where the spec
// is stricter, an integer written 2.0 and a date-time without a zone,
// decodes (the date-time as UTC), and the checker reports both.
func TestPythonSpellingsDecode(t *testing.T) {
	e := newEnv(t, speccheck.Options{})
	w := e.populate(t)
	e.srv.Tamper("GetUser", func(b map[string]any) {
		b["num_heat_pumps"] = json.Number("2.0")
		b["joined_at"] = "2026-03-01T12:00:00"
	})
	u, err := e.c.GetUser(context.Background(), w.user)
	if err != nil {
		t.Fatal(err)
	}
	if u.NumHeatPumps != 2 || u.JoinedAt == nil || !u.JoinedAt.Equal(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)) || u.JoinedAt.Location() != time.UTC {
		t.Errorf("decoded num_heat_pumps %d, joined_at %v", u.NumHeatPumps, u.JoinedAt)
	}
	var kinds []string
	for _, m := range e.mismatches(t) {
		kinds = append(kinds, m.Pointer+" "+string(m.Kind))
	}
	slices.Sort(kinds)
	if want := []string{"/joined_at naive-date-time", "/num_heat_pumps integer-as-float"}; !slices.Equal(kinds, want) {
		t.Errorf("reported %q, want %q", kinds, want)
	}
}

func lines(ms []speccheck.Mismatch) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString("\t" + m.String() + "\n")
	}
	return b.String()
}

// assertNoCanary: no report holds a value from the response.
func assertNoCanary(t *testing.T, e *env) {
	t.Helper()
	for _, m := range e.mismatches(t) {
		if strings.Contains(fmt.Sprintf("%#v %v", m, m), canary) {
			t.Errorf("a mismatch holds a value from the response: %v", m)
		}
	}
	if strings.Contains(fmt.Sprintf("%#v", e.checker.Summary()), canary) {
		t.Error("the summary holds a value from the response")
	}
	if strings.Contains(e.log.String(), canary) {
		t.Errorf("the log holds a value from the response:\n%s", e.log)
	}
}

// TestNoValues: a distinctive value put wherever drift can be (an
// undeclared property, a wrong type, an enum, a discriminator, a property
// of an undeclared object) appears in no report, log line or summary.
func TestNoValues(t *testing.T) {
	e := newEnv(t, speccheck.Options{})
	w := e.populate(t)
	e.srv.Tamper("GetElectricVehicle", func(b map[string]any) {
		b["secret_note"] = canary
		b["nested_extra"] = map[string]any{"inner": canary, canary: 1}
		b["battery_level"] = canary
		b["connection_status"] = canary
		b["created_at"] = canary
		b["actions"] = []any{map[string]any{"code": canary}, canary}
		b["device_model"] = map[string]any{"manufacturer": map[string]any{"x": canary}, "extra": []any{canary}}
	})
	_, _ = e.c.GetElectricVehicle(context.Background(), w.user, w.ev)
	got := e.mismatches(t)
	if len(got) < 7 {
		t.Errorf("reported %d mismatches, want at least 7:\n%s", len(got), lines(got))
	}
	assertNoCanary(t, e)
}

// TestCleanJourney: every call of a partner's journey, and every GET the
// fake can answer, conforms: nothing is reported. Errors the spec does not
// declare (a 404) are not drift, unless asked for.
func TestCleanJourney(t *testing.T) {
	e := newEnv(t, speccheck.Options{})
	ctx := context.Background()
	w := e.populate(t)
	c := e.c
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// The quickstart's journey.
	session, err := c.CreateOnboardingSession(ctx, api.DeviceOnboardingSessionCreateInput{
		UserID: w.user, Language: api.LanguageEn, PriceZoneDefault: api.PriceZoneAT, BuildingID: api.Value(w.building),
		DeviceType: api.Value(api.DeviceKindEV), SuccessURL: "https://example.com/ok", CancelURL: "https://example.com/cancel"})
	check("CreateOnboardingSession", err)
	_, err = c.GetOnboardingSession(ctx, session.GetID())
	check("GetOnboardingSession", err)
	car, err := e.srv.CompleteOnboarding(session.GetID())
	check("CompleteOnboarding", err)
	_, err = c.GetOnboardingSession(ctx, session.GetID())
	check("GetOnboardingSession", err)
	_, err = c.ListElectricVehicles(ctx, w.user)
	check("ListElectricVehicles", err)
	_, err = c.GetElectricVehicle(ctx, w.user, car)
	check("GetElectricVehicle", err)
	check("TriggerElectricVehicleBoost", c.TriggerElectricVehicleBoost(ctx, w.user, car))
	check("DisarmElectricVehicleBoost", c.DisarmElectricVehicleBoost(ctx, w.user, car))
	check("SetCharging", e.srv.SetCharging(car, true))
	if err := c.TriggerElectricVehicleBoost(ctx, w.user, car); !api.IsConflict(err) { // the declared 409 and its body
		t.Fatalf("boost of a charging car: %v, want 409", err)
	}
	_, err = c.ReauthenticateElectricVehicle(ctx, w.user, car, api.AuthSessionInput{SuccessURL: api.Value("https://example.com/ok")})
	check("ReauthenticateElectricVehicle", err)
	_, err = e.srv.RequireReauthentication(w.ev)
	check("RequireReauthentication", err)
	_, err = e.srv.AddInformation(w.hp)
	check("AddInformation", err)

	// Every GET reachable from the organization.
	now := time.Now().UTC()
	from, to := now.AddDate(0, 0, -7), now
	day := func(t time.Time) api.Date { return api.NewDate(t) }
	gets := []struct {
		name string
		call func() error
	}{
		{"ListUsers", func() error { _, err := c.ListUsers(ctx, api.ListUsersParams{}); return err }},
		{"GetUser", func() error { _, err := c.GetUser(ctx, w.user); return err }},
		{"GetUserByExternalID", func() error {
			_, err := c.GetUserByExternalID(ctx, "customer-1", api.GetUserByExternalIDParams{})
			return err
		}},
		{"GetBuilding", func() error { _, err := c.GetBuilding(ctx, w.user, w.building); return err }},
		{"ListEnergyContracts", func() error { _, err := c.ListEnergyContracts(ctx, w.user); return err }},
		{"GetChargingConfig", func() error { _, err := c.GetChargingConfig(ctx, w.user); return err }},
		{"ListElectricVehicles", func() error { _, err := c.ListElectricVehicles(ctx, w.user); return err }},
		{"GetElectricVehicle", func() error { _, err := c.GetElectricVehicle(ctx, w.user, w.ev); return err }},
		{"GetElectricVehicleData", func() error {
			_, err := c.GetElectricVehicleData(ctx, w.user, w.ev, api.GetElectricVehicleDataParams{FromDatetime: &from, ToDatetime: &to})
			return err
		}},
		{"GetElectricVehicleSavings", func() error {
			_, err := c.GetElectricVehicleSavings(ctx, w.user, w.ev, api.GetElectricVehicleSavingsParams{From: from, To: to})
			return err
		}},
		{"ListElectricVehicleSessions", func() error {
			_, err := c.ListElectricVehicleSessions(ctx, w.user, w.ev, api.ListElectricVehicleSessionsParams{From: day(from), To: day(to)})
			return err
		}},
		{"GetCurrentElectricVehicleSession", func() error { _, err := c.GetCurrentElectricVehicleSession(ctx, w.user, w.ev); return err }},
		{"GetElectricVehicleChargePolicy", func() error { _, err := c.GetElectricVehicleChargePolicy(ctx, w.user, w.ev); return err }},
		{"ListHeatPumps", func() error { _, err := c.ListHeatPumps(ctx, w.user); return err }},
		{"GetHeatPump", func() error { _, err := c.GetHeatPump(ctx, w.user, w.hp, api.GetHeatPumpParams{}); return err }},
		{"GetHeatPumpData", func() error {
			_, err := c.GetHeatPumpData(ctx, w.user, w.hp, api.GetHeatPumpDataParams{FromDatetime: &from, ToDatetime: &to})
			return err
		}},
		{"GetHeatPumpSavings", func() error {
			_, err := c.GetHeatPumpSavings(ctx, w.user, w.hp, api.GetHeatPumpSavingsParams{From: from, To: to.Format(time.RFC3339)})
			return err
		}},
		{"GetHeatPumpSchedules", func() error { _, err := c.GetHeatPumpSchedules(ctx, w.user, w.hp); return err }},
		{"GetHeatPumpStatistics", func() error {
			_, err := c.GetHeatPumpStatistics(ctx, w.user, w.hp, api.GetHeatPumpStatisticsParams{})
			return err
		}},
		{"ListInverters", func() error { _, err := c.ListInverters(ctx, w.user); return err }},
		{"GetInverter", func() error { _, err := c.GetInverter(ctx, w.user, w.iv); return err }},
		{"GetInverterData", func() error {
			_, err := c.GetInverterData(ctx, w.user, w.iv, api.GetInverterDataParams{FromDatetime: &from, ToDatetime: &to})
			return err
		}},
		{"GetInverterSavings", func() error {
			_, err := c.GetInverterSavings(ctx, w.user, w.iv, api.GetInverterSavingsParams{From: from, To: to})
			return err
		}},
		{"GetInverterSchedules", func() error { _, err := c.GetInverterSchedules(ctx, w.user, w.iv); return err }},
		{"GetWallbox", func() error { _, err := c.GetWallbox(ctx, w.user, w.wb); return err }},
		{"ListWallboxHEMSSessions", func() error {
			_, err := c.ListWallboxHEMSSessions(ctx, w.user, w.wb, api.ListWallboxHEMSSessionsParams{From: day(from), To: day(to)})
			return err
		}},
		{"GetCurrentWallboxHEMSSession", func() error { _, err := c.GetCurrentWallboxHEMSSession(ctx, w.user, w.wb); return err }},
		{"GetDevicesSavings", func() error {
			_, err := c.GetDevicesSavings(ctx, api.GetDevicesSavingsParams{StartDatetime: from, EndDatetime: to})
			return err
		}},
		{"ListMarketPrices", func() error {
			_, err := c.ListMarketPrices(ctx, api.MarketIDEPEXDA, api.MarketPriceZoneAT, api.ListMarketPricesParams{FromDt: &from, ToDt: &to})
			return err
		}},
		{"GetTradingDayAheadPrices", func() error {
			_, err := c.GetTradingDayAheadPrices(ctx, api.GetTradingDayAheadPricesParams{FromDt: from, ToDt: to, PriceZone: api.MarketPriceZoneAT})
			return err
		}},
		{"GetTradingDayAheadLoadCurve", func() error {
			_, err := c.GetTradingDayAheadLoadCurve(ctx, "AT", api.GetTradingDayAheadLoadCurveParams{})
			return err
		}},
	}
	for _, g := range gets {
		check(g.name, g.call())
	}
	hems, err := c.ListWallboxHEMSSessions(ctx, w.user, w.wb, api.ListWallboxHEMSSessionsParams{From: day(from), To: day(now.AddDate(0, 0, 1))})
	check("ListWallboxHEMSSessions", err)
	if len(hems.Items) == 0 || hems.Items[0].ID == nil {
		t.Fatal("the wallbox lists no HEMS session")
	}
	_, err = c.GetWallboxHEMSSession(ctx, w.user, w.wb, *hems.Items[0].ID)
	check("GetWallboxHEMSSession", err)
	// The raw client's responses are checked too.
	rsp, err := raw.New(c).GetUserWithResponse(ctx, e.srv.OrgID, w.user)
	check("raw GetUser", err)
	if rsp.JSON200 == nil {
		t.Fatal("raw GetUser: no JSON200")
	}

	// A 404 the spec does not declare is not drift.
	if _, err := c.GetUserByExternalID(ctx, "nobody", api.GetUserByExternalIDParams{}); !api.IsNotFound(err) {
		t.Fatalf("unknown external id: %v, want 404", err)
	}
	if got := e.mismatches(t); len(got) != 0 {
		t.Errorf("a clean journey reported %d mismatches:\n%s", len(got), lines(got))
	}
	sum := e.checker.Summary()
	if sum.Checked < int64(len(gets)) || sum.UndeclaredError != 1 || sum.Dropped != 0 || sum.Failed != 0 {
		t.Errorf("summary %+v: want every response checked but the 404, which is skipped", sum)
	}
	if sum.Responses != sum.Sampled || sum.Sampled != sum.Checked+sum.UndeclaredError {
		t.Errorf("summary %+v does not add up", sum)
	}
}

// TestUndeclaredErrors: with ReportUndeclaredErrors, an error status the
// operation does not declare is reported, once.
func TestUndeclaredErrors(t *testing.T) {
	e := newEnv(t, speccheck.Options{ReportUndeclaredErrors: true})
	for range 2 {
		if _, err := e.c.GetUserByExternalID(context.Background(), "nobody", api.GetUserByExternalIDParams{}); !api.IsNotFound(err) {
			t.Fatalf("unknown external id: %v, want 404", err)
		}
	}
	got := e.mismatches(t)
	if len(got) != 1 || got[0].Kind != speccheck.UndeclaredStatus || got[0].Status != 404 || got[0].Operation != "GetUserByExternalID" {
		t.Fatalf("reported:\n%s\nwant the 404 of GetUserByExternalID once", lines(got))
	}
}
