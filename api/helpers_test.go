package api_test

import (
	"github.com/google/uuid"
	"golang.org/x/oauth2"
)

// The tests in this directory use httptest and the standard library only;
// those on poderotest or the spec-validating server are in
// internal/apitest, so that a service's go mod tidy, which reads the tests
// of the packages it imports, does not download kin-openapi (issue 24).

// id is the UUID the tests use for every organization, user and device.
var id = uuid.MustParse("3fa85f64-5717-4562-b3fc-2c963f66afa6")

// staticToken is a token source of one token.
func staticToken(tok string) oauth2.TokenSource {
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok})
}
