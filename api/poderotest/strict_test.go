package poderotest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
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

// TestBodyLimit: a body over MaxRequestBody is refused with 413 and a
// detail, whether its size is declared (Content-Length) or not (chunked),
// on the API and on the token endpoint, and Requests does not keep it.
func TestBodyLimit(t *testing.T) {
	srv := poderotest.New(t)
	tok := token(t, srv)
	big := `{"role":"user","email":"a@example.com","first_name":"` + strings.Repeat("x", 10<<20) + `"}`
	cases := []struct {
		name, url string
		chunked   bool
		operation bool // the record names the operation
	}{
		{"API, sized", path(srv, "/users"), false, true},
		{"API, chunked", path(srv, "/users"), true, true},
		{"token endpoint", srv.TokenURL, false, false},
		// The spec's tokenUrl: a token endpoint too.
		{"the spec's token endpoint", srv.URL + "/api/partners/v2.0/auth/token", false, false},
	}
	for _, tc := range cases {
		var body io.Reader = strings.NewReader(big)
		if tc.chunked {
			body = io.MultiReader(body) // hides the length: sent chunked
		}
		req, _ := http.NewRequest(http.MethodPost, tc.url, body)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var problem struct{ Detail string }
		err = json.NewDecoder(resp.Body).Decode(&problem)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || err != nil || !strings.Contains(problem.Detail, strconv.Itoa(poderotest.MaxRequestBody)) {
			t.Errorf("%s: %d %+v (%v), want 413 with a detail naming the limit", tc.name, resp.StatusCode, problem, err)
		}
	}
	reqs := srv.Requests()
	refused := 0
	for _, r := range reqs {
		if len(r.Body) > poderotest.MaxRequestBody {
			t.Errorf("Requests() keeps a %d-byte body of %s %s", len(r.Body), r.Method, r.Path)
		}
		if r.Status == http.StatusRequestEntityTooLarge {
			if r.Body != nil {
				t.Errorf("Requests() keeps %d bytes of a refused body", len(r.Body))
			}
			if refused < len(cases) && (r.OperationID != "") != cases[refused].operation {
				t.Errorf("%s: recorded as operation %q", cases[refused].name, r.OperationID)
			}
			refused++
		}
	}
	if refused != 4 || srv.TokenRequests() != 3 {
		t.Errorf("%d refused requests recorded and %d token requests, want 4 and 3", refused, srv.TokenRequests())
	}
	if users := list(t, srv, tok, path(srv, "/users")); len(users) != 0 {
		t.Errorf("the refused body created %d users", len(users))
	}

	// A body of exactly the limit gets through to validation.
	limit := `{"role":"user","email":"a@example.com","x":"` + strings.Repeat("x", poderotest.MaxRequestBody-46) + `"}`
	if len(limit) != poderotest.MaxRequestBody {
		t.Fatalf("the body at the limit is %d bytes", len(limit))
	}
	if status, _, got := raw(t, http.MethodPost, path(srv, "/users"), tok, limit); status != 200 {
		t.Errorf("a body of MaxRequestBody bytes: %d %v, want 200", status, got)
	}
}
