package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// This file writes api/decode.gen.go: a decoder for every type a
// PartnerClient method returns, and for the types inside them, reading JSON
// with github.com/go-faster/jx into oapi-codegen's models. A struct decoder
// checks the fields the spec marks required; an enum decoder maps the
// spec's values to their constants without allocating; a type oapi-codegen
// gives its own UnmarshalJSON (a union, an object with additional
// properties) is decoded by that method.

const decodeFile = "api/decode.gen.go"

// scalarDecoders are the runtime's decoders (api/decode.go) by Go type.
var scalarDecoders = map[string]string{
	"string": "decodeString", "bool": "decodeBool", "int": "decodeInt", "int32": "decodeInt32",
	"int64": "decodeInt64", "float64": "decodeFloat64", "float32": "decodeFloat32",
	"time.Time": "decodeTime", "openapi_types.UUID": "decodeUUID", "openapi_types.Date": "decodeDate",
	"json.RawMessage": "decodeRaw",
}

type decoderGen struct {
	g        *generatedAPI
	required map[string][]string // Go type name -> required JSON names, as the spec has them
	names    map[string]string   // type source -> decoder expression
	bodies   map[string]string   // decoder function name -> its source
	used     map[string]bool     // function names taken
	// objects are the struct types that have a struct decoder: the
	// response objects, which get a field for the properties the spec
	// does not declare and an ExtraFields method (see extendModels).
	objects map[string]bool
	notes   []string
	// hand are the members package api declares by hand, by type: a
	// method gen would add that one of them has is not added.
	hand map[string]map[string]handDecl
}

// newDecoderGen reads the required fields of every component schema of the
// normalised spec (x-podero-required keeps those that normalisation
// dropped from "required" to make a nullable field a pointer). taken are
// the identifiers a decoder must not be named (the runtime's: a schema
// called String must not get decodeString).
func newDecoderGen(doc *openapi3.T, g *generatedAPI, goName func(string) string, taken map[string]string) *decoderGen {
	dg := &decoderGen{g: g, required: map[string][]string{}, names: map[string]string{}, bodies: map[string]string{}, used: map[string]bool{}, objects: map[string]bool{}}
	for name := range taken {
		dg.used[name] = true
	}
	for name, ref := range doc.Components.Schemas {
		if ref.Value == nil {
			continue
		}
		req := ref.Value.Required
		if ext, ok := ref.Value.Extensions[requiredExt].([]any); ok {
			req = nil
			for _, r := range ext {
				if s, ok := r.(string); ok {
					req = append(req, s)
				}
			}
		}
		if len(req) > 0 {
			dg.required[goName(name)] = req
		}
	}
	return dg
}

// decoderFor returns the expression of a func(*jx.Decoder, *T) error for
// the Go type T (as source), writing the functions it needs.
func (dg *decoderGen) decoderFor(typ string) string {
	if d, ok := dg.names[typ]; ok {
		return d
	}
	if d, ok := scalarDecoders[typ]; ok {
		return d
	}
	g := dg.g
	var name string
	switch {
	case typ == "[]byte":
		return dg.fallback(typ) // base64, as encoding/json reads it; not a list of numbers
	case strings.HasPrefix(typ, "[]"):
		elem := strings.TrimPrefix(typ, "[]")
		name = dg.funcName(elem, "List")
		dg.names[typ] = name
		if g.structs[g.resolveAlias(elem)] != nil {
			// A list of objects (a page of sessions) is decoded into a
			// reused buffer and copied out at its length, rather than
			// grown by append, which allocates twice the list on the way.
			pool := "pool" + strings.TrimPrefix(name, "decode")
			dg.bodies[name] = fmt.Sprintf("var %s = listPool[%s]()\n\nfunc %s(d *jx.Decoder, v *%s) error {\n\treturn decodeListPooled(d, v, %s, &%s)\n}\n", pool, elem, name, typ, dg.decoderFor(elem), pool)
			break
		}
		dg.bodies[name] = fmt.Sprintf("func %s(d *jx.Decoder, v *%s) error {\n\treturn decodeList(d, v, %s)\n}\n", name, typ, dg.decoderFor(elem))
	case strings.HasPrefix(typ, "map[string]"):
		elem := strings.TrimPrefix(typ, "map[string]")
		if elem == "interface{}" || elem == "any" {
			return dg.fallback(typ)
		}
		name = dg.funcName(elem, "Map")
		dg.names[typ] = name
		dg.bodies[name] = fmt.Sprintf("func %s(d *jx.Decoder, v *%s) error {\n\treturn decodeMap(d, v, %s)\n}\n", name, typ, dg.decoderFor(elem))
	case strings.HasPrefix(typ, "*"):
		elem := strings.TrimPrefix(typ, "*")
		name = dg.funcName(elem, "Ptr")
		dg.names[typ] = name
		dg.bodies[name] = fmt.Sprintf("func %s(d *jx.Decoder, v *%s) error {\n\treturn decodePtr(d, v, %s)\n}\n", name, typ, dg.decoderFor(elem))
	case g.types[typ] != nil:
		ts := g.types[typ]
		switch {
		case g.typeMethods[typ]["UnmarshalJSON"]:
			// A union, or an object with additional properties: its own
			// method decodes it, from the raw JSON.
			d := "decodeUnmarshaler[" + typ + "]"
			dg.names[typ] = d
			return d
		case ts.Assign.IsValid(): // an alias
			d := dg.decoderFor(g.src(ts.Type))
			dg.names[typ] = d
			return d
		case g.structs[typ] != nil:
			name = dg.funcName(typ, "")
			dg.names[typ] = name // before the fields: types may refer to themselves
			dg.bodies[name] = dg.structDecoder(name, typ)
		case len(g.enums[typ]) > 0 && g.src(ts.Type) == "string":
			name = dg.funcName(typ, "")
			dg.names[typ] = name
			dg.bodies[name] = dg.enumDecoder(name, typ)
		default:
			under := g.src(ts.Type)
			inner := dg.decoderFor(under)
			name = dg.funcName(typ, "")
			dg.names[typ] = name
			dg.bodies[name] = fmt.Sprintf("func %s(d *jx.Decoder, v *%s) error {\n\treturn %s(d, (*%s)(v))\n}\n", name, typ, inner, under)
		}
	default:
		return dg.fallback(typ)
	}
	return name
}

