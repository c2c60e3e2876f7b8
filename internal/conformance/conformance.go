// Package conformance is the generic conformance test of a package that gen
// generates (package api, and the packages of gen's corpus): it checks that
// every operation of the spec has its methods (RunMethods), and calls every
// operation, through the raw client and through its PartnerClient method,
// against a server that validates the request against the package's spec
// and answers with a response that validates too, and checks that the
// client decodes what the server sent.
//
// It knows nothing of Podero's operations. It reads the spec for what to
// send (path parameters, path-level ones included; query and header
// parameters; JSON and other bodies) and the generated methods' types for
// how to pass it, so it runs against any document gen accepts: one with
// servers (the client's base URL gets their path), operations without a
// JSON 2xx (a 204, a text/html page, only a default response), and bodies
// that are not JSON (forms, files, text).
package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/google/uuid"

	"github.com/podero-go/podero/internal/specformat"
	"github.com/podero-go/podero/internal/specserver"
)

// Operation is one entry of a generated package's Operations.
type Operation struct {
	Name, Method, Path, OperationID string
}

// Operations converts a generated package's Operations ([]OperationInfo,
// whose fields Name, Method, Path and OperationID every generated package
// has) for Package.
func Operations(list any) []Operation {
	v := reflect.ValueOf(list)
	out := make([]Operation, v.Len())
	for i := range out {
		e := v.Index(i)
		out[i] = Operation{Name: e.FieldByName("Name").String(), Method: e.FieldByName("Method").String(),
			Path: e.FieldByName("Path").String(), OperationID: e.FieldByName("OperationID").String()}
	}
	return out
}

// Package is a generated client package, by the exported identifiers that
// every package gen writes has.
type Package struct {
	// Doc is the spec the package was generated from, as the server checks
	// traffic against it (see specserver.LoadDoc).
	Doc *openapi3.T
	// Operations is the package's Operations (see the function of that name).
	Operations []Operation
	// NewRaw returns the package's *ClientWithResponses for server that
	// sends the bearer token.
	NewRaw func(server, token string) (any, error)
	// NewPartner returns the package's *PartnerClient for server, with org
	// as its Config.OrgID and the token as its token source.
	NewPartner func(server string, org uuid.UUID, token string) (any, error)
	// ResponseInfo returns a CallOption (WithResponseInfo) and a function
	// that reads the status and the number of attempts it recorded.
	ResponseInfo func() (option any, read func() (status, attempts int))
	// Paginated is the package's Paginated: the operations with an Iter
	// method.
	Paginated []string
}

// Run runs RunMethods, RunRaw, RunPartner and RunErrors as subtests.
func Run(t *testing.T, p Package) {
	t.Run("Methods", func(t *testing.T) { RunMethods(t, p) })
	t.Run("Raw", func(t *testing.T) { RunRaw(t, p) })
	t.Run("PartnerClient", func(t *testing.T) { RunPartner(t, p) })
	t.Run("Errors", func(t *testing.T) { RunErrors(t, p) })
}

const token = "test-token"

// RunMethods walks the spec, not the package's Operations, so that an
// operation the pipeline dropped cannot go unnoticed: every operation must
// be in Operations, with its raw client methods (RawMethods) and its
// PartnerClient method.
func RunMethods(t *testing.T, p Package) {
	raw, err := p.NewRaw("https://example.com", token)
	if err != nil {
		t.Fatal(err)
	}
	partner, err := p.NewPartner("https://example.com", uuid.MustParse(specserver.SampleUUID), token)
	if err != nil {
		t.Fatal(err)
	}
	for _, problem := range MissingMethods(p.Doc, p.Operations, raw, partner) {
		t.Error(problem)
	}
}

