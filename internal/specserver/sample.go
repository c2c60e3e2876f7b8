package specserver

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Sample fixed values. They are plain and valid rather than random, so that a
// failing test shows the same body every run.
const (
	SampleUUID     = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
	SampleDate     = "2026-01-15"
	SampleDateTime = "2026-01-15T10:00:00Z"
	SampleTime     = "07:30:00"
)

// Sample returns a JSON value (as decoded by encoding/json: maps, slices,
// strings, float64, bool, nil) that conforms to the schema. Optional
// properties are included, so that decoders see every field; for a nullable
// anyOf the non-null branch is taken.
func Sample(ref *openapi3.SchemaRef) any {
	return sample(ref, 0)
}

// SampleJSON is Sample, encoded.
func SampleJSON(ref *openapi3.SchemaRef) []byte {
	b, err := json.Marshal(Sample(ref))
	if err != nil {
		panic(fmt.Sprintf("specserver: sample does not encode: %v", err)) // maps, slices and scalars always do
	}
	return b
}

const maxDepth = 12 // cuts recursive schemas

func sample(ref *openapi3.SchemaRef, depth int) any {
	if ref == nil || ref.Value == nil || depth > maxDepth {
		return nil
	}
	s := ref.Value
	if s.Const != nil {
		return s.Const
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	if s.Default != nil {
		return s.Default
	}
	for _, alts := range [][]*openapi3.SchemaRef{s.AnyOf, s.OneOf} {
		for _, alt := range alts {
			if alt.Value != nil && !alt.Value.Type.Is("null") {
				return sample(alt, depth+1)
			}
		}
	}
	if len(s.AllOf) > 0 {
		merged := map[string]any{}
		for _, part := range s.AllOf {
			if m, ok := sample(part, depth+1).(map[string]any); ok {
				for k, v := range m {
					merged[k] = v
				}
			}
		}
		return merged
	}
	switch {
	case s.Type.Includes("object") || len(s.Properties) > 0:
		obj := make(map[string]any, len(s.Properties))
		for name, p := range s.Properties {
			obj[name] = sample(p, depth+1)
		}
		return obj
	case s.Type.Includes("array") && len(s.PrefixItems) > 0: // a tuple
		items := make([]any, len(s.PrefixItems))
		for i, p := range s.PrefixItems {
			items[i] = sample(p, depth+1)
		}
		return items
	case s.Type.Includes("array"):
		n := max(1, int(s.MinItems))
		items := make([]any, n)
		for i := range items {
			items[i] = sample(s.Items, depth+1)
		}
		return items
	case s.Type.Includes("string"):
		return sampleString(s)
	case s.Type.Includes("integer"):
		return math.Round(sampleNumber(s, true, 1))
	case s.Type.Includes("number"):
		return sampleNumber(s, false, 1)
	case s.Type.Includes("boolean"):
		return true
	case s.Type.Includes("null"):
		return nil
	}
	return map[string]any{} // an untyped schema accepts anything
}

func sampleString(s *openapi3.Schema) string {
	var v string
	if s.Format == "byte" || s.ContentEncoding == "base64" {
		return "c3RyaW5n" // "string", base64-encoded, as such a field holds
	}
	switch s.Format {
	case "uuid":
		return SampleUUID
	case "date":
		return SampleDate
	case "date-time":
		return SampleDateTime
	case "time":
		return SampleTime
	case "duration":
		return "PT1H30M" // ISO 8601, as pydantic writes a timedelta
	case "email":
		v = "user@example.com"
	case "uri", "url":
		v = "https://example.com/"
	default:
		v = "string"
	}
	if s.MaxLength != nil && uint64(len(v)) > *s.MaxLength {
		v = v[:*s.MaxLength]
	}
	if uint64(len(v)) < s.MinLength {
		v += strings.Repeat("x", int(s.MinLength)-len(v))
	}
	return v
}

// sampleNumber picks v, moved into [minimum, maximum] when the schema bounds it.
func sampleNumber(s *openapi3.Schema, integer bool, v float64) float64 {
	step := 0.5
	if integer {
		step = 1
	}
	if s.Min != nil && (v < *s.Min || (s.ExclusiveMin.IsTrue() && v <= *s.Min)) {
		v = *s.Min
		if s.ExclusiveMin.IsTrue() {
			v += step
		}
	}
	if s.ExclusiveMin.Value != nil && v <= *s.ExclusiveMin.Value {
		v = *s.ExclusiveMin.Value + step
	}
	if s.Max != nil && (v > *s.Max || (s.ExclusiveMax.IsTrue() && v >= *s.Max)) {
		v = *s.Max
		if s.ExclusiveMax.IsTrue() {
			v -= step
		}
	}
	if s.ExclusiveMax.Value != nil && v >= *s.ExclusiveMax.Value {
		v = *s.ExclusiveMax.Value - step
	}
	if s.MultipleOf != nil && *s.MultipleOf > 0 {
		v = math.Ceil(v / *s.MultipleOf) * *s.MultipleOf
	}
	return v
}

// Blank returns the plainest JSON value that conforms to the schema: its
// default when it has one, null when it is nullable, the first enum value,
// false, 0 (moved into bounds), an empty array (MinItems blanks), an object
// with every property blank; other strings are as in Sample. A stateful fake
// starts its objects from Blank and sets the fields it knows, so that a field
// nobody set reads as null or zero rather than as made-up data.
func Blank(ref *openapi3.SchemaRef) any {
	return blank(ref, 0)
}

func blank(ref *openapi3.SchemaRef, depth int) any {
	if ref == nil || ref.Value == nil || depth > maxDepth {
		return nil
	}
	s := ref.Value
	switch {
	case s.Const != nil:
		return s.Const
	case s.Default != nil:
		return s.Default
	case len(s.Enum) > 0:
		return s.Enum[0]
	case Nullable(ref):
		return nil
	case len(s.AnyOf) > 0 || len(s.OneOf) > 0 || len(s.AllOf) > 0:
		return sample(ref, depth) // rare in outputs; a sample is valid
	case s.Type.Includes("object") || len(s.Properties) > 0:
		obj := make(map[string]any, len(s.Properties))
		for name, prop := range s.Properties {
			obj[name] = blank(prop, depth+1)
		}
		return obj
	case s.Type.Includes("array"):
		items := make([]any, s.MinItems)
		for i := range items {
			items[i] = blank(s.Items, depth+1)
		}
		return items
	case s.Type.Includes("boolean"):
		return false
	case s.Type.Includes("integer"):
		return math.Round(sampleNumber(s, true, 0))
	case s.Type.Includes("number"):
		return sampleNumber(s, false, 0)
	}
	return sample(ref, depth)
}

// Nullable reports whether the schema accepts null: OpenAPI 3.0's nullable,
// a "null" type, or (as django-ninja writes Optional fields) an anyOf or
// oneOf with a null branch.
func Nullable(ref *openapi3.SchemaRef) bool {
	if ref == nil || ref.Value == nil {
		return false
	}
	s := ref.Value
	if s.Nullable || s.Type.Includes("null") {
		return true
	}
	for _, alts := range [][]*openapi3.SchemaRef{s.AnyOf, s.OneOf} {
		for _, alt := range alts {
			if alt.Value != nil && alt.Value.Type.Is("null") {
				return true
			}
		}
	}
	return false
}

// SampleParam returns a valid value for a parameter, formatted as it goes on
// the wire (a path segment, a query value, a header).
func SampleParam(p *openapi3.Parameter) string { return WireValue(Sample(p.Schema)) }

// WireValue formats a sample value (as Sample returns it) as a parameter or
// a form field carries it: a string as is, a number or a boolean as text,
// anything else as JSON.
func WireValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
