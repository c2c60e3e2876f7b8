//go:build tools

// This file pins the command-line tools the Makefile runs with `go run`,
// so every machine uses the versions recorded in go.mod and go.sum.
package podero

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	_ "golang.org/x/perf/cmd/benchstat"
	_ "honnef.co/go/tools/cmd/staticcheck"
)
