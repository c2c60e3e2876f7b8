package specserver

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
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
// properties are included, so that decoders see every field (but for one
// that would hold its own schema again: see sampler); for a nullable anyOf
// the non-null branch is taken; a string matches its pattern; allOf parts
// are merged, and a oneOf or anyOf takes the first alternative whose
// sample the whole schema accepts.
func Sample(ref *openapi3.SchemaRef) any {
	return newSampler(false).sample(ref)
}

// SampleJSON is Sample, encoded.
func SampleJSON(ref *openapi3.SchemaRef) []byte {
	b, err := json.Marshal(Sample(ref))
	if err != nil {
		panic(fmt.Sprintf("specserver: sample does not encode: %v", err)) // maps, slices and scalars always do
	}
	return b
}

// maxDepth bounds how deep a sample nests: past it, and where a schema
// holds itself (a tree of nodes), a sample takes only what its schema
// requires (see sampler.least).
const maxDepth = 12

// sampler makes one sample. A schema that the sample is already inside
// (by pointer: a $ref's schema is shared) is recursion: its optional
// properties that recurse are left out, an array of it gets its minItems,
// and a nullable one is null.
type sampler struct {
	blank bool                     // Blank's plain values instead of Sample's
	in    map[*openapi3.Schema]int // the schemas the sample is inside
	depth int
}

func newSampler(blank bool) *sampler {
	return &sampler{blank: blank, in: map[*openapi3.Schema]int{}}
}

// recursive reports whether sampling ref would enter a schema the sample
// is inside already, or go past maxDepth.
func (g *sampler) recursive(ref *openapi3.SchemaRef) bool {
	return ref != nil && ref.Value != nil && (g.in[ref.Value] > 0 || g.depth >= maxDepth)
}

func (g *sampler) sample(ref *openapi3.SchemaRef) any {
	if ref == nil || ref.Value == nil {
		return nil
	}
	if g.recursive(ref) {
		return g.least(ref, 0)
	}
	s := ref.Value
	g.in[s]++
	g.depth++
	defer func() { g.in[s]--; g.depth-- }()
	if len(s.AllOf) > 0 {
		return g.sample(&openapi3.SchemaRef{Value: flatten(s)})
	}
	if v, ok := fixedValue(s, g.blank); ok {
		return v
	}
	if g.blank && takesNull(ref) {
		return nil
	}
	if len(s.AnyOf) > 0 || len(s.OneOf) > 0 {
		return g.union(ref)
	}
	switch {
	case s.Type.Includes("object") || len(s.Properties) > 0:
		return g.object(s, func(p *openapi3.SchemaRef) any { return g.sample(p) })
	case s.Type.Includes("array") && len(s.PrefixItems) > 0: // a tuple
		items := make([]any, len(s.PrefixItems))
		for i, p := range s.PrefixItems {
			items[i] = g.sample(p)
		}
		return items
	case s.Type.Includes("array"):
		n := int(s.MinItems)
		if !g.blank && !g.recursive(s.Items) {
			n = max(1, n)
		}
		items := make([]any, n)
		for i := range items {
			items[i] = g.sample(s.Items)
		}
		return items
	}
	return g.scalar(s)
}

// fixedValue is the value a schema fixes: its const, its first enum value,
// its default (Blank takes the default before the enum).
func fixedValue(s *openapi3.Schema, blank bool) (any, bool) {
	switch {
	case s.Const != nil:
		return s.Const, true
	case blank && s.Default != nil:
		return s.Default, true
	case len(s.Enum) > 0:
		return s.Enum[0], true
	case s.Default != nil:
		return s.Default, true
	}
	return nil, false
}

// object samples an object schema: every property (the required ones only
// where a property recurses: an optional one that would is left out), and
// a required name the schema has no property for from its
// additionalProperties.
func (g *sampler) object(s *openapi3.Schema, value func(*openapi3.SchemaRef) any) map[string]any {
	obj := make(map[string]any, len(s.Properties))
	for name, p := range s.Properties {
		if g.recursive(p) && !slices.Contains(s.Required, name) {
			continue
		}
		obj[name] = value(p)
	}
	for _, name := range s.Required {
		if _, ok := obj[name]; !ok {
			obj[name] = g.sample(s.AdditionalProperties.Schema) // nil: any value, as an untyped schema
			if obj[name] == nil && s.AdditionalProperties.Schema == nil {
				obj[name] = "string"
			}
		}
	}
	return obj
}

// scalar samples a schema that is neither an object nor an array.
func (g *sampler) scalar(s *openapi3.Schema) any {
	switch {
	case s.Type.Includes("string"):
		return sampleString(s)
	case s.Type.Includes("integer"):
		if g.blank {
			return math.Round(sampleNumber(s, true, 0))
		}
		return math.Round(sampleNumber(s, true, 1))
	case s.Type.Includes("number"):
		if g.blank {
			return sampleNumber(s, false, 0)
		}
		return sampleNumber(s, false, 1)
	case s.Type.Includes("boolean"):
		return !g.blank
	case s.Type.Includes("null"):
		return nil
	}
	switch { // an untyped schema with a type's keywords
	case s.Pattern != "" || s.Format != "" || s.MinLength > 0 || s.MaxLength != nil:
		return sampleString(s)
	case s.Min != nil || s.Max != nil || s.MultipleOf != nil:
		return sampleNumber(s, false, 1)
	}
	return map[string]any{} // an untyped schema accepts anything
}

