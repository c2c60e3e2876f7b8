package api_test

import (
	"context"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/oauth2"

	"github.com/podero-go/podero/api"
)

// bodyServer answers every call with a user and keeps the last request's
// body and Content-Type.
type bodyServer struct {
	*httptest.Server
	body, contentType atomic.Value
	hits              atomic.Int64
}

func newBodyServer(t *testing.T) (*bodyServer, *api.PartnerClient) {
	s := &bodyServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		b, _ := io.ReadAll(r.Body)
		s.body.Store(string(b))
		s.contentType.Store(r.Header.Get("Content-Type"))
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f","organization_id":"6b1f2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b",`+
			`"role":"user","email":"grace.hopper@example.com","num_inverters":0,"num_heat_pumps":0,"num_electric_vehicles":0,"num_wallboxes":0}`)
	}))
	t.Cleanup(s.Close)
	c, err := api.New(api.Config{BaseURL: s.URL, OrgID: api.UUID{1},
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "body-test-token"})})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

// TestRequestBodyKeepsNullableStates: an update sends a Nullable field that
// is absent not at all, a null one as null, and a value as the value; the
// body is what the generated encoder writes, as JSON.
func TestRequestBodyKeepsNullableStates(t *testing.T) {
	s, c := newBodyServer(t)
	_, err := c.UpdateUser(context.Background(), api.UUID{2}, api.UserUpdateInput{
		FirstName: api.Null[string](),
		LastName:  api.Value(`Hopper "Amazing Grace" <g@h>`),
		Latitude:  api.Value(48.1986),
		Role:      api.Value(api.RoleUser),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"first_name":null,"last_name":"Hopper \"Amazing Grace\" \u003cg@h\u003e","latitude":48.1986,"role":"user"}`
	if got := s.body.Load(); got != want {
		t.Errorf("the body sent is\n%s\nwant\n%s", got, want)
	}
	if ct := s.contentType.Load(); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
}

// TestRequestBodyThatDoesNotEncodeIsNotSent: a body JSON cannot carry is
// refused before anything is sent, by a message that names the call and the
// field.
func TestRequestBodyThatDoesNotEncodeIsNotSent(t *testing.T) {
	s, c := newBodyServer(t)
	_, err := c.CreateUser(context.Background(), api.UserCreateInput{Email: "a@example.com", Role: api.RoleUser,
		Longitude: api.Value(math.Inf(1))})
	if err == nil {
		t.Fatal("no error")
	}
	if testing.Verbose() {
		t.Log(err)
	}
	for _, want := range []string{"CreateUser", "at /longitude", "+Inf is not a JSON number"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error %q does not say %q", err, want)
		}
	}
	if n := s.hits.Load(); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

// TestRequestURLUnderBasePath: the requests keep the base URL's path and
// their query, whether their path needed escapes (the URL is parsed whole)
// or not (the parsed base URL is reused).
func TestRequestURLUnderBasePath(t *testing.T) {
	var got atomic.Value
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.URL.EscapedPath() + "?" + r.URL.RawQuery + " " + r.Host)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f","organization_id":"6b1f2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b",`+
			`"role":"user","email":"grace.hopper@example.com","num_inverters":0,"num_heat_pumps":0,"num_electric_vehicles":0,"num_wallboxes":0}`)
	}))
	defer s.Close()
	org := api.UUID{0xab}
	c, err := api.New(api.Config{BaseURL: s.URL + "/partner-proxy/", OrgID: org,
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "url-test-token"})})
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(s.URL, "http://")
	include := true
	for _, c := range []struct {
		call func() error
		want string
	}{
		{func() error { _, err := c.GetUser(context.Background(), api.UUID{1}); return err },
			"/partner-proxy/api/partners/v2.0/org/ab000000-0000-0000-0000-000000000000/users/01000000-0000-0000-0000-000000000000? " + host},
		{func() error {
			_, err := c.GetUserByExternalID(context.Background(), "a b/c", api.GetUserByExternalIDParams{IncludeDeleted: &include})
			return err
		}, "/partner-proxy/api/partners/v2.0/org/ab000000-0000-0000-0000-000000000000/users/by-ext-id/a%20b%2Fc?include_deleted=true " + host},
	} {
		if err := c.call(); err != nil {
			t.Fatal(err)
		}
		if g := got.Load(); g != c.want {
			t.Errorf("the server got %v, want %s", g, c.want)
		}
	}
}
