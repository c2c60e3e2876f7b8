package raw

import (
	"strings"

	"github.com/oapi-codegen/runtime"

	"github.com/podero-go/podero/api"
)

// stylePathParam is runtime.StyleParamWithOptions for the path parameters
// of the request builders (NewXRequest), which gen points here: the same
// styling, but a value that is empty, "." or ".." can no longer take the
// request to another route ("by-ext-id/.." would be the list of users).
func stylePathParam(style string, explode bool, name string, value any, opts runtime.StyleParamOptions) (string, error) {
	s, err := runtime.StyleParamWithOptions(style, explode, name, value, opts)
	if err != nil {
		return "", err
	}
	switch s {
	case "":
		return "", &api.Error{Message: "path parameter " + name + " is empty"}
	case ".", "..":
		// Dot-segments, which URL resolution removes: encoded, they are a
		// segment that decodes back to the value.
		return strings.Repeat("%2E", len(s)), nil
	}
	return s, nil
}
