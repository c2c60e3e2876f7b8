package api

// The generated client comes from the pinned ../openapi.json; see gen/, a
// module of its own (so the SDK's go.mod does not require oapi-codegen).
//go:generate go run -C ../gen . generate
