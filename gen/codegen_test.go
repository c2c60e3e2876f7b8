package main

import (
	"strings"
	"testing"
)

// TestCheckDeclarations: a name declared twice anywhere in package api
// (two files, a method of one type, a field of one struct) is refused with
// both places, before anything is written.
func TestCheckDeclarations(t *testing.T) {
	err := checkDeclarations(map[string][]byte{
		"api/a.gen.go":  []byte("package api\n\ntype Event struct {\n\tID int\n\tID string\n}\n\nfunc (Event) Get() {}\n"),
		"api/b.go":      []byte("package api\n\ntype Event int\n\nfunc (Event) Get() {}\n\nvar _ = 1\nvar _ = 2\n"),
		"api/c_test.go": []byte("package api\n\ntype Event bool\n"),
		"openapi.json":  []byte("{}"),
	}, nil, nil)
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
