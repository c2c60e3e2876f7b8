package main

import (
	"fmt"
	"reflect"
)

// Decimal fields. pydantic v2 writes a Decimal as anyOf [number, string with
// a pattern] (in the validation schema; FastAPI's and django-ninja's output
// schemas alike), since it accepts both and writes a string. oapi-codegen
// would make that a union type with As/From methods, and Go's regexp cannot
// compile the pattern. gen makes it one type that takes both forms:
// json.Number, which keeps every digit (a price must not become
// 0.30000000000000004), encodes as a JSON number (which pydantic accepts),
// decodes a number or a numeric string (encoding/json does; the generated
// decoders use it for this type), and converts with Float64, Int64 or
// String, or into any decimal package. A float64 type of our own would
// round, and a string would not say that it is a number.

// decimalGoType is the Go type of a decimal field.
const decimalGoType = "json.Number"

// decimal is a schema that is a decimal: anyOf (or oneOf) [number, string
// with a pattern or format "decimal"], and perhaps null.
type decimal struct {
	key    string // anyOf or oneOf
	number jsonObj
	str    jsonObj
	nulls  []any
}

func decimalOf(s jsonObj) (decimal, bool) {
	for _, key := range []string{"anyOf", "oneOf"} {
		d := decimal{key: key}
		members := asList(s[key])
		if len(members) < 2 {
			continue
		}
		for _, m := range members {
			ms, _ := m.(jsonObj)
			switch {
			case isNullSchema(ms):
				d.nulls = append(d.nulls, m)
			case ms["type"] == "number" && d.number == nil && ms["$ref"] == nil:
				d.number = ms
			case ms["type"] == "string" && d.str == nil && (ms["pattern"] != nil || ms["format"] == "decimal"):
				d.str = ms
			default:
				return decimal{}, false
			}
		}
		if d.number != nil && d.str != nil {
			return d, true
		}
	}
	return decimal{}, false
}

// rewriteDecimals rewrites every decimal schema of the document, in place,
// into a number of Go type json.Number (in an anyOf with the null kept,
// for request schemas to be nullable).
func rewriteDecimals(doc jsonObj) {
	walkSchemaObjects(doc, "#", func(s jsonObj, _ string) {
		d, ok := decimalOf(s)
		if !ok {
			return
		}
		number := jsonObj{}
		for k, v := range d.number {
			if !annotations[k] {
				number[k] = v
			}
		}
		number["x-go-type"] = decimalGoType
		if len(d.nulls) == 0 {
			delete(s, d.key)
			for k, v := range number {
				s[k] = v
			}
			return
		}
		s[d.key] = append([]any{number}, d.nulls...)
	})
}

// decimalPatterns are the string members of the document's decimals, whose
// patterns (pydantic's has a lookahead) go away with them.
func decimalPatterns(doc jsonObj) map[uintptr]bool {
	out := map[uintptr]bool{}
	walkSchemaObjects(doc, "#", func(s jsonObj, _ string) {
		if d, ok := decimalOf(s); ok {
			out[reflect.ValueOf(d.str).Pointer()] = true
		}
	})
	return out
}

func decimalNote(n int) string {
	return fmt.Sprintf("%d decimal fields (anyOf [number, string with a pattern], pydantic's Decimal) are %s in Go, which takes both forms; their pattern is not checked", n, decimalGoType)
}
