package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"maps"
	"slices"
	"strings"
)

// Unknown fields. The pinned spec is a reconstruction, so the live API may
// answer a property it does not declare; a user must be able to read it
// without a new release. Every struct that a PartnerClient method decodes
// (decoderGen.objects) gets an unexported field, extra, which its struct
// decoder fills with the properties its schema does not declare (as raw
// JSON, by keepExtra in api/decode.go), and an ExtraFields method that
// returns them. The field is a pointer, nil for an object without such
// properties: decoding allocates nothing more, and a struct that was
// comparable stays so. oapi-codegen has no option to add a field, so gen
// adds it to oapi-codegen's output (extendModels), before the closing brace
// of each of those structs; the field is unexported, so encoding/json and
// gen's other readers of the structs (fieldsOf) do not see it.

// extraField is what extendModels adds to a struct, after a blank line so
// that gofmt's alignment of the fields above stays as it is.
const extraField = "\n\t// extra holds the properties the spec does not declare (see ExtraFields).\n\textra *extraFields\n"

// finish writes what the decoders need beyond the functions decoderFor
// writes: an UnmarshalJSON method for the struct types a union holds, and
// an ExtraFields method for every struct decoded. Call it once, after the
// last decoderFor and before source.
func (dg *decoderGen) finish() {
	dg.unionMembers()
	for _, typ := range slices.Sorted(maps.Keys(dg.objects)) {
		if why := dg.methodTaken(typ, "ExtraFields"); why != "" {
			dg.notes = append(dg.notes, fmt.Sprintf("%s has no ExtraFields method: %s; its undeclared properties are still decoded, but not readable", typ, why))
			continue
		}
		dg.bodies[typ+".ExtraFields"] = fmt.Sprintf(`// ExtraFields returns the properties of the JSON object v was decoded from
// that the spec does not declare for %s, as raw JSON by name, or nil
// when it had none. The PartnerClient methods fill it; encoding/json
// does not.
func (v *%s) ExtraFields() map[string]json.RawMessage {
	if v == nil {
		return nil
	}
	return v.extra.fields()
}
`, typ, typ)
	}
}

// unionMembers gives the struct types that a decoded union holds an
// UnmarshalJSON method that decodes with their struct decoder. A union
// (oapi-codegen's struct with a json.RawMessage) keeps its JSON, and its
// As methods decode it with encoding/json: with the method, they decode as
// a PartnerClient method does (required fields, unknown fields, a key given
// twice).
func (dg *decoderGen) unionMembers() {
	g := dg.g
	for _, union := range slices.Sorted(maps.Keys(dg.names)) {
		if dg.names[union] != "decodeUnmarshaler["+union+"]" || !dg.isUnion(union) {
			continue
		}
		for _, method := range slices.Sorted(maps.Keys(g.typeMethods[union])) {
			member, ok := strings.CutPrefix(method, "As")
			if !ok || g.structs[member] == nil || dg.bodies[member+".UnmarshalJSON"] != "" {
				continue
			}
			if why := dg.methodTaken(member, "UnmarshalJSON"); why != "" {
				dg.notes = append(dg.notes, fmt.Sprintf("%s.%s decodes with %s's own UnmarshalJSON: %s", union, method, member, why))
				continue
			}
			dec := dg.decoderFor(member)
			dg.bodies[member+".UnmarshalJSON"] = fmt.Sprintf(`// UnmarshalJSON decodes v as the PartnerClient methods do, so that
// %s.%s does too (see unmarshalJSON).
func (v *%s) UnmarshalJSON(b []byte) error {
	return unmarshalJSON(b, v, %s)
}
`, union, method, member, dec)
		}
	}
}

// isUnion reports whether typ is oapi-codegen's union struct: one
// unexported field of type json.RawMessage.
func (dg *decoderGen) isUnion(typ string) bool {
	st := dg.g.structs[typ]
	if st == nil || len(st.Fields.List) != 1 {
		return false
	}
	f := st.Fields.List[0]
	return len(f.Names) == 1 && !f.Names[0].IsExported() && dg.g.src(f.Type) == "json.RawMessage"
}

// methodTaken says why typ cannot get a method name, "" if it can: a field
// or a method of oapi-codegen's, or a member package api declares by hand,
// has it.
func (dg *decoderGen) methodTaken(typ, name string) string {
	if dg.g.typeMethods[typ][name] {
		return "oapi-codegen gives it a method " + name
	}
	if d, ok := dg.hand[typ][name]; ok {
		return fmt.Sprintf("package api declares a %s %s by hand (%s)", d.Kind, name, d.Pos)
	}
	if st := dg.g.structs[typ]; st != nil {
		for _, f := range st.Fields.List {
			for _, n := range f.Names {
				if n.Name == name || n.Name == "extra" {
					return "it has a field " + n.Name
				}
			}
		}
	}
	return ""
}

// extendModels adds the extra field to each struct of dg.objects in
// oapi-codegen's output, src, which file is parsed from (in fset), and
// returns the new source, parsed into fset.
func (dg *decoderGen) extendModels(fset *token.FileSet, file *ast.File, src []byte) ([]byte, *ast.File, error) {
	var offsets []int
	empty := false
	for _, decl := range file.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, spec := range gd.Specs {
			ts := spec.(*ast.TypeSpec)
			st, ok := ts.Type.(*ast.StructType)
			if !ok || !dg.objects[ts.Name.Name] || ts.Assign.IsValid() {
				continue
			}
			offsets = append(offsets, fset.Position(st.Fields.Closing).Offset)
			empty = empty || len(st.Fields.List) == 0
		}
	}
	if len(offsets) == 0 {
		return src, file, nil
	}
	slices.Sort(offsets)
	var b bytes.Buffer
	b.Grow(len(src) + len(offsets)*len(extraField))
	last := 0
	for _, off := range offsets {
		b.Write(src[last:off])
		b.WriteString(extraField)
		last = off
	}
	b.Write(src[last:])
	out := b.Bytes()
	if empty { // struct{} became struct{\n...}, which gofmt writes otherwise
		formatted, err := format.Source(out)
		if err != nil {
			return nil, nil, fmt.Errorf("add the extra field to oapi-codegen's structs: %w", err)
		}
		out = formatted
	}
	name := fset.Position(file.Pos()).Filename
	f, err := parser.ParseFile(fset, name, out, parser.ParseComments)
	if err != nil {
		return nil, nil, fmt.Errorf("add the extra field to oapi-codegen's structs: %w", err)
	}
	return out, f, nil
}
