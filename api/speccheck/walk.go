package speccheck

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/podero-go/podero/internal/specformat"
)

// JSON types, as a bit set: what a finding saw at its pointer.
const (
	tNull uint8 = 1 << iota
	tBoolean
	tInteger
	tNumber
	tString
	tArray
	tObject
)

var typeNames = [...]string{"null", "boolean", "integer", "number", "string", "array", "object"}

// typeOf is the JSON type of a value as encoding/json decodes it into any
// (with UseNumber, see check); a number without a fractional part is an
// integer.
func typeOf(v any) uint8 {
	switch x := v.(type) {
	case nil:
		return tNull
	case bool:
		return tBoolean
	case json.Number:
		return typeOf(numberValue(x))
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			return tInteger
		}
		return tNumber
	case string:
		return tString
	case []any:
		return tArray
	case map[string]any:
		return tObject
	}
	return 0
}

// numberValue is a number's value as encoding/json would decode it into
// any (one too large for a float64 is infinite).
func numberValue(n json.Number) float64 {
	f, _ := strconv.ParseFloat(string(n), 64)
	return f
}

// spelledAsFloat reports whether a number is written with a fraction or an
// exponent.
func spelledAsFloat(n json.Number) bool {
	return strings.ContainsAny(string(n), ".eE")
}

// typeName names one type of the set.
func typeName(t uint8) string {
	for i, name := range typeNames {
		if t&(1<<i) != 0 {
			return name
		}
	}
	return "unknown"
}

// typeList names every type of the set, in a fixed order.
func typeList(set uint8) []string {
	var names []string
	for i, name := range typeNames {
		if set&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	return names
}

// finding is a mismatch in one response, before the checker gives it the
// operation and status.
type finding struct {
	pointer, schema  string
	kind             Kind
	expected, got    string
	types, itemTypes uint8 // the JSON types seen there, and for arrays their elements'
}

type findingKey struct {
	pointer string
	kind    Kind
}

// walker checks a decoded JSON value against a schema of the spec, and
// collects what differs, each distinct (pointer, kind) once.
type walker struct {
	segs  []string  // the pointer to the current value, indexes as "*"
	stack []applied // the schemas that apply to the current value and its parents
	found []finding
	index map[findingKey]int
}

// pointer is the current JSON pointer, with name appended if it is not "".
func (w *walker) pointer(name string) string {
	if len(w.segs) == 0 && name == "" {
		return ""
	}
	var b strings.Builder
	for _, s := range w.segs {
		b.WriteByte('/')
		b.WriteString(escapePointer(s))
	}
	if name != "" {
		b.WriteByte('/')
		b.WriteString(escapePointer(name))
	}
	return b.String()
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return pointerEscaper.Replace(s)
}

// add records a finding at the current pointer (plus name), and returns
// its index in w.found. v is the value found there, of which only the JSON
// type is kept.
func (w *walker) add(name, schema string, kind Kind, expected string, v any, present bool) int {
	f := finding{pointer: w.pointer(name), schema: schema, kind: kind, expected: expected, got: "absent"}
	if present {
		f.types = typeOf(v)
		f.got = typeName(f.types)
		if arr, ok := v.([]any); ok {
			for _, e := range arr {
				f.itemTypes |= typeOf(e)
			}
		}
	}
	k := findingKey{f.pointer, kind}
	if i, ok := w.index[k]; ok {
		w.found[i].types |= f.types
		w.found[i].itemTypes |= f.itemTypes
		return i
	}
	if w.index == nil {
		w.index = map[findingKey]int{}
	}
	w.index[k] = len(w.found)
	w.found = append(w.found, f)
	return len(w.found) - 1
}

// componentName is the name of a component schema reference.
func componentName(ref string) string {
	if name, ok := strings.CutPrefix(ref, "#/components/schemas/"); ok {
		return name
	}
	return ref
}

// applied is a schema that applies to a value, with the component it is in.
type applied struct {
	s  *openapi3.Schema
	in string
}

// ref checks v against a schema reference.
func (w *walker) ref(r *openapi3.SchemaRef, v any, in string) {
	if r == nil || r.Value == nil {
		return
	}
	if r.Ref != "" {
		in = componentName(r.Ref)
	}
	// The schemas that apply are kept on w.stack, above the parent's,
	// so that checking a value allocates nothing for them.
	base := len(w.stack)
	var ok bool
	w.stack, ok = w.flatten(r.Value, in, v, w.stack)
	if ok {
		w.level(w.stack[base:], v)
	}
	clear(w.stack[base:])
	w.stack = w.stack[:base]
}

// flatten lists the schemas that apply to v at this level: s, its allOf,
// and the alternative of its oneOf and anyOf that v is meant to match. It
// reports false when no alternative fits, having said why.
func (w *walker) flatten(s *openapi3.Schema, in string, v any, out []applied) ([]applied, bool) {
	out = append(out, applied{s, in})
	var ok bool
	for _, b := range s.AllOf {
		if b.Value != nil {
			if out, ok = w.flatten(b.Value, refIn(b, in), v, out); !ok {
				return out, false
			}
		}
	}
	for _, alts := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf} {
		if len(alts) == 0 {
			continue
		}
		b := w.choose(s, alts, in, v)
		if b == nil {
			return out, false
		}
		if out, ok = w.flatten(b.Value, refIn(b, in), v, out); !ok {
			return out, false
		}
	}
	return out, true
}

