package poderotest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/podero-go/podero/api/poderotest"
	apiraw "github.com/podero-go/podero/api/raw"
	"github.com/podero-go/podero/oauth"
)

// TestTokenFlows gets a token every way the fake accepts and uses it.
func TestTokenFlows(t *testing.T) {
	srv := poderotest.New(t)
	specURL := srv.URL + oauth.SpecTokenPath
	sources := map[string]func() (*oauth.TokenSource, error){
		"guide JSON": func() (*oauth.TokenSource, error) {
			return oauth.NewTokenSource(oauth.Config{ClientID: srv.ClientID, ClientSecret: srv.ClientSecret, TokenURL: srv.TokenURL})
		},
		"guide form": func() (*oauth.TokenSource, error) {
			return oauth.NewTokenSource(oauth.Config{ClientID: srv.ClientID, ClientSecret: srv.ClientSecret, TokenURL: srv.TokenURL, Encoding: oauth.EncodingForm})
		},
		"spec form": func() (*oauth.TokenSource, error) {
			return oauth.NewTokenSource(oauth.Config{ClientID: srv.ClientID, ClientSecret: srv.ClientSecret, TokenURL: specURL, Encoding: oauth.EncodingForm})
		},
		"spec password": func() (*oauth.TokenSource, error) {
			return oauth.NewPasswordTokenSource(oauth.Config{ClientID: srv.ClientID, ClientSecret: srv.ClientSecret, TokenURL: specURL}, srv.Username, srv.Password)
		},
	}
	for name, newSource := range sources {
		t.Run(name, func(t *testing.T) {
			ts, err := newSource()
			if err != nil {
				t.Fatal(err)
			}
			tok, err := ts.Token()
			if err != nil {
				t.Fatal(err)
			}
			if tok.Type() != "Bearer" || tok.Extra("scope") != "read write" || tok.Expiry.IsZero() {
				t.Errorf("token type %q, scope %v, expiry %v", tok.Type(), tok.Extra("scope"), tok.Expiry)
			}
			c, err := apiraw.NewClientWithResponses(srv.URL, apiraw.WithRequestEditorFn(oauth.RequestEditor(ts)))
			if err != nil {
				t.Fatal(err)
			}
			r, err := c.ListUsersWithResponse(context.Background(), srv.OrgID, nil)
			expect(t, r, err, 200)
		})
	}
}

func TestTokenErrors(t *testing.T) {
	srv := poderotest.New(t)
	post := func(url, user, pass, contentType, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, out
	}
	const form = "application/x-www-form-urlencoded"
	specURL := srv.URL + oauth.SpecTokenPath
	for _, tc := range []struct {
		name, url, user, pass, contentType, body string
		status                                   int
		code                                     string
	}{
		{"wrong secret", srv.TokenURL, srv.ClientID, "nope", "application/json", `{"grant_type":"client_credentials"}`, 401, "invalid_client"},
		{"no credentials", srv.TokenURL, "", "", "application/json", `{"grant_type":"client_credentials"}`, 401, "invalid_client"},
		{"unknown grant", srv.TokenURL, srv.ClientID, srv.ClientSecret, form, "grant_type=authorization_code", 400, "unsupported_grant_type"},
		{"no grant", srv.TokenURL, srv.ClientID, srv.ClientSecret, "application/json", `{}`, 400, "invalid_request"},
		{"bad JSON", srv.TokenURL, srv.ClientID, srv.ClientSecret, "application/json", `{`, 400, "invalid_request"},
		{"wrong password", specURL, srv.ClientID, srv.ClientSecret, form,
			url.Values{"grant_type": {"password"}, "username": {srv.Username}, "password": {"nope"}}.Encode(), 400, "invalid_grant"},
	} {
		status, body := post(tc.url, tc.user, tc.pass, tc.contentType, tc.body)
		if status != tc.status || body["error"] != tc.code || body["error_description"] == "" {
			t.Errorf("%s: %d %v, want %d with error %s and a description", tc.name, status, body, tc.status, tc.code)
		}
		if strings.Contains(fmt.Sprint(body), srv.ClientSecret) {
			t.Errorf("%s: the error echoes the client secret", tc.name)
		}
	}
	// RFC 6749 section 2.3.1: the client credentials may go in the form.
	status, body := post(srv.TokenURL, "", "", form, url.Values{"grant_type": {"client_credentials"},
		"client_id": {srv.ClientID}, "client_secret": {srv.ClientSecret}}.Encode())
	if status != 200 || body["access_token"] == "" {
		t.Errorf("credentials in the form body: %d %v", status, body)
	}
	if n := srv.TokenRequests(); n != 7 {
		t.Errorf("TokenRequests() = %d, want 7", n)
	}
}

