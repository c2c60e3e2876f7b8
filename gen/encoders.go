package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// This file writes api/encode.gen.go: an encoder for every request body
// type of a PartnerClient method, and for the types inside them, writing JSON
// with github.com/go-faster/jx from oapi-codegen's models. The output is what
// encoding/json writes for the same value, byte for byte (the fields in
// struct order, strings escaped as encoding/json escapes them, numbers
// spelled as it spells them, a map's keys sorted), without reflection and
// without the map that nullable.Nullable's MarshalJSON costs per field:
//
//   - a Nullable field keeps its three states: absent (left out, as
//     omitempty leaves it out), null, or its value;
//   - a value encoding/json refuses (NaN, a time outside years 0-9999, an
//     invalid json.Number) is refused, with the field's path;
//   - a type oapi-codegen gives its own MarshalJSON (a union, an object with
//     additional properties), interface{} and anything this generator does
//     not know are encoded by encoding/json, whose output is copied in.
//
// It also writes api/encode.gen_test.go, the table of the encoders (and the
// decoders of the types that are responses too) that api/encode_test.go
// checks against encoding/json.

const (
	encodeFile     = "api/encode.gen.go"
	encodeTestFile = "api/encode.gen_test.go"
)

type encoderGen struct {
	g      *generatedAPI
	names  map[string]string // type source -> encoder function name
	bodies map[string]string // function name -> its source
	used   map[string]bool   // function names taken
	// typed are the types with an encoder function of their own, in the
	// order they were first needed, for the test table.
	typed []string
}

// newEncoderGen makes an encoder generator; taken are the identifiers an
// encoder must not be named (the runtime's).
func newEncoderGen(g *generatedAPI, taken map[string]string) *encoderGen {
	eg := &encoderGen{g: g, names: map[string]string{}, bodies: map[string]string{}, used: map[string]bool{}}
	for name := range taken {
		eg.used[name] = true
	}
	return eg
}

// bodyEncoder returns the name of the func(*jx.Writer, *T) error that
// encodes a request body of type T (as source).
func (eg *encoderGen) bodyEncoder(typ string) string {
	typ = eg.g.resolveAlias(typ)
	if name, ok := eg.names[typ]; ok {
		return name
	}
	if eg.g.structs[typ] != nil && !eg.usesJSON(typ) {
		return eg.structEncoder(typ)
	}
	// Anything else (a list, a map, a type with its own MarshalJSON): a
	// function of the same shape around the statements for *v, under a
	// key of its own (a list's own encoder takes the list, not a pointer).
	key := "body " + typ
	if name, ok := eg.names[key]; ok {
		return name
	}
	name := eg.funcName(typ, "Body")
	eg.names[key] = name
	var b strings.Builder
	fmt.Fprintf(&b, "func %s(w *jx.Writer, v *%s) error {\n", name, typ)
	eg.stmt(&b, "\t", "(*v)", typ, "", 0)
	b.WriteString("\treturn nil\n}\n")
	eg.bodies[name] = b.String()
	eg.typed = append(eg.typed, typ)
	return name
}

// usesJSON reports whether a named type is encoded by encoding/json: it has
// its own MarshalJSON or MarshalText, or a struct field this generator
// cannot encode as encoding/json would (an embedded field, a ",string" or
// "omitzero" option).
func (eg *encoderGen) usesJSON(typ string) bool {
	m := eg.g.typeMethods[typ]
	if m["MarshalJSON"] || m["MarshalText"] {
		return true
	}
	st := eg.g.structs[typ]
	if st == nil {
		return false
	}
	for _, f := range st.Fields.List {
		if len(f.Names) == 0 {
			return true
		}
		_, opts := fieldTag(f)
		if strings.Contains(opts, ",string") || strings.Contains(opts, ",omitzero") {
			return true
		}
	}
	return false
}

// fieldTag is a struct field's json tag: its name ("" for none) and its
// options (",omitempty...").
func fieldTag(f *ast.Field) (name, opts string) {
	tag := ""
	if f.Tag != nil {
		tag, _ = strconv.Unquote(f.Tag.Value)
	}
	jsonTag := reflect.StructTag(tag).Get("json")
	name, opts, _ = strings.Cut(jsonTag, ",")
	if opts != "" {
		opts = "," + opts
	}
	return name, opts
}

