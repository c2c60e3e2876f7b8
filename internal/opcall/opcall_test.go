package opcall

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/podero-go/podero/api"
)

// TestInputErrors: a value that is missing, unknown or malformed is an
// InputError naming it, and nothing is sent.
func TestInputErrors(t *testing.T) {
	sent := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent++ }))
	defer srv.Close()
	c, err := api.New(api.Config{BaseURL: srv.URL, ClientID: "id", ClientSecret: "secret", OrgID: api.UUID{1}})
	if err != nil {
		t.Fatal(err)
	}
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	for _, tc := range []struct {
		op   string
		args Args
		want string
	}{
		{"GetUser", Args{}, "user_id: missing: it is required"},
		{"GetUser", Args{Params: map[string]json.RawMessage{"user_id": raw(`"x"`)}}, `user_id: "x" is not valid`},
		{"GetUser", Args{Params: map[string]json.RawMessage{"user_id": raw(`"3fa85f64-5717-4562-b3fc-2c963f66afa6"`), "limit": raw("1")}}, "limit: GetUser has no parameter limit"},
		{"ListUsers", Args{Params: map[string]json.RawMessage{"include_deleted": raw(`"yes"`)}}, `include_deleted: want true or false, got a string "yes"`},
		{"ListUsers", Args{Body: []byte(`{}`)}, "body: ListUsers takes no body"},
		{"CreateUser", Args{}, "body: missing: it is required"},
		{"CreateUser", Args{Body: []byte(`{"email":1}`)}, "body field email: want a string, got a number 1"},
		{"CreateUser", Args{Body: []byte(`{"email":"a@example.com","nick":"x"}`)}, "body field nick: unknown field: UserCreateInput has no such field"},
		{"CreateUser", Args{Body: []byte(`[1]`)}, "body: want an object, got an array [1]"},
		{"ResolveCue", Args{Params: map[string]json.RawMessage{"cue_id": raw(`"3fa85f64-5717-4562-b3fc-2c963f66afa6"`), "secret": raw(`123456789`)}, Body: []byte(`{}`)},
			"secret: not a valid value (it is a secret, so this message does not show it)"},
	} {
		_, err := Lookup(tc.op).Call(context.Background(), c, tc.args)
		var ie *InputError
		if !errors.As(err, &ie) || err.Error() != tc.want && !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s %+v: %v, want %q", tc.op, tc.args, err, tc.want)
		}
	}
	if sent != 0 {
		t.Errorf("%d requests were sent", sent)
	}
}

func TestRedactURLSecrets(t *testing.T) {
	in := `{"url":"https://api.example.com/cues/1/resolve?secret=s3cr3t-value&x=1","b":"https://x.example.com/?token=t0k3n","c":"no secret=here"}`
	got := string(RedactURLSecrets([]byte(in)))
	want := `{"url":"https://api.example.com/cues/1/resolve?secret=[redacted]&x=1","b":"https://x.example.com/?token=[redacted]","c":"no secret=here"}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestUndeclaredOfAList: Args.Options reach the method (the body as
// received), and Undeclared names the undeclared properties of a list's
// items once each, nested ones by their paths; Show keeps the body's order
// and numbers.
func TestUndeclaredOfAList(t *testing.T) {
	const user = `{"email":"%s@example.com","id":"3fa85f64-5717-4562-b3fc-2c963f66afa6","organization_id":"3fa85f64-5717-4562-b3fc-2c963f66afa6",` +
		`"role":"user","num_electric_vehicles":0,"num_heat_pumps":0,"num_inverters":0,"num_wallboxes":0,"latitude":48.20820000%s}`
	body := "[" + fmt.Sprintf(user, "a", `,"nickname":"x"`) + "," + fmt.Sprintf(user, "b", `,"nickname":"y","pet":{"name":"z","age":1e400}`) + "]"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/token") {
			_, _ = w.Write([]byte(`{"access_token":"tok-0123456789","token_type":"Bearer","expires_in":3600}`))
			return
		}
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	c, err := api.New(api.Config{BaseURL: srv.URL, TokenURL: srv.URL + "/token", ClientID: "id", ClientSecret: "secret", OrgID: api.UUID{1}})
	if err != nil {
		t.Fatal(err)
	}
	var raw []byte
	res, err := Lookup("ListUsers").Call(context.Background(), c, Args{Options: []api.CallOption{api.WithRawBody(&raw)}})
	if err != nil {
		t.Fatal(err)
	}
	if got := Undeclared(res, nil); !slices.Equal(got, []string{"[].nickname", "[].pet"}) {
		t.Errorf("Undeclared: %q", got)
	}
	shown, err := Show(raw, nil)
	if err != nil || string(shown) != body {
		t.Errorf("Show: %v\n%s\nwant\n%s", err, shown, body)
	}
}
