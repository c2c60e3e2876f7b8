package poderotest_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/podero-go/podero/api/poderotest"
)

// fakeClock is a clock a test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestClock: the timestamps the fake writes come from SetClock's clock, and
// SetClock(nil) goes back to the real time.
func TestClock(t *testing.T) {
	srv := poderotest.New(t)
	tok := token(t, srv)
	start := time.Date(2031, 3, 30, 23, 10, 0, 0, time.UTC)
	clock := newClock(start)
	srv.SetClock(clock.Now)

	user := object(t, http.MethodPost, path(srv, "/users"), tok, map[string]any{"role": "user", "email": "a@example.com"}, 200)
	if user["joined_at"] != "2031-03-30T23:10:00Z" {
		t.Errorf("joined_at = %v, want the fake clock's time", user["joined_at"])
	}
	uid := user["id"].(string)
	sess := object(t, http.MethodPost, srv.URL+"/api/partners/v2.0/device-onboarding", tok, map[string]any{
		"language": "en", "price_zone_default": "AT", "user_id": uid,
		"success_url": "https://partner.example/ok", "cancel_url": "https://partner.example/no"}, 200)
	if sess["expiration_date"] != "2031-03-31" {
		t.Errorf("expiration_date = %v, want the end of the fake clock's next day", sess["expiration_date"])
	}

	clock.Advance(90 * time.Minute)
	ev, err := srv.AddDevice(parseUUID(t, uid), poderotest.ElectricVehicle)
	if err != nil {
		t.Fatal(err)
	}
	evPath := path(srv, "/users/"+uid+"/electric-vehicles/"+ev.String())
	got := object(t, http.MethodGet, evPath, tok, nil, 200)
	if got["created_at"] != "2031-03-31T00:40:00Z" || got["updated_at"] != "2031-03-31T00:40:00Z" {
		t.Errorf("created_at %v, updated_at %v; want the fake clock's time", got["created_at"], got["updated_at"])
	}
	clock.Advance(time.Hour)
	got = object(t, http.MethodPut, evPath, tok, map[string]any{"comment": "hi"}, 200)
	if got["updated_at"] != "2031-03-31T01:40:00Z" || got["created_at"] != "2031-03-31T00:40:00Z" {
		t.Errorf("after a PUT: created_at %v, updated_at %v", got["created_at"], got["updated_at"])
	}

	// Sessions go back from the fake clock's now.
	if err := srv.AddSessions(ev, 2); err != nil {
		t.Fatal(err)
	}
	page := object(t, http.MethodGet, evPath+"/sessions?from=2031-03-30&to=2031-03-31", tok, nil, 200)
	items, _ := page["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["plug_in_time"] != "2031-03-31T00:40:00Z" || items[1].(map[string]any)["plug_in_time"] != "2031-03-30T23:40:00Z" {
		t.Errorf("sessions: %v, want plug-ins an hour and two before the fake clock's now", page)
	}

	cfg := object(t, http.MethodGet, path(srv, "/users/"+uid+"/charging-config"), tok, nil, 200)
	if status, _ := cfg["status"].(map[string]any); status["as_of"] != "2031-03-31T01:40:00Z" {
		t.Errorf("charging-config status.as_of = %v", cfg["status"])
	}

	srv.SetClock(nil)
	before := time.Now().Truncate(time.Second)
	got = object(t, http.MethodPut, evPath, tok, map[string]any{"comment": "now"}, 200)
	after := time.Now()
	if at, err := time.Parse(time.RFC3339, got["updated_at"].(string)); err != nil || at.Before(before) || at.After(after) {
		t.Errorf("after SetClock(nil) updated_at = %v, want the machine's time of the PUT (%v to %v)", got["updated_at"], before, after)
	}
}
