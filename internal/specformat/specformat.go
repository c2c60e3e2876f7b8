// Package specformat holds the string formats that kin-openapi leaves out by
// default, for the packages that validate traffic against the spec
// (internal/specserver under the tests and poderotest, api/speccheck in a
// service), so that both judge a value alike.
package specformat

import (
	"errors"
	"regexp"

	"github.com/getkin/kin-openapi/openapi3"
)

// Validators are the formats to add: "uuid", a UUID of any version, as
// pydantic's UUID type accepts it.
var Validators = map[string]openapi3.StringFormatValidator{"uuid": uuidFormat{}}

type uuidFormat struct{}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func (uuidFormat) Validate(s string) error {
	if !uuidPattern.MatchString(s) {
		return errors.New("not a valid UUID")
	}
	return nil
}
