// Package pinned holds the pinned OpenAPI document of the Podero Partner
// API, for the packages that check traffic against it (specserver under the
// tests and poderotest, api/speccheck in a service).
//
// openapi.json here is a byte-for-byte copy of the repository's pinned
// openapi.json, written by `make generate` and checked by `make
// check-generate`. The module's root has no package to embed it from
// (go:embed cannot reach a parent directory), hence the copy.
package pinned

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/podero-go/podero/internal/specformat"
)

// OpenAPIJSON is the pinned openapi.json, byte for byte.
//
//go:embed openapi.json
var OpenAPIJSON []byte

// Doc returns the pinned spec, parsed and validated (specformat.LoadDoc)
// once per process, the first time it is needed, for every package that
// uses it. Callers must not modify it.
var Doc = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := specformat.LoadDoc(OpenAPIJSON)
	if err != nil {
		return nil, fmt.Errorf("the pinned openapi.json: %w", err)
	}
	return doc, nil
})
