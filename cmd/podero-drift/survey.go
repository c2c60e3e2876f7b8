package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/raw"
	"github.com/podero-go/podero/api/speccheck"
	"github.com/podero-go/podero/oauth"
)

// opCalls is what the survey got from one operation.
type opCalls struct {
	name     string
	requests int
	statuses map[int]int    // by status
	failures map[string]int // requests without a response, by why
}

// surveyor walks the read-only operations, one request at a time.
type surveyor struct {
	ctx     context.Context
	raw     raw.ClientInterface
	org     api.UUID
	s       settings
	sleep   func(context.Context, time.Duration) error
	now     time.Time
	sent    int    // API requests sent
	stopped string // why the survey stopped early, if it did

	calls    map[string]*opCalls
	order    []string // operations in the order first called
	answered int      // 2xx responses
}

// survey walks the target's read-only operations through a client whose
// responses go through speccheck, and returns the report.
func survey(ctx context.Context, t *target, s settings) (*report, error) {
	checker, err := speccheck.New(speccheck.Options{}) // every response: a survey is small
	if err != nil {
		return nil, err
	}
	cfg := t.cfg
	cfg.ResponseCheck = checker
	cfg.Retry = &api.RetryPolicy{} // no retries: each request counts against the budget, and a 429 ends the survey
	c, err := api.New(cfg)
	if err != nil {
		return nil, err
	}
	sv := &surveyor{ctx: ctx, raw: raw.New(c).ClientInterface, org: cfg.OrgID, s: s, sleep: pause,
		now: time.Now().UTC().Truncate(time.Second), calls: map[string]*opCalls{}}
	sv.walk()

	// The checks run in the background: wait for them, even after Ctrl-C.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := checker.Flush(fctx); err != nil {
		return nil, fmt.Errorf("wait for the checks: %w", err)
	}
	_ = checker.Close()
	return newReport(t, sv, checker.Summary()), nil
}

// pause is how the survey waits between requests; tests record the waits.
var pause = sleep

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// call sends one GET of the named operation, within the budget and after
// the pause, records its status, and returns the decoded body of a 2xx
// answer (nil otherwise). After the survey stopped it sends nothing.
func (sv *surveyor) call(name string, do func(ctx context.Context) (*http.Response, error)) any {
	if sv.stopped != "" {
		return nil
	}
	if sv.sent >= sv.s.budget {
		sv.stopped = fmt.Sprintf("the request budget (-budget %d) ran out", sv.s.budget)
		return nil
	}
	if sv.sent > 0 {
		if err := sv.sleep(sv.ctx, sv.s.pause); err != nil {
			sv.stopped = "interrupted"
			return nil
		}
	}
	if sv.ctx.Err() != nil {
		sv.stopped = "interrupted"
		return nil
	}
	sv.sent++
	oc := sv.calls[name]
	if oc == nil {
		oc = &opCalls{name: name, statuses: map[int]int{}, failures: map[string]int{}}
		sv.calls[name] = oc
		sv.order = append(sv.order, name)
	}
	oc.requests++
	resp, err := do(sv.ctx)
	if err != nil {
		status, why := failure(err)
		if status != 0 {
			oc.statuses[status]++
		} else {
			oc.failures[why]++
		}
		switch {
		case status == http.StatusTooManyRequests:
			sv.stopped = "Podero answered 429 Too Many Requests"
		case strings.HasPrefix(why, "the token request failed"):
			sv.stopped = why
		case sv.ctx.Err() != nil:
			sv.stopped = "interrupted"
		}
		return nil
	}
	defer resp.Body.Close()
	oc.statuses[resp.StatusCode]++
	sv.answered++
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	return v
}

// failure says what came of a request that failed: its status, or why
// there was none. It never quotes the error, whose path carries ids.
func failure(err error) (int, string) {
	var tokErr *oauth.TokenError
	if errors.As(err, &tokErr) {
		why := "the token request failed"
		if tokErr.StatusCode != 0 {
			why += fmt.Sprintf(": %d %s", tokErr.StatusCode, http.StatusText(tokErr.StatusCode))
		}
		if tokErr.ErrorCode != "" {
			why += " (" + tokErr.ErrorCode + ")"
		}
		return 0, why
	}
	var apiErr *api.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode != 0 {
		return apiErr.StatusCode, ""
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return 0, "timeout"
	}
	if errors.Is(err, context.Canceled) {
		return 0, "interrupted"
	}
	return 0, "no response"
}

// device is one device of a user, by kind: "ev", "hp", "iv", "wb".
type device struct {
	kind string
	id   api.UUID
}