// MissingMethods lists what RunMethods finds missing: the spec's operations
// that ops lacks or has elsewhere, and the methods raw (the package's
// *ClientWithResponses) and partner (its *PartnerClient) lack for them.
func MissingMethods(doc *openapi3.T, ops []Operation, raw, partner any) []string {
	byRoute := map[string]Operation{}
	for _, info := range ops {
		byRoute[info.Method+" "+info.Path] = info
	}
	rv, pv := reflect.ValueOf(raw), reflect.ValueOf(partner)
	var problems []string
	n := 0
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			n++
			info, ok := byRoute[method+" "+path]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s %s (operationId %q) is not in Operations", method, path, op.OperationID))
				continue
			}
			if info.OperationID != op.OperationID {
				problems = append(problems, fmt.Sprintf("Operations has %s %s with operationId %q, the spec %q", method, path, info.OperationID, op.OperationID))
			}
			for _, name := range RawMethods(info.Name, op) {
				if !rv.MethodByName(name).IsValid() {
					problems = append(problems, fmt.Sprintf("%s %s (%s) has no method %s on the raw client %T", method, path, info.Name, name, raw))
				}
			}
			if !pv.MethodByName(info.Name).IsValid() {
				problems = append(problems, fmt.Sprintf("%s %s has no method %s on %T", method, path, info.Name, partner))
			}
		}
	}
	if n != len(ops) {
		problems = append(problems, fmt.Sprintf("the spec has %d operations, Operations %d", n, len(ops)))
	}
	if n == 0 {
		problems = append(problems, "the spec has no operations")
	}
	return problems
}

// RawMethods are the methods of oapi-codegen's ClientWithResponses for an
// operation of the Go name name that every client has, whatever its
// package: <name>WithResponse for an operation without a body, and
// <name>WithBodyWithResponse (any media type, as bytes) for one with a
// body, besides which only an application/json body has <name>WithResponse
// (another JSON type, a form, text have <name>With<Type>BodyWithResponse; a
// multipart form or an octet stream have none).
func RawMethods(name string, op *openapi3.Operation) []string {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return []string{name + "WithResponse"}
	}
	methods := []string{name + "WithBodyWithResponse"}
	if _, ok := op.RequestBody.Value.Content["application/json"]; ok {
		methods = append(methods, name+"WithResponse")
	}
	return methods
}

// rawMethod is the raw client method RunRaw calls for an operation: the
// typed <name>WithResponse where there is one, else the one that sends the
// body as bytes.
func rawMethod(name string, op *openapi3.Operation) string {
	methods := RawMethods(name, op)
	return methods[len(methods)-1]
}

// RunRaw calls every operation through the raw client's <Name>WithResponse
// (or <Name>WithBodyWithResponse for a body that is not application/json,
// see RawMethods): the request
// must validate, the status must be the one the server answered, and a JSON
// body must be decoded into the typed field for the status and carry what
// the server sent.
func RunRaw(t *testing.T, p Package) {
	srv := newServer(t, p.Doc)
	client, err := p.NewRaw(srv.base, token)
	if err != nil {
		t.Fatal(err)
	}
	cv := reflect.ValueOf(client)
	if len(p.Operations) == 0 {
		t.Fatal("the package has no operations")
	}
	for _, info := range p.Operations {
		t.Run(info.Name, func(t *testing.T) {
			op := srv.operation(t, info)
			name := rawMethod(info.Name, op)
			m := cv.MethodByName(name)
			if !m.IsValid() {
				t.Fatalf("the raw client has no method %s", name)
			}
			before := len(srv.h.Calls())
			out := m.Call(srv.args(t, m.Type(), info, op, false))
			if err, _ := out[1].Interface().(error); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			sent := srv.lastSent(t, info)
			resp := out[0]
			status := resp.MethodByName("StatusCode").Call(nil)[0].Interface().(int)
			body := resp.Elem().FieldByName("Body").Bytes()
			if status != sent.status {
				t.Fatalf("status %d, want %d; body: %s", status, sent.status, body)
			}
			calls := srv.h.Calls()[before:]
			if len(calls) != 1 || calls[0].Method != info.Method || (info.OperationID != "" && calls[0].OperationID != info.OperationID) {
				t.Fatalf("the server saw %+v, want one %s %s", calls, info.Method, info.Path)
			}
			if !bytes.Equal(body, sent.body) {
				t.Fatalf("Body is %q, the server sent %q", body, sent.body)
			}
			if !sent.json {
				return
			}
			typed := resp.Elem().FieldByName(fmt.Sprintf("JSON%d", status))
			if !typed.IsValid() {
				typed = resp.Elem().FieldByName(fmt.Sprintf("JSON%dXX", status/100))
			}
			if !typed.IsValid() || typed.IsNil() {
				t.Fatalf("JSON%d is not set; body: %s", status, body)
			}
			sameJSON(t, typed.Interface(), sent.body)
		})
	}
}