func refIn(r *openapi3.SchemaRef, in string) string {
	if r.Ref != "" {
		return componentName(r.Ref)
	}
	return in
}

// choose picks the alternative of a oneOf or anyOf that v is meant to
// match: the one its discriminator names, else the only one that allows v's
// JSON type, else the one v differs least from. It returns nil when none
// fits, having recorded why.
func (w *walker) choose(s *openapi3.Schema, alts openapi3.SchemaRefs, in string, v any) *openapi3.SchemaRef {
	if d := s.Discriminator; d != nil {
		if obj, ok := v.(map[string]any); ok {
			return w.discriminate(d, alts, in, obj)
		}
	}
	t := typeOf(v)
	var fit []*openapi3.SchemaRef
	for _, alt := range alts {
		if alt.Value != nil && allowsType(alt.Value, t) {
			fit = append(fit, alt)
		}
	}
	switch len(fit) {
	case 0:
		if t == tNull {
			w.add("", in, UnexpectedNull, describeAlternatives(alts), v, true)
		} else {
			w.add("", in, WrongType, describeAlternatives(alts), v, true)
		}
		return nil
	case 1:
		return fit[0]
	}
	best, fewest := fit[0], -1
	for _, alt := range fit {
		trial := &walker{segs: slices.Clone(w.segs)}
		trial.ref(alt, v, in)
		if fewest < 0 || len(trial.found) < fewest {
			best, fewest = alt, len(trial.found)
		}
	}
	return best
}

// discriminate picks the alternative the discriminator property names.
func (w *walker) discriminate(d *openapi3.Discriminator, alts openapi3.SchemaRefs, in string, obj map[string]any) *openapi3.SchemaRef {
	name := d.PropertyName
	raw, present := obj[name]
	if !present {
		w.add(name, in, MissingRequired, "required (the discriminator)", nil, false)
		return nil
	}
	value, ok := raw.(string)
	if !ok {
		w.add(name, in, WrongType, "string (the discriminator)", raw, true)
		return nil
	}
	want := ""
	if m, ok := d.Mapping[value]; ok {
		want = m.Ref
	}
	var names []string
	for _, alt := range alts {
		if (want != "" && alt.Ref == want) || (want == "" && alt.Ref != "" && componentName(alt.Ref) == value) {
			return alt
		}
	}
	for k := range d.Mapping {
		names = append(names, k)
	}
	if len(names) == 0 {
		for _, alt := range alts {
			names = append(names, componentName(alt.Ref))
		}
	}
	slices.Sort(names)
	w.add(name, in, NotInEnum, "one of "+strings.Join(names, ", ")+" (the discriminator)", raw, true)
	return nil
}

// allowsType reports whether s lets a value of JSON type t through at its
// level: its type, or for a schema without one, one of its alternatives'.
func allowsType(s *openapi3.Schema, t uint8) bool {
	if !s.Type.IsEmpty() {
		return typeAllowed(s, t)
	}
	for _, alts := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf} {
		if len(alts) == 0 {
			continue
		}
		for _, alt := range alts {
			if alt.Value != nil && allowsType(alt.Value, t) {
				return true
			}
		}
		return false
	}
	for _, b := range s.AllOf {
		if b.Value != nil && !allowsType(b.Value, t) {
			return false
		}
	}
	return true
}

// typeAllowed reports whether s's type list allows t; an integer is a
// number too.
func typeAllowed(s *openapi3.Schema, t uint8) bool {
	if s.Type.IsEmpty() {
		return true
	}
	switch t {
	case tNull:
		return s.Type.Permits(openapi3.TypeNull) || s.Nullable
	case tBoolean:
		return s.Type.Permits(openapi3.TypeBoolean)
	case tInteger:
		return s.Type.Permits(openapi3.TypeInteger) || s.Type.Permits(openapi3.TypeNumber)
	case tNumber:
		return s.Type.Permits(openapi3.TypeNumber)
	case tString:
		return s.Type.Permits(openapi3.TypeString)
	case tArray:
		return s.Type.Permits(openapi3.TypeArray)
	case tObject:
		return s.Type.Permits(openapi3.TypeObject)
	}
	return false
}

