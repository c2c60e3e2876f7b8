// Package docgen generates JSON documents that are valid against a schema of
// an OpenAPI document, written the ways a Python server (pydantic, FastAPI,
// django-ninja) may write them, for differential tests of the SDK's
// decoders: api/internal/apitest decodes each document through a
// PartnerClient method and through encoding/json into the same Go type, and
// compares.
//
// A document has what a server may send: optional properties absent, null
// where the schema allows it, properties the schema does not declare at any
// depth (some nested thousands of levels), keys in any order, every string
// escape (\uXXXX, surrogate pairs, the short ones, "\/"), Python's number
// spellings (1e+16, 1.5e-07, 1911568997308.3718, 0.0, -0.0), pydantic's
// date-times (Z, +00:00, an offset, no zone, 0 to 6 fractional digits),
// whitespace anywhere, and long lists.
//
// Where encoding/json reads a document otherwise than JSON.parse and Python
// do (Incompatible), Doc.Compat is the same document written as
// encoding/json reads it to the same value: the test compares the SDK's
// reading of Doc.JSON with encoding/json's of Doc.Compat, and names the
// difference.
//
// The choices come from a Source: a seeded generator for a fixed corpus, or
// a fuzzer's bytes (BytesSource), so that the fuzzer's mutations are
// mutations of the document.
package docgen

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// Feature is something a document has, as a bit set.
type Feature uint32

// The features a document may have.
const (
	// UnknownProperty: an object has a property its schema does not
	// declare. Both decoders ignore it; the SDK keeps it (ExtraFields).
	UnknownProperty Feature = 1 << iota
	// CaseVariantKey: a property named like a declared one but for case
	// ("Battery_Level"). encoding/json matches keys case-insensitively and
	// reads it into the declared field; JSON.parse and Python do not, and
	// nor does the SDK, which keeps it as an unknown property.
	CaseVariantKey
	// DuplicateKey: a declared property given twice. The last value wins
	// whole for JSON.parse, Python and the SDK; encoding/json merges an
	// object given twice into one.
	DuplicateKey
	// NaiveDateTime: a date-time without a zone offset, as pydantic writes
	// a datetime that has none. The SDK reads it as UTC (the guides say
	// every time is); encoding/json refuses it.
	NaiveDateTime
	// EscapedDateTime: a \u escape inside a date-time string. encoding/json
	// hands time.Time the string without unescaping it, and fails.
	EscapedDateTime
	// IntegerAsFloat: an integer written with a fraction or an exponent
	// (2.0, 1e2), which JSON Schema counts as an integer and Python writes
	// for a float that holds one. encoding/json refuses it for an int.
	IntegerAsFloat
	// DeepNesting: an unknown property nested hundreds of levels deep.
	DeepNesting
	// LongList: a list of a hundred items or more.
	LongList
)

// Incompatible are the features where encoding/json reads a document
// otherwise than JSON.parse and Python do.
const Incompatible = CaseVariantKey | DuplicateKey | NaiveDateTime | EscapedDateTime | IntegerAsFloat

var featureNames = []string{"unknown property", "key differing in case", "duplicate key", "date-time without a zone",
	"escape in a date-time", "integer written as a float", "deep nesting", "long list"}

