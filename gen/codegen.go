package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"

	"github.com/podero-go/podero/internal/goapi"
)

// primeNames configures oapi-codegen's name normaliser (its initialisms and
// naming function live in package state that only Generate sets) by
// generating from an empty document, and returns the function oapi-codegen
// turns a schema name or an operation id into a Go name with. Every name gen
// writes goes through it, so there is one naming function: otherwise
// api.Operations, the iterators and the error decoders would name methods
// and types that oapi-codegen spells differently (IP, DB, HTML, ...).
func primeNames(cfg codegen.Configuration) (func(string) string, error) {
	empty := &openapi3.T{OpenAPI: "3.0.3", Info: &openapi3.Info{Title: "prime", Version: "0"}, Paths: openapi3.NewPaths()}
	cfg.Generate = codegen.GenerateOptions{Models: true}
	if _, err := codegen.Generate(empty, cfg); err != nil {
		return nil, fmt.Errorf("oapi-codegen: %w", err)
	}
	return codegen.SchemaNameToTypeName, nil
}

// handWrittenFiles reads the hand-written Go files of package api (not
// generated, not tests), by path relative to the root.
func handWrittenFiles(root string) (map[string][]byte, error) {
	files := map[string][]byte{}
	entries, err := os.ReadDir(filepath.Join(root, apiDir))
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, ".gen.go") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, apiDir, name))
		if err != nil {
			return nil, err
		}
		files[apiDir+"/"+name] = data
	}
	return files, nil
}

// parseHandWritten parses the hand-written files of package api, once a
// run, for handWrittenMethods, reservedNames and checkDeclarations.
func parseHandWritten(handWritten map[string][]byte) (*token.FileSet, map[string]*ast.File, error) {
	fset := token.NewFileSet()
	parsed := map[string]*ast.File{}
	for _, name := range slices.Sorted(maps.Keys(handWritten)) {
		f, err := parser.ParseFile(fset, name, handWritten[name], parser.SkipObjectResolution)
		if err != nil {
			return nil, nil, fmt.Errorf("read the hand-written identifiers of %s: %w", apiDir, err)
		}
		parsed[name] = f
	}
	return fset, parsed, nil
}

// reservedNames lists the Go identifiers that generated types must not take,
// with what takes them: the top-level names package api declares by hand
// (Error, Config, ...; handWritten, parsed), and those oapi-codegen and gen
// derive from the operations.
func reservedNames(handWritten map[string]*ast.File, ops []opName) map[string]string {
	reserved := map[string]string{}
	for name, f := range handWritten {
		for _, id := range topLevelNames(f) {
			reserved[id] = "package api declares by hand (" + name + ")"
		}
	}
	for _, fixed := range []string{"Client", "ClientInterface", "ClientOption", "ClientWithResponses",
		"ClientWithResponsesInterface", "HttpRequestDoer", "RequestEditorFn", "NewClient", "NewClientWithResponses",
		"WithHTTPClient", "WithBaseURL", "WithRequestEditorFn", "OperationInfo", "Operations", "SpecSHA256", "Paginated"} {
		reserved[fixed] = "oapi-codegen or gen declares"
	}
	for _, op := range ops {
		for _, derived := range []string{op.GoName + "Params", op.GoName + "Response", op.GoName + "JSONRequestBody",
			op.GoName + "JSONBody", "New" + op.GoName + "Request", "Parse" + op.GoName + "Response"} {
			reserved[derived] = "oapi-codegen derives from operation " + op.GoName
		}
	}
	return reserved
}

// partnerClient is the hand-written type that gets a method per operation.
const partnerClient = "PartnerClient"

// handDecl is a method or a field that package api declares by hand on a
// type: where (file:line), and which.
type handDecl struct {
	Pos  string
	Kind string // "method" or "field"
}

// handWrittenMembers lists the methods and the struct fields package api
// declares by hand (handWritten, parsed in fset), by type (a method's
// receiver without its *) and name. Generated names must not take them: a
// generated field named like a hand-written method of its type (a kind
// property beside (*ElectricVehicleOutput).Kind) does not compile.
func handWrittenMembers(fset *token.FileSet, handWritten map[string]*ast.File) map[string]map[string]handDecl {
	members := map[string]map[string]handDecl{}
	add := func(typ, name, kind string, pos token.Pos) {
		if members[typ] == nil {
			members[typ] = map[string]handDecl{}
		}
		p := fset.Position(pos)
		members[typ][name] = handDecl{Pos: fmt.Sprintf("%s:%d", p.Filename, p.Line), Kind: kind}
	}
	for _, f := range handWritten {
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil {
					add(goapi.ReceiverName(d.Recv.List[0].Type), d.Name.Name, "method", d.Name.Pos())
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					ts, ok := spec.(*ast.TypeSpec)
					if !ok {
						continue
					}
					st, ok := ts.Type.(*ast.StructType)
					if !ok {
						continue
					}
					for _, fl := range st.Fields.List {
						for _, n := range fl.Names {
							add(ts.Name.Name, n.Name, "field", n.Pos())
						}
					}
				}
			}
		}
	}
	return members
}

