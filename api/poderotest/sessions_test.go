package poderotest_test

import (
	"context"
	"math"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
)

// TestAddSessionsGoesBack: a second AddSessions continues an hour before
// the oldest session, so the list stays newest first, an hour apart.
func TestAddSessionsGoesBack(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	u := createUser(t, srv, c, "cust")
	ev := onboard(t, srv, c, u.ID, "ev")
	// The fake's clock is the machine's: the newest session starts an hour
	// before the minute AddSessions ran in, between these two.
	before := time.Now().Truncate(time.Minute)
	if err := srv.AddSessions(ev, 2); err != nil {
		t.Fatal(err)
	}
	after := time.Now().Truncate(time.Minute)
	if err := srv.AddSessions(ev, 3); err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC()
	limit := 200
	page, err := c.ListElectricVehicleSessionsWithResponse(ctx, srv.OrgID, u.ID, ev, &api.ListElectricVehicleSessionsParams{
		From: openapi_types.Date{Time: today.AddDate(0, 0, -1)}, To: openapi_types.Date{Time: today}, Limit: &limit})
	expect(t, page, err, 200)
	items := page.JSON200.Items
	if len(items) != 5 {
		t.Fatalf("%d sessions, want 5: %s", len(items), page.Body)
	}
	first := *items[0].PlugInTime
	if first.Before(before.Add(-time.Hour)) || first.After(after.Add(-time.Hour)) {
		t.Errorf("the newest session was plugged in at %v, want an hour before AddSessions ran (%v to %v)", first, before, after)
	}
	for i := 1; i < len(items); i++ {
		prev, cur := *items[i-1].PlugInTime, *items[i].PlugInTime
		if prev.Sub(cur) != time.Hour {
			t.Errorf("session %d was plugged in %v before session %d, want an hour", i, prev.Sub(cur), i-1)
		}
	}
	if err := srv.AddSessions(u.ID, 1); err == nil {
		t.Error("AddSessions of a user id: no error")
	}
	if err := srv.AddSessions(ev, -1); err == nil {
		t.Error("AddSessions of -1 sessions: no error")
	}
}

// TestSessionOffsetsAtTheLimit: the spec allows any offset >= 0; one near
// MaxInt64 is past the end, not a panic in the fake.
func TestSessionOffsetsAtTheLimit(t *testing.T) {
	srv, c := setup(t)
	u := createUser(t, srv, c, "cust")
	ev := onboard(t, srv, c, u.ID, "ev")
	wb, err := srv.AddDevice(u.ID, poderotest.Wallbox)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.AddSessions(ev, 3); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddHEMSSessions(wb, 3); err != nil {
		t.Fatal(err)
	}
	tok := token(t, srv)
	// The sessions go back an hour each from now: yesterday and today hold
	// them all, also just after midnight.
	now := time.Now().UTC()
	from, to := now.AddDate(0, 0, -1).Format(time.DateOnly), now.Format(time.DateOnly)
	for _, list := range []string{
		"/users/" + u.ID.String() + "/electric-vehicles/" + ev.String() + "/sessions",
		"/users/" + u.ID.String() + "/wallboxes/" + wb.String() + "/hems-sessions",
	} {
		for _, tc := range []struct {
			query string
			items int
		}{
			{"&offset=" + strconv.FormatInt(math.MaxInt64, 10), 0},
			{"&offset=" + strconv.FormatInt(math.MaxInt64-1, 10) + "&limit=200", 0},
			{"&offset=2&limit=200", 1},
			{"&offset=3", 0},
		} {
			url := path(srv, list) + "?from=" + from + "&to=" + to + tc.query
			status, _, body := raw(t, http.MethodGet, url, tok, "")
			items, _ := body["items"].([]any)
			if status != 200 || body["total"] != 3.0 || len(items) != tc.items {
				t.Errorf("GET %s: %d %v, want 200 with total 3 and %d items", url, status, body, tc.items)
			}
		}
	}
}

