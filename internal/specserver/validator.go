// Package specserver checks HTTP traffic against the pinned openapi.json with
// kin-openapi's openapi3filter, and answers requests with responses built
// from the spec's schemas. The SDK's tests use it as the server side of every
// operation; api/poderotest grows it into a stateful fake.
package specserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/podero-go/podero/internal/pinned"
	"github.com/podero-go/podero/internal/specformat"
)

// Doc returns the pinned spec, parsed and validated once per process
// (pinned.Doc, which speccheck shares). Callers must not modify it.
func Doc() (*openapi3.T, error) {
	doc, err := pinned.Doc()
	if err != nil {
		return nil, fmt.Errorf("specserver: %w", err)
	}
	return doc, nil
}

// LoadDoc parses and validates an OpenAPI document as Doc does the pinned
// one, for a server of another spec (a generated package of gen's corpus).
func LoadDoc(data []byte) (*openapi3.T, error) { return specformat.LoadDoc(data) }

// formats are how a value is checked against a schema: the string formats
// kin-openapi leaves out by default, so that a malformed id is refused as
// django-ninja (pydantic) refuses it, and the patterns Go cannot compile
// (see specformat.CompilePattern).
var formats = specformat.SchemaOptions

// CheckValue validates a JSON value (as encoding/json decodes into any)
// against a schema of the pinned spec, as requests and responses are.
func CheckValue(ref *openapi3.SchemaRef, value any) error {
	return ref.Value.VisitJSON(value, append([]openapi3.SchemaValidationOption{openapi3.EnableJSONSchema2020()}, formats...)...)
}

// CheckValueIn validates a JSON value against a schema of doc as traffic
// is checked against it: by JSON Schema 2020-12 in a 3.1 document, by
// OpenAPI 3.0's rules (nullable) in a 3.0 one.
func CheckValueIn(doc *openapi3.T, ref *openapi3.SchemaRef, value any) error {
	if doc.IsOpenAPI31OrLater() {
		return CheckValue(ref, value)
	}
	return ref.Value.VisitJSON(value, formats...)
}

// Validator checks requests and responses against the spec.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
	// passed holds the responses that conformed (see responseKey), so that
	// the same bytes are not validated again: kin-openapi compiles the JSON
	// Schema of a 3.1 document on every validation, which made that
	// compilation a third of the CPU of the SDK's tests.
	passed sync.Map
	// routes are the routes found, by routeKey.
	routes sync.Map
}

// responseKey is what the validity of a response depends on: the
// operation, the status, the headers the spec declares for the response (and
// Content-Type), and the body, by digest.
type responseKey struct {
	op     *openapi3.Operation
	status int
	header string
	body   [sha256.Size]byte
}

func newResponseKey(op *openapi3.Operation, status int, header http.Header, body []byte) responseKey {
	names := []string{"Content-Type"}
	if r := op.Responses.Status(status); r != nil && r.Value != nil {
		names = append(names, slices.Sorted(maps.Keys(r.Value.Headers))...)
	} else if r := op.Responses.Default(); r != nil && r.Value != nil {
		names = append(names, slices.Sorted(maps.Keys(r.Value.Headers))...)
	}
	var h strings.Builder
	for _, name := range names {
		h.WriteString(name)
		h.WriteByte(0)
		h.WriteString(strings.Join(header.Values(name), "\x00"))
		h.WriteByte(0)
	}
	return responseKey{op: op, status: status, header: h.String(), body: sha256.Sum256(body)}
}

var (
	pinnedOnce      sync.Once
	pinnedValidator *Validator
	pinnedErr       error
)

// NewValidator returns the Validator for the pinned spec. It is one per
// process: a Validator is safe for concurrent use, and sharing it builds the
// router once and lets every server reuse what has been checked already.
func NewValidator() (*Validator, error) {
	pinnedOnce.Do(func() {
		doc, err := Doc()
		if err != nil {
			pinnedErr = err
			return
		}
		pinnedValidator, pinnedErr = NewValidatorFor(doc)
	})
	return pinnedValidator, pinnedErr
}

// NewValidatorFor returns a Validator for doc (see LoadDoc). Requests are
// routed by doc's servers, as kin-openapi's router does.
func NewValidatorFor(doc *openapi3.T) (*Validator, error) {
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("specserver: route the spec: %w", err)
	}
	return &Validator{doc: doc, router: router}, nil
}

// Call is a request that conforms to the spec.
type Call struct {
	Route      *routers.Route
	PathParams map[string]string
	Body       []byte // the request body as received
	input      *openapi3filter.RequestValidationInput
}

// Operation is the spec's operation the request was routed to.
func (c *Call) Operation() *openapi3.Operation { return c.Route.Operation }

