package docgen_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/podero-go/podero/internal/docgen"
	"github.com/podero-go/podero/internal/pinned"
	"github.com/podero-go/podero/internal/specformat"
)

// TestDocumentsAreValid: what the generator writes for encoding/json
// (Compat) is JSON that kin-openapi finds valid against the schema, for
// every component schema of the pinned spec; the document as a Python
// server writes it is JSON, and differs from Compat only where it has an
// Incompatible feature. Every feature shows up.
func TestDocumentsAreValid(t *testing.T) {
	doc, err := pinned.Doc()
	if err != nil {
		t.Fatal(err)
	}
	g := docgen.New(rand.NewPCG(7, 11))
	var seen docgen.Feature
	names := make([]string, 0, len(doc.Components.Schemas))
	for name := range doc.Components.Schemas {
		names = append(names, name)
	}
	slices.Sort(names)
	opts := append(slices.Clone(specformat.SchemaOptions), openapi3.VisitAsResponse(), openapi3.MultiErrors())
	for _, name := range names {
		ref := doc.Components.Schemas[name]
		for range 15 {
			d := g.Document(ref)
			seen |= d.Features
			if !json.Valid(d.JSON) || !json.Valid(d.Compat) {
				t.Fatalf("%s: not JSON:\n%s\n%s", name, d.JSON, d.Compat)
			}
			if d.Features&docgen.Incompatible == 0 && !bytes.Equal(d.JSON, d.Compat) {
				t.Fatalf("%s: the documents differ without a reason (%v):\n%s\n%s", name, d.Features, d.JSON, d.Compat)
			}
			var v any
			if err := json.Unmarshal(d.Compat, &v); err != nil {
				t.Fatal(err)
			}
			if err := ref.Value.VisitJSON(v, opts...); err != nil {
				if strings.Contains(err.Error(), "pattern") { // patterns Go cannot compile match anything (specformat)
					continue
				}
				t.Fatalf("%s: the document is not valid: %v\n%s", name, err, d.Compat)
			}
		}
	}
	for _, f := range []docgen.Feature{docgen.UnknownProperty, docgen.CaseVariantKey, docgen.DuplicateKey, docgen.NaiveDateTime,
		docgen.EscapedDateTime, docgen.IntegerAsFloat, docgen.DeepNesting, docgen.LongList} {
		if seen&f == 0 {
			t.Errorf("no document has the feature %v", f)
		}
	}
}

// TestBytesSourceEnds: a fuzzer's short input makes a small document, and
// any input makes one.
func TestBytesSourceEnds(t *testing.T) {
	doc, err := pinned.Doc()
	if err != nil {
		t.Fatal(err)
	}
	ev := doc.Components.Schemas["ElectricVehicleOutput"]
	for _, in := range [][]byte{nil, {0}, bytes.Repeat([]byte{0xff}, 64), bytes.Repeat([]byte{0xff}, 100000), []byte("seed")} {
		d := docgen.New(docgen.NewBytesSource(in)).Document(ev)
		if !json.Valid(d.JSON) || len(d.JSON) > 4<<20 {
			t.Errorf("%d bytes of input: %d bytes of document, valid %v", len(in), len(d.JSON), json.Valid(d.JSON))
		}
	}
}
