package main

import (
	"go/parser"
	"go/token"
	"reflect"
	"testing"
)

// Each named payload type gets one accessor, named after the type without
// "Output", or As<Type> when that name is taken; the field an error line
// shows is the first of reasonFields that is a string.
func TestPayloadHelpers(t *testing.T) {
	const src = `package api
type BoostConflictOutput struct {
	Reason *BoostConflictReason ` + "`json:\"reason,omitempty\"`" + `
	State  *string ` + "`json:\"state,omitempty\"`" + `
}
type BoostConflictReason string
type Problem struct {
	Status int    ` + "`json:\"code\"`" + `
	Title  string ` + "`json:\"title\"`" + `
}
type TakenOutput struct {
	Count int ` + "`json:\"count\"`" + `
}
type Items []Problem
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "podero.gen.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	g, err := parseGenerated(fset, f)
	if err != nil {
		t.Fatal(err)
	}
	errs := []declaredError{
		{Name: "TriggerEVBoost", Type: "BoostConflictOutput", code: "409"},
		{Name: "TriggerWallboxBoost", Type: "BoostConflictOutput", code: "409"},
		{Name: "GetThing", Type: "Problem", code: "4xx"},
		{Name: "GetThing", Type: "TakenOutput", code: "default"},
		{Name: "ListThings", Type: "Items", code: "400"}, // not a struct: no accessor
	}
	got := payloadHelpers(errs, g, map[string]string{"Taken": "package api declares by hand (api/x.go)"})
	want := []payloadHelper{
		{Func: "BoostConflict", Type: "BoostConflictOutput", Of: "TriggerEVBoost's 409 and TriggerWallboxBoost's 409", Reason: "Reason", ReasonPtr: true},
		{Func: "AsProblem", Type: "Problem", Of: "GetThing's 4XX", Reason: "Title"},
		{Func: "AsTakenOutput", Type: "TakenOutput", Of: "GetThing's default response"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("payloadHelpers:\n%+v\nwant\n%+v", got, want)
	}
}
