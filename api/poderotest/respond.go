package poderotest

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/podero-go/podero/internal/specserver"
)

// apiPrefix starts every path of the spec.
const apiPrefix = "/api/partners/v2.0/"

// exchange is a conforming API request being answered.
type exchange struct {
	call   *specserver.Call
	r      *http.Request
	segs   []string          // the path template's segments after apiPrefix
	params map[string]string // path parameters, UUIDs in canonical form
	body   map[string]any    // the JSON request body, if an object
	// owner is the user the request acts for: the path's user_id, or the
	// body's when creating an onboarding session.
	owner string
}

func (x *exchange) last(n int) string {
	if n > len(x.segs) {
		return ""
	}
	return x.segs[len(x.segs)-n]
}

// param returns the kind of a "{name}" segment, or nil.
func param(seg string) *kind {
	name, ok := strings.CutPrefix(seg, "{")
	if !ok {
		return nil
	}
	name = strings.TrimSuffix(name, "}")
	if name == anyDevice.param {
		return anyDevice
	}
	return kindBy(func(k *kind) bool { return k.param == name })
}

func answer(status int, body any) specserver.Response {
	return specserver.Response{Status: status, Body: body}
}

var notFound = answer(http.StatusNotFound, map[string]any{"detail": "Not Found"})

// unprocessableBody is django-ninja's 422 for a request body that is not a
// JSON object: err is json.Unmarshal's. specserver's checkJSON and the
// operation's schema refuse such bodies before respond sees them; this is
// defence in depth, so that a blank object never stands in for a body. The
// item is specserver's ValidationItem so that its shape is the Validator's.
func unprocessableBody(err error) specserver.Response {
	item := specserver.ValidationItem{Loc: []string{"body"}, Type: "model_attributes_type",
		Msg: "Input should be a valid dictionary or object to extract fields from"}
	var notObject *json.UnmarshalTypeError // valid JSON, but an array, a string, ...
	if err != nil && !errors.As(err, &notObject) {
		item.Msg, item.Type = "Invalid JSON: "+err.Error(), "json_invalid"
	}
	p := specserver.Problem{Status: http.StatusUnprocessableEntity, Detail: []specserver.ValidationItem{item}}
	return answer(p.Status, map[string]any{"detail": p.Detail})
}

// respond answers a request that conforms to the spec and carries a valid
// token. The shape of the path template says what to do: a collection
// segment ("users", "electric-vehicles") is listed or created in, an id
// segment ("{user_id}") is read or updated, and a few actions after an id
// (boost, auth_session, sessions, settings) have state of their own.
// Everything else gets the spec's sample.
func (s *Server) respond(c *specserver.Call, r *http.Request) (specserver.Response, bool) {
	x := &exchange{call: c, r: r, params: canonicalParams(c),
		segs: strings.Split(strings.TrimPrefix(c.Route.Path, apiPrefix), "/")}
	if len(c.Body) > 0 {
		// The Validator has checked the body, but a body that does not
		// decode to an object must never be stood in for by a blank
		// object: refuse it, changing nothing.
		if err := json.Unmarshal(c.Body, &x.body); err != nil || x.body == nil {
			return unprocessableBody(err), true
		}
		dropUndeclared(x.body, c)
	}
	if resp, ok := s.stateful(x); ok {
		return resp, true
	}
	// Building a sample walks the response schema: not under the lock.
	return s.sample(x)
}

// stateful answers, under the lock, the operations the fake keeps state
// for, as respond says; false for the rest, which get the spec's sample.
func (s *Server) stateful(x *exchange) (specserver.Response, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick()

	target, problem := s.resolve(x)
	if problem == nil {
		problem = s.resolveBody(x)
	}
	if problem != nil {
		return *problem, true
	}
	if x.segs[0] == "cues" {
		return s.serveCue(x), true
	}
	method := x.r.Method
	if k := kindBy(func(k *kind) bool { return k.segment == x.last(1) }); k != nil {
		return s.collection(x, k), true
	}
	if param(x.last(1)) != nil && target != nil {
		switch method {
		case http.MethodGet:
			return answer(http.StatusOK, s.render(target)), true
		case http.MethodPut:
			s.update(target, x.body)
			return answer(http.StatusOK, s.render(target)), true
		case http.MethodPatch: // the generic device update answers no body
			s.update(target, x.body)
			return answer(http.StatusOK, nil), true
		}
	}
	if target != nil {
		if resp, ok := s.sessions(x, target); ok {
			return resp, true
		}
		if st := settingNamed(x.last(1)); st != nil && target.kind.name == st.of {
			return s.setting(x, target, st), true
		}
	}
	switch {
	case x.last(1) == "auth_session" && target != nil:
		return s.authSession(target, x.body), true
	case x.last(1) == "boost" && target != nil:
		return s.boost(target, method), true
	case x.last(1) == "claim-tokens" && target != nil:
		return s.mintClaimToken(target), true
	case x.last(3) == "wallbox-claim-tokens" && x.last(1) == "status" && target != nil:
		return s.claimStatus(target, x.params["token"]), true
	case x.last(2) == "by-ext-id":
		return s.userByExternalID(x.params["external_id"]), true
	}
	return specserver.Response{}, false
}