// RunPartner calls every operation through its PartnerClient method: the
// request must validate, the call must return its decoded result (only an
// error for an operation without a body to decode), and the result must
// carry what the server sent.
func RunPartner(t *testing.T, p Package) {
	srv := newServer(t, p.Doc)
	org := uuid.MustParse(specserver.SampleUUID)
	c, err := p.NewPartner(srv.base, org, token)
	if err != nil {
		t.Fatal(err)
	}
	cv := reflect.ValueOf(c)
	for _, info := range p.Operations {
		t.Run(info.Name, func(t *testing.T) {
			op := srv.operation(t, info)
			m := cv.MethodByName(info.Name)
			if !m.IsValid() {
				t.Fatalf("no method PartnerClient.%s", info.Name)
			}
			opt, read := p.ResponseInfo()
			out := m.Call(append(srv.args(t, m.Type(), info, op, true), reflect.ValueOf(opt)))
			if err, _ := out[len(out)-1].Interface().(error); err != nil {
				t.Fatalf("%s: %v", info.Name, err)
			}
			sent := srv.lastSent(t, info)
			if status, attempts := read(); status != sent.status || attempts != 1 {
				t.Fatalf("ResponseInfo has status %d after %d attempts, want %d after 1", status, attempts, sent.status)
			}
			if len(out) == 1 {
				if sent.declared && len(sent.body) > 0 {
					t.Fatalf("%s returns only an error, but its %d answer has a body", info.Name, sent.status)
				}
				return
			}
			res := out[0]
			if slices.Contains(p.Paginated, info.Name) {
				srv.iterate(t, cv, info, op)
			}
			if b, ok := res.Interface().([]byte); ok {
				if !bytes.Equal(b, sent.body) {
					t.Fatalf("%s returned %q, the server sent %q", info.Name, b, sent.body)
				}
				return
			}
			if res.Kind() == reflect.Pointer && res.IsNil() {
				t.Fatalf("%s returned a nil result with a nil error", info.Name)
			}
			sameJSON(t, res.Interface(), sent.body)
		})
	}
}

// RunErrors calls every operation that declares a JSON error body (a 4xx,
// a 5xx, a 4XX range or a default) through its PartnerClient method while
// the server answers with that error: the call's *Error must carry the body
// decoded into the generated type for it (Payload), as the generated error
// decoders (errors.gen.go) promise.
func RunErrors(t *testing.T, p Package) {
	srv := newServer(t, p.Doc)
	org := uuid.MustParse(specserver.SampleUUID)
	c, err := p.NewPartner(srv.base, org, token)
	if err != nil {
		t.Fatal(err)
	}
	cv := reflect.ValueOf(c)
	for _, info := range p.Operations {
		op := srv.operation(t, info)
		for _, code := range slices.Sorted(maps.Keys(op.Responses.Map())) {
			status, ok := errorStatus(code)
			r := op.Responses.Value(code)
			if !ok || r.Value == nil || errorMedia(r.Value.Content) == "" {
				continue
			}
			t.Run(info.Name+"/"+code, func(t *testing.T) {
				srv.mu.Lock()
				srv.force[info.Method+" "+info.Path] = forced{code: code, status: status}
				srv.mu.Unlock()
				defer func() {
					srv.mu.Lock()
					delete(srv.force, info.Method+" "+info.Path)
					srv.mu.Unlock()
				}()
				m := cv.MethodByName(info.Name)
				out := m.Call(srv.args(t, m.Type(), info, op, true))
				err, _ := out[len(out)-1].Interface().(error)
				if err == nil {
					t.Fatalf("%s succeeded while the server answered %d", info.Name, status)
				}
				ev := reflect.ValueOf(err)
				if ev.Kind() != reflect.Pointer || ev.Elem().Kind() != reflect.Struct || !ev.Elem().FieldByName("Payload").IsValid() {
					t.Fatalf("%s failed with %T, not the package's *Error: %v", info.Name, err, err)
				}
				payload := ev.Elem().FieldByName("Payload")
				if payload.IsNil() {
					t.Fatalf("the %d error of %s has no Payload: %v", status, info.Name, err)
				}
				sameJSON(t, payload.Interface(), srv.lastSent(t, info).body)
			})
		}
	}
}