// Route finds the spec's operation for r: 404 or 405 in django-ninja's
// shape when there is none.
//
// The router tries the spec's paths' patterns in turn, tens of
// microseconds a request; so a route found is remembered by the method
// and the path with its valid UUIDs blanked (every device's path is one
// key), with where each path parameter's value stands in the path.
func (v *Validator) Route(r *http.Request) (*routers.Route, map[string]string, *Problem) {
	segs := strings.Split(r.URL.Path, "/")
	key := routeKey(r.Method, segs)
	if c, ok := v.routes.Load(key); ok {
		cr := c.(*cachedRoute)
		params := make(map[string]string, len(cr.params))
		for i, name := range cr.params {
			params[name] = segs[i]
		}
		return cr.route, params, nil
	}
	route, params, err := v.router.FindRoute(r)
	if err != nil {
		if errors.Is(err, routers.ErrMethodNotAllowed) {
			return nil, nil, &Problem{Status: http.StatusMethodNotAllowed, Detail: "Method Not Allowed"}
		}
		return nil, nil, &Problem{Status: http.StatusNotFound, Detail: "Not Found"}
	}
	if cr := newCachedRoute(route, params, segs); cr != nil {
		v.routes.Store(key, cr)
	}
	return route, params, nil
}

// cachedRoute is a route found, and the path segment of each parameter.
type cachedRoute struct {
	route  *routers.Route
	params map[int]string
}

// routeKey is a request's key for the routes remembered: the method and
// the path, each segment that is a valid UUID blanked.
func routeKey(method string, segs []string) string {
	var b strings.Builder
	b.WriteString(method)
	for _, seg := range segs {
		b.WriteByte('/')
		if len(seg) == 36 && specformat.Validators["uuid"].Validate(seg) == nil {
			b.WriteByte(0)
			continue
		}
		b.WriteString(seg)
	}
	return b.String()
}

// newCachedRoute says where the route's parameters stand in the path, or
// returns nil when the template does not split into the same segments (a
// parameter inside a segment, or an escaped slash in a value): such a
// request is routed every time.
func newCachedRoute(route *routers.Route, params map[string]string, segs []string) *cachedRoute {
	tmpl := strings.Split(route.Path, "/")
	if len(tmpl) != len(segs) {
		return nil
	}
	cr := &cachedRoute{route: route, params: map[int]string{}}
	for i, t := range tmpl {
		name, isParam := strings.CutPrefix(t, "{")
		name, closed := strings.CutSuffix(name, "}")
		switch {
		case isParam && closed && params[name] == segs[i]:
			cr.params[i] = name
		case isParam || closed || t != segs[i]:
			return nil
		}
	}
	if len(cr.params) != len(params) {
		return nil
	}
	return cr
}

// Check routes r and validates its path, query, headers and body against
// the spec. Security is left to the caller. The body is read and kept in the
// Call; r.Body is restored so that a handler can read it again.
func (v *Validator) Check(r *http.Request) (*Call, *Problem) {
	route, params, problem := v.Route(r)
	if problem != nil {
		return nil, problem
	}
	var body []byte
	var err error
	if r.Body != nil {
		body, err = io.ReadAll(r.Body)
		if err != nil {
			return nil, &Problem{Status: http.StatusBadRequest, Detail: "cannot read request body: " + err.Error()}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	key := newRequestKey(r, route, params, body)
	if _, ok := v.passed.Load(key); ok {
		// It passed checkJSON too: Content-Type and the body are in the key.
		r.Body = io.NopCloser(bytes.NewReader(body))
		return &Call{Route: route, PathParams: params, Body: body, input: v.requestInput(r, route, params)}, nil
	}
	if problem := checkJSON(r, route.Operation, body); problem != nil {
		return nil, problem
	}
	input := v.requestInput(r, route, params)
	err = openapi3filter.ValidateRequest(r.Context(), input)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return nil, &Problem{Status: http.StatusUnprocessableEntity, Detail: validationItems(err)}
	}
	v.passed.Store(key, struct{}{})
	return &Call{Route: route, PathParams: params, Body: body, input: input}, nil
}

func (v *Validator) requestInput(r *http.Request, route *routers.Route, params map[string]string) *openapi3filter.RequestValidationInput {
	return &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			MultiError:              true,
			AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
			SchemaValidationOptions: formats,
		},
	}
}

// requestKey is what the validity of a request depends on: the operation,
// the URL (path and query), Content-Type, the spec's header and cookie
// parameters (security is left to the caller), and the body, by digest.
// In the path, a valid UUID stands for every valid UUID where the
// parameter's schema asks for nothing but one (see uuidOnly), so that a
// fleet of devices does not validate each device's URL again.
type requestKey struct {
	op     *openapi3.Operation
	url    string
	header string
	body   [sha256.Size]byte
}