// validTag is encoding/json's isValidTag: a tag name it does not accept
// gives the field its Go name.
func validTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// structEncoder writes the encoder of a struct type: each field in order,
// as `,"name":value` (its key escaped as encoding/json escapes it), omitempty
// fields only when not empty; endObject then turns the first comma into the
// object's opening brace.
func (eg *encoderGen) structEncoder(typ string) string {
	name := eg.funcName(typ, "")
	eg.names[typ] = name // before the fields: types may refer to themselves
	eg.typed = append(eg.typed, typ)
	var b strings.Builder
	fmt.Fprintf(&b, "func %s(w *jx.Writer, v *%s) error {\n\tp := len(w.Buf)\n", name, typ)
	for _, f := range eg.g.structs[typ].Fields.List {
		jsonName, opts := fieldTag(f)
		if jsonName == "-" && opts == "" {
			continue
		}
		ftype := eg.g.src(f.Type)
		for _, n := range f.Names {
			if !n.IsExported() {
				continue
			}
			key := jsonName
			if !validTag(key) {
				key = n.Name
			}
			quoted, _ := json.Marshal(key) // escaped as encoding/json escapes keys
			expr := "v." + n.Name
			ind := "\t"
			cond := ""
			if strings.Contains(opts, ",omitempty") {
				cond = eg.notEmpty(expr, ftype)
			}
			if cond != "" {
				fmt.Fprintf(&b, "\tif %s {\n", cond)
				ind = "\t\t"
			}
			fmt.Fprintf(&b, "%sw.Buf = append(w.Buf, %s...)\n", ind, strconv.Quote(","+string(quoted)+":"))
			eg.stmt(&b, ind, expr, ftype, strconv.Quote(key), 0)
			if cond != "" {
				b.WriteString("\t}\n")
			}
		}
	}
	b.WriteString("\tendObject(w, p)\n\treturn nil\n}\n")
	eg.bodies[name] = b.String()
	return name
}

// notEmpty is the condition under which omitempty keeps a field of type
// typ, "" when it always does (a struct, an array such as a UUID).
func (eg *encoderGen) notEmpty(expr, typ string) string {
	g := eg.g
	typ = g.resolveAlias(typ)
	switch {
	case strings.HasPrefix(typ, "*") || typ == "interface{}" || typ == "any":
		return expr + " != nil"
	case strings.HasPrefix(typ, "[]") || strings.HasPrefix(typ, "map[") || strings.HasPrefix(typ, "nullable.Nullable[") || typ == "json.RawMessage":
		return "len(" + expr + ") != 0"
	case typ == "string" || typ == "json.Number":
		return expr + ` != ""`
	case typ == "bool":
		return expr
	case isNumber(typ):
		return expr + " != 0"
	case g.types[typ] != nil && g.structs[typ] == nil:
		return eg.notEmpty(expr, g.src(g.types[typ].Type))
	}
	return "" // time.Time, openapi_types.UUID and Date, structs
}

func isNumber(typ string) bool {
	switch typ {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return true
	}
	return false
}

// scalarEncoders are the runtime's encoders (api/encode.go) of the types
// whose encoding can fail or needs more than a jx call, by Go type.
var scalarEncoders = map[string]string{
	"float64": "encodeFloat64", "float32": "encodeFloat32", "time.Time": "encodeTime",
	"json.Number": "encodeNumber",
}