// walk is the survey: the organization's operations, then each of the
// first users' and their first devices'.
func (sv *surveyor) walk() {
	org := sv.org
	from, to := sv.now.AddDate(0, 0, -sv.s.days), sv.now
	zone := api.MarketPriceZone(sv.s.priceZone)

	users := objects(sv.call("ListUsers", func(ctx context.Context) (*http.Response, error) {
		return sv.raw.ListUsers(ctx, org, &api.ListUsersParams{})
	}))
	sv.call("GetDevicesSavings", func(ctx context.Context) (*http.Response, error) {
		return sv.raw.GetDevicesSavings(ctx, org, &api.GetDevicesSavingsParams{StartDatetime: from, EndDatetime: to})
	})
	sv.call("ListMarketPrices", func(ctx context.Context) (*http.Response, error) {
		return sv.raw.ListMarketPrices(ctx, api.MarketIDEPEXDA, zone, &api.ListMarketPricesParams{FromDt: &from, ToDt: &to})
	})
	sv.call("GetTradingDayAheadPrices", func(ctx context.Context) (*http.Response, error) {
		return sv.raw.GetTradingDayAheadPrices(ctx, org, &api.GetTradingDayAheadPricesParams{FromDt: from, ToDt: to, PriceZone: zone})
	})
	sv.call("GetTradingDayAheadLoadCurve", func(ctx context.Context) (*http.Response, error) {
		return sv.raw.GetTradingDayAheadLoadCurve(ctx, org, string(zone), &api.GetTradingDayAheadLoadCurveParams{})
	})
	for i, u := range users {
		if i >= sv.s.users || sv.stopped != "" {
			break
		}
		if user, ok := uuidField(u, "id"); ok {
			sv.user(user, u)
		}
	}
}

// user surveys one user: the user, contracts, charging configuration and
// devices, and the devices' buildings.
func (sv *surveyor) user(user api.UUID, listed map[string]any) {
	org := sv.org
	sv.call("GetUser", func(ctx context.Context) (*http.Response, error) { return sv.raw.GetUser(ctx, org, user) })
	if ext, _ := listed["external_user_id"].(string); ext != "" {
		sv.call("GetUserByExternalID", func(ctx context.Context) (*http.Response, error) {
			return sv.raw.GetUserByExternalID(ctx, org, ext, &api.GetUserByExternalIDParams{})
		})
	}
	sv.call("ListEnergyContracts", func(ctx context.Context) (*http.Response, error) {
		return sv.raw.ListEnergyContracts(ctx, org, user)
	})
	byKind := map[string][]map[string]any{}
	config, _ := sv.call("GetChargingConfig", func(ctx context.Context) (*http.Response, error) {
		return sv.raw.GetChargingConfig(ctx, org, user)
	}).(map[string]any)
	for _, d := range objects(config["devices"]) {
		// The API lists no wallboxes: the charging configuration names them.
		if t, _ := d["device_type"].(string); strings.EqualFold(t, "wb") || strings.EqualFold(t, "wallbox") {
			if id, ok := d["device_id"].(string); ok {
				byKind["wb"] = append(byKind["wb"], map[string]any{"id": id})
			}
		}
	}
	byKind["ev"] = objects(sv.call("ListElectricVehicles", func(ctx context.Context) (*http.Response, error) {
		return sv.raw.ListElectricVehicles(ctx, org, user)
	}))
	byKind["hp"] = objects(sv.call("ListHeatPumps", func(ctx context.Context) (*http.Response, error) {
		return sv.raw.ListHeatPumps(ctx, org, user)
	}))
	byKind["iv"] = objects(sv.call("ListInverters", func(ctx context.Context) (*http.Response, error) {
		return sv.raw.ListInverters(ctx, org, user)
	}))

	// The first devices, one of each kind in turn, and their buildings.
	var devices []device
	var buildings []api.UUID
	for round := 0; len(devices) < sv.s.devices; round++ {
		added := false
		for _, kind := range []string{"ev", "hp", "iv", "wb"} {
			if round >= len(byKind[kind]) || len(devices) >= sv.s.devices {
				continue
			}
			d := byKind[kind][round]
			if id, ok := uuidField(d, "id"); ok {
				devices = append(devices, device{kind, id})
				added = true
			}
			if b, ok := uuidField(d, "building"); ok && !slices.Contains(buildings, b) {
				buildings = append(buildings, b)
			}
		}
		if !added {
			break
		}
	}
	for _, b := range buildings {
		sv.call("GetBuilding", func(ctx context.Context) (*http.Response, error) { return sv.raw.GetBuilding(ctx, org, user, b) })
	}
	for _, d := range devices {
		sv.device(user, d)
	}
}

