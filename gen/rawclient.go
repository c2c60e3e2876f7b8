package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"golang.org/x/mod/modfile"
	"golang.org/x/tools/go/ast/astutil"
)

// The raw client: oapi-codegen's Client, ClientWithResponses, New*Request,
// Parse* and *Response types live in package api/raw, apart from the models
// in package api, so that api's documentation is the PartnerClient and its
// models (issue 24). oapi-codegen generates a client apart from its models
// in one way only: generate: {client: true} in another package that
// dot-imports the models' package (additional-imports with alias ".";
// import-mapping covers only $refs to other documents). gen runs it so, reads
// that code as if it were package api (the PartnerClient's surface is built
// from it), then qualifies (qualifyRaw) the models' names (api.UserOutput) in what it
// writes, so that the raw package's godoc says where its types come from and
// the package may declare names that api also has (raw.New).

const (
	rawDir  = apiDir + "/raw"
	rawFile = rawDir + "/client.gen.go"
	rawPkg  = "raw"
)

// rawConfig is the configuration of the raw client's generation: the models'
// configuration, for the same names and types, generating the client into
// package raw with the models' package dot-imported.
func rawConfig(models codegen.Configuration, apiImport string) codegen.Configuration {
	cfg := models
	cfg.PackageName = rawPkg
	cfg.Generate = codegen.GenerateOptions{Client: true}
	cfg.AdditionalImports = append(slices.Clone(models.AdditionalImports), codegen.AdditionalImport{Alias: ".", Package: apiImport})
	return cfg
}

// apiImportPath is the import path of package api: the module path of root's
// go.mod and apiDir.
func apiImportPath(root string) (string, error) {
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("read the module path: %w", err)
	}
	mod := modfile.ModulePath(data)
	if mod == "" {
		return "", fmt.Errorf("%s has no module line", filepath.Join(root, "go.mod"))
	}
	return mod + "/" + apiDir, nil
}

// qualifyRaw rewrites the raw client's code as oapi-codegen wrote it, with
// apiImport dot-imported, so that every name it takes from package api
// (apiNames: api's exported top-level names) is qualified with "api." and
// the import is a plain one. An identifier refers to a top-level name when
// it is not a selector's member, a field, parameter, method or key name, or
// a declaration's own name; a local name that would shadow one of api's is
// refused, as it would make that reading wrong.
func qualifyRaw(name string, src []byte, apiImport string, apiNames map[string]bool) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parse the raw client: %w", err)
	}
	own := map[string]bool{} // the file's own top-level names
	for _, n := range topLevelNames(f) {
		own[n] = true
	}
	notRef := map[*ast.Ident]bool{}
	var shadow []string
	local := func(ids ...*ast.Ident) {
		for _, id := range ids {
			notRef[id] = true
			if apiNames[id.Name] {
				shadow = append(shadow, fmt.Sprintf("%s at %s", id.Name, fset.Position(id.Pos())))
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			notRef[n.Sel] = true
		case *ast.Field:
			for _, id := range n.Names {
				notRef[id] = true // struct fields, methods, parameters, results
			}
		case *ast.KeyValueExpr:
			if id, ok := n.Key.(*ast.Ident); ok {
				notRef[id] = true // a struct literal's field names
			}
		case *ast.FuncDecl:
			notRef[n.Name] = true
		case *ast.TypeSpec:
			notRef[n.Name] = true
		case *ast.ValueSpec:
			for _, id := range n.Names {
				notRef[id] = true
			}
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for _, e := range n.Lhs {
					if id, ok := e.(*ast.Ident); ok {
						local(id)
					}
				}
			}
		case *ast.RangeStmt:
			if n.Tok == token.DEFINE {
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if id, ok := e.(*ast.Ident); ok {
						local(id)
					}
				}
			}
		case *ast.FuncType:
			for _, l := range []*ast.FieldList{n.Params, n.Results} {
				if l != nil {
					for _, fl := range l.List {
						local(fl.Names...)
					}
				}
			}
		case *ast.LabeledStmt:
			notRef[n.Label] = true
		case *ast.BranchStmt:
			if n.Label != nil {
				notRef[n.Label] = true
			}
		}
		return true
	})
	if len(shadow) > 0 {
		return nil, fmt.Errorf("the raw client declares local names that package api has too: %v", shadow)
	}
	used := false
	ast.Inspect(f, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && !notRef[id] && !own[id.Name] && apiNames[id.Name] {
			id.Name = "api." + id.Name // printed as it is: a qualified identifier
			used = true
		}
		return true
	})
	if !used {
		astutil.DeleteNamedImport(fset, f, ".", apiImport)
	}
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == apiImport {
			imp.Name = nil
		}
	}
	// The qualified names are printed as they are; the import that is no
	// longer a dot import is sorted among the others.
	return printGo(fset, f)
}

// exportedNames are the exported top-level names the files declare.
func exportedNames(files ...*ast.File) map[string]bool {
	names := map[string]bool{}
	for _, f := range files {
		for _, n := range topLevelNames(f) {
			if token.IsExported(n) {
				names[n] = true
			}
		}
	}
	return names
}
