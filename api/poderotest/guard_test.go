package poderotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// fakeTB records what New does with its testing.TB.
type fakeTB struct {
	testing.TB // for the methods New does not use
	cleanups   []func()
	errors     []string
}

func (f *fakeTB) Helper()           {}
func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) Errorf(format string, a ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, a...))
}

// TestNonConformingResponseIsCaught: if the fake's state ever made it answer
// something the spec does not allow, the client gets a 500 saying so and
// New's cleanup fails the test.
func TestNonConformingResponseIsCaught(t *testing.T) {
	tb := &fakeTB{TB: t}
	s := New(tb)
	s.mu.Lock()
	user := s.create(kindNamed("user"), "", map[string]any{"role": "user", "email": "a@example.com"})
	user.obj["email"] = 42 // UserOutput.email is a string
	s.tokens["t"] = true
	s.mu.Unlock()

	req, _ := http.NewRequest(http.MethodGet, s.URL+apiPrefix+"org/"+s.OrgID.String()+"/users/"+user.id(), nil)
	req.Header.Set("Authorization", "Bearer t")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", resp.StatusCode)
	}

	for _, fn := range tb.cleanups {
		fn()
	}
	if len(tb.errors) != 1 || !strings.Contains(tb.errors[0], "does not conform") {
		t.Errorf("New's cleanup reported %q, want one error about the response", tb.errors)
	}
}

// TestTamperedResponseIsNotCaught: a response tampered on purpose does not
// conform, and is sent as it is; New's cleanup does not count it.
func TestTamperedResponseIsNotCaught(t *testing.T) {
	tb := &fakeTB{TB: t}
	s := New(tb)
	s.mu.Lock()
	user := s.create(kindNamed("user"), "", map[string]any{"role": "user", "email": "a@example.com"})
	s.tokens["t"] = true
	s.mu.Unlock()
	s.Tamper("GetUser", func(body map[string]any) { body["email"] = 42 })
	s.TamperStatus("GetUser", http.StatusAccepted)

	req, _ := http.NewRequest(http.MethodGet, s.URL+apiPrefix+"org/"+s.OrgID.String()+"/users/"+user.id(), nil)
	req.Header.Set("Authorization", "Bearer t")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || body["email"] != 42.0 {
		t.Errorf("status %d, body %v; want the tampered 202 with email 42", resp.StatusCode, body)
	}
	for _, fn := range tb.cleanups {
		fn()
	}
	if len(tb.errors) != 0 {
		t.Errorf("New's cleanup reported %q for a tampered response", tb.errors)
	}
}
