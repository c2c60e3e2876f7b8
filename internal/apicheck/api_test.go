package main

import (
	"github.com/podero-go/podero/internal/goapi"

	"slices"
	"strings"
	"testing"
)

// diffSources compares two versions of a one-file package.
func diffSources(t *testing.T, old, cur string) apiDiff {
	t.Helper()
	o, err := goapi.Declarations(map[string][]byte{"a.go": []byte("package p\n" + old)})
	if err != nil {
		t.Fatal(err)
	}
	c, err := goapi.Declarations(map[string][]byte{"a.go": []byte("package p\n" + cur)})
	if err != nil {
		t.Fatal(err)
	}
	return diffAPI(o, c)
}

func TestDiffAPI(t *testing.T) {
	for _, tc := range []struct {
		name, old, cur string
		broken         []string // a part of each breaking line, in order
		added          []string
	}{
		{name: "parameter names do not matter",
			old: "func F(a, b int, cb func(x string) error) (n int, err error) { return }",
			cur: "func F(x int, y int, f func(string) error) (int, error) { return 0, nil }"},
		{name: "signature changed",
			old: "func F(a int) {}", cur: "func F(a int, opts ...string) {}",
			broken: []string{"changed F: func func(int) → func func(int, ...string)"}},
		{name: "removed, and unexported ones do not count",
			old: "func F() {}\nfunc g() {}\ntype T struct{ A int; b int }", cur: "type T struct{ A int }",
			broken: []string{"removed F (func func())"}},
		{name: "struct fields",
			old: "type T struct{ A, B int; C string }", cur: "type T struct{ A int; C *string; D bool }",
			broken: []string{"removed T.B (field int)", "changed T.C: field string → field *string"},
			added:  []string{"T.D"}},
		{name: "methods and their receivers",
			old:    "type T int\nfunc (T) M() {}\nfunc (*T) N() {}\ntype u int\nfunc (u) X() {}",
			cur:    "type T int\nfunc (*T) M() {}\nfunc (*T) N() {}\nfunc (t *T) O() {}",
			broken: []string{"changed T.M: method (T) func() → method (*T) func()"},
			added:  []string{"T.O"}},
		{name: "a method added to an interface",
			old:    "type I interface{ M() }\ntype S interface{ M(); s() }",
			cur:    "type I interface{ M(); N(int) }\ntype S interface{ M(); N(); s() }",
			broken: []string{"added I.N to interface I"},
			added:  []string{"S.N"}},
		{name: "constants and variables",
			old:    "type K string\nconst (A K = \"a\"; B)\nconst C = 1\nvar V = &T{}\ntype T struct{}",
			cur:    "type K string\nconst (A K = \"a\"; B)\nconst C = \"one\"\nvar V = T{}\ntype T struct{}",
			broken: []string{"changed C: const untyped int = 1 → const untyped string = \"one\"", "changed V: var *T → var T"}},
		{name: "a constant's value",
			old:    "type K string\nconst (A K = \"a\"; B)\nconst D = 60 * time.Second",
			cur:    "type K string\nconst (A K = \"x\"; B)\nconst D = 60 * time.Second",
			broken: []string{"changed A: const K = \"a\" → const K = \"x\"", "changed B: const K = \"a\" → const K = \"x\""}},
		{name: "iota: a constant moved is another value",
			old:    "type S int\nconst (A S = iota; B; C)",
			cur:    "type S int\nconst (A S = iota; C; B)",
			broken: []string{"changed B: const S = iota (iota 1) → const S = iota (iota 2)", "changed C: const S = iota (iota 2) → const S = iota (iota 1)"}},
		{name: "a type removed or added speaks for its members",
			old:    "type T struct{ A int }\nfunc (T) M() {}",
			cur:    "type U struct{ B int }\nfunc (U) N() {}",
			broken: []string{"removed T (type struct{…})"},
			added:  []string{"U"}},
		{name: "a const that becomes a var",
			old: "const X = 1", cur: "var X = 1",
			broken: []string{"changed X: const untyped int = 1 → var untyped int"}},
		{name: "generics: the names of type parameters do not matter",
			old: "type L[T any] struct{ Items []T; T T }\nfunc (l *L[T]) Get() T { return l.T }\nfunc Map[A, B any](a []A, f func(A) B) []B { return nil }",
			cur: "type L[E any] struct{ Items []E; T E }\nfunc (l *L[X]) Get() X { return l.T }\nfunc Map[X, Y any](xs []X, f func(X) Y) []Y { return nil }"},
		{name: "generics: their order and constraints do",
			old:    "func Map[A any, B comparable](a []A) []B { return nil }",
			cur:    "func Map[B comparable, A any](a []A) []B { return nil }",
			broken: []string{"changed Map: func [any, comparable]func([]#1) []#2 → func [comparable, any]func([]#2) []#1"}},
		{name: "an alias is not the type it names",
			old: "type A = B\ntype B struct{}", cur: "type A B\ntype B struct{}",
			broken: []string{"changed A: type = B → type B"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := diffSources(t, tc.old, tc.cur)
			if len(d.broken) != len(tc.broken) {
				t.Fatalf("breaking changes %q, want %d like %q", d.broken, len(tc.broken), tc.broken)
			}
			for i, want := range tc.broken {
				if !strings.Contains(d.broken[i], want) {
					t.Errorf("breaking change %q, want %q", d.broken[i], want)
				}
			}
			if !slices.Equal(d.added, tc.added) {
				t.Errorf("added %q, want %q", d.added, tc.added)
			}
		})
	}
}
