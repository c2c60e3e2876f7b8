package specserver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/podero-go/podero/internal/pinned"
)

// TestTrailingData: a JSON body must be one JSON value and nothing but
// whitespace after it, as json.loads requires; openapi3filter alone reads
// only the first value.
func TestTrailingData(t *testing.T) {
	v, err := NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	const users = "/api/partners/v2.0/org/3fa85f64-5717-4562-b3fc-2c963f66afa6/users"
	for _, tc := range []struct {
		body string
		ok   bool
		msg  string // a part of the 422's message
	}{
		{`{"role":"user","email":"a@example.com"}`, true, ""},
		{"{\"role\":\"user\",\"email\":\"a@example.com\"} \r\n\t", true, ""},
		{`{"role":"user","email":"a@example.com"}}`, false, "trailing characters at line 1 column 40"},
		{`{"role":"user","email":"a@example.com"} {}`, false, "trailing characters"},
		{"{\"role\":\"user\",\n\"email\":\"a@example.com\"}\nx", false, "line 3 column 1"},
		{`{"role":"user","email":"a@example.com"}` + "\f", false, "trailing characters"},
		{`{"role":`, false, "Invalid JSON"},
		{"  ", false, "EOF"},
	} {
		r, _ := http.NewRequest(http.MethodPost, "http://fake"+users, strings.NewReader(tc.body))
		r.Header.Set("Content-Type", "application/json")
		_, problem := v.Check(r)
		if tc.ok {
			if problem != nil {
				t.Errorf("%q: %v, want it accepted", tc.body, problem)
			}
			continue
		}
		items, _ := problemItems(problem)
		if problem == nil || problem.Status != http.StatusUnprocessableEntity || len(items) != 1 ||
			strings.Join(items[0].Loc, ".") != "body" || items[0].Type != "json_invalid" || !strings.Contains(items[0].Msg, tc.msg) {
			t.Errorf("%q: %v, want 422 at body, json_invalid, with %q", tc.body, problem, tc.msg)
		}
	}
}

func problemItems(p *Problem) ([]ValidationItem, bool) {
	if p == nil {
		return nil, false
	}
	items, ok := p.Detail.([]ValidationItem)
	return items, ok
}

