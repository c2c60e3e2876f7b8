package poderotest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/podero-go/podero/api/poderotest"
)

// These helpers talk to the fake with plain net/http and encoding/json, so
// that the tests using them do not depend on package api's client.

// call sends a request with a JSON body (nil for none) and returns the
// status and the raw response body. tok "" sends no Authorization header.
func call(t *testing.T, method, url, tok string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// list GETs a JSON array of objects.
func list(t *testing.T, srv *poderotest.Server, tok, url string) []map[string]any {
	t.Helper()
	status, b := call(t, http.MethodGet, url, tok, nil)
	var out []map[string]any
	if err := json.Unmarshal(b, &out); status != 200 || err != nil {
		t.Fatalf("GET %s: %d %s", url, status, b)
	}
	return out
}

// object sends a request and decodes a JSON object answer; it fails the
// test unless the status is want.
func object(t *testing.T, method, url, tok string, body any, want int) map[string]any {
	t.Helper()
	status, b := call(t, method, url, tok, body)
	if status != want {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, url, status, want, b)
	}
	var out map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: %s is not a JSON object", method, url, b)
		}
	}
	return out
}

// newUser creates an end user through the API and returns its id.
func newUser(t *testing.T, srv *poderotest.Server, tok, email string) string {
	t.Helper()
	u := object(t, http.MethodPost, path(srv, "/users"), tok, map[string]any{"role": "user", "email": email}, 200)
	return u["id"].(string)
}

// resolutionLink reads a device and returns the resolution_link of its
// action with the given cue id, and the link's secret.
func resolutionLink(t *testing.T, tok, deviceURL, cueID string) (link map[string]any, secret string) {
	t.Helper()
	dev := object(t, http.MethodGet, deviceURL, tok, nil, 200)
	actions, _ := dev["actions"].([]any)
	for _, a := range actions {
		link, _ := a.(map[string]any)["resolution_link"].(map[string]any)
		raw, _ := link["url"].(string)
		u, err := url.Parse(raw)
		if err == nil && strings.Contains(u.Path, "/cues/"+cueID+"/") {
			return link, u.Query().Get("secret")
		}
	}
	t.Fatalf("%s has no action %s: %v", deviceURL, cueID, actions)
	return nil, ""
}
