package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/printer"
	"go/token"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/getkin/kin-openapi/openapi3"
)

// This file generates what the call layer needs per operation beyond
// oapi-codegen's client: page iterators for the paginated lists, and the
// decoders for error bodies the spec declares. Both read the spec for the
// shape and oapi-codegen's output for the Go names and types, so they never
// guess how oapi-codegen spells a type.

const (
	paginationFile = "api/pagination.gen.go"
	errorsFile     = "api/errors.gen.go"
	defaultPage    = 100 // page size when the spec sets no maximum
)

// generatedAPI is oapi-codegen's output, parsed.
type generatedAPI struct {
	fset    *token.FileSet
	methods map[string]*ast.FuncDecl   // ClientWithResponses methods by name
	structs map[string]*ast.StructType // struct types by name
}

func parseGenerated(code string) (*generatedAPI, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "podero.gen.go", code, 0)
	if err != nil {
		return nil, fmt.Errorf("parse oapi-codegen output: %w", err)
	}
	g := &generatedAPI{fset: fset, methods: map[string]*ast.FuncDecl{}, structs: map[string]*ast.StructType{}}
	for _, decl := range file.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Recv != nil && len(d.Recv.List) == 1 && g.src(d.Recv.List[0].Type) == "*ClientWithResponses" {
				g.methods[d.Name.Name] = d
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				if ts, ok := spec.(*ast.TypeSpec); ok {
					if st, ok := ts.Type.(*ast.StructType); ok {
						g.structs[ts.Name.Name] = st
					}
				}
			}
		}
	}
	return g, nil
}

func (g *generatedAPI) src(n ast.Node) string {
	var buf bytes.Buffer
	_ = printer.Fprint(&buf, g.fset, n) // printing a parsed node does not fail
	return buf.String()
}

// fieldType is the source of a struct field's type, "" if there is none.
func (g *generatedAPI) fieldType(structName, field string) string {
	st := g.structs[structName]
	if st == nil {
		return ""
	}
	for _, f := range st.Fields.List {
		for _, n := range f.Names {
			if n.Name == field {
				return g.src(f.Type)
			}
		}
	}
	return ""
}

// pager is one paginated list operation.
type pager struct {
	Name, Method, Path string
	Params             string // the WithResponse method's parameters before params, as source
	Args               string // the same, as arguments
	ParamsType         string // the params struct
	Item               string // the element type of items
	MaxLimit           int
}

// findPagers finds the list operations that page with limit/offset query
// parameters and answer {total, items}.
func findPagers(doc *openapi3.T, ops []opName, g *generatedAPI) ([]pager, []string, error) {
	var pagers []pager
	var notes []string
	for _, op := range ops {
		o := doc.Paths.Value(op.Path).GetOperation(strings.ToUpper(op.Method))
		limit, offset := queryParam(o, "limit"), queryParam(o, "offset")
		if limit == nil || offset == nil || !isInteger(limit.Schema) || !isInteger(offset.Schema) || !pageShape(o) {
			continue
		}
		p := pager{Name: op.GoName, Method: strings.ToUpper(op.Method), Path: op.Path, MaxLimit: defaultPage}
		if s := limit.Schema.Value; s.Max != nil {
			p.MaxLimit = int(*s.Max)
		}
		m := g.methods[op.GoName+"WithResponse"]
		if m == nil {
			return nil, nil, fmt.Errorf("%s looks paginated but oapi-codegen wrote no %sWithResponse", op.GoName, op.GoName)
		}
		var params, args []string
		for _, f := range m.Type.Params.List[1:] { // after ctx
			typ := g.src(f.Type)
			if strings.HasPrefix(typ, "*") && strings.HasSuffix(typ, "Params") {
				p.ParamsType = strings.TrimPrefix(typ, "*")
				break
			}
			for _, n := range f.Names {
				params = append(params, n.Name+" "+typ)
				args = append(args, n.Name)
			}
		}
		item := strings.TrimPrefix(g.fieldType(strings.TrimPrefix(g.fieldType(op.GoName+"Response", "JSON200"), "*"), "Items"), "[]")
		// The template takes the page from *int Limit and Offset fields and
		// sends no body; anything else would not compile, so it gets a note.
		if p.ParamsType == "" || item == "" || o.RequestBody != nil ||
			g.fieldType(p.ParamsType, "Limit") != "*int" || g.fieldType(p.ParamsType, "Offset") != "*int" {
			notes = append(notes, fmt.Sprintf("%s has limit/offset and {total, items} but its Go types are not the usual ones; no iterator", op.GoName))
			continue
		}
		p.Params, p.Args, p.Item = strings.Join(params, ", "), strings.Join(args, ", "), item
		pagers = append(pagers, p)
	}
	return pagers, notes, nil
}

