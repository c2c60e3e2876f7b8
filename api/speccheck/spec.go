package speccheck

import (
	"fmt"
	"slices"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/podero-go/podero/internal/pinned"
	"github.com/podero-go/podero/internal/specformat"
)

// spec is the pinned spec, indexed for checking responses.
type spec struct {
	ops map[opKey]*specOp
}

type opKey struct{ method, path string }

// specOp is one operation of the spec.
type specOp struct {
	id, method, path string
	op               *openapi3.Operation
}

// loadSpec indexes the pinned spec once per process, the first time a
// checker needs it: a service that never checks a response never pays for
// it. The spec is parsed and validated by pinned.Doc, which
// internal/specserver shares, so a process that has both parses it once.
var loadSpec = sync.OnceValues(func() (*spec, error) {
	doc, err := pinned.Doc()
	if err != nil {
		return nil, fmt.Errorf("speccheck: %w", err)
	}
	return newSpec(doc), nil
})

// newSpec indexes doc's operations by method and path template.
func newSpec(doc *openapi3.T) *spec {
	s := &spec{ops: map[opKey]*specOp{}}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			s.ops[opKey{method, path}] = &specOp{id: op.OperationID, method: method, path: path, op: op}
		}
	}
	return s
}

// leafOptions are how kin-openapi checks a value's constraints (format,
// length, range, pattern) as internal/specserver checks them
// (specformat.SchemaOptions: a UUID of any version, as pydantic accepts,
// and a pattern Go cannot compile matching anything), with every error, not
// just the first.
var leafOptions = append(slices.Clip(specformat.SchemaOptions), openapi3.MultiErrors(), openapi3.VisitAsResponse())