// stmt writes the statements that encode the expression expr of type typ
// (as source). key is the Go expression of the field name or index that an
// error names ("" for the body itself); depth numbers the locals of nested
// values.
func (eg *encoderGen) stmt(b *strings.Builder, ind, expr, typ, key string, depth int) {
	g := eg.g
	typ = g.resolveAlias(typ)
	fail := "return err"
	if key != "" {
		fail = "return encodeAt(" + key + ", err)"
	}
	call := func(f, arg string) {
		fmt.Fprintf(b, "%sif err := %s(w, %s); err != nil {\n%s\t%s\n%s}\n", ind, f, arg, ind, fail, ind)
	}
	local := fmt.Sprintf("x%d", depth)
	switch {
	case typ == "string":
		fmt.Fprintf(b, "%sencodeString(w, %s)\n", ind, expr)
	case typ == "bool":
		fmt.Fprintf(b, "%sw.Bool(%s)\n", ind, expr)
	case typ == "int64" || typ == "int32" || typ == "int16" || typ == "int8" || typ == "int":
		fmt.Fprintf(b, "%sw.Int64(int64(%s))\n", ind, expr)
	case typ == "uint64" || typ == "uint32" || typ == "uint16" || typ == "uint8" || typ == "uint":
		fmt.Fprintf(b, "%sw.UInt64(uint64(%s))\n", ind, expr)
	case scalarEncoders[typ] != "":
		call(scalarEncoders[typ], expr)
	case typ == "openapi_types.UUID":
		fmt.Fprintf(b, "%sencodeUUID(w, %s)\n", ind, expr)
	case typ == "openapi_types.Date":
		fmt.Fprintf(b, "%sencodeDate(w, %s)\n", ind, expr)
	case typ == "[]byte":
		fmt.Fprintf(b, "%sencodeBytes(w, %s)\n", ind, expr)
	case strings.HasPrefix(typ, "*"):
		elem := strings.TrimPrefix(typ, "*")
		fmt.Fprintf(b, "%sif %s == nil {\n%s\tw.Null()\n%s} else {\n", ind, expr, ind, ind)
		if name := eg.structFor(elem); name != "" {
			call(name, expr) // the pointer itself
		} else {
			eg.stmt(b, ind+"\t", "(*"+expr+")", elem, key, depth+1)
		}
		fmt.Fprintf(b, "%s}\n", ind)
	case strings.HasPrefix(typ, "nullable.Nullable["):
		elem := strings.TrimSuffix(strings.TrimPrefix(typ, "nullable.Nullable["), "]")
		// One map lookup: a Nullable (map[bool]T) holds true (a value),
		// false (null; null wins over a value, as in IsNull), or nothing.
		// An absent Nullable that is not left out is what encoding/json
		// makes of it: MarshalJSON's value, the zero value.
		fmt.Fprintf(b, "%sif %s, ok := %s[true]; ok == (len(%s) == 1) {\n", ind, local, expr, expr)
		eg.stmt(b, ind+"\t", local, elem, key, depth+1)
		fmt.Fprintf(b, "%s} else {\n%s\tw.Null()\n%s}\n", ind, ind, ind)
	case strings.HasPrefix(typ, "[]"):
		call(eg.listEncoder(typ), expr)
	case strings.HasPrefix(typ, "map[string]") && !isAny(strings.TrimPrefix(typ, "map[string]")):
		call(eg.mapEncoder(typ), expr)
	case g.types[typ] != nil && !eg.usesJSON(typ):
		if name := eg.structFor(typ); name != "" {
			if strings.HasPrefix(expr, "(*") {
				call(name, strings.TrimSuffix(strings.TrimPrefix(expr, "(*"), ")"))
			} else if strings.HasPrefix(expr, "v.") || expr == "v[i]" {
				call(name, "&"+expr)
			} else {
				fmt.Fprintf(b, "%s%s := %s\n", ind, local, expr)
				call(name, "&"+local)
			}
			return
		}
		// A named type of another: encoded as its underlying type.
		under := g.src(g.types[typ].Type)
		conv := under + "(" + expr + ")"
		if strings.HasPrefix(under, "*") || strings.HasPrefix(under, "func") {
			conv = "(" + under + ")(" + expr + ")"
		}
		eg.stmt(b, ind, conv, under, key, depth)
	default:
		// encoding/json: interface{}, a map of it, a type with its own
		// MarshalJSON. Through a pointer to a copy, so that a MarshalJSON
		// with a pointer receiver is called, as encoding/json calls it on
		// the field of a value it is given the address of.
		fmt.Fprintf(b, "%s%s := %s\n", ind, local, expr)
		call("encodeJSON", "&"+local)
	}
}

