package poderotest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/podero-go/podero/api/poderotest"
)

// TestClaimWallbox: a minted claim token's status (no token needed) reads
// unclaimed until ClaimWallbox connects a wallbox for the token's user;
// unknown tokens, and other users' sessions, are 404.
func TestClaimWallbox(t *testing.T) {
	srv := poderotest.New(t)
	clock := newClock(time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC))
	srv.SetClock(clock.Now)
	tok := token(t, srv)
	a := newUser(t, srv, tok, "a@example.com")
	b := newUser(t, srv, tok, "b@example.com")
	session := func(user string) string {
		s := object(t, http.MethodPost, srv.URL+"/api/partners/v2.0/device-onboarding", tok, map[string]any{
			"language": "en", "price_zone_default": "AT", "user_id": user, "device_type": "wb",
			"success_url": "https://partner.example/ok", "cancel_url": "https://partner.example/no"}, 200)
		return s["id"].(string)
	}
	aSession, bSession := session(a), session(b)
	mint := func() string {
		out := object(t, http.MethodPost, path(srv, "/users/"+a+"/wallboxes/claim-tokens"), tok, nil, 201)
		if ws, _ := out["wss_url"].(string); !strings.HasPrefix(ws, "ws://") || out["expires_at"] != "2031-06-01T13:00:00Z" {
			t.Errorf("claim token: %v; want a ws:// URL and expiry an hour after the fake clock's now", out)
		}
		return out["token"].(string)
	}
	claimToken := mint()
	status := func(session, claimToken string) (int, map[string]any) {
		t.Helper()
		st, body := call(t, http.MethodGet, srv.URL+"/api/partners/v2.0/device-onboarding/"+session+"/wallbox-claim-tokens/"+url.PathEscape(claimToken)+"/status", "", nil)
		var out map[string]any
		decode(t, body, &out)
		return st, out
	}

	if st, got := status(aSession, claimToken); st != 200 || got["claimed"] != false || got["wallbox_id"] != nil {
		t.Errorf("status before the claim: %d %v", st, got)
	}
	for name, args := range map[string][2]string{
		"an unknown token":       {aSession, "no-such-token"},
		"another user's session": {bSession, claimToken},
		"an unknown session":     {"3fa85f64-5717-4562-b3fc-2c963f66afa6", claimToken},
	} {
		if st, got := status(args[0], args[1]); st != 404 || got["detail"] != "Not Found" {
			t.Errorf("status for %s: %d %v, want 404", name, st, got)
		}
	}

	wb, err := srv.ClaimWallbox(claimToken)
	if err != nil {
		t.Fatal(err)
	}
	if st, got := status(aSession, claimToken); st != 200 || got["claimed"] != true || got["wallbox_id"] != wb.String() || got["manufacturer"] == nil {
		t.Errorf("status after the claim: %d %v", st, got)
	}
	dev := object(t, http.MethodGet, path(srv, "/users/"+a+"/wallboxes/"+wb.String()), tok, nil, 200)
	if dev["is_authenticated"] != true || dev["connection"] != "online" || dev["mode"] != "READY" {
		t.Errorf("the claimed wallbox: %v", dev)
	}
	if u := object(t, http.MethodGet, path(srv, "/users/"+a), tok, nil, 200); u["num_wallboxes"] != 1.0 {
		t.Errorf("the user has %v wallboxes, want 1", u["num_wallboxes"])
	}
	if u := object(t, http.MethodGet, path(srv, "/users/"+b), tok, nil, 200); u["num_wallboxes"] != 0.0 {
		t.Errorf("the other user has %v wallboxes, want 0", u["num_wallboxes"])
	}
	if again, err := srv.ClaimWallbox(claimToken); err != nil || again != wb {
		t.Errorf("claiming again: %s, %v; want the same wallbox", again, err)
	}
	if _, err := srv.ClaimWallbox("no-such-token"); err == nil {
		t.Error("claiming an unknown token: no error")
	}

	late := mint()
	clock.Advance(time.Hour)
	if _, err := srv.ClaimWallbox(late); err == nil {
		t.Error("claiming an expired token: no error")
	}
	if st, got := status(aSession, late); st != 200 || got["claimed"] != false {
		t.Errorf("status of an expired token: %d %v", st, got)
	}
}