func queryParam(o *openapi3.Operation, name string) *openapi3.Parameter {
	for _, p := range o.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInQuery && p.Value.Name == name {
			return p.Value
		}
	}
	return nil
}

func isInteger(s *openapi3.SchemaRef) bool {
	return s != nil && s.Value != nil && s.Value.Type.Is("integer")
}

// pageShape reports whether the 200 response is an object with an integer
// total and an array of items.
func pageShape(o *openapi3.Operation) bool {
	r := o.Responses.Status(200)
	if r == nil || r.Value == nil {
		return false
	}
	mt := r.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return false
	}
	props := mt.Schema.Value.Properties
	total, items := props["total"], props["items"]
	return isInteger(total) && items != nil && items.Value != nil && items.Value.Type.Is("array")
}

// declaredError is an error status with a JSON body the spec declares.
type declaredError struct {
	Name   string
	Status int
}

func findDeclaredErrors(ops []opName, doc *openapi3.T, g *generatedAPI) []declaredError {
	var out []declaredError
	for _, op := range ops {
		o := doc.Paths.Value(op.Path).GetOperation(strings.ToUpper(op.Method))
		for code, r := range o.Responses.Map() {
			status, err := strconv.Atoi(code)
			if err != nil || status < 400 || r.Value == nil || r.Value.Content.Get("application/json") == nil {
				continue
			}
			if g.fieldType(op.GoName+"Response", fmt.Sprintf("JSON%d", status)) != "" {
				out = append(out, declaredError{Name: op.GoName, Status: status})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Status < out[j].Status
	})
	return out
}

var paginationTemplate = template.Must(template.New("pages").Parse(`// Code generated by github.com/podero-go/podero/gen from {{.Pin.File}}; DO NOT EDIT.

package {{.Package}}

{{if .Pagers}}
import (
	"context"
	"iter"
{{if .UsesTypes}}
	openapi_types "github.com/oapi-codegen/runtime/types"
{{end -}}
)
{{end}}{{range .Pagers}}
// {{.Name}}Iter iterates over every item of {{.Name}},
// fetching pages on demand: {{.Method}} {{.Path}}
//
// params selects the items as for {{.Name}}, except that its Limit is
// the page size (default and maximum {{.MaxLimit}}), not a cap on how many
// items come back: to stop early, break out of the loop. Offset is the
// first item. The iterator stops after the last item of the total, at the
// first error (yielded once), or when the loop stops.
func (c *ClientWithResponses) {{.Name}}Iter(ctx context.Context, {{.Params}}, params {{.ParamsType}}, reqEditors ...RequestEditorFn) iter.Seq2[{{.Item}}, error] {
	return paginate(params.Limit, params.Offset, {{.MaxLimit}}, func(limit, offset int) ([]{{.Item}}, int, error) {
		p := params
		p.Limit, p.Offset = &limit, &offset
		resp, err := c.{{.Name}}WithResponse(ctx, {{.Args}}, &p, reqEditors...)
		if err != nil {
			return nil, 0, err
		}
		if resp.JSON200 == nil {
			return nil, 0, unexpectedResponse("{{.Name}}", resp.HTTPResponse, resp.Body)
		}
		return resp.JSON200.Items, resp.JSON200.Total, nil
	})
}
{{end}}
// Paginated lists the operations that have an Iter method.
var Paginated = []string{ {{- range $i, $p := .Pagers}}{{if $i}}, {{end}}"{{$p.Name}}"{{end -}} }
`))

var errorsTemplate = template.Must(template.New("errors").Parse(`// Code generated by github.com/podero-go/podero/gen from {{.Pin.File}}; DO NOT EDIT.

package {{.Package}}

// errorPayload decodes an error body that the spec declares for the
// operation and status into the type the generated client uses for it
// (such as *BoostConflictOutput), or returns nil.
func errorPayload(operation string, status int, body []byte) any {
	switch {
{{- range .Errors}}
	case operation == "{{.Name}}" && status == {{.Status}}:
		var r {{.Name}}Response
		return decodePayload(&r.JSON{{.Status}}, body)
{{- end}}
	}
	return nil
}
`))

func renderGo(name string, t *template.Template, data any) ([]byte, error) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, err
	}
	src, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("format %s: %w\n%s", name, err, buf.Bytes())
	}
	return src, nil
}