// dropUndeclared removes the fields of a request body that its schema does
// not declare, as django-ninja's pydantic models ignore them: a PUT with
// "id" or "is_charging" must not change them.
func dropUndeclared(body map[string]any, c *specserver.Call) {
	rb := c.Operation().RequestBody
	if rb == nil || rb.Value == nil {
		return
	}
	mt := rb.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil || len(mt.Schema.Value.Properties) == 0 {
		return
	}
	for name := range body {
		if _, ok := mt.Schema.Value.Properties[name]; !ok {
			delete(body, name)
		}
	}
}

// canonicalParams returns the call's path parameters with every UUID
// (format uuid in the spec) in Go's canonical form, lower case, as the
// fake stores ids: Podero compares them as UUIDs, not as text.
func canonicalParams(c *specserver.Call) map[string]string {
	params := make(map[string]string, len(c.PathParams))
	for name, v := range c.PathParams {
		p := c.Operation().Parameters.GetByInAndName("path", name)
		if p == nil && c.Route.PathItem != nil {
			p = c.Route.PathItem.Parameters.GetByInAndName("path", name)
		}
		if p != nil && p.Schema != nil && p.Schema.Value != nil && p.Schema.Value.Format == "uuid" {
			v = canonicalID(v)
		}
		params[name] = v
	}
	return params
}

// canonicalID returns a UUID in canonical form, or s unchanged if it is
// not one.
func canonicalID(s string) string {
	if id, err := uuid.Parse(s); err == nil {
		return id.String()
	}
	return s
}

// resolve checks every id in the path: the organization must be the
// server's (else 403), and each object must exist, be of the parameter's
// kind and belong to the path's user (else 404). It returns the object the
// last id names.
func (s *Server) resolve(x *exchange) (*record, *specserver.Response) {
	if org, ok := x.params["org_id"]; ok && org != s.OrgID.String() {
		r := answer(http.StatusForbidden, map[string]any{"detail": "You do not have permission to access organization " + org + "."})
		return nil, &r
	}
	x.owner = x.params["user_id"]
	var target *record
	for _, seg := range x.segs {
		k := param(seg)
		if k == nil {
			continue
		}
		rec := s.records[x.params[k.param]]
		if rec == nil || !rec.is(k) || (k.name != "user" && k.name != "onboarding" && rec.owner != x.owner) {
			return nil, &notFound
		}
		target = rec
	}
	return target, nil
}

// resolveBody checks the ids a request body refers to, as Podero looks
// them up among the user's objects: the user of a new onboarding session
// must exist, and a building_id must name one of the user's buildings (else
// 404, as for an id in the path). A null building_id is left alone. The ids
// are put in canonical form, as stored.
func (s *Server) resolveBody(x *exchange) *specserver.Response {
	if x.r.Method == http.MethodPost && x.last(1) == kindNamed("onboarding").segment {
		id, _ := x.body["user_id"].(string)
		x.owner = canonicalID(id)
		x.body["user_id"] = x.owner
		if u := s.records[x.owner]; u == nil || u.kind.name != "user" {
			return &notFound
		}
	}
	id, ok := x.body["building_id"].(string)
	if !ok {
		return nil
	}
	id = canonicalID(id)
	if b := s.records[id]; b == nil || b.kind.name != "building" || b.owner != x.owner {
		return &notFound
	}
	x.body["building_id"] = id
	return nil
}

// collection lists (GET) or creates in (POST) a collection: the
// organization's users, an onboarding session, or a user's buildings,
// energy contracts or devices.
func (s *Server) collection(x *exchange, k *kind) specserver.Response {
	if x.r.Method == http.MethodGet {
		if k.name == "user" {
			return answer(http.StatusOK, s.listUsers())
		}
		return answer(http.StatusOK, s.list(k, x.owner))
	}
	rec := s.create(k, x.owner, x.body)
	if k.name == "onboarding" {
		rec.input = x.body
	}
	s.note(rec, s.now())
	return answer(http.StatusOK, s.render(rec))
}

func (s *Server) userByExternalID(external string) specserver.Response {
	for _, u := range s.owned[""] { // users, oldest first
		if u.kind.name == "user" && u.obj["external_user_id"] == external {
			return answer(http.StatusOK, s.render(u))
		}
	}
	return notFound
}

// sample answers an operation the fake keeps no state for with the spec's
// sample response, its ids made to match the path where the names agree
// (a charge policy's metadata.user_id, say).
func (s *Server) sample(x *exchange) (specserver.Response, bool) {
	status, body, err := specserver.SampleResponse(x.call.Operation())
	if err != nil {
		return specserver.Response{}, false // the Handler reports it
	}
	return answer(status, withParams(body, x.params)), true
}

func withParams(v any, params map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if p, ok := params[k]; ok {
				if _, isString := e.(string); isString {
					x[k] = p
					continue
				}
			}
			x[k] = withParams(e, params)
		}
	case []any:
		for i := range x {
			x[i] = withParams(x[i], params)
		}
	}
	return v
}
