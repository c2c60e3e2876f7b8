// Package apitest holds the tests of package api that run against
// api/poderotest or the spec-validating server (internal/specserver), and
// so import kin-openapi. They live here, not in api/, because `go mod tidy`
// in a service reads the tests of the packages the service imports: from
// api/, they would put kin-openapi and its dependencies in every service's
// go.sum and module cache (issue 24). The tests in api/ itself use only
// httptest and the standard library.
//
// The package has no code of its own; its tests are package apitest_test
// and see package api as a user does.
package apitest
