package main

import (
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// A decl is one exported identifier of a package, by its name (Name, or
// Type.Member for fields and methods): its kind and its type, printed
// without the names of parameters and results.
type decl struct {
	kind string // func, method, type, field, embedded, interface method, const, var
	typ  string
}

func (d decl) String() string { return d.kind + " " + d.typ }

// exportedAPI reads the exported identifiers of the package in dir, from the
// non-test files the build context selects. ok is false when dir holds no
// package.
func exportedAPI(dir string) (api map[string]decl, ok bool, err error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, false, nil
	}
	pkg, err := build.Default.ImportDir(dir, 0)
	if _, noGo := errors.AsType[*build.NoGoError](err); noGo {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	files := map[string][]byte{}
	for _, name := range pkg.GoFiles {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, false, err
		}
		files[name] = data
	}
	api, err = declarations(files)
	return api, true, err
}

// declarations collects the exported identifiers of a package's files.
func declarations(files map[string][]byte) (map[string]decl, error) {
	api := map[string]decl{}
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
					api[d.Name.Name] = decl{"func", funcString(d.Type)}
					continue
				}
				recv := d.Recv.List[0].Type
				renameParams(d.Type, receiverParams(recv))
				if base := receiverName(recv); token.IsExported(base) {
					ptr := ""
					if _, ok := recv.(*ast.StarExpr); ok {
						ptr = "*"
					}
					api[base+"."+d.Name.Name] = decl{"method", "(" + ptr + base + ") " + funcString(d.Type)}
				}
			case *ast.GenDecl:
				addGenDecl(api, d)
			}
		}
	}
	return api, nil
}

func addGenDecl(api map[string]decl, d *ast.GenDecl) {
	var lastType string // a const without type or value repeats the one before
	for _, spec := range d.Specs {
		switch spec := spec.(type) {
		case *ast.TypeSpec:
			if spec.Name.IsExported() {
				m := positions(spec.TypeParams)
				if spec.TypeParams != nil {
					renameParams(spec.TypeParams, m)
				}
				renameParams(spec.Type, m)
				api[spec.Name.Name] = decl{"type", typeDefString(spec)}
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
				}
				if n.IsExported() {
					api[n.Name] = decl{kind, t}
				}
			}
		}
	}
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
func addMembers(api map[string]decl, typeName string, expr ast.Expr) {
	switch t := expr.(type) {
	case *ast.StructType:
		for _, f := range t.Fields.List {
			if len(f.Names) == 0 {
				if n := embeddedName(f.Type); token.IsExported(n) {
					api[typeName+"."+n] = decl{"embedded", typeString(f.Type)}
				}
			}
			for _, n := range f.Names {
				if n.IsExported() {
					api[typeName+"."+n.Name] = decl{"field", typeString(f.Type)}
				}
			}
		}
	case *ast.InterfaceType:
		for _, f := range t.Methods.List {
			if len(f.Names) == 0 { // an embedded interface or a type constraint
				api[typeName+"."+types.ExprString(f.Type)] = decl{"interface embeds", typeString(f.Type)}
			}
			for _, n := range f.Names {
				if n.IsExported() {
					api[typeName+"."+n.Name] = decl{"interface method", funcString(f.Type.(*ast.FuncType))}
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

func receiverName(expr ast.Expr) string {
	switch t := expr.(type) {
	case *ast.StarExpr:
		return receiverName(t.X)
	case *ast.IndexExpr:
		return receiverName(t.X)
	case *ast.IndexListExpr:
		return receiverName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return ""
}

func embeddedName(expr ast.Expr) string {
	switch t := expr.(type) {
	case *ast.StarExpr:
		return embeddedName(t.X)
	case *ast.SelectorExpr:
		return t.Sel.Name
	case *ast.IndexExpr:
		return embeddedName(t.X)
	case *ast.IndexListExpr:
		return embeddedName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return ""
}

// An apiDiff is how a package's exported API changed.
type apiDiff struct {
	gone, isNew bool     // the package was removed, or is new
	absent      bool     // no package, then or now
	added       []string // compatible additions
	broken      []string // removed or changed identifiers, new interface methods
	removed     int
	changed     int
}

func diffAPI(old, cur map[string]decl) apiDiff {
	var d apiDiff
	for _, id := range slices.Sorted(maps.Keys(old)) {
		o := old[id]
		c, ok := cur[id]
		switch {
		case !ok:
			d.removed++
			d.broken = append(d.broken, fmt.Sprintf("removed %s (%s)", id, o))
		case c != o:
			d.changed++
			d.broken = append(d.broken, fmt.Sprintf("changed %s: %s → %s", id, o, c))
		}
	}
	for _, id := range slices.Sorted(maps.Keys(cur)) {
		c := cur[id]
		if _, ok := old[id]; ok {
			continue
		}
		parent, _, member := strings.Cut(id, ".")
		if p, ok := old[parent]; member && ok && p == cur[parent] &&
			(c.kind == "interface method" || c.kind == "interface embeds") && p.typ == "interface{…}" {
			d.broken = append(d.broken, fmt.Sprintf("added %s to interface %s (%s): a type outside the package no longer implements it", id, parent, c))
			continue
		}
		d.added = append(d.added, id)
	}
	return d
}

func (d apiDiff) summary() string {
	switch {
	case d.absent:
		return "not a package, then or now"
	case d.gone:
		return "package removed"
	case d.isNew:
		return fmt.Sprintf("new package, %d identifiers", len(d.added))
	}
	return fmt.Sprintf("%d added, %d removed, %d changed", len(d.added), d.removed, d.changed)
}

func (d apiDiff) breaking() []string {
	if d.gone {
		return []string{"package removed"}
	}
	return d.broken
}

// comparePackage compares the package in pkg (a slash-separated directory)
// under the old root with the one under the current root.
func comparePackage(oldRoot, curRoot, pkg string) (apiDiff, error) {
	old, hadOld, err := exportedAPI(filepath.Join(oldRoot, filepath.FromSlash(pkg)))
	if err != nil {
		return apiDiff{}, fmt.Errorf("%s at the release: %w", pkg, err)
	}
	cur, hasCur, err := exportedAPI(filepath.Join(curRoot, filepath.FromSlash(pkg)))
	if err != nil {
		return apiDiff{}, fmt.Errorf("%s: %w", pkg, err)
	}
	switch {
	case !hadOld && !hasCur:
		return apiDiff{absent: true}, nil
	case hadOld && !hasCur:
		return apiDiff{gone: true}, nil
	case !hadOld:
		d := diffAPI(nil, cur)
		d.isNew = true
		return d, nil
	}
	return diffAPI(old, cur), nil
}
