package poderotest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestNoFailureDoesNotRoute: with no FailNextOp failure pending,
// injectFailure does not route the request (the Handler routes it anyway).
// Routing allocates, so a request let through must cost no allocation.
func TestNoFailureDoesNotRoute(t *testing.T) {
	s := New(t)
	req := httptest.NewRequest(http.MethodGet, apiPrefix+"org/"+s.OrgID.String()+"/users", nil)
	w := httptest.NewRecorder()
	pass := func() {
		if s.injectFailure(w, req) {
			t.Fatal("a request failed with no failure set up")
		}
	}
	if n := testing.AllocsPerRun(20, pass); n != 0 {
		t.Errorf("injectFailure with nothing pending: %v allocations, want 0 (it routed)", n)
	}
	// Another operation's pending failure makes it route, and spares the
	// request.
	s.FailNextOp("GetUser", 1, http.StatusServiceUnavailable)
	pass()
}