func (f Feature) String() string {
	var names []string
	for i, n := range featureNames {
		if f&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

// Each lists the features of the set, one bit each.
func (f Feature) Each() []Feature {
	var out []Feature
	for i := range featureNames {
		if f&(1<<i) != 0 {
			out = append(out, 1<<i)
		}
	}
	return out
}

// Doc is one generated document.
type Doc struct {
	// JSON is the document as a Python server may write it.
	JSON []byte
	// Compat is the same value written as encoding/json reads it: without
	// the Incompatible features. It equals JSON when Features has none.
	Compat []byte
	// Features are what JSON has.
	Features Feature
	// Extra are the undeclared properties of JSON's objects (not those
	// inside free-form objects or inside other undeclared properties),
	// each with its value exactly as written: what the SDK must keep.
	Extra []Extra
}

// Extra is an undeclared property, its value as written.
type Extra struct{ Key, Raw string }

// Source gives the generator's choices.
type Source interface{ Uint64() uint64 }

// BytesSource makes choices from a fuzzer's bytes, eight at a time; when
// they run out, every choice is the first, so that a document still ends.
type BytesSource struct{ b []byte }

// NewBytesSource returns a Source that reads b.
func NewBytesSource(b []byte) *BytesSource { return &BytesSource{b: b} }

func (s *BytesSource) Uint64() uint64 {
	var v uint64
	for i := 0; i < 8 && len(s.b) > 0; i++ {
		v = v<<8 | uint64(s.b[0])
		s.b = s.b[1:]
	}
	return v
}

// Generator makes documents for the schemas of one OpenAPI document.
type Generator struct {
	src Source
	// budget bounds the values of one document, so that a document stays
	// small whatever the choices.
	budget int
}

// New returns a Generator drawing its choices from src.
func New(src Source) *Generator { return &Generator{src: src} }

// Document generates a document valid against schema.
func (g *Generator) Document(schema *openapi3.SchemaRef) Doc {
	g.budget = 60
	st := &state{g: g}
	n := st.value(schema, 0, nil)
	var doc Doc
	var w writer
	w.write(n, false, g, &doc)
	doc.JSON = w.b
	w = writer{}
	w.write(n, true, g, nil)
	doc.Compat = w.b
	doc.Features = st.features
	return doc
}

// The generator's choices.

func (g *Generator) intn(n int) int {
	if n <= 1 {
		return 0
	}
	return int(g.src.Uint64() % uint64(n))
}

// chance is true about p of the time (and never when the choices have run
// out, so that a fuzzer's short input makes a small document).
func (g *Generator) chance(p float64) bool {
	return float64(g.src.Uint64()>>11)/(1<<53) >= 1-p
}

// node is a generated value, written twice: as a server may write it and
// as encoding/json reads it.
type node struct {
	kind     byte // 'o' object, 'a' array, 's' string, 'n' number, 'l' literal (true, false, null)
	members  []member
	elems    []*node
	str      string // the string's value
	escape   uint64 // the seed of a string's escapes and of the space around a key
	dateTime bool   // a date-time string
	noEsc    bool   // written without the escapes a string may have (a date-time, mostly)
	text     string // the number or literal as written
	compat   string // the number or string as encoding/json reads it, if it differs
}

type member struct {
	key        *node // a string node
	val        *node
	decoy      bool // a value given before the last for the same key: left out of Compat
	caseVar    bool // an undeclared key that differs from a declared one by case: left out of Compat
	undeclared bool // an undeclared property
}

// state is one document's generation.
type state struct {
	g        *Generator
	features Feature
}

// maxDepth bounds the nesting of generated values that follow the schema.
const maxDepth = 12

// value generates a value for s. force, if not nil, fixes the values of
// some properties (a discriminator's).
func (st *state) value(ref *openapi3.SchemaRef, depth int, force map[string]string) *node {
	g := st.g
	g.budget--
	s := ref.Value
	if s == nil {
		return &node{kind: 'l', text: "null"}
	}
	if alts := append(slices.Clone(s.OneOf), s.AnyOf...); len(alts) > 0 {
		return st.alternative(s, alts, depth, force)
	}
	if len(s.AllOf) > 0 {
		return st.object(merged(s), depth, force)
	}
	if s.Nullable && g.chance(0.15) {
		return &node{kind: 'l', text: "null"}
	}
	if len(s.Enum) > 0 {
		return st.scalar(s.Enum[g.intn(len(s.Enum))])
	}
	types := s.Type.Slice()
	if len(types) == 0 {
		if len(s.Properties) > 0 {
			types = []string{"object"}
		} else {
			// Any value; not null, which kin-openapi takes for a 3.0
			// schema's and refuses (3.1 allows it; a test checks the
			// documents with kin-openapi).
			for {
				if v := st.anyValue(depth, 3); v.text != "null" {
					return v
				}
			}
		}
	}
	switch t := types[g.intn(len(types))]; t {
	case "null":
		return &node{kind: 'l', text: "null"}
	case "boolean":
		return &node{kind: 'l', text: []string{"true", "false"}[g.intn(2)]}
	case "integer":
		return st.integer(s)
	case "number":
		return st.number(s)
	case "string":
		return st.stringValue(s)
	case "array":
		return st.array(s, depth)
	default:
		return st.object(s, depth, force)
	}
}

// alternative picks an alternative of a oneOf or anyOf: the one a
// discriminator names for the value it puts in the discriminator property,
// or any (null often enough that optional values are tried both ways).
func (st *state) alternative(s *openapi3.Schema, alts openapi3.SchemaRefs, depth int, force map[string]string) *node {
	g := st.g
	if d := s.Discriminator; d != nil && len(d.Mapping) > 0 {
		keys := make([]string, 0, len(d.Mapping))
		for k := range d.Mapping {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		key := keys[g.intn(len(keys))]
		for _, alt := range alts {
			if alt.Ref == d.Mapping[key].Ref {
				return st.value(alt, depth, map[string]string{d.PropertyName: key})
			}
		}
	}
	if depth >= maxDepth || g.budget < 0 {
		for _, alt := range alts { // the least: null if it may be
			if alt.Value != nil && alt.Value.Type.Is("null") {
				return &node{kind: 'l', text: "null"}
			}
		}
	}
	var nonNull []*openapi3.SchemaRef
	for _, alt := range alts {
		if alt.Value != nil && !alt.Value.Type.Is("null") {
			nonNull = append(nonNull, alt)
		}
	}
	if len(nonNull) < len(alts) && (len(nonNull) == 0 || g.chance(0.2)) {
		return &node{kind: 'l', text: "null"}
	}
	return st.value(nonNull[g.intn(len(nonNull))], depth, force)
}

// merged is an allOf's members as one object schema.
func merged(s *openapi3.Schema) *openapi3.Schema {
	out := &openapi3.Schema{Type: &openapi3.Types{"object"}, Properties: openapi3.Schemas{}}
	var add func(*openapi3.Schema)
	add = func(m *openapi3.Schema) {
		for name, p := range m.Properties {
			out.Properties[name] = p
		}
		out.Required = append(out.Required, m.Required...)
		for _, sub := range m.AllOf {
			if sub.Value != nil {
				add(sub.Value)
			}
		}
	}
	add(s)
	return out
}

// scalar writes an enum's value.
func (st *state) scalar(v any) *node {
	switch x := v.(type) {
	case string:
		return &node{kind: 's', str: x, escape: st.g.src.Uint64()}
	case nil:
		return &node{kind: 'l', text: "null"}
	case bool:
		return &node{kind: 'l', text: strconv.FormatBool(x)}
	case float64:
		return &node{kind: 'n', text: strconv.FormatFloat(x, 'g', -1, 64)}
	}
	return &node{kind: 'n', text: fmt.Sprint(v)}
}

// integer generates an integer within the schema's bounds, written as
// Python may write it.
func (st *state) integer(s *openapi3.Schema) *node {
	g := st.g
	lo, hi := int64(-1<<40), int64(1<<40)
	if s.Min != nil {
		lo = int64(math.Ceil(*s.Min))
	}
	if s.Max != nil {
		hi = int64(math.Floor(*s.Max))
	}
	var v int64
	switch g.intn(6) {
	case 0:
		v = 0
	case 1: // the extremes of an int64, where the schema allows them
		v = []int64{math.MaxInt64, math.MinInt64, 1 << 53, -(1 << 53) - 1}[g.intn(4)]
		if s.Min != nil || s.Max != nil {
			v = lo
		}
	default:
		span := uint64(hi-lo) + 1
		if span == 0 {
			v = int64(g.src.Uint64())
		} else {
			v = lo + int64(g.src.Uint64()%span)
		}
	}
	v = min(max(v, lo), hi)
	plain := strconv.FormatInt(v, 10)
	n := &node{kind: 'n', text: plain}
	if g.chance(0.15) { // 2.0, 2e0, 200e-2, 0.2e1, 2.000
		n.text, n.compat = floatSpelling(plain, g), plain
		if n.text != plain {
			st.features |= IntegerAsFloat
		}
	}
	return n
}

// floatSpelling writes the integer plain with a fraction or an exponent:
// 2.0, 2e0, 200e-2, 2.000, 1.5e1.
func floatSpelling(plain string, g *Generator) string {
	sign, digits := "", plain
	if plain[0] == '-' {
		sign, digits = "-", plain[1:]
	}
	if digits == "0" {
		return sign + []string{"0.0", "0e0", "0.000", "0E+5"}[g.intn(4)]
	}
	switch g.intn(5) {
	case 0:
		return sign + digits + ".0"
	case 1:
		k := 1 + g.intn(3)
		return sign + digits + strings.Repeat("0", k) + "e-" + strconv.Itoa(k)
	case 2:
		return sign + digits + "e0"
	case 3:
		if len(digits) > 1 {
			return sign + digits[:1] + "." + digits[1:] + "e" + strconv.Itoa(len(digits)-1)
		}
		return sign + digits + "E+0"
	}
	return sign + digits + ".000"
}

// number generates a float64 within the schema's bounds, written as Python
// does (repr: the shortest digits, an exponent below 1e-4 and from 1e16)
// or in another spelling of the same value.
func (st *state) number(s *openapi3.Schema) *node {
	g := st.g
	var f float64
	switch g.intn(8) {
	case 0: // any finite double
		if f = math.Float64frombits(g.src.Uint64()); math.IsNaN(f) || math.IsInf(f, 0) {
			f = 0
		}
	case 1: // 16 to 17 digits with 1 to 6 decimals: the values jx rounded wrong
		f = float64(int64(g.src.Uint64()%(1<<62))>>uint(g.intn(12))) / math.Pow10(1+g.intn(6))
	case 2:
		f = []float64{0, math.Copysign(0, -1), 1e16, 1.5e-07, 1911568997308.3718, 4334507231935231.5, 0.1, 80, 1e22, 1e23, 5e-324}[g.intn(11)]
	case 3: // cents
		f = float64(int64(g.intn(2000000))-1000000) / 100
	default: // measurements
		f = float64(g.intn(100000)) / math.Pow10(g.intn(5))
	}
	if s.Min != nil && f < *s.Min {
		f = *s.Min
	}
	if s.Max != nil && f > *s.Max {
		f = *s.Max
	}
	return &node{kind: 'n', text: floatText(f, g)}
}

// floatText writes f as Python's repr does, or another way that reads as
// the same double.
func floatText(f float64, g *Generator) string {
	abs := math.Abs(f)
	var s string
	if abs != 0 && (abs < 1e-4 || abs >= 1e16) {
		s = strconv.FormatFloat(f, 'e', -1, 64) // 1e+16 and 1.5e-07, as Python
	} else {
		s = strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
	}
	switch g.intn(6) {
	case 0:
		return strings.Replace(s, "e", "E", 1)
	case 1:
		return strconv.FormatFloat(f, 'e', -1, 64)
	case 2:
		if strings.Contains(s, ".") && !strings.ContainsAny(s, "eE") {
			return s + "000"
		}
	}
	return s
}

// stringValue generates a string of the schema's format.
func (st *state) stringValue(s *openapi3.Schema) *node {
	g := st.g
	switch s.Format {
	case "date-time":
		return st.dateTime()
	case "date":
		t := time.Date(2000+g.intn(40), time.Month(1+g.intn(12)), 1+g.intn(28), 0, 0, 0, 0, time.UTC)
		return &node{kind: 's', str: t.Format("2006-01-02"), escape: g.src.Uint64()}
	case "uuid":
		var b [16]byte
		for i := range b {
			b[i] = byte(g.intn(256))
		}
		b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
		id := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
		if g.chance(0.1) {
			id = strings.ToUpper(id)
		}
		return &node{kind: 's', str: id, escape: g.src.Uint64()}
	case "time":
		return &node{kind: 's', str: fmt.Sprintf("%02d:%02d:%02d", g.intn(24), g.intn(60), g.intn(60)), escape: g.src.Uint64()}
	}
	if s.Pattern != "" {
		return st.patterned(s)
	}
	n := 1 + g.intn(24)
	if s.MaxLength != nil && uint64(n) > *s.MaxLength {
		n = int(*s.MaxLength)
	}
	if uint64(n) < s.MinLength {
		n = int(s.MinLength)
	}
	return &node{kind: 's', str: st.text(n), escape: g.src.Uint64()}
}

// alphabet is what generated strings are made of: ASCII, the characters a
// JSON string must escape, and others of every UTF-8 length.
var alphabet = []rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.:/\\\"'\n\t\r\b\f\x00\x01\x1f\x7f<>&" +
	"éßüñ€中文😀𝄞\u2028\u2029\ufeff\uffff\ufffd")

func (st *state) text(n int) string {
	var b strings.Builder
	for range n {
		b.WriteRune(alphabet[st.g.intn(len(alphabet))])
	}
	return b.String()
}

// patterned generates a string that matches the schema's pattern, from a
// few candidates (a decimal's digits, say), or an empty one.
func (st *state) patterned(s *openapi3.Schema) *node {
	re, err := regexp.Compile(s.Pattern)
	candidates := []string{"12.50", "0", "-3.1415", "1E+3", "abc", "2026-03-01", ""}
	if err == nil {
		var ok []string
		for _, c := range candidates {
			if re.MatchString(c) {
				ok = append(ok, c)
			}
		}
		candidates = ok
	}
	if len(candidates) == 0 {
		candidates = []string{""}
	}
	return &node{kind: 's', str: candidates[st.g.intn(len(candidates))], escape: st.g.src.Uint64()}
}

// dateTime generates a date-time in one of the forms pydantic writes.
func (st *state) dateTime() *node {
	g := st.g
	t := time.Date(2000+g.intn(40), time.Month(1+g.intn(12)), 1+g.intn(28), g.intn(24), g.intn(60), g.intn(60), 0, time.UTC)
	digits := g.intn(7) // fractional digits
	if digits > 0 {
		t = t.Add(time.Duration(g.intn(int(math.Pow10(digits)))) * time.Duration(math.Pow10(9-digits)))
	}
	frac := ""
	if digits > 0 {
		frac = "." + fmt.Sprintf("%09d", t.Nanosecond())[:digits]
	}
	base := t.Format("2006-01-02T15:04:05") + frac
	n := &node{kind: 's', escape: g.src.Uint64(), dateTime: true, noEsc: true}
	switch g.intn(6) {
	case 0:
		n.str = base + "+00:00"
	case 1: // another zone: the same instant
		off := (g.intn(27) - 12) * 3600
		if off == 0 {
			off = 3600
		}
		local := t.In(time.FixedZone("", off))
		n.str = local.Format("2006-01-02T15:04:05") + frac + local.Format("-07:00")
	case 2:
		n.str, n.compat = base, base+"Z"
		st.features |= NaiveDateTime
	default:
		n.str = base + "Z"
	}
	if g.chance(0.1) { // escaped, which only the SDK unescapes
		n.noEsc = false
		st.features |= EscapedDateTime
	}
	return n
}

// array generates a list: a few items, now and then a long one.
func (st *state) array(s *openapi3.Schema, depth int) *node {
	g := st.g
	n := g.intn(4)
	if depth < 3 && g.budget > 0 && g.chance(0.01) {
		n = 100 + g.intn(150)
		g.budget -= n // the items are small: little of the budget is left for them
		st.features |= LongList
	}
	if depth >= maxDepth || g.budget < 0 {
		n = 0
	}
	n = max(n, int(s.MinItems))
	if s.MaxItems != nil {
		n = min(n, int(*s.MaxItems))
	}
	a := &node{kind: 'a'}
	for range n {
		if s.Items == nil {
			a.elems = append(a.elems, st.anyValue(depth+1, 2))
		} else {
			a.elems = append(a.elems, st.value(s.Items, depth+1, nil))
		}
	}
	return a
}

// object generates an object: the required properties, some optional
// ones, and perhaps undeclared ones, duplicates, keys differing in case.
func (st *state) object(s *openapi3.Schema, depth int, force map[string]string) *node {
	g := st.g
	o := &node{kind: 'o'}
	if len(s.Properties) == 0 {
		// Free-form: any properties, which are entries of a map, not
		// unknown ones.
		if depth < maxDepth && g.budget > 0 {
			for range g.intn(4) {
				o.members = append(o.members, member{key: st.key(), val: st.anyValue(depth+1, 3)})
			}
		}
		return o
	}
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		prop := s.Properties[name]
		required := slices.Contains(s.Required, name)
		_, forced := force[name]
		if !required && !forced && (depth >= maxDepth || g.budget < 0 || !g.chance(0.7)) {
			continue
		}
		var val *node
		if v, ok := force[name]; ok {
			val = &node{kind: 's', str: v, escape: g.src.Uint64()}
		} else {
			val = st.value(prop, depth+1, nil)
		}
		if !forced && g.chance(0.04) { // the same key before, with another value
			o.members = append(o.members, member{key: st.keyNode(name), val: st.value(prop, depth+1, nil), decoy: true})
			st.features |= DuplicateKey
		}
		o.members = append(o.members, member{key: st.keyNode(name), val: val})
	}
	if ap := s.AdditionalProperties; ap.Has == nil && ap.Schema == nil && g.chance(0.3) {
		for range 1 + g.intn(3) {
			var key string
			caseVar := false
			if g.chance(0.25) {
				// Not the discriminator's: oapi-codegen's Discriminator
				// method reads it with encoding/json (see the notes).
				name := names[g.intn(len(names))]
				if _, forced := force[name]; forced {
					continue
				}
				key = flipCase(name, g)
				caseVar = !slices.Contains(names, key)
			} else {
				key = "x_" + st.text(1+g.intn(8))
			}
			if slices.Contains(names, key) || hasKey(o, key) {
				continue
			}
			val := st.anyValue(depth+1, 3)
			if g.chance(0.02) {
				val = st.deep(200 + g.intn(800))
				st.features |= DeepNesting
			}
			o.members = append(o.members, member{key: st.keyNode(key), val: val, caseVar: caseVar, undeclared: true})
			st.features |= UnknownProperty
			if caseVar {
				st.features |= CaseVariantKey
			}
		}
	}
	return st.shuffle(o)
}

// shuffle puts an object's keys in any order, a decoy anywhere before the
// value of its key.
func (st *state) shuffle(o *node) *node {
	g := st.g
	var finals, decoys []member
	for _, m := range o.members {
		if m.decoy {
			decoys = append(decoys, m)
		} else {
			finals = append(finals, m)
		}
	}
	for i := len(finals) - 1; i > 0; i-- {
		j := g.intn(i + 1)
		finals[i], finals[j] = finals[j], finals[i]
	}
	for _, d := range decoys {
		at := 0
		for i, m := range finals {
			if m.key.str == d.key.str {
				at = g.intn(i + 1)
				break
			}
		}
		finals = slices.Insert(finals, at, d)
	}
	o.members = finals
	return o
}

func hasKey(o *node, key string) bool {
	for _, m := range o.members {
		if m.key.str == key {
			return true
		}
	}
	return false
}

// flipCase changes the case of one or more letters of name.
func flipCase(name string, g *Generator) string {
	r := []rune(name)
	for range 1 + g.intn(2) {
		i := g.intn(len(r))
		switch c := r[i]; {
		case c >= 'a' && c <= 'z':
			r[i] = c - 32
		case c >= 'A' && c <= 'Z':
			r[i] = c + 32
		}
	}
	return string(r)
}

func (st *state) key() *node { return st.keyNode("k_" + st.text(1+st.g.intn(6))) }

func (st *state) keyNode(s string) *node {
	return &node{kind: 's', str: s, escape: st.g.src.Uint64()}
}

// anyValue generates any JSON value, for free-form objects and undeclared
// properties.
func (st *state) anyValue(depth, room int) *node {
	g := st.g
	g.budget--
	k := g.intn(7)
	if room <= 0 || depth >= maxDepth || g.budget < 0 {
		k %= 4
	}
	switch k {
	case 0:
		return &node{kind: 'l', text: []string{"true", "false", "null"}[g.intn(3)]}
	case 1:
		return &node{kind: 'n', text: floatText(float64(g.intn(2000000)-1000000)/math.Pow10(g.intn(4)), g)}
	case 2:
		return &node{kind: 'n', text: strconv.Itoa(g.intn(1000))}
	case 3:
		return &node{kind: 's', str: st.text(g.intn(12)), escape: g.src.Uint64()}
	case 4, 5:
		o := &node{kind: 'o'}
		for range g.intn(4) {
			o.members = append(o.members, member{key: st.key(), val: st.anyValue(depth+1, room-1)})
		}
		return o
	}
	a := &node{kind: 'a'}
	for range g.intn(4) {
		a.elems = append(a.elems, st.anyValue(depth+1, room-1))
	}
	return a
}

// deep is n arrays and objects nested in each other.
func (st *state) deep(n int) *node {
	leaf := &node{kind: 'n', text: "1"}
	for i := range n {
		if i%2 == 0 {
			leaf = &node{kind: 'a', elems: []*node{leaf}}
		} else {
			leaf = &node{kind: 'o', members: []member{{key: &node{kind: 's', str: "d"}, val: leaf}}}
		}
	}
	return leaf
}

// writer writes a node tree as JSON.
type writer struct{ b []byte }

// write writes n; compat leaves out what encoding/json reads otherwise than
// Python (see Incompatible). doc, if not nil, gets the undeclared
// properties as written.
func (w *writer) write(n *node, compat bool, g *Generator, doc *Doc) {
	switch n.kind {
	case 'o':
		w.b = append(w.b, '{')
		first := true
		for _, m := range n.members {
			if compat && (m.decoy || m.caseVar) {
				continue
			}
			if !first {
				w.b = append(w.b, ',')
			}
			first = false
			w.space(m.key.escape)
			w.str(m.key, compat)
			w.space(m.key.escape >> 8)
			w.b = append(w.b, ':')
			w.space(m.key.escape >> 16)
			start := len(w.b)
			if m.undeclared || m.decoy {
				// What is inside an undeclared property is its raw value; a
				// decoy is replaced by the value after it.
				w.write(m.val, compat, g, nil)
				if doc != nil && m.undeclared {
					doc.Extra = append(doc.Extra, Extra{Key: m.key.str, Raw: string(w.b[start:])})
				}
			} else {
				w.write(m.val, compat, g, doc)
			}
			w.space(m.key.escape >> 24)
		}
		w.b = append(w.b, '}')
	case 'a':
		w.b = append(w.b, '[')
		for i, e := range n.elems {
			if i > 0 {
				w.b = append(w.b, ',')
				w.space(uint64(i) * 0x9e3779b97f4a7c15 >> 7)
			}
			w.write(e, compat, g, doc)
		}
		w.b = append(w.b, ']')
	case 's':
		w.str(n, compat)
	default:
		if compat && n.compat != "" {
			w.b = append(w.b, n.compat...)
		} else {
			w.b = append(w.b, n.text...)
		}
	}
}

// space writes the whitespace a seed chooses: mostly none.
func (w *writer) space(seed uint64) {
	switch seed % 16 {
	case 0:
		w.b = append(w.b, ' ')
	case 1:
		w.b = append(w.b, "\n  "...)
	case 2:
		w.b = append(w.b, "\t\r\n"...)
	}
}

// str writes a string node, with the escapes its seed chooses. A
// date-time has none unless the generator chose them, and none in compat
// (encoding/json does not unescape a time.Time).
func (w *writer) str(n *node, compat bool) {
	s := n.str
	if compat && n.compat != "" {
		s = n.compat
	}
	optional := !n.noEsc && !(compat && n.dateTime)
	seed := n.escape
	w.b = append(w.b, '"')
	for _, r := range s {
		seed = seed*6364136223846793005 + 1442695040888963407
		choice := seed >> 60
		switch {
		case r == '"' || r == '\\' || r < 0x20:
			w.escaped(r, choice)
		case !optional:
			w.b = utf8.AppendRune(w.b, r)
		case choice == 0 && r < 0x10000:
			w.b = appendU(w.b, r, lowerHex)
		case choice == 1 && r < 0x10000:
			w.b = appendU(w.b, r, upperHex)
		case choice == 2 && r >= 0x10000:
			r1, r2 := surrogates(r)
			w.b = appendU(appendU(w.b, r1, lowerHex), r2, lowerHex)
		case choice == 3 && r == '/':
			w.b = append(w.b, `\/`...)
		case choice == 4 && r == utf8.RuneError:
			w.b = append(w.b, `\udc00`...) // a lone surrogate reads as U+FFFD
		default:
			w.b = utf8.AppendRune(w.b, r)
		}
	}
	w.b = append(w.b, '"')
}

// escaped writes a character a JSON string must escape.
func (w *writer) escaped(r rune, choice uint64) {
	if e, ok := shortEscapes[r]; ok && choice%2 == 0 {
		w.b = append(w.b, e...)
		return
	}
	w.b = appendU(w.b, r, lowerHex)
}

const (
	lowerHex = "0123456789abcdef"
	upperHex = "0123456789ABCDEF"
)

// appendU appends the escape \uXXXX of r.
func appendU(b []byte, r rune, hex string) []byte {
	return append(b, '\\', 'u', hex[r>>12&15], hex[r>>8&15], hex[r>>4&15], hex[r&15])
}

var shortEscapes = map[rune]string{'"': `\"`, '\\': `\\`, '\n': `\n`, '\t': `\t`, '\r': `\r`, '\b': `\b`, '\f': `\f`}

// surrogates is the UTF-16 surrogate pair of a character beyond the BMP.
func surrogates(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}
