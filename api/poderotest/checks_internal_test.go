package poderotest

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"

	"github.com/podero-go/podero/internal/specserver"
)

// TestCheckSampling: past the first responses, a response of a new shape
// is always checked, and of the rest one in every n.
func TestCheckSampling(t *testing.T) {
	p := newCheckPolicy()
	p.first, p.every = 2, 10
	call := &specserver.Call{Route: &routers.Route{Operation: &openapi3.Operation{OperationID: "op"}}}
	ok := specserver.Response{Status: 200, Body: map[string]any{"id": "a", "n": 1.0}}
	var got []bool
	for range 12 {
		got = append(got, p.shouldCheck(call, ok))
	}
	// Two first ones, then the same shape: the 10th response (index 9:
	// 2 checked + 8 skipped = 10 seen) is the sample.
	want := []bool{true, true, false, false, false, false, false, false, false, false, true, false}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("checks %v, want %v", got, want)
		}
	}
	// Another value of the same shape is sampled; a field more, a null, a
	// status or an array item of another shape is new.
	for _, tc := range []struct {
		resp specserver.Response
		want bool
	}{
		{specserver.Response{Status: 200, Body: map[string]any{"id": "b", "n": 2.0}}, false},
		{specserver.Response{Status: 200, Body: map[string]any{"id": "b", "n": 2.0, "x": true}}, true},
		{specserver.Response{Status: 200, Body: map[string]any{"id": nil, "n": 2.0}}, true},
		{specserver.Response{Status: 409, Body: map[string]any{"id": "b", "n": 2.0}}, true},
		{specserver.Response{Status: 200, Body: []any{map[string]any{"id": "b"}, map[string]any{"id": 1}}}, true},
		{specserver.Response{Status: 200, Body: []any{map[string]any{"id": "c"}, map[string]any{"id": 2}}}, false},
	} {
		if got := p.shouldCheck(call, tc.resp); got != tc.want {
			t.Errorf("%v: checked %v, want %v", tc.resp.Body, got, tc.want)
		}
	}
	if checked, unchecked := p.checked, p.skipped; checked+unchecked != 18 {
		t.Errorf("counted %d+%d", checked, unchecked)
	}
}