// handWrittenMethods lists the methods and fields package api declares by
// hand on PartnerClient, with where: an operation must not be named like
// one.
func handWrittenMethods(members map[string]map[string]handDecl) map[string]string {
	methods := map[string]string{}
	for name, d := range members[partnerClient] {
		methods[name] = d.Pos
	}
	return methods
}

func topLevelNames(f *ast.File) []string {
	var names []string
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				names = append(names, d.Name.Name)
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					names = append(names, s.Name.Name)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						names = append(names, n.Name)
					}
				}
			}
		}
	}
	return names
}

// checkDeclarations is the last check before anything is written: no
// identifier of package api is declared twice across the generated and the
// hand-written files (a type, function, variable or constant; a method of
// one type; a field of one struct), which would not compile. Every such
// collision that gen knows of is resolved before (see normalize.go and
// assignNames); one that gets here is refused with where both declarations
// are, rather than written.
//
// parsed are files that are parsed already (the hand-written ones and
// oapi-codegen's), by name, in fset; the rest are parsed into fset. fset may
// be nil when parsed is empty.
func checkDeclarations(files map[string][]byte, fset *token.FileSet, parsed map[string]*ast.File) error {
	if fset == nil {
		fset = token.NewFileSet()
	}
	seen := map[string]token.Pos{}
	var dups []string
	byHand := false // a hand-written declaration is in a collision
	dup := func(format string, id string, first, again token.Pos) {
		a, b := fset.Position(first), fset.Position(again)
		for _, p := range []token.Position{a, b} {
			if !strings.HasSuffix(p.Filename, ".gen.go") {
				byHand = true
			}
		}
		dups = append(dups, fmt.Sprintf(format, id, a, b))
	}
	declare := func(id string, pos token.Pos) {
		if id == "_" || id == "init" {
			return
		}
		if first, ok := seen[id]; ok {
			dup("%s is declared at %s and again at %s", id, first, pos)
			return
		}
		seen[id] = pos
	}
	// A field and a method of one type cannot have one name either (a
	// generated field beside a hand-written method).
	fieldsOf := map[string]map[string]token.Pos{}  // struct type -> field -> where
	methodsOf := map[string]map[string]token.Pos{} // receiver type -> method -> where
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, ok := parsed[name]
		if !ok {
			var err error
			if f, err = parser.ParseFile(fset, name, files[name], parser.SkipObjectResolution); err != nil {
				return fmt.Errorf("the generated code does not parse: %w", err)
			}
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					declare(d.Name.Name, d.Name.Pos())
				} else {
					recv := goapi.ReceiverName(d.Recv.List[0].Type)
					declare(recv+"."+d.Name.Name, d.Name.Pos())
					if methodsOf[recv] == nil {
						methodsOf[recv] = map[string]token.Pos{}
					}
					methodsOf[recv][d.Name.Name] = d.Name.Pos()
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						declare(s.Name.Name, s.Name.Pos())
						if st, ok := s.Type.(*ast.StructType); ok {
							fields := map[string]token.Pos{}
							for _, fl := range st.Fields.List {
								names := fl.Names
								if len(names) == 0 {
									names = []*ast.Ident{{Name: goapi.EmbeddedName(fl.Type), NamePos: fl.Type.Pos()}}
								}
								for _, n := range names {
									if first, ok := fields[n.Name]; ok && n.Name != "_" {
										dup("field %s is declared at %s and again at %s", s.Name.Name+"."+n.Name, first, n.Pos())
									}
									fields[n.Name] = n.Pos()
								}
							}
							fieldsOf[s.Name.Name] = fields
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							declare(n.Name, n.Pos())
						}
					}
				}
			}
		}
	}
	for _, typ := range slices.Sorted(maps.Keys(methodsOf)) {
		for _, m := range slices.Sorted(maps.Keys(methodsOf[typ])) {
			if field, ok := fieldsOf[typ][m]; ok {
				dup("%s is a field at %s and a method at %s", typ+"."+m, field, methodsOf[typ][m])
			}
		}
	}
	if len(dups) == 0 {
		return nil
	}
	advice := "gen does not resolve this collision yet: give the schema or operation another name in %s or %s"
	if byHand {
		advice = "a declaration written by hand (not in a .gen.go file) is in the way: rename it, or give the schema or operation another name in %s or %s"
	}
	return fmt.Errorf("the generated code would not compile, so nothing is written:\n  %s\n"+advice,
		strings.Join(dups, "\n  "), schemaNameTableFile, nameTableFile)
}
