package specserver

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestAlter: a response Alter changes on purpose is sent without the check
// against the spec; one it leaves alone is still checked.
func TestAlter(t *testing.T) {
	h, err := NewHandler()
	if err != nil {
		t.Fatal(err)
	}
	on := true
	h.Alter = func(c *Call, resp Response) (Response, bool) {
		if !on {
			return Response{Status: resp.Status, Body: map[string]any{"email": 42}}, false
		}
		return Response{Status: http.StatusAccepted, Body: map[string]any{"email": 42}}, true
	}
	get := func() Recorded {
		req := httptest.NewRequest(http.MethodGet, "/api/partners/v2.0/org/"+SampleUUID+"/users/"+SampleUUID, nil)
		req.Header.Set("Authorization", "Bearer t")
		h.ServeHTTP(httptest.NewRecorder(), req)
		calls := h.Calls()
		return calls[len(calls)-1]
	}
	if rec := get(); rec.Status != http.StatusAccepted || rec.Invalid != nil {
		t.Errorf("altered: status %d, invalid %v; want the 202 sent unchecked", rec.Status, rec.Invalid)
	}
	on = false
	if rec := get(); rec.Status != http.StatusInternalServerError || rec.Invalid == nil {
		t.Errorf("not altered: status %d, invalid %v; want the check's 500", rec.Status, rec.Invalid)
	}
}
