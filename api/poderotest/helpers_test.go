package poderotest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
	apiraw "github.com/podero-go/podero/api/raw"
	"github.com/podero-go/podero/oauth"
)

// setup starts a fake and a generated client that gets its tokens from it.
// poderotest.New fails the test at the end if any response the fake sent
// did not conform to the spec, so every test here checks that too.
func setup(t *testing.T) (*poderotest.Server, *apiraw.ClientWithResponses) {
	t.Helper()
	srv := poderotest.New(t)
	c, _ := client(t, srv)
	return srv, c
}

// client returns a generated client for srv, without the call layer's
// retries so that tests see every status, and its token source.
func client(t *testing.T, srv *poderotest.Server) (*apiraw.ClientWithResponses, *oauth.TokenSource) {
	t.Helper()
	ts, err := oauth.NewTokenSource(oauth.Config{ClientID: srv.ClientID, ClientSecret: srv.ClientSecret, TokenURL: srv.TokenURL})
	if err != nil {
		t.Fatal(err)
	}
	c, err := apiraw.NewClientWithResponses(srv.URL, apiraw.WithRequestEditorFn(oauth.RequestEditor(ts)))
	if err != nil {
		t.Fatal(err)
	}
	return c, ts
}

// partner returns a PartnerClient for srv, without retries.
func partner(t *testing.T, srv *poderotest.Server) *api.PartnerClient {
	t.Helper()
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: srv.OrgID, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret,
		Retry: &api.RetryPolicy{}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// response is what every generated ...Response has.
type response interface {
	StatusCode() int
	GetBody() []byte
}

// expect fails the test unless a call succeeded with status want.
func expect(t *testing.T, r response, err error, want int) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if r.StatusCode() != want {
		t.Fatalf("status %d, want %d; body: %s", r.StatusCode(), want, r.GetBody())
	}
}

// decode decodes a JSON body into v.
func decode(t *testing.T, body []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
}

// createUser creates an end user with the given external id.
func createUser(t *testing.T, srv *poderotest.Server, c *apiraw.ClientWithResponses, external string) api.UserOutput {
	t.Helper()
	in := api.UserCreateInput{Role: "user", Email: external + "@example.com"}
	in.ExternalUserID.Set(external)
	in.FirstName.Set("Ada")
	resp, err := c.CreateUserWithResponse(context.Background(), srv.OrgID, in)
	expect(t, resp, err, 200)
	return *resp.JSON200
}

// onboard creates an onboarding session for a device of type dt and
// completes it, returning the device's id.
func onboard(t *testing.T, srv *poderotest.Server, c *apiraw.ClientWithResponses, user openapi_types.UUID, dt api.DeviceKind) openapi_types.UUID {
	t.Helper()
	in := api.DeviceOnboardingSessionCreateInput{Language: "en", PriceZoneDefault: "AT", UserID: user,
		SuccessURL: "https://partner.example/ok", CancelURL: "https://partner.example/cancel"}
	in.DeviceType.Set(dt)
	sess, err := c.CreateOnboardingSessionWithResponse(context.Background(), in)
	expect(t, sess, err, 200)
	id, err := srv.CompleteOnboarding(*sess.JSON200.ID)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// raw sends a request with a JSON body (or none) and returns the status and
// decoded body.
func raw(t *testing.T, method, url, token, body string) (int, http.Header, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: body is not a JSON object: %s", method, url, b)
		}
	}
	return resp.StatusCode, resp.Header, out
}

// token gets an access token from the fake's documented endpoint.
func token(t *testing.T, srv *poderotest.Server) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.TokenURL, strings.NewReader(`{"grant_type":"client_credentials"}`))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(srv.ClientID, srv.ClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != 200 || tok.AccessToken == "" {
		t.Fatalf("token request: status %d, err %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

// path is an API path under the fake's organization.
func path(srv *poderotest.Server, rest string) string {
	return srv.URL + "/api/partners/v2.0/org/" + srv.OrgID.String() + rest
}

// parseUUID parses an id the fake handed out.
func parseUUID(t *testing.T, s string) openapi_types.UUID {
	t.Helper()
	var id openapi_types.UUID
	if err := id.UnmarshalText([]byte(s)); err != nil {
		t.Fatal(err)
	}
	return id
}
