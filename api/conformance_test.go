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

// callArgs builds valid arguments for a generated WithResponse method from
// the spec: path parameters in path order, then a params struct for query and
// header parameters, then the JSON body. Each value is a spec sample decoded
// into the Go type the method takes, so the types come from the generator and
// the values from the spec.
func callArgs(t *testing.T, m reflect.Type, op *openapi3.Operation, path string) []reflect.Value {
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
		args = append(args, decode(specserver.Sample(p.Schema), m.In(len(args))))
	}
	if len(other) > 0 {
		args = append(args, decode(other, m.In(len(args)).Elem()).Addr())
	}
	if op.RequestBody != nil {
		schema := op.RequestBody.Value.Content.Get("application/json").Schema
		args = append(args, decode(specserver.Sample(schema), m.In(len(args))))
	}
	if want := m.NumIn() - 1; len(args) != want { // the last is ...RequestEditorFn
		t.Fatalf("built %d arguments, the method takes %d before its request editors", len(args), want)
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
			out := m.Call(callArgs(t, m.Type(), op, info.Path))
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