// TestLoadDocWithPatternGoCannotCompile: pydantic's Decimal pattern has a
// lookahead, which Go's regexp refuses. The document still loads, and the
// pattern matches anything instead of failing every value; a pattern Go can
// compile is still checked.
func TestLoadDocWithPatternGoCannotCompile(t *testing.T) {
	doc, err := LoadDoc([]byte(`{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
	  "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"description": "ok"}}}}},
	  "components": {"schemas": {
	    "Decimal": {"anyOf": [{"type": "number"}, {"type": "string", "pattern": "^(?!^[-+.]*$)[+-]?0*\\d*\\.?\\d*$"}]},
	    "Code": {"type": "string", "pattern": "^[A-Z]{2}$"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckValue(doc.Components.Schemas["Decimal"], "12.50"); err != nil {
		t.Errorf("a decimal string: %v", err)
	}
	if err := CheckValue(doc.Components.Schemas["Code"], "AT"); err != nil {
		t.Errorf("a matching code: %v", err)
	}
	if err := CheckValue(doc.Components.Schemas["Code"], "at"); err == nil {
		t.Error("a pattern Go compiles is no longer checked")
	}
}

// TestRememberedChecksStayExact: the Validator remembers what conformed,
// so a request or response checked again costs nothing; a change in the
// body, the query, Content-Type or the status is checked afresh, and what
// failed fails again.
func TestRememberedChecksStayExact(t *testing.T) {
	v, err := NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	const users = "http://fake/api/partners/v2.0/org/3fa85f64-5717-4562-b3fc-2c963f66afa6/users"
	check := func(method, url, contentType, body string, header ...string) (*Call, *Problem) {
		t.Helper()
		r, _ := http.NewRequest(method, url, strings.NewReader(body))
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		return v.Check(r)
	}
	const evData = "http://fake/api/partners/v2.0/org/3fa85f64-5717-4562-b3fc-2c963f66afa6/users/3fa85f64-5717-4562-b3fc-2c963f66afa7/electric-vehicles/3fa85f64-5717-4562-b3fc-2c963f66afa8/data"
	const good = `{"role":"user","email":"a@example.com"}`
	for range 2 {
		if _, p := check(http.MethodPost, users, "application/json", good); p != nil {
			t.Fatalf("a valid request: %v", p)
		}
		if _, p := check(http.MethodPost, users, "application/json", `{"role":"emperor","email":"a@example.com"}`); p == nil {
			t.Error("a role outside the enum was accepted")
		}
		if _, p := check(http.MethodPost, users, "text/plain", good); p == nil {
			t.Error("a valid body as text/plain was accepted")
		}
		// Each invalid request follows a valid one of the same path, so
		// that a memo that ignored the query or the header would accept it.
		if _, p := check(http.MethodGet, users, "", ""); p != nil {
			t.Fatalf("a valid GET: %v", p)
		}
		if _, p := check(http.MethodGet, users+"?include_deleted=maybe", "", ""); p == nil {
			t.Error("include_deleted=maybe was accepted")
		}
		if _, p := check(http.MethodGet, evData, "", "", "fill-missing", "true"); p != nil {
			t.Fatalf("fill-missing: true: %v", p)
		}
		if _, p := check(http.MethodGet, evData, "", "", "fill-missing", "maybe"); p == nil {
			t.Error("fill-missing: maybe was accepted")
		}
	}

	call, p := check(http.MethodGet, users, "", "")
	if p != nil {
		t.Fatal(p)
	}
	status, body, err := SampleResponse(call.Operation())
	if err != nil {
		t.Fatal(err)
	}
	valid, _ := json.Marshal(body)
	header := http.Header{"Content-Type": {"application/json"}}
	for range 2 {
		if err := v.CheckResponse(call, status, header, valid); err != nil {
			t.Fatalf("the sample response: %v", err)
		}
		if err := v.CheckResponse(call, 299, header, valid); err == nil {
			t.Error("the same body with an undeclared status passed")
		}
		if err := v.CheckResponse(call, status, http.Header{"Content-Type": {"text/html"}}, valid); err == nil {
			t.Error("the same body as text/html passed")
		}
		if err := v.CheckResponse(call, status, header, []byte(`{"items": "none"}`)); err == nil {
			t.Error("a malformed page passed")
		}
	}
}

// TestRememberedCookies: a cookie parameter is part of what a remembered
// request is: a valid value remembered does not let an invalid one pass.
func TestRememberedCookies(t *testing.T) {
	doc, err := LoadDoc([]byte(`{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
	  "paths": {"/a": {"get": {"operationId": "a",
	    "parameters": [{"name": "n", "in": "cookie", "schema": {"type": "integer"}}],
	    "responses": {"200": {"description": "ok"}}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewValidatorFor(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		cookie string
		ok     bool
	}{{"1", true}, {"x", false}, {"1", true}, {"x", false}} {
		r, _ := http.NewRequest(http.MethodGet, "http://fake/a", nil)
		r.AddCookie(&http.Cookie{Name: "n", Value: tc.cookie})
		if _, p := v.Check(r); (p == nil) != tc.ok {
			t.Errorf("cookie n=%s: %v, want accepted %v", tc.cookie, p, tc.ok)
		}
	}
}

// TestDocShared: specserver's Doc is pinned.Doc, the one parse of the
// pinned spec that api/speccheck uses too.
func TestDocShared(t *testing.T) {
	a, err := Doc()
	if err != nil {
		t.Fatal(err)
	}
	b, err := pinned.Doc()
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Error("specserver parses the pinned spec apart from pinned.Doc")
	}
}

// TestRequestKeyUUIDs: the requests for two devices differ only in valid
// UUIDs, so the second is not validated again; a path with an id that is
// not a UUID is still refused, after them.
func TestRequestKeyUUIDs(t *testing.T) {
	doc, err := Doc()
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewValidatorFor(doc) // a Validator of its own, to count what it remembers
	if err != nil {
		t.Fatal(err)
	}
	remembered := func() int {
		n := 0
		v.passed.Range(func(any, any) bool { n++; return true })
		return n
	}
	const org = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
	get := func(user, ev string) *Problem {
		r, _ := http.NewRequest(http.MethodGet, "http://fake/api/partners/v2.0/org/"+org+"/users/"+user+"/electric-vehicles/"+ev, nil)
		_, problem := v.Check(r)
		return problem
	}
	if p := get("0b6b8a7e-56cf-4f2c-9d3c-1a2b3c4d5e6f", "1c7c9b8f-67d0-4a3d-8e4d-2b3c4d5e6f70"); p != nil {
		t.Fatal(p)
	}
	if p := get("2d8dac90-78e1-4b4e-9f5e-3c4d5e6f7081", "3e9ebda1-89f2-4c5f-8a6f-4d5e6f708192"); p != nil {
		t.Fatal(p)
	}
	if n := remembered(); n != 1 {
		t.Errorf("%d requests remembered, want 1: two devices' reads have one key", n)
	}
	if p := get("2d8dac90-78e1-4b4e-9f5e-3c4d5e6f7081", "not-a-uuid"); p == nil || p.Status != http.StatusUnprocessableEntity {
		t.Errorf("an id that is not a UUID: %v, want 422", p)
	}
}

// TestRouteCache: routes remembered for one device's path serve another's
// with its own parameters; another method, or a path with something else
// where the UUID was, is routed afresh.
func TestRouteCache(t *testing.T) {
	doc, err := Doc()
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewValidatorFor(doc)
	if err != nil {
		t.Fatal(err)
	}
	const org = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
	route := func(method, user, ev string) (string, map[string]string, *Problem) {
		r, _ := http.NewRequest(method, "http://fake/api/partners/v2.0/org/"+org+"/users/"+user+"/electric-vehicles/"+ev, nil)
		rt, params, problem := v.Route(r)
		if problem != nil {
			return "", nil, problem
		}
		return rt.Operation.OperationID, params, nil
	}
	a1, a2 := "0b6b8a7e-56cf-4f2c-9d3c-1a2b3c4d5e6f", "1c7c9b8f-67d0-4a3d-8e4d-2b3c4d5e6f70"
	b1, b2 := "2d8dac90-78e1-4b4e-9f5e-3c4d5e6f7081", "3e9ebda1-89f2-4c5f-8a6f-4d5e6f708192"
	op1, p1, _ := route(http.MethodGet, a1, a2)
	op2, p2, _ := route(http.MethodGet, b1, b2) // from the cache
	if op1 == "" || op1 != op2 || p2["user_id"] != b1 || p2["electric_vehicle_id"] != b2 || p2["org_id"] != org || p1["user_id"] != a1 {
		t.Fatalf("routes %q %v and %q %v", op1, p1, op2, p2)
	}
	if op, _, _ := route(http.MethodPut, b1, b2); op == op1 || op == "" {
		t.Errorf("PUT routed to %q", op)
	}
	if _, _, problem := route(http.MethodPost, b1, b2); problem == nil || problem.Status != http.StatusMethodNotAllowed {
		t.Errorf("POST: %v, want 405", problem)
	}
	if op, p, _ := route(http.MethodGet, b1, "not-a-uuid"); op != op1 || p["electric_vehicle_id"] != "not-a-uuid" {
		t.Errorf("a path with something else than a UUID: %q %v", op, p)
	}
}
