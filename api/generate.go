package api

// The generated client comes from the pinned ../openapi.json; see gen/.
//go:generate go run github.com/podero-go/podero/gen generate