// describeType says what s's type list allows: "integer", "string or null".
func describeType(s *openapi3.Schema) string {
	types := s.Type.Slice()
	if s.Nullable && !slices.Contains(types, openapi3.TypeNull) {
		types = append(slices.Clip(types), openapi3.TypeNull)
	}
	if len(types) == 0 {
		return "any"
	}
	return strings.Join(types, " or ")
}

// describeAlternatives says what a oneOf or anyOf allows: "object or null".
func describeAlternatives(alts openapi3.SchemaRefs) string {
	var parts []string
	for _, alt := range alts {
		d := "any"
		switch {
		case alt.Value == nil:
		case !alt.Value.Type.IsEmpty():
			d = describeType(alt.Value)
		case len(alt.Value.OneOf) > 0:
			d = describeAlternatives(alt.Value.OneOf)
		case len(alt.Value.AnyOf) > 0:
			d = describeAlternatives(alt.Value.AnyOf)
		}
		if !slices.Contains(parts, d) {
			parts = append(parts, d)
		}
	}
	return strings.Join(parts, " or ")
}

// level checks v against the schemas that apply to it, then its
// properties or elements.
func (w *walker) level(set []applied, v any) {
	if n, ok := v.(json.Number); ok {
		v = numberValue(n)
		if spelledAsFloat(n) && typeOf(v) == tInteger {
			for _, a := range set {
				if a.s.Type.Permits(openapi3.TypeInteger) && !a.s.Type.Permits(openapi3.TypeNumber) {
					i := w.add("", a.in, IntegerAsFloat, "integer, written without a fraction or exponent", v, true)
					w.found[i].got = "number"
					break
				}
			}
		}
	}
	t := typeOf(v)
	for _, a := range set {
		if !typeAllowed(a.s, t) {
			kind := WrongType
			if t == tNull {
				kind = UnexpectedNull
			}
			w.add("", a.in, kind, describeType(a.s), v, true)
			return
		}
	}
	for _, a := range set {
		if len(a.s.Enum) > 0 && !inEnum(a.s.Enum, v) {
			w.add("", a.in, NotInEnum, describeEnum(a.s.Enum), v, true)
			return
		}
		if a.s.Const != nil && !sameValue(a.s.Const, v) {
			w.add("", a.in, NotInEnum, describeEnum([]any{a.s.Const}), v, true)
			return
		}
	}
	switch x := v.(type) {
	case string, float64:
		for _, a := range set {
			if hasConstraints(a.s) {
				w.constraints(a, v)
			}
		}
	case map[string]any:
		w.object(set, x)
	case []any:
		w.array(set, x)
	}
}

// hasConstraints reports whether s constrains a string or number beyond
// its type and enum.
func hasConstraints(s *openapi3.Schema) bool {
	return s.Format != "" || s.MinLength != 0 || s.MaxLength != nil || s.Pattern != "" ||
		s.Min != nil || s.Max != nil || s.MultipleOf != nil || s.ExclusiveMin.IsSet() || s.ExclusiveMax.IsSet()
}

// constraints checks a string or number against s's format, length and
// range, with kin-openapi. It reports the constraint, never the value.
func (w *walker) constraints(a applied, v any) {
	if str, ok := v.(string); ok && onlyFormat(a.s) {
		// The common case (a uuid, a date-time) without the cost of
		// VisitJSON's settings: the same validator VisitJSON would use.
		if f := formatValidator(a.s.Format); f != nil && f.Validate(str) != nil {
			w.formatMismatch(a, str)
		}
		return
	}
	err := a.s.VisitJSON(v, leafOptions...)
	if err == nil {
		return
	}
	leaves := specformat.SchemaLeaves(err)
	if len(leaves) == 0 {
		w.add("", a.in, InvalidValue, describeConstraint(a.s, "a constraint"), v, true)
	}
	for _, leaf := range leaves {
		switch leaf.SchemaField {
		case "type", "enum", "nullable": // checked before, and reported as such
			continue
		case "format":
			if str, ok := v.(string); ok {
				w.formatMismatch(a, str)
				continue
			}
		}
		w.add("", a.in, InvalidValue, describeConstraint(a.s, leaf.SchemaField), v, true)
	}
}

// formatMismatch reports a string that is not of a's format: a date-time
// without a zone offset as such (NaiveDateTime), anything else as an
// invalid value.
func (w *walker) formatMismatch(a applied, str string) {
	if a.s.Format == "date-time" && naiveDateTime(str) {
		w.add("", a.in, NaiveDateTime, "format date-time, with a zone offset", str, true)
		return
	}
	w.add("", a.in, InvalidValue, "format "+a.s.Format, str, true)
}

