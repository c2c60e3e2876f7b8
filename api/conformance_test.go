package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"golang.org/x/oauth2"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/specserver"
)

func specDoc(t testing.TB) *openapi3.T {
	t.Helper()
	doc, err := specserver.Doc()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestEveryOperationHasAMethod walks the pinned spec, not the generated
// table, so an operation the pipeline dropped cannot go unnoticed.
func TestEveryOperationHasAMethod(t *testing.T) {
	doc := specDoc(t)
	byID := map[string]api.OperationInfo{}
	for _, info := range api.Operations {
		byID[info.OperationID] = info
	}
	client := reflect.TypeOf(&api.ClientWithResponses{})
	partner := reflect.TypeOf(&api.PartnerClient{})
	n := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			n++
			info, ok := byID[op.OperationID]
			if !ok {
				t.Errorf("%s %s (%s) is not in api.Operations", method, path, op.OperationID)
				continue
			}
			if info.Method != method || info.Path != path {
				t.Errorf("api.Operations has %s as %s %s, the spec as %s %s", op.OperationID, info.Method, info.Path, method, path)
			}
			if _, ok := client.MethodByName(info.Name + "WithResponse"); !ok {
				t.Errorf("%s %s (%s) has no method %s on ClientWithResponses", method, path, op.OperationID, info.Name+"WithResponse")
			}
			if _, ok := partner.MethodByName(info.Name); !ok {
				t.Errorf("%s %s (%s) has no method %s on PartnerClient", method, path, op.OperationID, info.Name)
			}
			if op.RequestBody != nil {
				if _, ok := client.MethodByName(info.Name + "WithBodyWithResponse"); !ok {
					t.Errorf("%s %s has a request body but no %sWithBodyWithResponse", method, path, info.Name)
				}
			}
			if strings.Contains(info.Name, "_") || strings.HasPrefix(info.Name, "Integrations") {
				t.Errorf("%s leaks the django-ninja operationId into the Go name %s", op.OperationID, info.Name)
			}
		}
	}
	if n != len(api.Operations) {
		t.Errorf("the spec has %d operations, api.Operations %d", n, len(api.Operations))
	}
	if n == 0 {
		t.Fatal("the spec has no operations")
	}
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// callArgs builds valid arguments for a generated method from the spec:
// path parameters in path order (without org_id for a PartnerClient
// method, which takes it from the client), then a params struct for query
// and header parameters (a pointer for the raw client, a value for
// PartnerClient), then the JSON body. Each value is a spec sample decoded
// into the Go type the method takes, so the types come from the generator
// and the values from the spec.
func callArgs(t *testing.T, m reflect.Type, op *openapi3.Operation, path string, partner bool) []reflect.Value {
	t.Helper()
	args := []reflect.Value{reflect.ValueOf(context.Background())}
	params := map[string]*openapi3.Parameter{}
	other := map[string]any{}
	for _, p := range op.Parameters {
		if p.Value.In == openapi3.ParameterInPath {
			params[p.Value.Name] = p.Value
		} else {
			other[p.Value.Name] = specserver.Sample(p.Value.Schema)
		}
	}
	decode := func(v any, typ reflect.Type) reflect.Value {
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
	for _, match := range pathParam.FindAllStringSubmatch(path, -1) {
		p, ok := params[match[1]]
		if !ok {
			t.Fatalf("path parameter %s is not declared", match[1])
		}
		if partner && match[1] == "org_id" {
			continue
		}
		args = append(args, decode(specserver.Sample(p.Schema), m.In(len(args))))
	}
	if len(other) > 0 {
		if partner {
			args = append(args, decode(other, m.In(len(args))))
		} else {
			args = append(args, decode(other, m.In(len(args)).Elem()).Addr())
		}
	}
	if op.RequestBody != nil {
		schema := op.RequestBody.Value.Content.Get("application/json").Schema
		args = append(args, decode(specserver.Sample(schema), m.In(len(args))))
	}
	if want := m.NumIn() - 1; len(args) != want { // the last is ...RequestEditorFn or ...CallOption
		t.Fatalf("built %d arguments, the method takes %d before its variadic options", len(args), want)
	}
	return args
}

func bearer(token string) api.ClientOption {
	return api.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	})
}

