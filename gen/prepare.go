package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
)

// prepareSpec is the copy of a spec that kin-openapi validates and the rest
// of the pipeline reads: the spec as it is, less what Go cannot use, each
// with a note. The pinned file is never changed.
//
//   - A "pattern" that Go's regexp cannot compile (pydantic's Decimal pattern
//     has a lookahead) would fail the whole document: it is left out, so the
//     generated code does not check it and kin-openapi's validation does
//     not see it (specserver, which checks traffic against the pinned spec,
//     matches such a pattern against anything).
//   - An empty info.title, which kin-openapi refuses, reads as "(untitled)";
//     a schema keyword that is neither JSON Schema's nor OpenAPI's (pydantic
//     writes any json_schema_extra) reads as an extension.
//   - An OpenAPI 3.0 document that uses `type: "null"` (a 3.1 keyword that
//     some generators write into 3.0 documents) is read as 3.1, which has
//     it; 3.0's nullable still works there.
//
// Data that is not a JSON object is returned as it is, for loadSpec to say
// what is wrong with it.
func prepareSpec(data []byte) ([]byte, []string) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc jsonObj
	if dec.Decode(&doc) != nil || doc == nil {
		return data, nil
	}
	notes := prepareTree(doc)
	if len(notes) == 0 {
		return data, nil
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return data, nil // a decoded JSON value always encodes
	}
	return out, notes
}

// schemaKeywords are the keywords of an OpenAPI 3.1 schema: JSON Schema
// 2020-12's and OpenAPI's own (with 3.0's nullable).
var schemaKeywords = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`$schema $id $ref $anchor $dynamicRef $dynamicAnchor $defs $comment $vocabulary
		type enum const format title description default examples example deprecated readOnly writeOnly nullable
		multipleOf maximum exclusiveMaximum minimum exclusiveMinimum maxLength minLength pattern
		maxItems minItems uniqueItems maxContains minContains maxProperties minProperties required dependentRequired
		properties patternProperties additionalProperties propertyNames items prefixItems contains
		allOf anyOf oneOf not if then else dependentSchemas unevaluatedItems unevaluatedProperties
		contentEncoding contentMediaType contentSchema discriminator xml externalDocs`) {
		schemaKeywords[k] = true
	}
}

// unknownKeywords turns keywords a schema does not have into extensions
// (x-<keyword>), in place: pydantic's json_schema_extra writes any key it is
// given (Prefect's supported_environment_variables), and kin-openapi refuses
// a document with one. Nothing reads them.
func unknownKeywords(doc jsonObj) []string {
	counts := map[string]int{}
	walkSchemaObjects(doc, "#", func(s jsonObj, _ string) {
		for k, v := range s {
			if !schemaKeywords[k] && !isExtension(k) {
				delete(s, k)
				s["x-"+k] = v
				counts[k]++
			}
		}
	})
	if len(counts) == 0 {
		return nil
	}
	var keys []string
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		keys = append(keys, fmt.Sprintf("%s (%d)", k, counts[k]))
	}
	return []string{fmt.Sprintf("schemas have keywords that are not JSON Schema's or OpenAPI's, which kin-openapi refuses: gen reads them as extensions (x-...): %s", strings.Join(keys, ", "))}
}