// naiveDateTime reports whether s is an RFC 3339 date-time but for its
// missing zone offset, which the SDK reads as UTC.
func naiveDateTime(s string) bool {
	_, err := time.Parse("2006-01-02T15:04:05.999999999", s)
	return err == nil
}

// onlyFormat reports whether a string schema's only constraint is its
// format.
func onlyFormat(s *openapi3.Schema) bool {
	return s.Format != "" && s.MinLength == 0 && s.MaxLength == nil && s.Pattern == ""
}

// formatValidator is the validator VisitJSON uses for a string format with
// leafOptions, or nil for a format it does not check.
func formatValidator(name string) openapi3.StringFormatValidator {
	if v, ok := specformat.Validators[name]; ok {
		return v
	}
	return openapi3.SchemaStringFormats[name]
}

// describeConstraint says what the keyword field of s requires.
func describeConstraint(s *openapi3.Schema, field string) string {
	switch field {
	case "format":
		return "format " + s.Format
	case "minLength":
		return fmt.Sprintf("minLength %d", s.MinLength)
	case "maxLength":
		if s.MaxLength != nil {
			return fmt.Sprintf("maxLength %d", *s.MaxLength)
		}
	case "pattern":
		return "pattern " + s.Pattern
	case "minimum":
		if s.Min != nil {
			return fmt.Sprintf("minimum %g", *s.Min)
		}
	case "maximum":
		if s.Max != nil {
			return fmt.Sprintf("maximum %g", *s.Max)
		}
	case "multipleOf":
		if s.MultipleOf != nil {
			return fmt.Sprintf("multipleOf %g", *s.MultipleOf)
		}
	}
	return field
}

// inEnum reports whether v is one of the enum's values.
func inEnum(enum []any, v any) bool {
	for _, e := range enum {
		if sameValue(e, v) {
			return true
		}
	}
	return false
}

// sameValue compares JSON scalars; objects and arrays never match.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case nil, bool, string, float64:
		return a == b
	case int:
		f, ok := b.(float64)
		return ok && f == float64(x)
	}
	return false
}

// describeEnum lists an enum's values (from the spec, not the response).
func describeEnum(enum []any) string {
	parts := make([]string, len(enum))
	for i, e := range enum {
		if e == nil {
			parts[i] = "null"
		} else {
			parts[i] = fmt.Sprint(e)
		}
	}
	return "one of " + strings.Join(parts, ", ")
}

// object checks an object's required and undeclared properties and each
// property's value. A property is undeclared when it is in none of the
// applying schemas' properties and none allows additional properties: a
// schema without properties (a free-form object) checks no names.
func (w *walker) object(set []applied, obj map[string]any) {
	// in is the component the object is: the first that declares
	// properties or composes them with allOf, not an anyOf around it.
	declaring, open, in := false, false, ""
	for _, a := range set {
		if in == "" && (len(a.s.Properties) > 0 || len(a.s.AllOf) > 0) {
			in = a.in
		}
		declaring = declaring || len(a.s.Properties) > 0
		if ap := a.s.AdditionalProperties; (ap.Has != nil && *ap.Has) || ap.Schema != nil {
			open = true
		}
		for _, name := range a.s.Required {
			if _, ok := obj[name]; !ok {
				w.add(name, a.in, MissingRequired, "required", nil, false)
			}
		}
	}
	for name, v := range obj {
		known := false
		for _, a := range set {
			if p := a.s.Properties[name]; p != nil {
				known = true
				w.segs = append(w.segs, name)
				w.ref(p, v, a.in)
				w.segs = w.segs[:len(w.segs)-1]
			}
		}
		if known {
			continue
		}
		for _, a := range set {
			if ap := a.s.AdditionalProperties.Schema; ap != nil {
				known = true
				w.segs = append(w.segs, name)
				w.ref(ap, v, a.in)
				w.segs = w.segs[:len(w.segs)-1]
			}
		}
		if !known && declaring && !open {
			w.add(name, in, UndeclaredProperty, "not declared", v, true)
		}
	}
}

// array checks each element against the items schema, and the array's
// length against minItems and maxItems.
func (w *walker) array(set []applied, arr []any) {
	for _, a := range set {
		if n := uint64(len(arr)); n < a.s.MinItems {
			w.add("", a.in, InvalidValue, fmt.Sprintf("minItems %d", a.s.MinItems), arr, true)
		} else if a.s.MaxItems != nil && n > *a.s.MaxItems {
			w.add("", a.in, InvalidValue, fmt.Sprintf("maxItems %d", *a.s.MaxItems), arr, true)
		}
		if a.s.Items == nil {
			continue
		}
		w.segs = append(w.segs, "*")
		for _, e := range arr {
			w.ref(a.s.Items, e, a.in)
		}
		w.segs = w.segs[:len(w.segs)-1]
	}
}
