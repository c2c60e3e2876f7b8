package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestCheckDeclarations: a name declared twice anywhere in package api
// (two files, a method of one type, a field of one struct) is refused with
// both places, before anything is written. A file given parsed is read
// from its AST, the others from their source.
func TestCheckDeclarations(t *testing.T) {
	gen := []byte("package api\n\ntype Event struct {\n\tID int\n\tID string\n}\n\nfunc (Event) Get() {}\n")
	fset := token.NewFileSet()
	parsed, err := parser.ParseFile(fset, "api/a.gen.go", gen, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	err = checkDeclarations(map[string][]byte{
		"api/a.gen.go":  gen,
		"api/b.go":      []byte("package api\n\ntype Event int\n\nfunc (Event) Get() {}\n\nvar _ = 1\nvar _ = 2\n"),
		"api/c_test.go": []byte("package api\n\ntype Event bool\n"),
		"openapi.json":  []byte("{}"),
	}, fset, map[string]*ast.File{"api/a.gen.go": parsed})
	if err == nil {
		t.Fatal("duplicates were accepted")
	}
	for _, want := range []string{
		"field Event.ID is declared at api/a.gen.go:4:2 and again at api/a.gen.go:5:2",
		"Event is declared at api/a.gen.go:3:6 and again at api/b.go:3:6",
		"Event.Get is declared at api/a.gen.go:8:14 and again at api/b.go:5:14",
		"nothing is written", "gen/schema_names.txt",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "c_test.go") || strings.Contains(err.Error(), "_ is") {
		t.Errorf("tests or blank identifiers counted: %v", err)
	}
}

// TestCheckDeclarationsPositionsInGeneratedCode: a hand-written method that
// oapi-codegen's code declares too is refused at the line of the file
// generation writes (the committed api/podero.gen.go), not of oapi-codegen's
// output before its imports are pruned and it is formatted.
func TestCheckDeclarationsPositionsInGeneratedCode(t *testing.T) {
	t.Parallel() // generation takes turns (genMu)
	const decl = "func (c *Client) ResolveInformationCue("
	committed, err := os.ReadFile("../api/podero.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(committed, []byte("\n"+decl))
	if i < 0 {
		t.Fatalf("api/podero.gen.go lacks %q", decl)
	}
	line := bytes.Count(committed[:i+1], []byte("\n")) + 1

	root := specCopy(t)
	writeFile(t, root, "api/collide.go", []byte("package api\n\n"+decl+") {}\n"))
	_, err = generateFrom(root, pin{File: "openapi.json"}, pinnedSpecBytes(t))
	want := fmt.Sprintf("Client.ResolveInformationCue is declared at api/collide.go:3:18 and again at api/podero.gen.go:%d:18", line)
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "a declaration written by hand (not in a .gen.go file) is in the way: rename it") {
		t.Errorf("error = %v; want it to contain %q and say that a hand-written declaration is in the way", err, want)
	}
}

// TestCheckDeclarationsFieldAndMethod: a generated field and a
// hand-written method of one name on one type (which Go refuses, and which
// an update build would report as a bug in gen) are refused with both
// places, and the advice to rename the hand-written method.
func TestCheckDeclarationsFieldAndMethod(t *testing.T) {
	err := checkDeclarations(map[string][]byte{
		"api/a.gen.go": []byte("package api\n\ntype EVOutput struct {\n\tKind *string\n\tID   int\n}\n"),
		"api/b.go":     []byte("package api\n\nfunc (v *EVOutput) Kind() string { return \"ev\" }\n\nfunc (v EVOutput) Other() {}\n"),
	}, nil, nil)
	for _, want := range []string{
		"EVOutput.Kind is a field at api/a.gen.go:4:2 and a method at api/b.go:3:20",
		"a declaration written by hand (not in a .gen.go file) is in the way: rename it",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}
}
