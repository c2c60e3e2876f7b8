package speccheck

import (
	"context"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/pinned"
	"github.com/podero-go/podero/internal/specformat"
)

// spec is the pinned spec, parsed for checking responses.
type spec struct {
	ops map[opKey]*specOp
}

type opKey struct{ method, path string }

// specOp is one operation of the spec.
type specOp struct {
	name, id, method, path string
	op                     *openapi3.Operation
}

// loadSpec parses and validates the pinned spec once per process, the
// first time a checker needs it: a service that never checks a response
// never pays for it.
var loadSpec = sync.OnceValues(func() (*spec, error) {
	doc, err := openapi3.NewLoader().LoadFromData(pinned.OpenAPIJSON)
	if err == nil {
		err = doc.Validate(context.Background())
	}
	if err != nil {
		return nil, fmt.Errorf("speccheck: the pinned openapi.json: %w", err)
	}
	names := map[string]string{}
	for _, info := range api.Operations {
		names[info.OperationID] = info.Name
	}
	s := &spec{ops: map[opKey]*specOp{}}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := names[op.OperationID]
			if name == "" {
				name = op.OperationID
			}
			s.ops[opKey{method, path}] = &specOp{name: name, id: op.OperationID, method: method, path: path, op: op}
		}
	}
	return s, nil
})

// leafOptions are how kin-openapi checks a value's constraints (format,
// length, range): every error, not just the first, and the string formats
// kin-openapi leaves out added as internal/specserver adds them (a UUID of
// any version, as pydantic accepts).
var leafOptions = []openapi3.SchemaValidationOption{
	openapi3.MultiErrors(),
	openapi3.VisitAsResponse(),
	openapi3.WithStringFormatValidators(specformat.Validators),
}
