package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// The raw client's requests go through transport.Do: a 2xx whose JSON body
// is not well-formed (cut short, say) is an *Error that names the call, as
// for a PartnerClient method, not a bare encoding/json error from
// oapi-codegen's Parse function that names nothing.
func TestRawClientMalformedResultIsAnError(t *testing.T) {
	for _, tc := range []struct {
		body, contentType string
		fails             bool
	}{
		{`{"id": "3fa8`, "application/json", true},
		{``, "application/json", true},
		{`{"id": 1} trailing`, "application/json; charset=utf-8", true},
		{`{"id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}`, "application/json", false},
		{`not json`, "text/plain", false}, // Parse does not decode it either
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", tc.contentType)
			fmt.Fprint(w, tc.body)
		}))
		c, err := New(Config{BaseURL: srv.URL, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "raw-token-0123"})})
		if err != nil {
			t.Fatal(err)
		}
		const path = "/api/partners/v2.0/org/o/users/u/electric-vehicles/e"
		req, _ := http.NewRequestWithContext(context.Background(), "GET", srv.URL+path, nil)
		resp, err := c.t.Do(req)
		srv.Close()
		var e *Error
		switch {
		case tc.fails && (!errors.As(err, &e) || e.Operation != "GetElectricVehicle" || e.StatusCode != 200 || string(e.Body) != tc.body):
			t.Errorf("%q: %v, want an *Error of GetElectricVehicle's 200 with the body", tc.body, err)
		case tc.fails && !strings.Contains(err.Error(), "podero: GetElectricVehicle: 200 OK: the response is not well-formed JSON"):
			t.Errorf("%q: %v", tc.body, err)
		case !tc.fails && err != nil:
			t.Errorf("%q: %v", tc.body, err)
		case !tc.fails:
			b, _ := io.ReadAll(resp.Body)
			if string(b) != tc.body {
				t.Errorf("the body is %q, want %q", b, tc.body)
			}
		}
	}
}