// errorStatus is the status the server answers for a declared error
// response: the code itself, the first of a range (4XX is 400), or 500 for
// the default.
func errorStatus(code string) (int, bool) {
	switch {
	case code == "default":
		return http.StatusInternalServerError, true
	case len(code) == 3 && strings.HasSuffix(strings.ToUpper(code), "XX") && code[0] >= '4' && code[0] <= '5':
		return int(code[0]-'0') * 100, true
	}
	n, err := strconv.Atoi(code)
	return n, err == nil && n >= 400
}

// iterate walks info's Iter method to its end: every item must come without
// an error, and there must be at least one (the sample page has one).
func (s *server) iterate(t *testing.T, cv reflect.Value, info Operation, op *openapi3.Operation) {
	t.Helper()
	m := cv.MethodByName(info.Name + "Iter")
	if !m.IsValid() {
		t.Fatalf("%s is in Paginated but PartnerClient has no %sIter", info.Name, info.Name)
	}
	seq := m.Call(s.args(t, m.Type(), info, op, true))[0]
	items := 0
	var failed error
	yield := reflect.MakeFunc(seq.Type().In(0), func(args []reflect.Value) []reflect.Value {
		if err, _ := args[1].Interface().(error); err != nil {
			failed = err
			return []reflect.Value{reflect.ValueOf(false)}
		}
		items++
		return []reflect.Value{reflect.ValueOf(items < 1000)}
	})
	seq.Call([]reflect.Value{yield})
	if failed != nil || items == 0 {
		t.Fatalf("%sIter yielded %d items and the error %v", info.Name, items, failed)
	}
}

// sameJSON fails unless v encodes as the JSON value sent (nulls in objects
// aside: the generated types omit an absent nullable field, the sample
// server sends none).
func sameJSON(t *testing.T, v any, sent []byte) {
	t.Helper()
	again, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := json.Unmarshal(again, &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(sent, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(dropNulls(got), dropNulls(want)) {
		t.Errorf("the decoded %T re-encodes as\n%s\nbut the server sent\n%s", v, again, sent)
	}
}

func dropNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if e != nil {
				out[k] = dropNulls(e)
			}
		}
		return out
	case []any:
		for i := range x {
			x[i] = dropNulls(x[i])
		}
	}
	return v
}

// server is the spec-validating server of one test.
type server struct {
	doc  *openapi3.T
	h    *specserver.Handler
	base string // the client's base URL: the server's, and the path of the spec's first server

	mu    sync.Mutex
	sent  map[string]answer // by method and path template
	force map[string]forced // error responses to send instead, by method and path template
}

// forced is an error response the server sends instead of the success.
type forced struct {
	code   string // as the spec has it: 409, 4XX, default
	status int
}

// answer is what the server sent for an operation.
type answer struct {
	status   int
	body     []byte
	json     bool
	declared bool // the status is the operation's own (not a fallback)
}