// undeclaredSchemes declares, in place, the security schemes that security
// requirements name but components.securitySchemes lacks (Airflow's client
// spec requires "Basic" everywhere and declares no such scheme), which
// kin-openapi refuses. The placeholder is HTTP bearer: the client sends its
// token wherever the spec asks for a scheme.
func undeclaredSchemes(doc jsonObj) []string {
	components := obj(doc, "components")
	schemes := obj(components, "securitySchemes")
	missing := map[string]bool{}
	check := func(reqs []any) {
		for _, r := range reqs {
			for name := range r.(jsonObj) {
				if _, ok := schemes[name]; !ok {
					missing[name] = true
				}
			}
		}
	}
	check(asList(doc["security"]))
	for _, item := range obj(doc, "paths") {
		item, _ := item.(jsonObj)
		for method, op := range item {
			if op, ok := op.(jsonObj); ok && isMethod(method) {
				check(asList(op["security"]))
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if components == nil {
		components = jsonObj{}
		doc["components"] = components
	}
	if schemes == nil {
		schemes = jsonObj{}
		components["securitySchemes"] = schemes
	}
	names := slices.Sorted(maps.Keys(missing))
	for _, name := range names {
		schemes[name] = jsonObj{"type": "http", "scheme": "bearer", "description": "Declared by gen: the spec requires it without declaring it."}
	}
	return []string{fmt.Sprintf("security requirements name schemes the spec does not declare (%s), which kin-openapi refuses: gen reads each as HTTP bearer, so the client sends its token where they are required",
		strings.Join(names, ", "))}
}

// typePathParameters gives a path parameter without a type (FastAPI writes
// {"title": "Dag Id"} for one its function does not annotate) the type
// string, in place, which every path segment is: oapi-codegen would make
// it interface{}, which a method cannot put in a path, and kin-openapi
// cannot check one.
func typePathParameters(doc jsonObj) []string {
	count := 0
	for _, item := range obj(doc, "paths") {
		item, _ := item.(jsonObj)
		var params []any
		params = append(params, asList(item["parameters"])...)
		for method, op := range item {
			if op, ok := op.(jsonObj); ok && isMethod(method) {
				params = append(params, asList(op["parameters"])...)
			}
		}
		for _, p := range params {
			pm, _ := p.(jsonObj)
			if pm == nil || pm["in"] != "path" {
				continue
			}
			s, _ := pm["schema"].(jsonObj)
			if s == nil {
				s = jsonObj{}
				pm["schema"] = s
			}
			typed := false
			for _, k := range []string{"type", "$ref", "anyOf", "oneOf", "allOf", "enum", "const"} {
				if _, ok := s[k]; ok {
					typed = true
				}
			}
			if !typed {
				s["type"] = "string"
				count++
			}
		}
	}
	if count == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%d path parameters have a schema without a type: gen reads them as strings, as every path segment is", count)}
}

// prepareTree is prepareSpec on a decoded document, in place.
func prepareTree(doc jsonObj) []string {
	notes := append(unknownKeywords(doc), dropBadPatterns(doc)...)
	notes = append(notes, undeclaredSchemes(doc)...)
	notes = append(notes, typePathParameters(doc)...)
	if info := obj(doc, "info"); info != nil && info["title"] == "" {
		// Frigate leaves it empty on purpose (a documentation tool's
		// convention); kin-openapi refuses that, and no code depends on it.
		info["title"] = "(untitled)"
		notes = append(notes, "the document's info.title is empty, which kin-openapi refuses: gen reads it as \"(untitled)\"")
	}
	if v, _ := doc["openapi"].(string); strings.HasPrefix(v, "3.0") {
		if at := findNullType(doc); at != "" {
			doc["openapi"] = "3.1.0"
			nullableAsNull(doc)
			notes = append(notes, fmt.Sprintf("the document says OpenAPI %s but uses the 3.1 type \"null\" (at %s, perhaps elsewhere too): gen reads it as OpenAPI 3.1.0, with 3.0's nullable as a null alternative", v, at))
		}
	}
	return notes
}

// codepointEscape is ECMA-262's \uXXXX, which Go's regexp spells \x{XXXX}
// (kin-openapi rewrites it the same way).
var codepointEscape = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`)

// goCompiles reports whether Go's regexp compiles an OpenAPI pattern, and
// why not.
func goCompiles(pattern string) error {
	_, err := regexp.Compile(codepointEscape.ReplaceAllString(pattern, `\x{${1}}`))
	return err
}

// dropBadPatterns removes, in place, every schema pattern Go cannot compile,
// and says where each was.
func dropBadPatterns(doc jsonObj) []string {
	var notes []string
	decimals := decimalPatterns(doc)
	inDecimals := 0
	walkSchemaObjects(doc, "#", func(s jsonObj, ptr string) {
		p, ok := s["pattern"].(string)
		if !ok {
			return
		}
		if err := goCompiles(p); err != nil {
			delete(s, "pattern")
			if decimals[reflect.ValueOf(s).Pointer()] {
				inDecimals++
				return
			}
			notes = append(notes, fmt.Sprintf("%s has a pattern Go's regexp cannot compile (%v): gen leaves the pattern %q out, so neither the generated code nor kin-openapi's validation checks it",
				describePointer(ptr), shortRegexpError(err), p))
		}
	})
	if inDecimals > 0 {
		notes = append(notes, decimalNote(inDecimals))
	}
	return notes
}

func shortRegexpError(err error) string {
	msg := err.Error()
	return strings.TrimPrefix(msg, "error parsing regexp: ")
}

// describePointer names the place of a schema for a person: its component
// schema, parameter or operation, then the JSON pointer.
func describePointer(ptr string) string {
	parts := strings.Split(strings.TrimPrefix(ptr, "#/"), "/")
	unescape := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~") }
	switch {
	case len(parts) >= 3 && parts[0] == "components" && parts[1] == "schemas":
		return fmt.Sprintf("schema %s (%s)", unescape(parts[2]), ptr)
	case len(parts) >= 3 && parts[0] == "paths":
		where := unescape(parts[1])
		if len(parts) >= 3 && isMethod(parts[2]) {
			where = strings.ToUpper(parts[2]) + " " + where
		}
		return fmt.Sprintf("a schema of %s (%s)", where, ptr)
	}
	return "the schema at " + ptr
}

// walkSchemaObjects calls f for every schema object of the document, with
// its JSON pointer: those under components, paths (parameters, bodies,
// responses, headers) and webhooks, and their members at any depth.
func walkSchemaObjects(doc jsonObj, ptr string, f func(s jsonObj, ptr string)) {
	var schema func(v any, ptr string)
	schema = func(v any, ptr string) {
		s, ok := v.(jsonObj)
		if !ok {
			return
		}
		f(s, ptr)
		for _, k := range slices.Sorted(maps.Keys(s)) {
			switch schemaKeys[k] {
			case "one":
				schema(s[k], ptr+"/"+k)
			case "list":
				for i, m := range asList(s[k]) {
					schema(m, fmt.Sprintf("%s/%s/%d", ptr, k, i))
				}
			case "map":
				if m, ok := s[k].(jsonObj); ok {
					for _, name := range slices.Sorted(maps.Keys(m)) {
						schema(m[name], ptr+"/"+k+"/"+escapePointer(name))
					}
				}
			}
		}
	}
	var other func(v any, ptr string)
	other = func(v any, ptr string) {
		switch x := v.(type) {
		case jsonObj:
			for _, k := range slices.Sorted(maps.Keys(x)) {
				switch k {
				case "schema":
					schema(x[k], ptr+"/"+k)
				case "example", "examples":
				default:
					other(x[k], ptr+"/"+escapePointer(k))
				}
			}
		case []any:
			for i, e := range x {
				other(e, fmt.Sprintf("%s/%d", ptr, i))
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(doc)) {
		if k == "components" {
			comps, _ := doc[k].(jsonObj)
			for _, ck := range slices.Sorted(maps.Keys(comps)) {
				if ck == "schemas" {
					m, _ := comps[ck].(jsonObj)
					for _, name := range slices.Sorted(maps.Keys(m)) {
						schema(m[name], ptr+"/components/schemas/"+escapePointer(name))
					}
					continue
				}
				other(comps[ck], ptr+"/components/"+ck)
			}
			continue
		}
		other(doc[k], ptr+"/"+k)
	}
}

// nullableAsNull rewrites 3.0's `nullable: true` into 3.1's null
// alternative, in place: {..., nullable: true} is anyOf [{...}, {type:
// "null"}], its annotations outside.
func nullableAsNull(doc jsonObj) {
	walkSchemaObjects(doc, "#", func(s jsonObj, _ string) {
		if s["nullable"] != true {
			return
		}
		delete(s, "nullable")
		inner := jsonObj{}
		for k, v := range s {
			if !annotations[k] && !isExtension(k) {
				inner[k] = v
				delete(s, k)
			}
		}
		if all := asList(inner["allOf"]); len(all) == 1 && len(inner) == 1 {
			inner, _ = all[0].(jsonObj) // 3.0's allOf [$ref] + nullable
		}
		s["anyOf"] = []any{inner, jsonObj{"type": "null"}}
	})
}

// findNullType is the pointer of the first schema with type "null", or "".
func findNullType(doc jsonObj) string {
	at := ""
	walkSchemaObjects(doc, "#", func(s jsonObj, ptr string) {
		if at != "" {
			return
		}
		if s["type"] == "null" || slices.Contains(asList(s["type"]), any("null")) {
			at = ptr
		}
	})
	return at
}
