package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// This file writes api/getters.gen.go: a nil-safe getter for every field of
// every schema type, in the manner of go-github's accessors, so that reading
// a field is one call: ev.GetBatteryLevel() is the level, or 0 when ev is
// nil or the field is absent or null, and getters chain
// (ev.GetDeviceModel().GetManufacturer()). It also writes a test that calls
// each of them on a nil receiver.

const (
	gettersFile     = "api/getters.gen.go"
	gettersTestFile = "api/getters.gen_test.go"
)

type getter struct {
	Type, Field, Method, JSON, Result, Body string
}

// buildGetters lists the getters of the component schemas' struct types.
// A field whose getter name the type already has (as a field or method,
// generated or declared by hand in package api: members) gets none, with a
// note.
func buildGetters(doc *openapi3.T, g *generatedAPI, goName func(string) string, members map[string]map[string]handDecl) ([]getter, []string) {
	var out []getter
	var notes []string
	types := map[string]bool{}
	for name := range doc.Components.Schemas {
		if t := goName(name); g.structs[t] != nil {
			types[t] = true
		}
	}
	for _, typ := range slices.Sorted(maps.Keys(types)) {
		fields := g.fieldsOf(typ)
		taken := map[string]bool{}
		for _, f := range fields {
			taken[f.Name] = true
		}
		for m := range g.typeMethods[typ] {
			taken[m] = true
		}
		for _, f := range fields {
			method := "Get" + f.Name
			if d, ok := members[typ][method]; ok {
				notes = append(notes, fmt.Sprintf("%s.%s has no getter: %s already has a %s, which %s declares by hand", typ, f.Name, typ, method, d.Pos))
				continue
			}
			if taken[method] {
				notes = append(notes, fmt.Sprintf("%s.%s has no getter: %s already has a %s", typ, f.Name, typ, method))
				continue
			}
			out = append(out, getterFor(g, typ, f, method))
		}
	}
	return out, notes
}

func getterFor(g *generatedAPI, typ string, f goField, method string) getter {
	gt := getter{Type: typ, Field: f.Name, Method: method, JSON: f.JSON}
	t := f.Type
	switch {
	case strings.HasPrefix(t, "*") && g.isStruct(strings.TrimPrefix(t, "*")):
		// A nested object: the pointer, so that getters chain.
		gt.Result = publicType(t)
		gt.Body = fmt.Sprintf("\tif v == nil {\n\t\treturn nil\n\t}\n\treturn v.%s", f.Name)
	case strings.HasPrefix(t, "*"):
		gt.Result = publicType(strings.TrimPrefix(t, "*"))
		gt.Body = fmt.Sprintf("\tif v == nil || v.%s == nil {\n\t\tvar zero %s\n\t\treturn zero\n\t}\n\treturn *v.%s", f.Name, gt.Result, f.Name)
	case strings.HasPrefix(t, "nullable.Nullable["):
		elem := strings.TrimSuffix(strings.TrimPrefix(t, "nullable.Nullable["), "]")
		gt.Result = publicType(elem)
		gt.Body = fmt.Sprintf("\tif v == nil {\n\t\tvar zero %s\n\t\treturn zero\n\t}\n\treturn v.%s.GetOrEmpty()", gt.Result, f.Name)
	default:
		gt.Result = publicType(t)
		gt.Body = fmt.Sprintf("\tif v == nil {\n\t\tvar zero %s\n\t\treturn zero\n\t}\n\treturn v.%s", gt.Result, f.Name)
	}
	return gt
}

func gettersSource(pkg string, p pin, gs []getter) ([]byte, error) {
	var b strings.Builder
	for _, gt := range gs {
		fmt.Fprintf(&b, "\n// %s returns %s (%q), or its zero value when v is nil or the field is absent or null.\nfunc (v *%s) %s() %s {\n%s\n}\n",
			gt.Method, gt.Field, gt.JSON, gt.Type, gt.Method, gt.Result, gt.Body)
	}
	return goFile(gettersFile, pkg, p, b.String(), "encoding/json", "time", "github.com/oapi-codegen/nullable",
		"openapi_types github.com/oapi-codegen/runtime/types")
}

func gettersTestSource(pkg string, p pin, gs []getter) ([]byte, error) {
	var b strings.Builder
	b.WriteString("// TestGettersOnNil calls every getter on a nil receiver: each returns its\n// type's zero value and does not panic.\nfunc TestGettersOnNil(t *testing.T) {\n")
	for _, gt := range gs {
		fmt.Fprintf(&b, "\twantZero(t, %q, (*%s)(nil).%s())\n", gt.Type+"."+gt.Method, gt.Type, gt.Method)
	}
	b.WriteString("}\n")
	return goFile(gettersTestFile, pkg, p, b.String(), "testing")
}
