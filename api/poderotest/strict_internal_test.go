package poderotest

import (
	"net/http"
	"strings"
	"testing"
)

// TestUndecodableBodyChangesNothing: should a body the Validator passed not
// decode to an object after all, the fake answers 422 rather than create a
// blank object ("string" email, "admin" role) in its place.
func TestUndecodableBodyChangesNothing(t *testing.T) {
	s := New(t)
	users := s.URL + apiPrefix + "org/" + s.OrgID.String() + "/users"
	for _, body := range []string{`{"role":"user","email":"a@example.com"}}`, `null`, `[]`} {
		req, _ := http.NewRequest(http.MethodPost, users, strings.NewReader(`{"role":"user","email":"a@example.com"}`))
		req.Header.Set("Content-Type", "application/json")
		call, problem := s.api.V.Check(req)
		if problem != nil {
			t.Fatal(problem)
		}
		call.Body = []byte(body) // as if the Validator had let it through
		resp, ok := s.respond(call, req)
		if !ok || resp.Status != http.StatusUnprocessableEntity {
			t.Errorf("body %s: status %d, want 422", body, resp.Status)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.records); n != 0 {
		t.Errorf("the refused bodies stored %d objects", n)
	}
}