func newServer(t *testing.T, doc *openapi3.T) *server {
	t.Helper()
	registerDecoders(doc)
	// The spec's servers name hosts the test cannot reach; their path is
	// kept (the client's base URL gets it, the server strips it) and the
	// routes are matched without them.
	prefix := serverPath(doc)
	routed := *doc
	routed.Servers = nil
	v, err := specserver.NewValidatorFor(&routed)
	if err != nil {
		t.Fatal(err)
	}
	s := &server{doc: doc, sent: map[string]answer{}, force: map[string]forced{}}
	s.h = &specserver.Handler{V: v, Respond: s.respond, Alter: func(c *specserver.Call, resp specserver.Response) (specserver.Response, bool) {
		// A 204 for an operation that declares neither a 2xx nor a default
		// has nothing to be checked against.
		_, declared := successResponse(c.Operation())
		return resp, declared == nil
	}}
	var handler http.Handler = s.h
	if prefix != "" {
		handler = http.StripPrefix(prefix, s.h)
	}
	hs := httptest.NewServer(handler)
	t.Cleanup(hs.Close)
	s.base = hs.URL + prefix
	return s
}

// serverPath is the path of the spec's first server, its variables at
// their defaults, without a trailing slash.
func serverPath(doc *openapi3.T) string {
	if len(doc.Servers) == 0 {
		return ""
	}
	srv := doc.Servers[0]
	raw := srv.URL
	for name, v := range srv.Variables {
		raw = strings.ReplaceAll(raw, "{"+name+"}", v.Default)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimRight(u.Path, "/")
}

var registerOnce sync.Map

// registerDecoders gives openapi3filter a decoder for every media type of
// the spec it has none for (text/html, image/png, ...): as text for text/*,
// as a file for the rest, so that the server can check such bodies too.
func registerDecoders(doc *openapi3.T) {
	seen := func(content openapi3.Content) {
		for mt := range content {
			mt = strings.ToLower(mt)
			if openapi3filter.RegisteredBodyDecoder(mt) != nil || specformat.IsJSONMedia(mt) {
				continue
			}
			if _, loaded := registerOnce.LoadOrStore(mt, true); loaded {
				continue
			}
			if strings.HasPrefix(mt, "text/") {
				openapi3filter.RegisterBodyDecoder(mt, openapi3filter.PlainBodyDecoder)
			} else {
				openapi3filter.RegisterBodyDecoder(mt, openapi3filter.FileBodyDecoder)
			}
		}
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				seen(op.RequestBody.Value.Content)
			}
			for _, r := range op.Responses.Map() {
				if r.Value != nil {
					seen(r.Value.Content)
				}
			}
		}
	}
}

// operation is the spec's operation for info.
func (s *server) operation(t *testing.T, info Operation) *openapi3.Operation {
	t.Helper()
	item := s.doc.Paths.Value(info.Path)
	if item == nil || item.GetOperation(info.Method) == nil {
		t.Fatalf("the spec has no %s %s", info.Method, info.Path)
	}
	return item.GetOperation(info.Method)
}

// lastSent is what the server sent for info's operation.
func (s *server) lastSent(t *testing.T, info Operation) answer {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.sent[info.Method+" "+info.Path]
	if !ok {
		t.Fatalf("the server answered no %s %s", info.Method, info.Path)
	}
	return a
}

// respond answers with the operation's lowest 2xx response: its JSON sample,
// a sample of its other media type, or no body. An operation without a 2xx
// gets its default response's body with status 200, or a 204.
func (s *server) respond(c *specserver.Call, r *http.Request) (specserver.Response, bool) {
	op := c.Operation()
	status, resp := successResponse(op)
	s.mu.Lock()
	f, isForced := s.force[c.Route.Method+" "+c.Route.Path]
	s.mu.Unlock()
	media := jsonMedia
	if isForced {
		status, resp = f.status, op.Responses.Value(f.code).Value
		media = errorMedia
	}
	a := answer{status: status, declared: resp != nil}
	header := http.Header{}
	if resp != nil && len(resp.Content) > 0 {
		if mt := media(resp.Content); mt != "" {
			a.json = true
			a.body, _ = json.Marshal(specserver.Sample(resp.Content.Get(mt).Schema)) // samples always encode
			header.Set("Content-Type", mt)
		} else {
			mts := slices.Sorted(maps.Keys(resp.Content))
			a.body = sampleBytes(mts[0], resp.Content[mts[0]].Schema)
			header.Set("Content-Type", mts[0])
		}
	}
	s.mu.Lock()
	s.sent[c.Route.Method+" "+c.Route.Path] = a
	s.mu.Unlock()
	return specserver.Response{Status: status, Body: a.body, Header: header}, true
}

