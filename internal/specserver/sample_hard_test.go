package specserver

import (
	"os"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// loadTestDoc loads a document of testdata.
func loadTestDoc(t *testing.T, path string) *openapi3.T {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := LoadDoc(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc
}

// TestSamplesOfHardSchemasConform: recursion through required arrays and
// properties, patterns, allOf with siblings and of scalars, overlapping
// oneOf alternatives, discriminators and unions beside properties
// (testdata/samples.json) all get samples that conform. (gen's TestCorpus
// checks the samples of every schema of its corpus with SamplesConform.)
func TestSamplesOfHardSchemasConform(t *testing.T) {
	for _, problem := range SamplesConform(loadTestDoc(t, "testdata/samples.json")) {
		t.Error(problem)
	}
}

// TestSampleKeepsRequiredArraysOfRecursiveSchemas: where a schema recurses,
// the sample stops with what is valid (an empty array, the required
// properties only, a null where null is allowed), not with a null in a
// required array.
func TestSampleKeepsRequiredArraysOfRecursiveSchemas(t *testing.T) {
	doc := loadTestDoc(t, "testdata/samples.json")
	node := Sample(doc.Components.Schemas["Node"]).(map[string]any)
	depth := 0
	for n := node; n != nil; depth++ {
		children, ok := n["children"].([]any)
		if !ok {
			t.Fatalf("children at depth %d is %#v, want an array", depth, n["children"])
		}
		if len(children) == 0 {
			break
		}
		n, _ = children[0].(map[string]any)
	}
	if _, ok := node["parent"]; ok {
		if p, _ := node["parent"].(map[string]any); p == nil {
			t.Errorf("parent is %#v: an optional property that recurses is left out or valid", node["parent"])
		}
	}
	forest := Sample(doc.Components.Schemas["Forest"]).(map[string]any)
	if trees, _ := forest["trees"].([]any); len(trees) != 2 {
		t.Errorf("Forest.trees = %#v, want its minItems of trees", forest["trees"])
	}
}

// TestSampleMatchesPattern: a string with a pattern gets a sample that
// matches it, within its length bounds.
func TestSampleMatchesPattern(t *testing.T) {
	doc := loadTestDoc(t, "testdata/samples.json")
	p := Sample(doc.Components.Schemas["Patterns"]).(map[string]any)
	for field, want := range map[string]string{"token": "", "long": "xxxxx", "alternatives": "kWh", "uuid": SampleUUID} {
		got, _ := p[field].(string)
		if want != "" && got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
	if tok, _ := p["token"].(string); len(tok) != 32 {
		t.Errorf("token = %q, want 32 characters", tok)
	}
}
