package api_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"

	"github.com/podero-go/podero/api"
)

// TestDocSurfaceHasNoRawClient: go doc ./api shows no part of oapi-codegen's
// client (issue 24: it was half of the package's documentation). The
// client, its NewXRequest builders, ParseXResponse parsers and XResponse
// types are in package api/raw.
func TestDocSurfaceHasNoRawClient(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]string{} // exported top-level name -> file
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					declared[d.Name.Name] = e.Name()
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.IsExported() {
						declared[ts.Name.Name] = e.Name()
					}
				}
			}
		}
	}
	raw := []string{"Client", "ClientInterface", "ClientWithResponses", "ClientWithResponsesInterface", "ClientOption",
		"HttpRequestDoer", "RequestEditorFn", "NewClient", "NewClientWithResponses", "WithHTTPClient", "WithBaseURL",
		"WithRequestEditorFn"}
	for _, op := range api.Operations {
		raw = append(raw, "New"+op.Name+"Request", "New"+op.Name+"RequestWithBody", "Parse"+op.Name+"Response", op.Name+"Response")
	}
	for _, name := range raw {
		if file, ok := declared[name]; ok {
			t.Errorf("package api declares %s (%s), which belongs to package api/raw", name, file)
		}
	}
	if len(declared) < 100 {
		t.Fatalf("read %d exported names: not the package's files", len(declared))
	}
}
