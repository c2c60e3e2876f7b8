package main

import (
	"strings"
	"testing"
)

// buildOutput is what go build and go vet print when a spec update breaks
// code: hand-written (a removed field's getter, a changed type, a changed
// signature) and, once, generated.
const buildOutput = `go build ./...: exit status 1
# github.com/podero-go/podero/examples/quickstart
examples/quickstart/journey.go:161:49: b.GetName undefined (type *api.BuildingOutput has no field or method GetName)
examples/quickstart/journey.go:175:20: undefined: api.OnboardingStatus
# github.com/podero-go/podero/api/poderotest
api/poderotest/store.go:88:12: cannot use 3 (untyped int constant) as nullable.Nullable[string] value in assignment
api/poderotest/store.go:90:9: not enough arguments in call to c.GetUser
	have (nil)
	want (context.Context, UUID, ...CallOption)
vet: api/poderotest/store.go:88:12: cannot use 3 (untyped int constant) as nullable.Nullable[string] value in assignment
api/decode.gen.go:12:3: undefined: decodeThing
`

func TestParseBuildErrors(t *testing.T) {
	bs := parseBuildErrors(buildOutput)
	var got []string
	for _, b := range bs {
		got = append(got, b.String())
	}
	want := []string{
		"examples/quickstart/journey.go:161: BuildingOutput.GetName: b.GetName undefined (type *api.BuildingOutput has no field or method GetName)",
		"examples/quickstart/journey.go:175: OnboardingStatus: undefined: api.OnboardingStatus",
		"api/poderotest/store.go:88: cannot use 3 (untyped int constant) as nullable.Nullable[string] value in assignment",
		"api/poderotest/store.go:90: GetUser: not enough arguments in call to c.GetUser",
		"api/decode.gen.go:12: decodeThing: undefined: decodeThing",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	msg := describeBreakage(buildOutput, false)
	for _, w := range []string{
		"The new spec breaks hand-written code in api/poderotest/store.go, examples/quickstart/journey.go, which uses BuildingOutput.GetName, OnboardingStatus, GetUser:\n",
		"  examples/quickstart/journey.go:161: BuildingOutput.GetName: ",
		"The generated code itself does not build, which is a bug in gen",
		"  api/decode.gen.go:12: decodeThing",
		"`make update-spec KEEP_BROKEN=1` (gen update-spec -keep-broken)",
	} {
		if !strings.Contains(msg, w) {
			t.Errorf("the message lacks %q:\n%s", w, msg)
		}
	}
	if kept := describeBreakage(buildOutput, true); !strings.Contains(kept, "The new files are kept, as -keep-broken asks") || strings.Contains(kept, "KEEP_BROKEN=1") {
		t.Errorf("with -keep-broken:\n%s", kept)
	}
	if describeBreakage("go build: signal: killed", false) != "" {
		t.Error("output without compiler errors gets advice")
	}
}
