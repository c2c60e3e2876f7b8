package poderotest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/podero-go/podero/api/poderotest"
)

// TestTamper: Tamper changes the body of an operation's successful answers,
// named by Go name or operationId, element by element for an array, and
// only that operation's; nil removes it. The stored object is not changed.
func TestTamper(t *testing.T) {
	srv := poderotest.New(t) // fails the test if a tampered answer counted as invalid
	tok := token(t, srv)
	uid := newUser(t, srv, tok, "a@example.com")
	newUser(t, srv, tok, "b@example.com")
	userURL := path(srv, "/users/"+uid)

	srv.Tamper("GetUser", func(body map[string]any) {
		delete(body, "email")
		body["num_inverters"] = "none" // an integer in the spec
		body["surprise"] = true
	})
	got := object(t, http.MethodGet, userURL, tok, nil, 200)
	if _, ok := got["email"]; ok || got["num_inverters"] != "none" || got["surprise"] != true {
		t.Errorf("tampered GetUser: %v", got)
	}
	// Other operations are not tampered.
	if users := list(t, srv, tok, path(srv, "/users")); users[0]["email"] != "a@example.com" || users[0]["surprise"] != nil {
		t.Errorf("ListUsers was tampered too: %v", users)
	}
	// Errors are not tampered.
	status, body := call(t, http.MethodGet, path(srv, "/users/3fa85f64-5717-4562-b3fc-2c963f66afa6"), tok, nil)
	if status != 404 || strings.Contains(string(body), "surprise") {
		t.Errorf("a 404 of a tampered operation: %d %s", status, body)
	}

	// By operationId, on an array: each element.
	srv.Tamper("integrations_api_api_v2_organizations_users_router_retrieve_organization_users", func(body map[string]any) {
		body["role"] = 7
	})
	for _, u := range list(t, srv, tok, path(srv, "/users")) {
		if u["role"] != 7.0 {
			t.Errorf("tampered ListUsers element: %v", u)
		}
	}

	srv.Tamper("GetUser", nil)
	if got := object(t, http.MethodGet, userURL, tok, nil, 200); got["email"] != "a@example.com" || got["surprise"] != nil {
		t.Errorf("after Tamper(nil), GetUser: %v; want the stored user, untouched", got)
	}
}

// TestTamperStatus: TamperStatus answers an operation's success with
// another status and the same body; errors keep theirs; 0 removes it.
func TestTamperStatus(t *testing.T) {
	srv := poderotest.New(t)
	tok := token(t, srv)
	srv.TamperStatus("CreateUser", http.StatusAccepted)
	srv.Tamper("CreateUser", func(body map[string]any) { body["extra"] = "x" })
	status, body := call(t, http.MethodPost, path(srv, "/users"), tok, map[string]any{"role": "user", "email": "a@example.com"})
	var got map[string]any
	if err := json.Unmarshal(body, &got); status != http.StatusAccepted || err != nil || got["email"] != "a@example.com" || got["extra"] != "x" {
		t.Errorf("tampered CreateUser: %d %s, want 202 with the user and the tampered field", status, body)
	}
	if status, _ := call(t, http.MethodPost, path(srv, "/users"), tok, map[string]any{"role": "user"}); status != 422 {
		t.Errorf("an invalid CreateUser under TamperStatus: %d, want 422", status)
	}
	// A 204 becomes the tampered status, without a body.
	srv.TamperStatus("TriggerElectricVehicleBoost", http.StatusOK)
	ev, err := srv.AddDevice(parseUUID(t, got["id"].(string)), poderotest.ElectricVehicle)
	if err != nil {
		t.Fatal(err)
	}
	if status, body := call(t, http.MethodPost, path(srv, "/users/"+got["id"].(string)+"/electric-vehicles/"+ev.String()+"/boost"), tok, nil); status != 200 || len(body) != 0 {
		t.Errorf("tampered boost: %d %q, want 200 with no body", status, body)
	}

	srv.TamperStatus("CreateUser", 0)
	srv.Tamper("CreateUser", nil)
	status, body = call(t, http.MethodPost, path(srv, "/users"), tok, map[string]any{"role": "user", "email": "b@example.com"})
	if status != 200 || strings.Contains(string(body), "extra") {
		t.Errorf("after removing the tampering: %d %s", status, body)
	}
	var statuses []int
	for _, r := range srv.Requests() {
		if r.OperationID == "integrations_api_api_v2_organizations_users_router_create_user" {
			statuses = append(statuses, r.Status)
		}
	}
	if len(statuses) != 3 || statuses[0] != 202 || statuses[2] != 200 {
		t.Errorf("Requests() shows CreateUser statuses %v, want [202 422 200]", statuses)
	}
}

// TestTamperUnknownOperation: a name that is neither an operationId nor a
// Go name panics, saying so.
func TestTamperUnknownOperation(t *testing.T) {
	srv := poderotest.New(t)
	for name, fn := range map[string]func(){
		"Tamper":       func() { srv.Tamper("GetUsr", func(map[string]any) {}) },
		"TamperStatus": func() { srv.TamperStatus("getuser", 202) },
		"bad status":   func() { srv.TamperStatus("GetUser", 42) },
	} {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, "poderotest:") || (name != "bad status" && !strings.Contains(msg, "unknown operation")) {
					t.Errorf("%s: panic %q, want one naming the problem", name, msg)
				}
			}()
			fn()
		}()
	}
	// Every Go name and every operationId is known.
	for _, name := range []string{"GetWallboxClaimTokenStatus", "integrations_api_api_v2_cues_router_report_cue_state"} {
		srv.Tamper(name, func(map[string]any) {})
		srv.TamperStatus(name, 299)
	}
}