// TestHEMSSessions: seeded HEMS sessions list, page (through the SDK's
// iterator), read by id and filter by day; a charging wallbox has a current
// one.
func TestHEMSSessions(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	u := createUser(t, srv, c, "cust")
	wb, err := srv.AddDevice(u.ID, poderotest.Wallbox)
	if err != nil {
		t.Fatal(err)
	}
	other, err := srv.AddDevice(u.ID, poderotest.Wallbox)
	if err != nil {
		t.Fatal(err)
	}
	const n = 7
	if err := srv.AddHEMSSessions(wb, n); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddHEMSSessions(other, 1); err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC()
	limit := 3
	params := api.ListWallboxHEMSSessionsParams{
		From: openapi_types.Date{Time: today.AddDate(0, 0, -1)}, To: openapi_types.Date{Time: today}, Limit: &limit}

	var ids []int
	var last time.Time
	for it, err := range partner(t, srv).ListWallboxHEMSSessionsIter(ctx, u.ID, wb, params) {
		if err != nil {
			t.Fatal(err)
		}
		start := it.GetStartedAt()
		if !last.IsZero() && !start.Before(last) {
			t.Errorf("session %d out of order (newest first)", it.GetID())
		}
		if !it.GetEndedAt().After(start) {
			t.Errorf("session %d ended at %v, before it started", it.GetID(), it.GetEndedAt())
		}
		ids, last = append(ids, it.GetID()), start
	}
	if len(ids) != n {
		t.Fatalf("the iterator yielded %d sessions, want %d", len(ids), n)
	}
	var pages int
	for _, r := range srv.Requests() {
		if r.OperationID != "" && r.Status == 200 && r.Path == "/api/partners/v2.0/org/"+srv.OrgID.String()+"/users/"+u.ID.String()+"/wallboxes/"+wb.String()+"/hems-sessions" {
			pages++
		}
	}
	if pages != 3 {
		t.Errorf("the iterator fetched %d pages of 3, want 3", pages)
	}

	got, err := c.GetWallboxHEMSSessionWithResponse(ctx, srv.OrgID, u.ID, wb, ids[2])
	expect(t, got, err, 200)
	if d := got.JSON200; *d.Session.ID != ids[2] || d.Decisions == nil || d.Commands == nil {
		t.Errorf("session %d: %s", ids[2], got.Body)
	}
	// The other wallbox's session is not this one's; nor is an unknown id.
	otherID := slices.Max(ids) + 1
	for _, id := range []int{otherID, otherID + 1, -1} {
		r, err := c.GetWallboxHEMSSessionWithResponse(ctx, srv.OrgID, u.ID, wb, id)
		expect(t, r, err, 404)
	}
	r, err := c.GetWallboxHEMSSessionWithResponse(ctx, srv.OrgID, u.ID, other, otherID)
	expect(t, r, err, 200)

	params.From.Time, params.To.Time = today.AddDate(0, 0, 1), today.AddDate(0, 0, 2)
	empty, err := c.ListWallboxHEMSSessionsWithResponse(ctx, srv.OrgID, u.ID, wb, &params)
	expect(t, empty, err, 200)
	if empty.JSON200.Total != 0 || len(empty.JSON200.Items) != 0 {
		t.Errorf("HEMS sessions from tomorrow on: %s", empty.Body)
	}

	cur, err := c.GetCurrentWallboxHEMSSessionWithResponse(ctx, srv.OrgID, u.ID, wb)
	expect(t, cur, err, 200)
	if cur.JSON200.Session != nil {
		t.Errorf("a current HEMS session while not charging: %s", cur.Body)
	}
	if err := srv.SetCharging(wb, true); err != nil {
		t.Fatal(err)
	}
	cur, err = c.GetCurrentWallboxHEMSSessionWithResponse(ctx, srv.OrgID, u.ID, wb)
	expect(t, cur, err, 200)
	running := cur.JSON200.GetSession().GetSession()
	if running.ID == nil || running.EndedAt != nil {
		t.Fatalf("current HEMS session while charging: %s", cur.Body)
	}
	again, err := c.GetCurrentWallboxHEMSSessionWithResponse(ctx, srv.OrgID, u.ID, wb)
	expect(t, again, err, 200)
	if id := again.JSON200.GetSession().GetSession().ID; *id != *running.ID {
		t.Errorf("the current session changed from %d to %d while charging", *running.ID, *id)
	}
	byID, err := c.GetWallboxHEMSSessionWithResponse(ctx, srv.OrgID, u.ID, wb, *running.ID)
	expect(t, byID, err, 200)
	if err := srv.SetCharging(wb, false); err != nil {
		t.Fatal(err)
	}
	cur, err = c.GetCurrentWallboxHEMSSessionWithResponse(ctx, srv.OrgID, u.ID, wb)
	expect(t, cur, err, 200)
	if cur.JSON200.Session != nil {
		t.Errorf("a current HEMS session after charging stopped: %s", cur.Body)
	}

	ev := onboard(t, srv, c, u.ID, "ev")
	if err := srv.AddHEMSSessions(ev, 1); err == nil {
		t.Error("AddHEMSSessions of an electric vehicle: no error")
	}
	if err := srv.AddSessions(wb, 1); err == nil {
		t.Error("AddSessions of a wallbox: no error")
	}
}

