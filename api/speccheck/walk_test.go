package speccheck

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/podero-go/podero/internal/specformat"
)

// The pinned spec has no allOf, nor an anyOf of objects without a
// discriminator; this one has both.
const composed = `{
  "openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
  "components": {"schemas": {
    "Base": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}}, "required": ["id"]},
    "Derived": {"allOf": [{"$ref": "#/components/schemas/Base"},
      {"type": "object", "properties": {"extra": {"type": "string"}}, "required": ["extra"]}]},
    "A": {"type": "object", "properties": {"a": {"type": "string"}}},
    "B": {"type": "object", "properties": {"b": {"type": "integer"}}},
    "AOrB": {"anyOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}, {"type": "null"}]},
    "Free": {"type": "object"},
    "Typed": {"type": "object", "properties": {"n": {"type": "integer"}}, "additionalProperties": {"type": "integer"}}
  }}}`

func TestComposition(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData([]byte(composed))
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	const id = `"6f1c2a4e-1b2c-4d5e-8f90-0123456789ab"`
	for _, tc := range []struct {
		schema, body string
		want         []string
	}{
		{"Derived", `{"id":` + id + `,"extra":"x"}`, nil},
		{"Derived", `{"id":` + id + `,"extra":"x","other":1}`, []string{"/other undeclared-property in Derived"}},
		{"Derived", `{"extra":1}`, []string{"/extra wrong-type in Derived", "/id missing-required in Base"}},
		{"AOrB", `{"b":1}`, nil},
		{"AOrB", `{"a":"x"}`, nil},
		{"AOrB", `null`, nil},
		{"AOrB", `{"a":"x","c":true}`, []string{"/c undeclared-property in A"}},
		{"AOrB", `"x"`, []string{" wrong-type in AOrB"}},
		{"Free", `{"anything":[1,2]}`, nil},
		{"Typed", `{"n":1,"m":2}`, nil},
		{"Typed", `{"n":1,"m":"x"}`, []string{"/m wrong-type in Typed"}},
	} {
		var v any
		if err := json.Unmarshal([]byte(tc.body), &v); err != nil {
			t.Fatal(err)
		}
		w := &walker{}
		w.ref(&openapi3.SchemaRef{Ref: "#/components/schemas/" + tc.schema, Value: doc.Components.Schemas[tc.schema].Value}, v, "")
		var got []string
		for _, f := range w.found {
			got = append(got, f.pointer+" "+string(f.kind)+" in "+f.schema)
		}
		slices.Sort(got)
		if strings.Join(got, "; ") != strings.Join(tc.want, "; ") {
			t.Errorf("%s %s: got %q, want %q", tc.schema, tc.body, got, tc.want)
		}
	}
}

// TestPatternGoCannotCompile: pydantic's Decimal pattern has a lookahead,
// which Go's regexp refuses. A spec with it still loads (as specserver loads
// it), and a decimal string is no mismatch; a pattern Go compiles is still
// checked.
func TestPatternGoCannotCompile(t *testing.T) {
	const doc = `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
	  "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"description": "ok",
	    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Price"}}}}}}}},
	  "components": {"schemas": {
	    "Price": {"type": "object", "properties": {
	      "amount": {"anyOf": [{"type": "number"}, {"type": "string", "pattern": "^(?!^[-+.]*$)[+-]?0*\\d*\\.?\\d*$"}]},
	      "code": {"type": "string", "pattern": "^[A-Z]{2}$"}}}}}}`
	d, err := specformat.LoadDoc([]byte(doc))
	if err != nil {
		t.Fatalf("the spec does not load: %v", err)
	}
	op := newSpec(d).ops[opKey{"GET", "/a"}]
	for body, want := range map[string]string{
		`{"amount":"1.5","code":"AT"}`: "",
		`{"amount":2,"code":"at"}`:     "/code invalid-value pattern ^[A-Z]{2}$",
	} {
		found, _ := check(op, job{status: 200, contentType: "application/json", body: []byte(body)}, false)
		var got []string
		for _, f := range found {
			got = append(got, f.pointer+" "+string(f.kind)+" "+f.expected)
		}
		if strings.Join(got, "; ") != want {
			t.Errorf("%s: got %q, want %q", body, got, want)
		}
	}
}

// TestLeafPatternGoCannotCompile checks a value against a lookahead pattern
// of a document that was not validated: kin-openapi caches compiled
// patterns process-wide by their text (see specformat.CompilePattern), so
// this pattern, unlike the one above, has not been compiled before and the
// check depends on leafOptions alone.
func TestLeafPatternGoCannotCompile(t *testing.T) {
	s := &openapi3.Schema{Type: &openapi3.Types{"string"}, Pattern: `^(?![-+.]*$)[+-]?\d*\.?\d+$`}
	w := &walker{}
	w.ref(&openapi3.SchemaRef{Ref: "#/components/schemas/Lookahead", Value: s}, "1.5", "")
	if len(w.found) != 0 {
		t.Errorf("a decimal string: %+v", w.found)
	}
}
