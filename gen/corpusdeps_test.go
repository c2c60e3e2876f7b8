package main

// The clients TestCorpusBuild writes into testdata/build (see
// corpus_test.go) import the SDK's runtime libraries, and their test the
// conformance test and its spec server; they are built in gen's module. go
// mod tidy does not read testdata, so these imports keep what they need in
// gen's go.mod and go.sum.
import (
	_ "github.com/go-faster/jx"
	_ "github.com/google/uuid"
	_ "github.com/oapi-codegen/nullable"
	_ "github.com/oapi-codegen/runtime"
	_ "github.com/oapi-codegen/runtime/types"
	_ "golang.org/x/oauth2"

	_ "github.com/podero-go/podero/internal/conformance"
	_ "github.com/podero-go/podero/internal/specserver"
)
