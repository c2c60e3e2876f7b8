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

// TestDeclaredErrorRanges: an error response the operation declares by a
// range (4XX) or a default response is checked against it; an error status
// it does not declare at all is sent as is.
func TestDeclaredErrorRanges(t *testing.T) {
	doc, err := LoadDoc([]byte(`{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
	  "components": {"schemas": {"Error": {"type": "object", "properties": {"message": {"type": "string"}}, "required": ["message"]}}},
	  "paths": {
	    "/ranged": {"get": {"operationId": "ranged", "responses": {"200": {"description": "ok"},
	      "4XX": {"description": "e", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
	    "/defaulted": {"get": {"operationId": "defaulted", "responses": {"200": {"description": "ok"},
	      "default": {"description": "e", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
	    "/bare": {"get": {"operationId": "bare", "responses": {"200": {"description": "ok"}}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewValidatorFor(doc)
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"detail": "Not Found"}
	h := &Handler{V: v, Respond: func(*Call, *http.Request) (Response, bool) {
		return Response{Status: http.StatusNotFound, Body: body}, true
	}}
	for _, tc := range []struct {
		path   string
		detail any
		status int
	}{
		{"/ranged", map[string]any{"detail": "Not Found"}, http.StatusInternalServerError},
		{"/ranged", map[string]any{"message": "Not Found"}, http.StatusNotFound},
		{"/defaulted", map[string]any{"detail": "Not Found"}, http.StatusInternalServerError},
		{"/bare", map[string]any{"detail": "Not Found"}, http.StatusNotFound},
	} {
		body = tc.detail.(map[string]any)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if rec.Code != tc.status {
			t.Errorf("%s answering 404 %v: sent %d, want %d", tc.path, tc.detail, rec.Code, tc.status)
		}
	}
}