// fallback decodes with encoding/json: interface{}, maps of it, types with
// their own UnmarshalJSON, anything this generator does not know.
func (dg *decoderGen) fallback(typ string) string {
	d := "decodeJSON[" + typ + "]"
	dg.names[typ] = d
	return d
}

// funcName is "decode" + a name made from the type, unique in the file.
func (dg *decoderGen) funcName(typ, suffix string) string {
	base := "decode" + identFromType(typ) + suffix
	name := base
	for i := 2; dg.used[name]; i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	dg.used[name] = true
	return name
}

// identFromType makes an identifier from a type's source: "openapi_types.UUID"
// gives "UUID", "[]SessionItem" gives "SessionItemList".
func identFromType(typ string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(typ, func(r rune) bool {
		return !(r == '_' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z')
	}) {
		switch part {
		case "openapi_types", "time", "json", "nullable":
			continue
		case "map":
			b.WriteString("Map")
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	if strings.HasPrefix(typ, "[]") {
		b.WriteString("List")
	}
	return b.String()
}

// structDecoder writes the decoder of a struct type. Its optional fields
// (pointers) are decoded into one scratch value per object: an unexported
// struct with a field of each pointer's element type, which the pointers
// then point into. An object costs one allocation for all of its optional
// fields instead of one each; null leaves a pointer nil as before.
func (dg *decoderGen) structDecoder(name, typ string) string {
	fields := dg.g.fieldsOf(typ)
	required := dg.required[typ]
	reqIndex := map[string]int{}
	for i, r := range required {
		reqIndex[r] = i
	}
	scratch := "scratch" + strings.TrimPrefix(name, "decode")
	var slots strings.Builder
	var cases strings.Builder
	var present []string
	for _, f := range fields {
		fmt.Fprintf(&cases, "\t\tcase %q:\n", f.JSON)
		switch {
		case strings.HasPrefix(f.Type, "*"):
			if i, ok := reqIndex[f.JSON]; ok {
				// A required field that may be null (normalisation made
				// it a pointer): null is a value here, the field is there.
				fmt.Fprintf(&cases, "\t\t\tseen[%d] = true\n", i)
			}
			elem := strings.TrimPrefix(f.Type, "*")
			if dg.reaches(elem, typ, map[string]bool{}) {
				// A type that holds itself cannot be in its own scratch.
				fmt.Fprintf(&cases, "\t\t\terr = decodePtr(d, &v.%s, %s)\n", f.Name, dg.decoderFor(elem))
				break
			}
			fmt.Fprintf(&slots, "\t%s %s\n", f.Name, elem)
			fmt.Fprintf(&cases, "\t\t\terr = decodeSlot(d, &v.%s, &slot().%s, %s)\n", f.Name, f.Name, dg.decoderFor(elem))
		case strings.HasPrefix(f.Type, "nullable.Nullable["):
			elem := strings.TrimSuffix(strings.TrimPrefix(f.Type, "nullable.Nullable["), "]")
			if i, ok := reqIndex[f.JSON]; ok {
				// null is a value here: the field is there.
				fmt.Fprintf(&cases, "\t\t\tseen[%d] = true\n", i)
			}
			fmt.Fprintf(&cases, "\t\t\terr = decodeNullable(d, &v.%s, %s)\n", f.Name, dg.decoderFor(elem))
		default:
			if i, ok := reqIndex[f.JSON]; ok {
				fmt.Fprintf(&cases, "\t\t\tseen[%d], err = decodeValue(d, &v.%s, %s)\n", i, f.Name, dg.decoderFor(f.Type))
			} else {
				fmt.Fprintf(&cases, "\t\t\t_, err = decodeValue(d, &v.%s, %s)\n", f.Name, dg.decoderFor(f.Type))
			}
		}
		present = append(present, f.JSON)
	}
	// A required field without a Go field (json:"-") cannot be checked.
	var checked []string
	for _, r := range required {
		if slices.Contains(present, r) {
			checked = append(checked, r)
		}
	}
	var b strings.Builder
	if slots.Len() > 0 {
		fmt.Fprintf(&b, "// %s holds the optional fields of one %s (see %s).\ntype %s struct {\n%s}\n\n", scratch, typ, name, scratch, slots.String())
	}
	fmt.Fprintf(&b, "func %s(d *jx.Decoder, v *%s) error {\n", name, typ)
	if len(checked) > 0 {
		fmt.Fprintf(&b, "\tvar seen [%d]bool\n", len(required))
	}
	if slots.Len() > 0 {
		fmt.Fprintf(&b, "\tvar sc *%s\n\tslot := func() *%s {\n\t\tif sc == nil {\n\t\t\tsc = new(%s)\n\t\t}\n\t\treturn sc\n\t}\n", scratch, scratch, scratch)
	}
	dg.objects[typ] = true
	if len(fields) == 0 {
		b.WriteString("\terr := decodeObject(d, func(d *jx.Decoder, key []byte) error {\n\t\treturn keepExtra(d, key, &v.extra)\n\t})\n")
	} else {
		fmt.Fprintf(&b, "\terr := decodeObject(d, func(d *jx.Decoder, key []byte) error {\n\t\tvar err error\n\t\tswitch string(key) {\n%s\t\tdefault:\n\t\t\treturn keepExtra(d, key, &v.extra)\n\t\t}\n\t\tif err != nil {\n\t\t\treturn at(string(key), err)\n\t\t}\n\t\treturn nil\n\t})\n", cases.String())
	}
	b.WriteString("\tif err != nil {\n\t\treturn err\n\t}\n")
	if len(checked) > 0 {
		var conds []string
		for i, r := range required {
			if slices.Contains(checked, r) {
				conds = append(conds, fmt.Sprintf("!seen[%d]", i))
			}
		}
		quoted := make([]string, len(required))
		for i, r := range required {
			quoted[i] = fmt.Sprintf("%q", r)
		}
		fmt.Fprintf(&b, "\tif %s {\n\t\treturn missing([]string{%s}, seen[:])\n\t}\n", strings.Join(conds, " || "), strings.Join(quoted, ", "))
	}
	b.WriteString("\treturn nil\n}\n")
	return b.String()
}

// reaches reports whether a value of type typ (as source) contains a value
// of type target, through struct fields held by value (a pointer or slice
// breaks the containment, but a scratch would hold it by value, so pointer
// fields count too).
func (dg *decoderGen) reaches(typ, target string, seen map[string]bool) bool {
	typ = strings.TrimPrefix(dg.g.resolveAlias(strings.TrimLeft(typ, "*")), "*")
	if typ == target {
		return true
	}
	if seen[typ] || dg.g.structs[typ] == nil {
		return false
	}
	seen[typ] = true
	for _, f := range dg.g.fieldsOf(typ) {
		ft := strings.TrimPrefix(f.Type, "*")
		if strings.HasPrefix(ft, "nullable.Nullable[") {
			ft = strings.TrimSuffix(strings.TrimPrefix(ft, "nullable.Nullable["), "]")
		}
		if !strings.HasPrefix(ft, "[]") && !strings.HasPrefix(ft, "map[") && dg.reaches(ft, target, seen) {
			return true
		}
	}
	return false
}

// enumDecoder maps the spec's values to their constants, so that decoding
// one allocates nothing; a value the spec does not list is kept as it is.
func (dg *decoderGen) enumDecoder(name, typ string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "func %s(d *jx.Decoder, v *%s) error {\n\tb, err := enumBytes(d)\n\tif err != nil {\n\t\treturn err\n\t}\n\tswitch string(b) {\n", name, typ)
	for _, c := range dg.g.enums[typ] {
		fmt.Fprintf(&b, "\tcase %s:\n\t\t*v = %s\n", c.Value, c.Name)
	}
	fmt.Fprintf(&b, "\tdefault:\n\t\t*v = %s(validString(b))\n\t}\n\treturn nil\n}\n", typ)
	return b.String()
}

// source is decode.gen.go's declarations, sorted by name.
func (dg *decoderGen) source() string {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(dg.bodies)) {
		b.WriteString("\n")
		b.WriteString(dg.bodies[name])
	}
	return b.String()
}