func newRequestKey(r *http.Request, route *routers.Route, params map[string]string, body []byte) requestKey {
	var h strings.Builder
	add := func(name string, values []string) {
		h.WriteString(name)
		h.WriteByte(0)
		h.WriteString(strings.Join(values, "\x00"))
		h.WriteByte(0)
	}
	add("Content-Type", r.Header.Values("Content-Type"))
	for _, params := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, p := range params {
			switch {
			case p.Value == nil:
			case p.Value.In == openapi3.ParameterInHeader:
				add(p.Value.Name, r.Header.Values(p.Value.Name))
			case p.Value.In == openapi3.ParameterInCookie:
				var values []string
				for _, c := range r.CookiesNamed(p.Value.Name) {
					values = append(values, c.Value)
				}
				add("cookie "+p.Value.Name, values)
			}
		}
	}
	return requestKey{op: route.Operation, url: keyPath(r, route, params), header: h.String(), body: sha256.Sum256(body)}
}

// uuidKey stands in a request key for a valid UUID.
const uuidKey = "\x00uuid\x00"

// keyPath is the request's URL for its key: the escaped path, with each
// path parameter whose schema is uuidOnly and whose value is a valid UUID
// replaced by uuidKey, and the raw query. The validity of such a
// parameter is the same for every valid UUID.
func keyPath(r *http.Request, route *routers.Route, params map[string]string) string {
	path := r.URL.EscapedPath()
	for name, value := range params {
		if !uuidOnly(route, name) || specformat.Validators["uuid"].Validate(value) != nil {
			continue
		}
		// A UUID has no characters that escape, and one param's value
		// cannot be part of another's: replacing each segment that is
		// exactly the value is enough.
		segs := strings.Split(path, "/")
		for i, seg := range segs {
			if seg == value {
				segs[i] = uuidKey
			}
		}
		path = strings.Join(segs, "/")
	}
	return path + "?" + r.URL.RawQuery
}

// uuidOnly reports whether the route's path parameter name is a string of
// format uuid and nothing more (no pattern, length, enum, ...).
func uuidOnly(route *routers.Route, name string) bool {
	p := route.Operation.Parameters.GetByInAndName(openapi3.ParameterInPath, name)
	if p == nil && route.PathItem != nil {
		p = route.PathItem.Parameters.GetByInAndName(openapi3.ParameterInPath, name)
	}
	if p == nil || p.Schema == nil || p.Schema.Value == nil {
		return false
	}
	sc := p.Schema.Value
	return sc.Type.Is(openapi3.TypeString) && sc.Format == "uuid" && sc.Pattern == "" && sc.MaxLength == nil &&
		sc.MinLength == 0 && len(sc.Enum) == 0 && sc.Not == nil && len(sc.AnyOf) == 0 && len(sc.OneOf) == 0 && len(sc.AllOf) == 0
}

// checkJSON refuses a JSON request body that is not exactly one JSON
// value, as Python's json.loads (which django-ninja parses bodies with)
// refuses "Extra data": openapi3filter decodes only the first value, so
// `{"role":"user"}}` would otherwise pass as {"role":"user"}. Only
// whitespace may follow the value. A body for an operation that declares
// none, or of another media type, is left to openapi3filter.
func checkJSON(r *http.Request, op *openapi3.Operation, body []byte) *Problem {
	if op.RequestBody == nil || len(body) == 0 {
		return nil
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || !specformat.IsJSONMedia(mt) {
		return nil
	}
	invalid := func(msg string) *Problem {
		return &Problem{Status: http.StatusUnprocessableEntity, Detail: []ValidationItem{{Loc: []string{"body"}, Msg: msg, Type: "json_invalid"}}}
	}
	if len(bytes.Trim(body, jsonSpace)) == 0 {
		return invalid("Invalid JSON: EOF while parsing a value")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var v any
	if err := dec.Decode(&v); err != nil {
		return invalid("Invalid JSON: " + err.Error())
	}
	end := int(dec.InputOffset())
	if rest := bytes.TrimLeft(body[end:], jsonSpace); len(rest) > 0 {
		at := len(body) - len(rest)
		line := 1 + bytes.Count(body[:at], []byte("\n"))
		col := at - bytes.LastIndexByte(body[:at], '\n')
		return invalid(fmt.Sprintf("Invalid JSON: trailing characters at line %d column %d", line, col))
	}
	return nil
}

// jsonSpace is the whitespace JSON allows between tokens (RFC 8259).
const jsonSpace = " \t\n\r"

// CheckResponse validates a response to c against the spec, status included.
func (v *Validator) CheckResponse(c *Call, status int, header http.Header, body []byte) error {
	key := newResponseKey(c.Operation(), status, header, body)
	if _, ok := v.passed.Load(key); ok {
		return nil
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: c.input,
		Status:                 status,
		Header:                 header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, SchemaValidationOptions: formats},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return err
	}
	v.passed.Store(key, struct{}{})
	return nil
}

// WriteJSON writes v as a JSON response with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "specserver: encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// BearerToken returns the token of an "Authorization: Bearer ..." header.
func BearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}
