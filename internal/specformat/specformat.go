// Package specformat holds how the packages that validate traffic against
// the spec (internal/specserver under the tests and poderotest, api/speccheck
// in a service) load a spec and check a value with kin-openapi, so that both
// judge a document and a value alike: the string formats kin-openapi leaves
// out by default, the patterns Go cannot compile, and a few helpers both
// need.
package specformat

import (
	"context"
	"errors"
	"regexp"
	"strings"

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

// ValidateOptions are the options for validating a document
// (openapi3.T.Validate): its patterns compiled with CompilePattern.
var ValidateOptions = []openapi3.ValidationOption{openapi3.SetRegexCompiler(CompilePattern)}

// SchemaOptions are the options for checking a value against a schema
// (VisitJSON, openapi3filter's SchemaValidationOptions): the formats of
// Validators, and patterns compiled with CompilePattern. Callers add their
// own (MultiErrors, VisitAsResponse, ...) after these.
var SchemaOptions = []openapi3.SchemaValidationOption{
	openapi3.WithStringFormatValidators(Validators),
	openapi3.SetSchemaRegexCompiler(CompilePattern),
}

// LoadDoc parses an OpenAPI document and validates it with ValidateOptions.
func LoadDoc(data []byte) (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background(), ValidateOptions...); err != nil {
		return nil, err
	}
	return doc, nil
}

// CompilePattern compiles a schema's pattern with Go's regexp, as
// kin-openapi does, but a pattern Go cannot compile (pydantic's Decimal
// pattern `^(?!^[-+.]*$)[+-]?0*\d*\.?\d*$` has a lookahead) matches
// everything instead of failing the whole document or every value: a
// checker cannot check what Go cannot express, and gen leaves such patterns
// out of the generated code for the same reason.
//
// kin-openapi caches compiled patterns process-wide, by the pattern's text:
// once a pattern has been compiled here, every kin-openapi validation in the
// process that meets the same text uses the same matcher, with these
// options or without them. A match-anything matcher thus leaks to them too.
func CompilePattern(expr string) (openapi3.RegexMatcher, error) {
	re, err := regexp.Compile(GoPattern(expr))
	if err != nil {
		return anything{}, nil
	}
	return re, nil
}

// GoPattern is a schema's pattern in Go's regexp syntax: ECMA-262's \uXXXX
// as \x{XXXX}.
func GoPattern(expr string) string { return codepoint.ReplaceAllString(expr, `\x{${1}}`) }

// codepoint is ECMA-262's \uXXXX, which Go spells \x{XXXX}.
var codepoint = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`)

type anything struct{}

func (anything) MatchString(string) bool { return true }

// IsJSONMedia reports whether a media type (as mime.ParseMediaType returns
// it: lower case, no parameters) is JSON: application/json or a +json
// type.
func IsJSONMedia(media string) bool {
	return media == "application/json" || strings.HasSuffix(media, "+json")
}

// SchemaLeaves returns the innermost schema errors in err: for a nested
// value, the error about the field rather than the one about its object.
func SchemaLeaves(err error) []*openapi3.SchemaError {
	switch e := err.(type) {
	case openapi3.MultiError:
		var leaves []*openapi3.SchemaError
		for _, sub := range e {
			leaves = append(leaves, SchemaLeaves(sub)...)
		}
		return leaves
	case *openapi3.SchemaError:
		var causes openapi3.MultiError
		if e.Origin != nil && errors.As(e.Origin, &causes) {
			if leaves := SchemaLeaves(causes); len(leaves) > 0 {
				return leaves
			}
		}
		return []*openapi3.SchemaError{e}
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		return SchemaLeaves(se)
	}
	return nil
}