// least is the smallest value a schema accepts that takes nothing it does
// not require: null where null is allowed, its required properties, its
// minItems; what a sample stops with where its schema recurses. Past a
// bound it gives null, for a schema that requires itself without end (which
// no finite value satisfies).
func (g *sampler) least(ref *openapi3.SchemaRef, depth int) any {
	if ref == nil || ref.Value == nil || depth > maxDepth {
		return nil
	}
	s := ref.Value
	if len(s.AllOf) > 0 {
		return g.least(&openapi3.SchemaRef{Value: flatten(s)}, depth+1)
	}
	if v, ok := fixedValue(s, true); ok {
		return v
	}
	if takesNull(ref) {
		return nil
	}
	for _, alts := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf} {
		if len(alts) > 0 {
			return g.least(&openapi3.SchemaRef{Value: merged(withoutUnions(s), alts[0].Value)}, depth+1)
		}
	}
	switch {
	case s.Type.Includes("object") || len(s.Properties) > 0:
		obj := map[string]any{}
		for _, name := range s.Required {
			if p := s.Properties[name]; p != nil {
				obj[name] = g.least(p, depth+1)
			} else {
				obj[name] = "string"
			}
		}
		return obj
	case s.Type.Includes("array"):
		items := make([]any, s.MinItems)
		for i := range items {
			items[i] = g.least(s.Items, depth+1)
		}
		return items
	}
	return g.scalar(s)
}

// union samples a schema with anyOf or oneOf alternatives (and perhaps
// properties of its own beside them): the first alternative, merged with
// the rest of the schema, whose sample the whole schema accepts (for oneOf,
// one that no other alternative accepts too), with its discriminator's
// value set; null where the schema allows it and the alternatives recurse.
func (g *sampler) union(ref *openapi3.SchemaRef) any {
	s := ref.Value
	alts := s.OneOf
	if len(alts) == 0 {
		alts = s.AnyOf
	}
	base := withoutUnions(s)
	var candidates []*openapi3.SchemaRef
	for _, alt := range alts {
		if alt != nil && alt.Value != nil && !alt.Value.Type.Is("null") && !(g.recursive(alt) && takesNull(ref)) {
			candidates = append(candidates, alt)
		}
	}
	var first any
	tried := false
	for _, alt := range candidates {
		var v any
		if g.recursive(alt) {
			v = g.least(&openapi3.SchemaRef{Value: merged(base, alt.Value)}, 0)
		} else {
			g.in[alt.Value]++
			v = g.sample(&openapi3.SchemaRef{Value: merged(base, alt.Value)})
			g.in[alt.Value]--
		}
		if d := s.Discriminator; d != nil {
			if obj, ok := v.(map[string]any); ok {
				obj[d.PropertyName] = discriminatorValue(d, alt)
			}
		}
		if !tried {
			first, tried = v, true
		}
		if len(candidates) == 1 || accepts(ref, v) {
			return v
		}
	}
	if !tried && takesNull(ref) {
		return nil
	}
	return first
}

// discriminatorValue is the value of a discriminator's property that picks
// alt: the mapping's key for alt's $ref, else the name of alt's schema.
func discriminatorValue(d *openapi3.Discriminator, alt *openapi3.SchemaRef) string {
	for _, key := range slices.Sorted(maps.Keys(d.Mapping)) {
		if d.Mapping[key].Ref == alt.Ref {
			return key
		}
	}
	return alt.Ref[strings.LastIndex(alt.Ref, "/")+1:]
}

// accepts reports whether schema accepts v, by the checks of a 3.1
// document's validator (JSON Schema 2020-12) or a 3.0 one's: which one a
// document gets depends on its version, which a schema does not know.
func accepts(ref *openapi3.SchemaRef, v any) bool {
	b, err := json.Marshal(v)
	if err != nil {
		return false
	}
	var decoded any
	if json.Unmarshal(b, &decoded) != nil {
		return false
	}
	return CheckValue(ref, decoded) == nil || ref.Value.VisitJSON(decoded, formats...) == nil
}

// withoutUnions is s without its anyOf and oneOf.
func withoutUnions(s *openapi3.Schema) *openapi3.Schema {
	c := *s
	c.AnyOf, c.OneOf, c.Discriminator = nil, nil, nil
	return &c
}

