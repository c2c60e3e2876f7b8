package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
)

// PODERO_TOKEN_URL points the quickstart at another token endpoint: here a
// proxy in front of the fake's, which counts the requests it passes on.
func TestTokenURLFromTheEnvironment(t *testing.T) {
	srv := poderotest.New(t)
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int64
	proxy := httputil.NewSingleHostReverseProxy(target)
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		r.URL.Path = strings.TrimPrefix(srv.TokenURL, srv.URL) // the fake's own path
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(tokens.Close)
	env := map[string]string{
		"PODERO_CLIENT_ID": srv.ClientID, "PODERO_CLIENT_SECRET": srv.ClientSecret,
		"PODERO_ORG_ID": srv.OrgID.String(), "PODERO_BASE_URL": srv.URL, "PODERO_TOKEN_URL": tokens.URL + "/elsewhere/token",
	}
	var out bytes.Buffer
	if err := run(context.Background(), &out, envOf(env)); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	reported(t, out.String(), "✓", stepToken)
	if hits.Load() == 0 {
		t.Errorf("no token request reached PODERO_TOKEN_URL:\n%s", out.String())
	}
}

// The spec lets a reauthentication session's authentication_url be null:
// the quickstart says so and goes on with the journey, rather than
// failing the step.
func TestNullAuthenticationURL(t *testing.T) {
	srv := poderotest.New(t)
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if !strings.HasSuffix(resp.Request.URL.Path, "/auth_session") || resp.StatusCode/100 != 2 {
			return nil
		}
		var body map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return err
		}
		resp.Body.Close()
		body["authentication_url"] = nil
		b, _ := json.Marshal(body)
		resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)

	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: srv.OrgID, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	user, err := c.CreateUser(context.Background(), api.UserCreateInput{Role: api.RoleUser, Email: "null@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddDevice(user.ID, poderotest.ElectricVehicle); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"PODERO_CLIENT_ID": srv.ClientID, "PODERO_CLIENT_SECRET": srv.ClientSecret,
		"PODERO_ORG_ID": srv.OrgID.String(), "PODERO_BASE_URL": front.URL, "PODERO_TOKEN_URL": srv.TokenURL,
		"PODERO_USER_ID": user.ID.String(),
	}
	var out bytes.Buffer
	if err := run(context.Background(), &out, envOf(env)); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	reported(t, out.String(), "✓", stepReauth, stepSessions)
	if !strings.Contains(out.String(), "no authentication_url") {
		t.Errorf("the reauthentication step does not say what happened:\n%s", out.String())
	}
}