// successResponse is the lowest 2xx status and its response; 200 and the
// default response when there is no 2xx; 204 and nil when there is neither.
func successResponse(op *openapi3.Operation) (int, *openapi3.Response) {
	if best, ok := specserver.SuccessStatus(op); ok {
		return best, op.Responses.Status(best).Value
	}
	if d := op.Responses.Default(); d != nil && d.Value != nil {
		return http.StatusOK, d.Value
	}
	return http.StatusNoContent, nil
}

func jsonMedia(content openapi3.Content) string {
	for _, mt := range slices.Sorted(maps.Keys(content)) {
		base, _, _ := strings.Cut(mt, ";")
		if specformat.IsJSONMedia(base) {
			return mt
		}
	}
	return ""
}

// errorMedia is the JSON media type of an error response whose body the
// generated errorPayload decodes: application/json when the response
// declares it, else the first other JSON type (application/problem+json).
func errorMedia(content openapi3.Content) string {
	if content["application/json"] != nil {
		return "application/json"
	}
	return jsonMedia(content)
}

// sampleBytes is a body of a media type that is not JSON.
func sampleBytes(mt string, schema *openapi3.SchemaRef) []byte {
	if strings.HasPrefix(mt, "text/") {
		if v, ok := specserver.Sample(schema).(string); ok && schema != nil {
			return []byte(v)
		}
		return []byte("sample text")
	}
	return []byte("\x00\x01sample bytes\xff")
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// args builds valid arguments for a generated method from the spec: path
// parameters in path order (without a UUID org_id for a PartnerClient
// method, which takes it from the client), a params struct for the query
// and header parameters (a pointer for the raw client, a value for
// PartnerClient) when the method takes one, then the body: a JSON sample,
// or for another media type its content type and bytes. Each JSON value is
// a spec sample decoded into the Go type the method takes, so the types come
// from the generator and the values from the spec.
func (s *server) args(t *testing.T, m reflect.Type, info Operation, op *openapi3.Operation, partner bool) []reflect.Value {
	t.Helper()
	args := []reflect.Value{reflect.ValueOf(context.Background())}
	inPath := map[string]*openapi3.Parameter{}
	other := map[string]any{}
	for _, p := range parameters(s.doc.Paths.Value(info.Path), op) {
		if p.In == openapi3.ParameterInPath {
			inPath[p.Name] = p
		} else if p.Schema != nil {
			other[p.Name] = sample(p)
		}
	}
	next := func() reflect.Type {
		if len(args) >= m.NumIn()-1 { // the last is ...RequestEditorFn or ...CallOption
			t.Fatalf("%s takes %d arguments before its options; built %d and want one more", info.Name, m.NumIn()-1, len(args))
		}
		return m.In(len(args))
	}
	for _, match := range pathParam.FindAllStringSubmatch(info.Path, -1) {
		p, ok := inPath[match[1]]
		if !ok {
			t.Fatalf("path parameter %s is not declared", match[1])
		}
		if partner && match[1] == "org_id" && p.Schema != nil && p.Schema.Value != nil && p.Schema.Value.Format == "uuid" {
			continue
		}
		v := sample(p)
		switch v.(type) {
		case map[string]any, []any, nil: // an untyped schema: a path segment is a string
			v = "sample"
		}
		args = append(args, decode(t, v, next()))
	}
	if len(args) < m.NumIn()-1 {
		if typ := m.In(len(args)); strings.HasSuffix(strings.TrimPrefix(typ.String(), "*"), "Params") {
			if typ.Kind() == reflect.Pointer {
				args = append(args, decode(t, other, typ.Elem()).Addr())
			} else {
				args = append(args, decode(t, other, typ))
			}
		}
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		content := op.RequestBody.Value.Content
		// A method takes a JSON body as a value, or as its content type and
		// bytes (the raw client's WithBody, a PartnerClient method for a
		// body gen sends as it is).
		if mt := jsonMedia(content); mt != "" && next().Kind() != reflect.String {
			args = append(args, decode(t, specserver.Sample(content.Get(mt).Schema), next()))
		} else if mt != "" {
			args = append(args, reflect.ValueOf(mt).Convert(next()))
			body := specserver.SampleJSON(content.Get(mt).Schema)
			if typ := next(); typ.Kind() == reflect.Slice {
				args = append(args, reflect.ValueOf(body))
			} else {
				args = append(args, reflect.ValueOf(bytes.NewReader(body)))
			}
		} else {
			mt, body := requestBody(t, content)
			args = append(args, reflect.ValueOf(mt).Convert(next()))
			switch typ := next(); {
			case typ.Kind() == reflect.Slice:
				args = append(args, reflect.ValueOf(body))
			default: // an io.Reader
				args = append(args, reflect.ValueOf(bytes.NewReader(body)))
			}
		}
	}
	if want := m.NumIn() - 1; len(args) != want {
		t.Fatalf("built %d arguments, %s takes %d before its variadic options", len(args), info.Name, want)
	}
	return args
}

// sample is a parameter's value: its example, or its schema's, when it
// has one (a sample made from the schema cannot match every pattern), else
// specserver's sample.
func sample(p *openapi3.Parameter) any {
	if p.Example != nil {
		return p.Example
	}
	if p.Schema != nil && p.Schema.Value != nil {
		if s := p.Schema.Value; s.Example != nil {
			return s.Example
		} else if len(s.Examples) > 0 {
			return s.Examples[0]
		}
	}
	return specserver.Sample(p.Schema)
}

// parameters are an operation's parameters with its path item's, the
// operation's own winning.
func parameters(item *openapi3.PathItem, op *openapi3.Operation) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	own := map[string]bool{}
	for _, p := range op.Parameters {
		if p.Value != nil {
			own[p.Value.In+"/"+p.Value.Name] = true
			out = append(out, p.Value)
		}
	}
	for _, p := range item.Parameters {
		if p.Value != nil && !own[p.Value.In+"/"+p.Value.Name] {
			out = append(out, p.Value)
		}
	}
	return out
}

