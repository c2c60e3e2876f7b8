package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// canonicalize rewrites the spellings of one thing that OpenAPI 3.1 and the
// generators of FastAPI and django-ninja (pydantic v1 and v2) use into one
// spelling, in place:
//
//   - `type: [X, "null"]` becomes `anyOf: [{type: X, ...}, {type: "null"}]`,
//     as pydantic v2 writes Optional fields;
//   - `allOf` with a single member and nothing but annotations beside it
//     becomes that member (`$ref` with its siblings, as 3.1 allows);
//   - parameters declared on a path item move into each of its operations
//     (an operation's own parameter of the same name and location wins).
//
// It is the one canonicalisation of the pipeline: normalizeSpec applies it
// before oapi-codegen sees the document, so both spellings give the same
// Go, and the update report applies it to both specs before oasdiff compares
// them, so that an equivalent rewrite is no change at all.
func canonicalize(doc jsonObj) {
	pushDownPathParameters(doc)
	walkSchemaObjects(doc, "#", func(s jsonObj, _ string) { canonicalSchema(s) })
}

// canonicalJSON is data canonicalized, as JSON.
func canonicalJSON(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc jsonObj
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	canonicalize(doc)
	return json.Marshal(doc)
}

// schemaKeys are the keywords whose values are schemas, or lists or maps of
// schemas, which walkSchemaObjects walks.
var schemaKeys = map[string]string{
	"items": "one", "additionalProperties": "one", "not": "one", "contains": "one", "propertyNames": "one",
	"unevaluatedItems": "one", "unevaluatedProperties": "one", "if": "one", "then": "one", "else": "one",
	"allOf": "list", "anyOf": "list", "oneOf": "list", "prefixItems": "list",
	"properties": "map", "patternProperties": "map", "$defs": "map", "dependentSchemas": "map",
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// canonicalSchema rewrites one schema (walkSchemaObjects walks its members
// after, the rewritten ones).
func canonicalSchema(s jsonObj) {
	// type: [X, "null"] (one X) is anyOf [X, null].
	if types := asList(s["type"]); len(types) == 2 && slices.Contains(types, any("null")) && s["anyOf"] == nil && s["oneOf"] == nil {
		other := types[0]
		if other == "null" {
			other = types[1]
		}
		inner := jsonObj{"type": other}
		for k, v := range s {
			if k == "type" || annotations[k] || isExtension(k) {
				continue
			}
			if k == "enum" {
				v = slices.DeleteFunc(slices.Clone(asList(v)), func(e any) bool { return e == nil })
			}
			inner[k] = v
			delete(s, k)
		}
		delete(s, "type")
		s["anyOf"] = []any{inner, jsonObj{"type": "null"}}
	}
	// allOf [X] with only annotations beside it is X.
	if all := asList(s["allOf"]); len(all) == 1 {
		only, ok := all[0].(jsonObj)
		if !ok {
			return
		}
		for k := range s {
			if k != "allOf" && !annotations[k] && !isExtension(k) {
				return
			}
		}
		for k := range only {
			if _, clash := s[k]; clash && k != "allOf" {
				if _, isRef := only["$ref"]; !isRef || !annotations[k] {
					return // an annotation on both sides, or a keyword twice: keep the allOf
				}
			}
		}
		delete(s, "allOf")
		if _, isRef := only["$ref"]; isRef {
			// A $ref's siblings are annotations of the property; the
			// referenced schema's own win where both say something.
			for _, k := range slices.Collect(maps.Keys(s)) {
				if _, dup := only[k]; dup {
					delete(s, k)
				}
			}
		}
		maps.Copy(s, only)
	}
}

func isExtension(k string) bool { return len(k) > 2 && k[:2] == "x-" }

// pushDownPathParameters moves parameters declared on a path item into each
// of its operations (an operation's own parameter of the same name and
// location wins), so that every parameter has one operation to be named
// after and both sides of a spec diff spell them alike. A parameter by
// $ref is matched by its reference.
func pushDownPathParameters(doc jsonObj) {
	paths := obj(doc, "paths")
	for _, path := range slices.Sorted(maps.Keys(paths)) {
		item, _ := paths[path].(jsonObj)
		shared := asList(item["parameters"])
		if len(shared) == 0 {
			continue
		}
		for method, v := range item {
			op, ok := v.(jsonObj)
			if !ok || !isMethod(method) {
				continue
			}
			own := asList(op["parameters"])
			has := map[string]bool{}
			for _, p := range own {
				has[paramKey(doc, p)] = true
			}
			for _, p := range shared {
				if has[paramKey(doc, p)] {
					continue
				}
				own = append(own, deepCopy(p))
			}
			op["parameters"] = own
		}
		delete(item, "parameters")
	}
}

// paramKey is a parameter's location and name, through a $ref to
// components/parameters.
func paramKey(doc jsonObj, p any) string {
	pm, _ := p.(jsonObj)
	if ref, ok := pm["$ref"].(string); ok {
		const prefix = "#/components/parameters/"
		if len(ref) > len(prefix) && ref[:len(prefix)] == prefix {
			if target, ok := obj(obj(doc, "components"), "parameters")[ref[len(prefix):]].(jsonObj); ok {
				pm = target
			}
		}
	}
	return fmt.Sprint(pm["in"], "/", pm["name"])
}