// device surveys one device: its detail, and its sessions, data, savings,
// schedules and statistics for the window.
func (sv *surveyor) device(user api.UUID, d device) {
	org, id := sv.org, d.id
	from, to := sv.now.AddDate(0, 0, -sv.s.days), sv.now
	day, tomorrow := api.NewDate(from), api.NewDate(to.AddDate(0, 0, 1))
	limit := 50
	type op struct {
		name string
		do   func(ctx context.Context) (*http.Response, error)
	}
	var ops []op
	switch d.kind {
	case "ev":
		ops = []op{
			{"GetElectricVehicle", func(ctx context.Context) (*http.Response, error) {
				return sv.raw.GetElectricVehicle(ctx, org, user, id)
			}},
			{"GetElectricVehicleData", func(ctx context.Context) (*http.Response, error) {
				return sv.raw.GetElectricVehicleData(ctx, org, user, id, &api.GetElectricVehicleDataParams{FromDatetime: &from, ToDatetime: &to})
			}},
			{"GetElectricVehicleSavings", func(ctx context.Context) (*http.Response, error) {
				return sv.raw.GetElectricVehicleSavings(ctx, org, user, id, &api.GetElectricVehicleSavingsParams{From: from, To: to})
			}},
			{"ListElectricVehicleSessions", func(ctx context.Context) (*http.Response, error) {
				return sv.raw.ListElectricVehicleSessions(ctx, org, user, id, &api.ListElectricVehicleSessionsParams{From: day, To: tomorrow, Limit: &limit})
			}},
			{"GetCurrentElectricVehicleSession", func(ctx context.Context) (*http.Response, error) {
				return sv.raw.GetCurrentElectricVehicleSession(ctx, org, user, id)
			}},
			{"GetElectricVehicleChargePolicy", func(ctx context.Context) (*http.Response, error) {
				return sv.raw.GetElectricVehicleChargePolicy(ctx, org, user, id)
			}},
		}
	case "hp":
		ops = []op{
			{"GetHeatPump", func(ctx context.Context) (*http.Response, error) {
				return sv.raw.GetHeatPump(ctx, org, user, id, &api.GetHeatPumpParams{})
			}},
			{"GetHeatPumpData", func(ctx context.Context) (*http.Response, error) {
				return sv.raw.GetHeatPumpData(ctx, org, user, id, &api.GetHeatPumpDataParams{FromDatetime: &from, ToDatetime: &to})
			}},
			{"GetHeatPumpSavings", func(ctx context.Context) (*http.Response, error) {
				return sv.raw.GetHeatPumpSavings(ctx, org, user, id, &api.GetHeatPumpSavingsParams{From: from, To: to.Format(time.RFC3339)})
			}},
			{"GetHeatPumpSchedules", func(ctx context.Context) (*http.Response, error) {
				return sv.raw.GetHeatPumpSchedules(ctx, org, user, id)
			}},
			{"GetHeatPumpStatistics", func(ctx context.Context) (*http.Response, error) {
				return sv.raw.GetHeatPumpStatistics(ctx, org, user, id, &api.GetHeatPumpStatisticsParams{})
			}},
		}
	case "iv":
		ops = []op{
			{"GetInverter", func(ctx context.Context) (*http.Response, error) { return sv.raw.GetInverter(ctx, org, user, id) }},
			{"GetInverterData", func(ctx context.Context) (*http.Response, error) {
				return sv.raw.GetInverterData(ctx, org, user, id, &api.GetInverterDataParams{FromDatetime: &from, ToDatetime: &to})
			}},
			{"GetInverterSavings", func(ctx context.Context) (*http.Response, error) {
				return sv.raw.GetInverterSavings(ctx, org, user, id, &api.GetInverterSavingsParams{From: from, To: to})
			}},
			{"GetInverterSchedules", func(ctx context.Context) (*http.Response, error) {
				return sv.raw.GetInverterSchedules(ctx, org, user, id)
			}},
		}
	case "wb":
		sv.call("GetWallbox", func(ctx context.Context) (*http.Response, error) { return sv.raw.GetWallbox(ctx, org, user, id) })
		page, _ := sv.call("ListWallboxHEMSSessions", func(ctx context.Context) (*http.Response, error) {
			return sv.raw.ListWallboxHEMSSessions(ctx, org, user, id, &api.ListWallboxHEMSSessionsParams{From: day, To: tomorrow, Limit: &limit})
		}).(map[string]any)
		sv.call("GetCurrentWallboxHEMSSession", func(ctx context.Context) (*http.Response, error) {
			return sv.raw.GetCurrentWallboxHEMSSession(ctx, org, user, id)
		})
		if items := objects(page["items"]); len(items) > 0 {
			if n, ok := items[0]["id"].(float64); ok && n == float64(int(n)) {
				sv.call("GetWallboxHEMSSession", func(ctx context.Context) (*http.Response, error) {
					return sv.raw.GetWallboxHEMSSession(ctx, org, user, id, int(n))
				})
			}
		}
	}
	for _, o := range ops {
		sv.call(o.name, o.do)
	}
}

// objects returns the objects of a JSON array (or nil).
func objects(v any) []map[string]any {
	arr, _ := v.([]any)
	var out []map[string]any
	for _, e := range arr {
		if obj, ok := e.(map[string]any); ok {
			out = append(out, obj)
		}
	}
	return out
}

// uuidField returns an object's field that is a UUID.
func uuidField(obj map[string]any, name string) (api.UUID, bool) {
	s, ok := obj[name].(string)
	if !ok {
		return api.UUID{}, false
	}
	id, err := api.ParseUUID(s)
	return id, err == nil
}
