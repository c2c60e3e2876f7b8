package poderotest_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/podero-go/podero/api/poderotest"
)

// TestTrailingDataRefused: a body with anything but whitespace after its
// JSON value is refused with django-ninja's 422, and nothing is stored: not
// the first value, and not a blank user in its place.
func TestTrailingDataRefused(t *testing.T) {
	srv := poderotest.New(t)
	tok := token(t, srv)
	for _, body := range []string{
		`{"role":"user","email":"a@example.com"}}`,
		`{"role":"user","email":"a@example.com"} {"role":"admin","email":"b@example.com"}`,
		`{"role":"user","email":"a@example.com"}x`,
	} {
		status, _, got := raw(t, http.MethodPost, path(srv, "/users"), tok, body)
		items, _ := got["detail"].([]any)
		if status != http.StatusUnprocessableEntity || !slices.ContainsFunc(items, func(it any) bool { return names(it, []string{"body"}, "trailing") }) {
			t.Errorf("POST users %s: %d %v, want 422 at body about the trailing data", body, status, got)
		}
	}
	// Trailing whitespace is fine.
	status, _, user := raw(t, http.MethodPost, path(srv, "/users"), tok, "{\"role\":\"user\",\"email\":\"c@example.com\"}\n")
	if status != 200 || user["email"] != "c@example.com" || user["role"] != "user" {
		t.Fatalf("a body with a trailing newline: %d %v", status, user)
	}
	users := list(t, srv, tok, path(srv, "/users"))
	if len(users) != 1 || users[0]["email"] != "c@example.com" {
		t.Errorf("users after the refused bodies: %v, want only c@example.com", users)
	}

	// An update with trailing data changes nothing either.
	status, _, got := raw(t, http.MethodPut, path(srv, "/users/"+user["id"].(string)), tok, `{"first_name":"Eve"}]`)
	if status != http.StatusUnprocessableEntity {
		t.Errorf("PUT with trailing data: %d %v", status, got)
	}
	if _, _, again := raw(t, http.MethodGet, path(srv, "/users/"+user["id"].(string)), tok, ""); again["first_name"] != nil {
		t.Errorf("the refused PUT changed first_name to %v", again["first_name"])
	}
}
