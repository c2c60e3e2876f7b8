// Package goapi reads the exported API of Go source files: every exported
// identifier with its kind and type, so that two versions of a package can
// be compared. gen's update report (which identifiers a spec change adds,
// removes or changes) and `make api-check` (breaking changes since the last
// release) both read it.
package goapi

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"strings"
)

// A Decl is one exported identifier of a package, by its name (Name, or
// Type.Member for fields and methods): its kind and its type, printed
// without the names of parameters and results, and a constant's value.
type Decl struct {
	Kind string // func, method, type, field, embedded, interface method, interface embeds, const, var
	Type string
	// Value is a constant's value as the source writes it, after Go's
	// implicit repetition in a const block, with iota's value when it uses
	// it: `"already_charging"`, "60 * time.Second", "iota (iota 2)". The
	// expression is not evaluated (that would need the imports): a rewrite
	// of an expression to an equal one reads as a change.
	Value string
}

func (d Decl) String() string {
	if d.Value != "" {
		return d.Kind + " " + d.Type + " = " + d.Value
	}
	return d.Kind + " " + d.Type
}

// Declarations collects the exported identifiers of a package's files, by
// name (see Decl).
func Declarations(files map[string][]byte) (map[string]Decl, error) {
	api := map[string]Decl{}
	fset := token.NewFileSet()
	for _, name := range slices.Sorted(maps.Keys(files)) {
		f, err := parser.ParseFile(fset, name, files[name], parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				if d.Recv == nil {
					renameParams(d.Type, positions(d.Type.TypeParams))
					api[d.Name.Name] = Decl{Kind: "func", Type: funcString(d.Type)}
					continue
				}
				recv := d.Recv.List[0].Type
				renameParams(d.Type, receiverParams(recv))
				if base := ReceiverName(recv); token.IsExported(base) {
					ptr := ""
					if _, ok := recv.(*ast.StarExpr); ok {
						ptr = "*"
					}
					api[base+"."+d.Name.Name] = Decl{Kind: "method", Type: "(" + ptr + base + ") " + funcString(d.Type)}
				}
			case *ast.GenDecl:
				addGenDecl(api, d)
			}
		}
	}
	return api, nil
}

func addGenDecl(api map[string]Decl, d *ast.GenDecl) {
	var lastType string       // a const without type or value repeats the one before
	var lastValues []ast.Expr // and its values
	for iota, spec := range d.Specs {
		switch spec := spec.(type) {
		case *ast.TypeSpec:
			if spec.Name.IsExported() {
				m := positions(spec.TypeParams)
				if spec.TypeParams != nil {
					renameParams(spec.TypeParams, m)
				}
				renameParams(spec.Type, m)
				api[spec.Name.Name] = Decl{Kind: "type", Type: typeDefString(spec)}
				addMembers(api, spec.Name.Name, spec.Type)
			}
		case *ast.ValueSpec:
			kind := "var"
			if d.Tok == token.CONST {
				kind = "const"
			}
			typ := ""
			if spec.Type != nil {
				typ = typeString(spec.Type)
			}
			for i, n := range spec.Names {
				t := typ
				if t == "" && i < len(spec.Values) {
					t = valueType(spec.Values[i])
				}
				if t == "" && kind == "const" && len(spec.Values) == 0 {
					t = lastType
				}
				if kind == "const" && i == 0 {
					lastType = t
					if len(spec.Values) > 0 {
						lastValues = spec.Values
					}
				}
				if n.IsExported() {
					api[n.Name] = Decl{Kind: kind, Type: t}
					if kind == "const" && i < len(lastValues) {
						api[n.Name] = Decl{Kind: kind, Type: t, Value: constValue(lastValues[i], iota)}
					}
				}
			}
		}
	}
}

// constValue is a constant's expression as source, and iota's value when
// the expression uses it.
func constValue(v ast.Expr, iota int) string {
	s := types.ExprString(v)
	usesIota := false
	ast.Inspect(v, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == "iota" {
			usesIota = true
		}
		return !usesIota
	})
	if usesIota {
		s += fmt.Sprintf(" (iota %d)", iota)
	}
	return s
}

// valueType is the type of an untyped declaration's value where the syntax
// says it: a composite literal, its address, or a basic literal's kind.
func valueType(v ast.Expr) string {
	switch v := v.(type) {
	case *ast.CompositeLit:
		if v.Type != nil {
			return typeString(v.Type)
		}
	case *ast.UnaryExpr:
		if lit, ok := v.X.(*ast.CompositeLit); ok && v.Op == token.AND && lit.Type != nil {
			return "*" + typeString(lit.Type)
		}
	case *ast.BasicLit:
		return "untyped " + strings.ToLower(v.Kind.String())
	}
	return ""
}

// addMembers adds the exported fields of a struct type (embedded ones by
// their type's name) and the methods and embedded interfaces of an
// interface type.
func addMembers(api map[string]Decl, typeName string, expr ast.Expr) {
	switch t := expr.(type) {
	case *ast.StructType:
		for _, f := range t.Fields.List {
			if len(f.Names) == 0 {
				if n := EmbeddedName(f.Type); token.IsExported(n) {
					api[typeName+"."+n] = Decl{Kind: "embedded", Type: typeString(f.Type)}
				}
			}
			for _, n := range f.Names {
				if n.IsExported() {
					api[typeName+"."+n.Name] = Decl{Kind: "field", Type: typeString(f.Type)}
				}
			}
		}
	case *ast.InterfaceType:
		for _, f := range t.Methods.List {
			if len(f.Names) == 0 { // an embedded interface or a type constraint
				api[typeName+"."+types.ExprString(f.Type)] = Decl{Kind: "interface embeds", Type: typeString(f.Type)}
			}
			for _, n := range f.Names {
				if n.IsExported() {
					api[typeName+"."+n.Name] = Decl{Kind: "interface method", Type: funcString(f.Type.(*ast.FuncType))}
				}
			}
		}
	}
}