func TestUnauthenticated(t *testing.T) {
	srv := poderotest.New(t)
	users := path(srv, "/users")
	for name, tok := range map[string]string{"no token": "", "unknown token": "not-a-token"} {
		// The body does not conform either: authentication comes first.
		status, _, body := raw(t, http.MethodPost, users, tok, `{"role":"nobody"}`)
		if status != 401 || body["detail"] != "Unauthorized" {
			t.Errorf("%s: %d %v, want 401 with detail Unauthorized", name, status, body)
		}
	}
	// The operations with security [] need no token.
	status, _, body := raw(t, http.MethodGet, srv.URL+"/api/partners/v2.0/cues/3fa85f64-5717-4562-b3fc-2c963f66afa6/state?secret=s", "", "")
	if status != http.StatusMethodNotAllowed {
		t.Errorf("GET on a POST-only path: %d %v", status, body)
	}
	// Without a token, a wrong secret is refused for the secret (403), not
	// the token; the right one works.
	status, _, body = raw(t, http.MethodPost, srv.URL+"/api/partners/v2.0/cues/3fa85f64-5717-4562-b3fc-2c963f66afa6/state?secret=s", "", `{"state":"success"}`)
	if status != 403 {
		t.Errorf("ReportCueState without a token, wrong secret: %d %v, want 403", status, body)
	}
	tok := token(t, srv)
	status, _, user := raw(t, http.MethodPost, users, tok, `{"role":"user","email":"a@example.com"}`)
	if status != 200 {
		t.Fatalf("create user: %d %v", status, user)
	}
	hp, err := srv.AddDevice(parseUUID(t, user["id"].(string)), poderotest.HeatPump)
	if err != nil {
		t.Fatal(err)
	}
	cue, err := srv.AddInformation(hp)
	if err != nil {
		t.Fatal(err)
	}
	_, secret := resolutionLink(t, tok, path(srv, "/users/"+user["id"].(string)+"/heat-pumps/"+hp.String()), cue)
	status, _, body = raw(t, http.MethodPost, srv.URL+"/api/partners/v2.0/cues/"+cue+"/state?secret="+url.QueryEscape(secret), "", `{"state":"success"}`)
	if status != 200 || body["action_id"] != cue {
		t.Errorf("ReportCueState without a token: %d %v, want 200 with the action id", status, body)
	}
}

// TestExpireTokens: after ExpireTokens the client's cached token gets 401;
// a fresh one works.
func TestExpireTokens(t *testing.T) {
	srv := poderotest.New(t)
	c, ts := client(t, srv)
	ctx := context.Background()
	r, err := c.ListUsersWithResponse(ctx, srv.OrgID, nil)
	expect(t, r, err, 200)

	srv.ExpireTokens()
	r, err = c.ListUsersWithResponse(ctx, srv.OrgID, nil)
	expect(t, r, err, 401)
	var problem struct{ Detail string }
	decode(t, r.Body, &problem)
	if problem.Detail == "" {
		t.Errorf("401 without detail: %s", r.Body)
	}

	ts.Invalidate()
	r, err = c.ListUsersWithResponse(ctx, srv.OrgID, nil)
	expect(t, r, err, 200)
	if n := srv.TokenRequests(); n != 2 {
		t.Errorf("TokenRequests() = %d, want 2", n)
	}
}
