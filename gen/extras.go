package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/printer"
	"go/token"
	"maps"
	"slices"
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
	types   map[string]*ast.TypeSpec   // every type declaration by name
	funcs   map[string]*ast.FuncDecl   // top-level functions by name
	// typeMethods lists the methods of each type, pointer receivers
	// included, by name.
	typeMethods map[string]map[string]bool
	// enums lists each enum type's constants, in source order.
	enums map[string][]enumConst
}

type enumConst struct{ Name, Value string }

func parseGenerated(fset *token.FileSet, file *ast.File) (*generatedAPI, error) {
	g := &generatedAPI{fset: fset, methods: map[string]*ast.FuncDecl{}, structs: map[string]*ast.StructType{},
		types: map[string]*ast.TypeSpec{}, funcs: map[string]*ast.FuncDecl{}, typeMethods: map[string]map[string]bool{},
		enums: map[string][]enumConst{}}
	for _, decl := range file.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				g.funcs[d.Name.Name] = d
				continue
			}
			recv := strings.TrimPrefix(g.src(d.Recv.List[0].Type), "*")
			if g.typeMethods[recv] == nil {
				g.typeMethods[recv] = map[string]bool{}
			}
			g.typeMethods[recv][d.Name.Name] = true
			if recv == "ClientWithResponses" {
				g.methods[d.Name.Name] = d
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					g.types[s.Name.Name] = s
					if st, ok := s.Type.(*ast.StructType); ok {
						g.structs[s.Name.Name] = st
					}
				case *ast.ValueSpec:
					if d.Tok != token.CONST || s.Type == nil || len(s.Values) != len(s.Names) {
						continue
					}
					typ := g.src(s.Type)
					for i, n := range s.Names {
						if lit, ok := s.Values[i].(*ast.BasicLit); ok {
							g.enums[typ] = append(g.enums[typ], enumConst{Name: n.Name, Value: lit.Value})
						}
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
	Params             string // the method's parameters before params, as source
	Args               string // the same, as arguments
	ParamsType         string // the params struct
	Item               string // the element type of the items
	Total              string // the getter of the total: GetTotal or GetCount
	SetLimit           string // statements that put limit and offset into p
	LimitArgs          string // the params' limit and offset, as *int
	MaxLimit           int
}

// pageMiss is why an operation has no iterator (see findPagers).
type pageMiss struct {
	// Lacks is what the operation lacks to be a page ("an integer query
	// parameter offset"); "" when it has a page's shape.
	Lacks string
	// Note, for an operation with a page's shape, says why its Go types
	// do not fit an iterator.
	Note string
}

// findPagers finds the list operations that page with limit/offset query
// parameters and answer an object with an array of items and an integer
// total: {total, items}, or django-ninja's own {items, count}. Every other
// operation gets a pageMiss, by "METHOD /path", saying why it has no
// iterator; the notes are those of the lists that look paginated but whose
// Go types do not fit.
func findPagers(doc *openapi3.T, ops []surfaceOp, g *generatedAPI, taken map[string]string) ([]pager, []string, map[string]pageMiss) {
	var pagers []pager
	var notes []string
	misses := map[string]pageMiss{}
	// An operation's XIter is not another operation's name (assignNames
	// sees to it: avoidDerivedNames), but it may be a method of package
	// api's own.
	methods := map[string]string{}
	for name, file := range taken {
		methods[name] = file + " declares it by hand"
	}
	for _, s := range ops {
		o := doc.Paths.Value(s.Path).GetOperation(s.Method)
		key := routeKey(s.Method, s.Path)
		if lacks := pageLacks(o); lacks != "" {
			misses[key] = pageMiss{Lacks: lacks}
			continue
		}
		limit, totalName := queryParam(o, "limit"), pageShape(o)
		p := pager{Name: s.Name, Method: s.Method, Path: s.Path, MaxLimit: defaultPage, ParamsType: s.ParamsType,
			Params: strings.Join(s.PathParams, ", "), Args: strings.Join(s.PathArgs, ", ")}
		if p.Params != "" {
			p.Params += ", "
			p.Args += ", "
		}
		if sch := limit.Schema.Value; sch.Max != nil {
			p.MaxLimit = int(*sch.Max)
		}
		var why string
		var fields map[string]goField
		if s.ResultKind == "json" && s.Pointer && s.ParamsType != "" {
			fields = map[string]goField{}
			for _, f := range g.fieldsOf(s.Decoded) {
				fields[f.JSON] = f
			}
		}
		items, total := fields["items"], fields[totalName]
		params := map[string]goField{}
		for _, f := range g.fieldsOf(s.ParamsType) {
			params[f.JSON] = f
		}
		lim, off := params["limit"], params["offset"]
		switch {
		case fields == nil:
			why = "it does not answer a JSON object, or takes no params struct"
		case items.Name == "" || !strings.HasPrefix(strings.TrimPrefix(items.Type, "*"), "[]"):
			why = "its items are not a Go slice"
		case total.Name == "" || strings.TrimPrefix(total.Type, "*") != "int":
			why = "its " + totalName + " is not a Go int"
		case lim.Type != off.Type || (lim.Type != "*int" && lim.Type != "int"):
			why = "its limit and offset are not both int or both *int"
		case methods[s.Name+"Iter"] != "":
			why = fmt.Sprintf("PartnerClient.%sIter is taken (%s); give that operation another name in %s", s.Name, methods[s.Name+"Iter"], nameTableFile)
		}
		if why != "" {
			m := pageMiss{Note: fmt.Sprintf("%s has limit/offset and {%s, items} but no iterator: %s", s.Name, totalName, why)}
			misses[key] = m
			notes = append(notes, m.Note)
			continue
		}
		p.Item = publicType(strings.TrimPrefix(strings.TrimPrefix(items.Type, "*"), "[]"))
		p.Total = "Get" + total.Name
		if lim.Type == "*int" {
			p.SetLimit = fmt.Sprintf("p.%s, p.%s = &limit, &offset", lim.Name, off.Name)
			p.LimitArgs = fmt.Sprintf("params.%s, params.%s", lim.Name, off.Name)
		} else {
			p.SetLimit = fmt.Sprintf("p.%s, p.%s = limit, offset", lim.Name, off.Name)
			p.LimitArgs = fmt.Sprintf("&params.%s, &params.%s", lim.Name, off.Name)
		}
		p.SetLimit += "\n\t\tpage, err := c." + s.Name + "(ctx, " + p.Args + "p, opts...)\n\t\tif err != nil {\n\t\t\treturn nil, 0, err\n\t\t}\n\t\treturn page.Get" + items.Name + "(), page." + p.Total + "(), nil"
		pagers = append(pagers, p)
	}
	return pagers, notes, misses
}

// pageLacks says what an operation lacks to page with limit and offset
// ("an integer query parameter offset and ..."), "" when nothing.
func pageLacks(o *openapi3.Operation) string {
	var lacks []string
	for _, name := range []string{"limit", "offset"} {
		if p := queryParam(o, name); p == nil || !isInteger(p.Schema) {
			lacks = append(lacks, "an integer query parameter "+name)
		}
	}
	if pageShape(o) == "" {
		lacks = append(lacks, "a 200 answer {items: [...], total or count: integer}")
	}
	return strings.Join(lacks, " and ")
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

// pageShape returns the name of the total of a page: "total" when the 200
// response is an object with an integer total and an array of items,
// "count" for django-ninja's {items, count}, "" when it is no page.
func pageShape(o *openapi3.Operation) string {
	r := o.Responses.Status(200)
	if r == nil || r.Value == nil {
		return ""
	}
	mt := r.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return ""
	}
	props := mt.Schema.Value.Properties
	items := props["items"]
	if items == nil || items.Value == nil || !items.Value.Type.Is("array") {
		return ""
	}
	for _, name := range []string{"total", "count"} {
		if isInteger(props[name]) {
			return name
		}
	}
	return ""
}

// declaredError is an error response with a JSON body the spec declares:
// a status (409), a range (4XX) or the default.
type declaredError struct {
	Name  string // the operation's Go name
	Cond  string // the condition on status, as Go
	Field string // the field of <Name>Response it decodes into
	order int    // statuses before ranges before the default
	code  string
}

// findDeclaredErrors lists the error bodies errorPayload decodes: every
// error response of an operation with a body of a JSON media type
// (application/json, or any +json: application/problem+json) and a field
// for it in oapi-codegen's response type, a status before a range of them
// before the default (which covers any other status from 400). Its notes
// say which declared error bodies Error.Payload does not decode, or decodes
// as one of several JSON media types.
func findDeclaredErrors(ops []opName, doc *openapi3.T, g *generatedAPI, goName func(string) string) ([]declaredError, []string) {
	var out []declaredError
	var notes []string
	for _, op := range ops {
		o := doc.Paths.Value(op.Path).GetOperation(strings.ToUpper(op.Method))
		for _, code := range slices.Sorted(maps.Keys(o.Responses.Map())) {
			r := o.Responses.Value(code)
			if r.Value == nil {
				continue
			}
			mts := errorMediaTypes(r.Value.Content)
			if len(mts) == 0 {
				continue
			}
			e := declaredError{Name: op.GoName, code: code}
			upper := strings.ToUpper(code)
			switch status, err := strconv.Atoi(code); {
			case err == nil && status >= 400:
				e.Cond = fmt.Sprintf("status == %d", status)
			case len(upper) == 3 && strings.HasSuffix(upper, "XX") && (upper[0] == '4' || upper[0] == '5'):
				e.Cond, e.order = fmt.Sprintf("status/100 == %c", upper[0]), 1
			case code == "default":
				e.Cond, e.order = "status >= 400", 2
			default:
				continue
			}
			e.Field = responseField(mts[0], code, goName)
			what := fmt.Sprintf("the %s error of %s (%s %s)", code, op.GoName, strings.ToUpper(op.Method), op.Path)
			if g.fieldType(op.GoName+"Response", e.Field) == "" {
				notes = append(notes, fmt.Sprintf("%s has a %s body that Error.Payload does not decode: %sResponse has no field %s", what, mts[0], op.GoName, e.Field))
				continue
			}
			if len(mts) > 1 {
				notes = append(notes, fmt.Sprintf("%s declares %d JSON media types (%s): Error.Payload decodes its body as the %s one's", what, len(mts), strings.Join(mts, ", "), mts[0]))
			}
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		if out[i].order != out[j].order {
			return out[i].order < out[j].order
		}
		return out[i].code < out[j].code
	})
	return out, notes
}

// errorMediaTypes are a response's JSON media types that have a schema,
// application/json first, then the others (+json) in order.
func errorMediaTypes(content openapi3.Content) []string {
	var mts []string
	for _, mt := range slices.Sorted(maps.Keys(content)) {
		base, _, _ := strings.Cut(mt, ";")
		if m := content[mt]; m != nil && m.Schema != nil && isJSONMedia(strings.ToLower(strings.TrimSpace(base))) {
			mts = append(mts, mt)
		}
	}
	slices.SortStableFunc(mts, func(a, b string) int {
		if (a == "application/json") != (b == "application/json") {
			if a == "application/json" {
				return -1
			}
			return 1
		}
		return 0
	})
	return mts
}

// responseField is the field of oapi-codegen's <Op>Response type for a JSON
// body of media type mt and response code (409, 4XX, default), named as
// oapi-codegen's GetResponseTypeDefinitions names it: JSON409 for
// application/json, HALJSON409 for application/hal+json, and the media
// type's words for the others (ApplicationProblemJSON409).
func responseField(mt, code string, goName func(string) string) string {
	suffix := strings.ToUpper(code) // a status or a range (4XX) is as it is
	if code == "default" {
		suffix = goName(code)
	}
	switch mt {
	case "application/json":
		return "JSON" + suffix
	case "application/hal+json":
		return "HALJSON" + suffix
	}
	return strings.ReplaceAll(goName(mt)+suffix, "Json", "JSON")
}

var paginationTemplate = template.Must(template.New("pages").Parse(`// Code generated by github.com/podero-go/podero/gen from {{.Pin.File}}; DO NOT EDIT.

package {{.Package}}

{{if .Pagers}}
import (
	"context"
	"iter"
)
{{end}}{{range .Pagers}}
// {{.Name}}Iter iterates over every item of {{.Name}},
// fetching pages on demand: {{.Method}} {{.Path}}
//
// params selects the items as for {{.Name}}, except that its limit is
// the page size (default and maximum {{.MaxLimit}}), not a cap on how many
// items come back: to stop early, break out of the loop. Its offset is the
// first item. The iterator stops after the last item of the total, at the
// first error (yielded once), or when the loop stops.
func (c *PartnerClient) {{.Name}}Iter(ctx context.Context, {{.Params}}params {{.ParamsType}}, opts ...CallOption) iter.Seq2[*{{.Item}}, error] {
	return paginate(ctx, c, "{{.Name}}", {{.LimitArgs}}, {{.MaxLimit}}, func(limit, offset int) ([]{{.Item}}, int, error) {
		p := params
		{{.SetLimit}}
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
	case operation == "{{.Name}}" && {{.Cond}}:
		var r {{.Name}}Response
		return decodePayload(&r.{{.Field}}, body)
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
