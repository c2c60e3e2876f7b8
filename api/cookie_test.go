package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// Cookie parameters (a django-ninja view behind Django's CSRF protection
// declares a csrftoken cookie): the generated methods add them with
// addCookieParam, and send puts them into one Cookie header.

func cookieClient(t *testing.T, h http.HandlerFunc) *PartnerClient {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "cookie-test-access-token"})})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var cookieOp = &operation{name: "RequestData", method: "POST", path: "/request-data", auth: true}

// TestCookieParametersAreSent: the cookie parameters reach the server, as
// they are, in one Cookie header, with a cookie the caller adds by
// WithHeader in the same header.
func TestCookieParametersAreSent(t *testing.T) {
	var got []string
	var cookies map[string]string
	c := cookieClient(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Values("Cookie")
		cookies = map[string]string{}
		for _, ck := range r.Cookies() {
			cookies[ck.Name] = ck.Value
		}
		w.WriteHeader(http.StatusNoContent)
	})
	rq := request{path: []byte("/request-data")}
	for _, p := range [][2]any{{"csrftoken", "Zx9-8_yQ.a~b!c"}, {"consent", 3}} {
		if err := addCookieParam(cookieOp, &rq, p[0].(string), p[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := callNoBody(c, context.Background(), cookieOp, &rq, []CallOption{WithHeader("Cookie", "theme=dark")}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "csrftoken=Zx9-8_yQ.a~b!c; consent=3; theme=dark" {
		t.Errorf("Cookie headers %q, want one: csrftoken=Zx9-8_yQ.a~b!c; consent=3; theme=dark", got)
	}
	if cookies["csrftoken"] != "Zx9-8_yQ.a~b!c" || cookies["consent"] != "3" || cookies["theme"] != "dark" {
		t.Errorf("the server read the cookies %v", cookies)
	}
}

// TestCookieParameterRefusesWhatACookieCannotCarry: a value with a byte
// that RFC 6265 does not allow in a cookie (net/http's AddCookie would
// quote it or drop the byte, changing the value) is refused (the generated
// method returns the error before sending), with an error that names the
// parameter and the byte but not the value, which may be a credential.
func TestCookieParameterRefusesWhatACookieCannotCarry(t *testing.T) {
	for _, v := range []string{"secret value", "secret;admin=1", `secret"x`, "secret,x", "sécret", "secret\\x", "secret\x01"} {
		rq := request{path: []byte("/request-data")}
		err := addCookieParam(cookieOp, &rq, "sessionid", v)
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(err.Error(), "the parameter sessionid cannot be encoded") || !strings.Contains(err.Error(), "a cookie cannot carry") {
			t.Errorf("%q: got %v, want an *Error naming sessionid and saying a cookie cannot carry it", v, err)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: the error shows the value: %v", v, err)
		}
		if len(rq.cookie) != 0 {
			t.Errorf("%q: the refused cookie was kept", v)
		}
	}
}

// TestCookieParameterValuesAreRedacted: a server that echoes a cookie
// parameter's value (a session id) in an error body does not put it into
// the error.
func TestCookieParameterValuesAreRedacted(t *testing.T) {
	const session = "s3ss10n-1d-0f-the-user"
	c := cookieClient(t, func(w http.ResponseWriter, r *http.Request) {
		ck, _ := r.Cookie("sessionid")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"detail": "session ` + ck.Value + ` has expired"}`))
	})
	rq := request{path: []byte("/request-data")}
	if err := addCookieParam(cookieOp, &rq, "sessionid", session); err != nil {
		t.Fatal(err)
	}
	err := callNoBody(c, context.Background(), cookieOp, &rq, nil)
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusForbidden {
		t.Fatalf("got %v, want the 403", err)
	}
	if strings.Contains(err.Error(), session) || strings.Contains(e.Message, session) || strings.Contains(string(e.Body), session) {
		t.Errorf("the error shows the session cookie: %v (body %s)", err, e.Body)
	}
}