// flatten is an allOf schema as one schema: its own keywords and every
// part's, merged (see merged).
func flatten(s *openapi3.Schema) *openapi3.Schema {
	out := *s
	out.AllOf = nil
	for _, part := range s.AllOf {
		if part != nil && part.Value != nil {
			p := part.Value
			if len(p.AllOf) > 0 {
				p = flatten(p)
			}
			out = *merged(&out, p)
		}
	}
	return &out
}

// merged is a schema that both a and b constrain: b's keywords where a has
// none, the properties of both (one that both have must satisfy both), the
// required properties of both. Where both set a keyword, a's wins: a sample
// of it may then not satisfy b, which the caller's check finds.
func merged(a, b *openapi3.Schema) *openapi3.Schema {
	out := *a
	ov, bv := reflect.ValueOf(&out).Elem(), reflect.ValueOf(b).Elem()
	for i := 0; i < ov.NumField(); i++ {
		switch ov.Type().Field(i).Name {
		case "Properties", "Required", "Extensions", "Origin":
			continue
		}
		if f := ov.Field(i); f.CanSet() && f.IsZero() && !bv.Field(i).IsZero() {
			f.Set(bv.Field(i))
		}
	}
	if len(b.Properties) > 0 {
		out.Properties = maps.Clone(a.Properties)
		if out.Properties == nil {
			out.Properties = openapi3.Schemas{}
		}
		for name, p := range b.Properties {
			if q, ok := out.Properties[name]; ok && q != p {
				out.Properties[name] = &openapi3.SchemaRef{Value: &openapi3.Schema{AllOf: openapi3.SchemaRefs{q, p}}}
			} else {
				out.Properties[name] = p
			}
		}
	}
	out.Required = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(a.Required), b.Required...))))
	if len(out.Required) == 0 {
		out.Required = nil
	}
	return &out
}

func sampleString(s *openapi3.Schema) string {
	var v string
	if s.Format == "byte" || s.ContentEncoding == "base64" {
		return "c3RyaW5n" // "string", base64-encoded, as such a field holds
	}
	switch s.Format {
	case "uuid":
		v = SampleUUID
	case "date":
		v = SampleDate
	case "date-time":
		v = SampleDateTime
	case "time":
		v = SampleTime
	case "duration":
		v = "PT1H30M" // ISO 8601, as pydantic writes a timedelta
	case "email":
		v = "user@example.com"
	case "uri", "url":
		v = "https://example.com/"
	default:
		v = "string"
	}
	minLen, maxLen := int(s.MinLength), -1
	if s.MaxLength != nil {
		maxLen = int(min(*s.MaxLength, 1<<20))
	}
	if s.Pattern != "" {
		if m, ok := patternSample(s.Pattern, v, minLen, maxLen); ok {
			return m
		}
	}
	if s.Format != "" && s.Format != "email" && s.Format != "uri" && s.Format != "url" {
		return v // a format's value is what it is
	}
	if maxLen >= 0 && len(v) > maxLen {
		v = v[:maxLen]
	}
	if len(v) < minLen {
		v += strings.Repeat("x", minLen-len(v))
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
// default when it has one, null when its type or an alternative is null
// (not by OpenAPI 3.0's nullable alone, see takesNull), the first enum value,
// false, 0 (moved into bounds), an empty array (MinItems blanks), an object
// with every property blank; other strings are as in Sample. A stateful fake
// starts its objects from Blank and sets the fields it knows, so that a field
// nobody set reads as null or zero rather than as made-up data.
func Blank(ref *openapi3.SchemaRef) any {
	return newSampler(true).sample(ref)
}

// takesNull reports whether a schema accepts null by its type or a null
// alternative, which every validator reads alike: OpenAPI 3.0's nullable
// is not JSON Schema's, and a 3.1 document's validator ignores it (FastAPI
// documents have both), so a sample does not count on it.
func takesNull(ref *openapi3.SchemaRef) bool {
	if ref == nil || ref.Value == nil {
		return false
	}
	if ref.Value.Type.Includes("null") {
		return true
	}
	for _, alts := range []openapi3.SchemaRefs{ref.Value.AnyOf, ref.Value.OneOf} {
		for _, alt := range alts {
			if alt.Value != nil && alt.Value.Type.Is("null") {
				return true
			}
		}
	}
	return false
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

// SamplesConform checks Sample and Blank of every component schema of doc
// against the schema, as CheckValueIn does (once encoded and decoded, as
// they travel), and says what does not conform.
func SamplesConform(doc *openapi3.T) []string {
	if doc.Components == nil {
		return nil
	}
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(doc.Components.Schemas)) {
		ref := doc.Components.Schemas[name]
		for _, kind := range []string{"Sample", "Blank"} {
			v := Sample(ref)
			if kind == "Blank" {
				v = Blank(ref)
			}
			b, err := json.Marshal(v)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s(%s) does not encode: %v", kind, name, err))
				continue
			}
			var decoded any
			if err = json.Unmarshal(b, &decoded); err == nil {
				err = CheckValueIn(doc, ref, decoded)
			}
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s(%s) = %s does not conform: %v", kind, name, b, err))
			}
		}
	}
	return problems
}