// TestConformance calls every operation through the generated client against
// a server that validates the request with openapi3filter and answers with a
// response that validates too; the client must decode it into the typed
// field for the status.
func TestConformance(t *testing.T) {
	doc := specDoc(t)
	srv, h := specserver.NewServer(t)
	client, err := api.NewClientWithResponses(srv.URL, bearer("test-token"))
	if err != nil {
		t.Fatal(err)
	}
	cv := reflect.ValueOf(client)
	for _, info := range api.Operations {
		t.Run(info.Name, func(t *testing.T) {
			op := doc.Paths.Value(info.Path).GetOperation(info.Method)
			m := cv.MethodByName(info.Name + "WithResponse")
			if !m.IsValid() {
				t.Fatalf("no method %sWithResponse", info.Name)
			}
			before := len(h.Calls())
			out := m.Call(callArgs(t, m.Type(), op, info.Path, false))
			if err, _ := out[1].Interface().(error); err != nil {
				t.Fatalf("%s: %v", info.Name, err)
			}
			resp := out[0]
			status := resp.MethodByName("StatusCode").Call(nil)[0].Interface().(int)
			wantStatus, wantBody, err := specserver.SampleResponse(op)
			if err != nil {
				t.Fatal(err)
			}
			body := resp.Elem().FieldByName("Body").Bytes()
			if status != wantStatus {
				t.Fatalf("status %d, want %d; body: %s", status, wantStatus, body)
			}
			calls := h.Calls()[before:]
			if len(calls) != 1 || calls[0].OperationID != info.OperationID || calls[0].Method != info.Method {
				t.Fatalf("server saw %+v, want one %s call", calls, info.OperationID)
			}
			if wantBody == nil {
				return
			}
			typed := resp.Elem().FieldByName(fmt.Sprintf("JSON%d", status))
			if !typed.IsValid() || typed.IsNil() {
				t.Fatalf("JSON%d is not set; body: %s", status, body)
			}
			// The decoded value must carry what the server sent: encode
			// it again and compare as JSON values.
			again, err := json.Marshal(typed.Interface())
			if err != nil {
				t.Fatal(err)
			}
			var got, want any
			if err := json.Unmarshal(again, &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(body, &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(normalize(got), normalize(want)) {
				t.Errorf("decoded %s re-encodes as\n%s\nbut the server sent\n%s", typed.Type(), again, body)
			}
		})
	}
}

// TestConformancePartnerClient calls every operation through its
// PartnerClient method against the spec-validating server: the request must
// validate, the call must return its decoded result (or only nil for an
// operation without a body), and the result must carry what the server
// sent.
func TestConformancePartnerClient(t *testing.T) {
	doc := specDoc(t)
	srv, _ := specserver.NewServer(t)
	org, _ := api.ParseUUID(specserver.SampleUUID)
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: org, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "test-token"})})
	if err != nil {
		t.Fatal(err)
	}
	cv := reflect.ValueOf(c)
	for _, info := range api.Operations {
		t.Run(info.Name, func(t *testing.T) {
			op := doc.Paths.Value(info.Path).GetOperation(info.Method)
			m := cv.MethodByName(info.Name)
			if !m.IsValid() {
				t.Fatalf("no method PartnerClient.%s", info.Name)
			}
			var info2 api.ResponseInfo
			args := append(callArgs(t, m.Type(), op, info.Path, true), reflect.ValueOf(api.WithResponseInfo(&info2)))
			out := m.Call(args)
			if err, _ := out[len(out)-1].Interface().(error); err != nil {
				t.Fatalf("%s: %v", info.Name, err)
			}
			wantStatus, wantBody, err := specserver.SampleResponse(op)
			if err != nil {
				t.Fatal(err)
			}
			if info2.StatusCode != wantStatus || info2.Attempts != 1 {
				t.Fatalf("ResponseInfo %+v, want status %d after 1 attempt", info2, wantStatus)
			}
			if wantBody == nil {
				if len(out) != 1 {
					t.Fatalf("%s answers no body but returns %d values", info.Name, len(out))
				}
				return
			}
			res := out[0]
			if res.IsNil() {
				t.Fatalf("%s returned a nil result with a nil error", info.Name)
			}
			again, err := json.Marshal(res.Interface())
			if err != nil {
				t.Fatal(err)
			}
			var got, want any
			if err := json.Unmarshal(again, &got); err != nil {
				t.Fatal(err)
			}
			sent, _ := json.Marshal(wantBody)
			if err := json.Unmarshal(sent, &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(normalize(got), normalize(want)) {
				t.Errorf("decoded %s re-encodes as\n%s\nbut the server sent\n%s", res.Type(), again, sent)
			}
		})
	}
}

// normalize drops nulls from objects, since the SDK omits an absent nullable
// field where the server may spell it null; the sample server sends no nulls.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if e != nil {
				out[k] = normalize(e)
			}
		}
		return out
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
	}
	return v
}