// typeDefString is what a type declaration gives its users: its type
// parameters and its underlying type; a struct's or interface's members are
// identifiers of their own. An interface with an unexported method cannot
// be implemented elsewhere, so new methods do not break anyone.
func typeDefString(spec *ast.TypeSpec) string {
	var b strings.Builder
	b.WriteString(typeParams(spec.TypeParams))
	if spec.Assign.IsValid() {
		b.WriteString("= ")
	}
	switch t := spec.Type.(type) {
	case *ast.StructType:
		b.WriteString("struct{…}")
	case *ast.InterfaceType:
		if sealed(t) {
			b.WriteString("interface{…; unexported methods}")
		} else {
			b.WriteString("interface{…}")
		}
	default:
		b.WriteString(typeString(spec.Type))
	}
	return b.String()
}

func sealed(t *ast.InterfaceType) bool {
	for _, f := range t.Methods.List {
		for _, n := range f.Names {
			if !n.IsExported() {
				return true
			}
		}
	}
	return false
}

func typeParams(fields *ast.FieldList) string {
	if fields == nil || len(fields.List) == 0 {
		return ""
	}
	var parts []string
	for _, f := range fields.List {
		for range f.Names {
			// The names of type parameters do not matter to users; their
			// number, order and constraints do.
			parts = append(parts, typeString(f.Type))
		}
	}
	return "[" + strings.Join(parts, ", ") + "] "
}

// positions names the type parameters of a declaration by their position,
// #1, #2, ...: renaming one changes nothing for users.
func positions(params *ast.FieldList) map[string]string {
	m := map[string]string{}
	if params == nil {
		return m
	}
	for _, f := range params.List {
		for _, n := range f.Names {
			m[n.Name] = fmt.Sprintf("#%d", len(m)+1)
		}
	}
	return m
}

// receiverParams is positions for a method's receiver, T[A, B] or *T[A, B].
func receiverParams(recv ast.Expr) map[string]string {
	if star, ok := recv.(*ast.StarExpr); ok {
		recv = star.X
	}
	var indices []ast.Expr
	switch r := recv.(type) {
	case *ast.IndexExpr:
		indices = []ast.Expr{r.Index}
	case *ast.IndexListExpr:
		indices = r.Indices
	}
	m := map[string]string{}
	for _, x := range indices {
		if id, ok := x.(*ast.Ident); ok {
			m[id.Name] = fmt.Sprintf("#%d", len(m)+1)
		}
	}
	return m
}

// renameParams renames the type parameters in m where n uses them as types;
// field and method names and other packages' identifiers stay.
func renameParams(n ast.Node, m map[string]string) {
	if len(m) == 0 {
		return
	}
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			if r, ok := m[n.Name]; ok {
				n.Name = r
			}
		case *ast.SelectorExpr:
			renameParams(n.X, m)
			return false
		case *ast.Field:
			if n.Type != nil {
				renameParams(n.Type, m)
			}
			return false
		}
		return true
	})
}

func funcString(ft *ast.FuncType) string {
	return strings.TrimSuffix(typeParams(ft.TypeParams), " ") + typeString(&ast.FuncType{Params: ft.Params, Results: ft.Results})
}

// typeString prints a type expression on one line, without the names of
// function parameters and results (at any depth).
func typeString(expr ast.Expr) string {
	ast.Inspect(expr, func(n ast.Node) bool {
		if ft, ok := n.(*ast.FuncType); ok {
			ft.Params = unnamed(ft.Params)
			ft.Results = unnamed(ft.Results)
		}
		return true
	})
	return types.ExprString(expr)
}

// unnamed returns one unnamed field per name: (a, b int) is (int, int).
func unnamed(fields *ast.FieldList) *ast.FieldList {
	if fields == nil {
		return nil
	}
	out := &ast.FieldList{}
	for _, f := range fields.List {
		for range max(len(f.Names), 1) {
			out.List = append(out.List, &ast.Field{Type: f.Type})
		}
	}
	return out
}

// ReceiverName is the name of the type a method's receiver (T, *T, T[A])
// names.
func ReceiverName(expr ast.Expr) string {
	switch t := expr.(type) {
	case *ast.StarExpr:
		return ReceiverName(t.X)
	case *ast.IndexExpr:
		return ReceiverName(t.X)
	case *ast.IndexListExpr:
		return ReceiverName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return ""
}

// EmbeddedName is the field name of an embedded type: T for T, *T, pkg.T,
// T[X].
func EmbeddedName(expr ast.Expr) string {
	switch t := expr.(type) {
	case *ast.StarExpr:
		return EmbeddedName(t.X)
	case *ast.SelectorExpr:
		return t.Sel.Name
	case *ast.IndexExpr:
		return EmbeddedName(t.X)
	case *ast.IndexListExpr:
		return EmbeddedName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return ""
}