// TestCurrentSessionIsStable: a charging vehicle's current session keeps its
// id until charging stops.
func TestCurrentSessionIsStable(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	u := createUser(t, srv, c, "cust")
	ev := onboard(t, srv, c, u.ID, "ev")
	if err := srv.SetCharging(ev, true); err != nil {
		t.Fatal(err)
	}
	var ids []openapi_types.UUID
	for range 2 {
		cur, err := c.GetCurrentElectricVehicleSessionWithResponse(ctx, srv.OrgID, u.ID, ev)
		expect(t, cur, err, 200)
		ids = append(ids, cur.JSON200.GetSession().GetID())
	}
	if ids[0] != ids[1] {
		t.Errorf("current session ids %v, want one session", ids)
	}
}

// TestSessionMoney: seeded sessions carry the cost and savings fields the
// spec declares, non-zero, so that a month's sum is the sessions' count
// times the per-session amounts.
func TestSessionMoney(t *testing.T) {
	srv := poderotest.New(t)
	srv.SetClock(func() time.Time { return time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC) })
	tok := token(t, srv)
	uid := newUser(t, srv, tok, "a@example.com")
	ev, err := srv.AddDevice(parseUUID(t, uid), poderotest.ElectricVehicle)
	if err != nil {
		t.Fatal(err)
	}
	wb, err := srv.AddDevice(parseUUID(t, uid), poderotest.Wallbox)
	if err != nil {
		t.Fatal(err)
	}
	// An hour apart back from 11:00 on 1 June: 12 on 1 June, the rest in May.
	const n, inMay = 300, 300 - 12
	if err := srv.AddSessions(ev, n); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddHEMSSessions(wb, n); err != nil {
		t.Fatal(err)
	}
	sum := func(list string, fields ...string) (int, map[string]float64) {
		sums := map[string]float64{}
		count := 0
		for offset := 0; ; offset += 200 {
			page := object(t, http.MethodGet, path(srv, list)+"?from=2031-05-01&to=2031-05-31&limit=200&offset="+strconv.Itoa(offset), tok, nil, 200)
			items, _ := page["items"].([]any)
			for _, it := range items {
				count++
				for _, f := range fields {
					v, ok := it.(map[string]any)[f].(float64)
					if !ok || v == 0 {
						t.Fatalf("%s: a session's %s is %v, want a non-zero number", list, f, it.(map[string]any)[f])
					}
					sums[f] += v
				}
			}
			if len(items) < 200 {
				return count, sums
			}
		}
	}
	count, sums := sum("/users/"+uid+"/electric-vehicles/"+ev.String()+"/sessions", "actual_cost_eur", "expected_savings_eur", "actual_savings_eur")
	if count != inMay || sums["actual_cost_eur"] != inMay*poderotest.SessionCostEUR ||
		sums["expected_savings_eur"] != inMay*poderotest.SessionExpectedSavingsEUR || sums["actual_savings_eur"] != inMay*poderotest.SessionSavingsEUR {
		t.Errorf("May: %d sessions, sums %v; want %d sessions at %v, %v and %v", count, sums, inMay,
			poderotest.SessionCostEUR, poderotest.SessionExpectedSavingsEUR, poderotest.SessionSavingsEUR)
	}
	count, sums = sum("/users/"+uid+"/wallboxes/"+wb.String()+"/hems-sessions", "savings_eur", "energy_from_solar_kwh")
	if want := inMay * poderotest.HEMSSessionSavingsEUR; count != inMay || math.Abs(sums["savings_eur"]-want) > 1e-6 {
		t.Errorf("May: %d HEMS sessions saving %v, want %d saving %v", count, sums["savings_eur"], inMay, want)
	}
}