func isAny(typ string) bool { return typ == "interface{}" || typ == "any" }

// structFor returns the encoder of a struct type that has one of its own
// (writing it when needed), "" for any other type.
func (eg *encoderGen) structFor(typ string) string {
	typ = eg.g.resolveAlias(typ)
	if eg.g.structs[typ] == nil || eg.usesJSON(typ) {
		return ""
	}
	if name, ok := eg.names[typ]; ok {
		return name
	}
	return eg.structEncoder(typ)
}

// listEncoder writes the encoder of a list type: null for a nil list, as
// encoding/json writes it.
func (eg *encoderGen) listEncoder(typ string) string {
	if name, ok := eg.names[typ]; ok {
		return name
	}
	elem := strings.TrimPrefix(typ, "[]")
	name := eg.funcName(elem, "List")
	eg.names[typ] = name
	var b strings.Builder
	fmt.Fprintf(&b, "func %s(w *jx.Writer, v %s) error {\n\tif v == nil {\n\t\tw.Null()\n\t\treturn nil\n\t}\n\tw.ArrStart()\n\tfor i := range v {\n\t\tif i > 0 {\n\t\t\tw.Comma()\n\t\t}\n", name, typ)
	eg.stmt(&b, "\t\t", "v[i]", elem, "strconv.Itoa(i)", 0)
	b.WriteString("\t}\n\tw.ArrEnd()\n\treturn nil\n}\n")
	eg.bodies[name] = b.String()
	return name
}

// mapEncoder writes the encoder of a map type: its keys sorted, as
// encoding/json sorts them.
func (eg *encoderGen) mapEncoder(typ string) string {
	if name, ok := eg.names[typ]; ok {
		return name
	}
	elem := strings.TrimPrefix(typ, "map[string]")
	name := eg.funcName(elem, "Map")
	eg.names[typ] = name
	var b strings.Builder
	fmt.Fprintf(&b, "func %s(w *jx.Writer, v %s) error {\n\tif v == nil {\n\t\tw.Null()\n\t\treturn nil\n\t}\n\tw.ObjStart()\n\tfor i, k := range slices.Sorted(maps.Keys(v)) {\n\t\tif i > 0 {\n\t\t\tw.Comma()\n\t\t}\n\t\tencodeString(w, k)\n\t\tw.Buf = append(w.Buf, ':')\n\t\tx := v[k]\n", name, typ)
	eg.stmt(&b, "\t\t", "x", elem, "k", 1)
	b.WriteString("\t}\n\tw.ObjEnd()\n\treturn nil\n}\n")
	eg.bodies[name] = b.String()
	return name
}

// funcName is "encode" + a name made from the type, unique in the file.
func (eg *encoderGen) funcName(typ, suffix string) string {
	base := "encode" + identFromType(typ) + suffix
	name := base
	for i := 2; eg.used[name]; i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	eg.used[name] = true
	return name
}

// source is encode.gen.go's declarations, sorted by name.
func (eg *encoderGen) source() string {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(eg.bodies)) {
		b.WriteString("\n")
		b.WriteString(eg.bodies[name])
	}
	return b.String()
}

// testSource is encode.gen_test.go's table: every type with an encoder of
// its own, with its decoder when it is a response type too (dg has written
// one), for api/encode_test.go.
func (eg *encoderGen) testSource(dg *decoderGen) string {
	var b strings.Builder
	b.WriteString("\n// encoderCases are the generated encoders, by type, for encode_test.go.\nvar encoderCases = []encoderCase{\n")
	for _, typ := range slices.Sorted(slices.Values(eg.typed)) {
		dec := "nil"
		if d, ok := dg.names[typ]; ok {
			dec = d
		}
		enc := eg.names[typ]
		if n, ok := eg.names["body "+typ]; ok {
			enc = n
		}
		fmt.Fprintf(&b, "\tnewEncoderCase(%q, %s, %s),\n", typ, enc, dec)
	}
	b.WriteString("}\n")
	return b.String()
}
