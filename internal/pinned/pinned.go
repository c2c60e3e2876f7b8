// Package pinned holds the pinned OpenAPI document of the Podero Partner
// API, for the packages that check traffic against it (specserver under the
// tests and poderotest, api/speccheck in a service).
//
// openapi.json here is a byte-for-byte copy of the repository's pinned
// openapi.json, written by `make generate` and checked by `make
// check-generate`. It is embedded from this package rather than from the
// module's root, whose tools.go pins the generator and linters, so that no
// package a service imports reaches the root package or a tool.
package pinned

import _ "embed"

// OpenAPIJSON is the pinned openapi.json, byte for byte.
//
//go:embed openapi.json
var OpenAPIJSON []byte