// requestBody is a body of the first media type that is not JSON: a form,
// a multipart form, text, or bytes.
func requestBody(t *testing.T, content openapi3.Content) (string, []byte) {
	t.Helper()
	mts := slices.Sorted(maps.Keys(content))
	mt := mts[0]
	schema := content[mt].Schema
	fields, _ := specserver.Sample(schema).(map[string]any)
	switch {
	case strings.HasPrefix(mt, "application/x-www-form-urlencoded"):
		form := url.Values{}
		for k, v := range fields {
			form.Set(k, specserver.WireValue(v))
		}
		return mt, []byte(form.Encode())
	case strings.HasPrefix(mt, "multipart/form-data"):
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			prop := schema.Value.Properties[k]
			if prop != nil && prop.Value != nil && prop.Value.Format == "binary" {
				fw, err := w.CreateFormFile(k, k+".bin")
				if err != nil {
					t.Fatal(err)
				}
				fw.Write([]byte("file content"))
				continue
			}
			if err := w.WriteField(k, specserver.WireValue(fields[k])); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return w.FormDataContentType(), buf.Bytes()
	case strings.HasPrefix(mt, "text/"):
		return mt, sampleBytes(mt, schema)
	}
	return mt, []byte("\x00\x01sample bytes\xff")
}

// decode decodes a JSON sample into a value of typ.
func decode(t *testing.T, v any, typ reflect.Type) reflect.Value {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	ptr := reflect.New(typ)
	if err := json.Unmarshal(b, ptr.Interface()); err != nil {
		t.Fatalf("decode sample %s into %v: %v", b, typ, err)
	}
	return ptr.Elem()
}
