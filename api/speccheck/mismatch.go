package speccheck

import (
	"fmt"
	"log/slog"
)

// Kind is what is wrong where a response differs from the spec.
type Kind string

// The kinds of mismatch.
const (
	// UndeclaredProperty: the object has a property its schema does not
	// declare (and the schema allows no additional properties).
	UndeclaredProperty Kind = "undeclared-property"
	// WrongType: the value is of a JSON type the schema does not allow.
	WrongType Kind = "wrong-type"
	// NotInEnum: the value is not one of the schema's enum values (or a
	// discriminator's mapping keys).
	NotInEnum Kind = "not-in-enum"
	// UnexpectedNull: null where the schema does not allow it.
	UnexpectedNull Kind = "unexpected-null"
	// MissingRequired: a property the schema requires is absent.
	MissingRequired Kind = "missing-required"
	// InvalidValue: the value is of the right type but breaks a constraint
	// of its schema: its format, length or range.
	InvalidValue Kind = "invalid-value"
	// UndeclaredStatus: the operation does not declare the status.
	UndeclaredStatus Kind = "undeclared-status"
	// UndeclaredContentType: the response has a media type the status
	// does not declare, or a body where it declares none.
	UndeclaredContentType Kind = "undeclared-content-type"
	// InvalidBody: the status declares a JSON body, and the body is empty or
	// not JSON.
	InvalidBody Kind = "invalid-body"
	// NaiveDateTime: a date-time without a zone offset (2026-03-01T12:00:00,
	// as pydantic writes a datetime that has none), where the spec declares
	// format date-time, which RFC 3339 says has one. The SDK reads it as UTC,
	// as the guides say every time is, so a call does not fail; the report
	// says the API's times may not be what the spec promises.
	NaiveDateTime Kind = "naive-date-time"
	// IntegerAsFloat: an integer written with a fraction or an exponent (1.0,
	// 1e2), as Python writes a float that holds a whole number, where the
	// spec declares an integer. JSON Schema counts it an integer and the SDK
	// decodes it exactly, but a stricter client (encoding/json into an int)
	// refuses it.
	IntegerAsFloat Kind = "integer-as-float"
)

// Mismatch is one way a response differs from the pinned spec. It never
// holds a value from the response: only where (Pointer) and what the spec
// wants there, and the JSON type that was found instead.
type Mismatch struct {
	// Operation is the SDK's Go name for the operation, as in
	// api.Operations; OperationID is the spec's operationId.
	Operation, OperationID string
	// Method and Path are the operation's, Path as a template.
	Method, Path string
	// Status is the response's HTTP status.
	Status int
	// Pointer is where in the body, as an RFC 6901 JSON pointer whose
	// array indexes are all "*": "/items/*/energy_charged_kwh". It is ""
	// for the response as a whole (a status or a content type).
	Pointer string
	// Schema is the spec's component schema the mismatch is in, such as
	// "ElectricVehicleOutput", or "" when the response's schema is inline.
	Schema string
	Kind   Kind
	// Expected is what the spec declares there: a JSON type ("integer",
	// "string or null"), an enum's values, a constraint ("format
	// date-time"), the statuses or media types it declares.
	Expected string
	// Got is what the response has instead, never its value: the JSON type
	// ("string", "null", ...), "absent", the status's class, or the media
	// type.
	Got string
}

// String describes m in a line, such as
// "GetElectricVehicle 200 /firmware_channel: undeclared-property (spec: not
// declared; got string)".
func (m Mismatch) String() string {
	at := m.Pointer
	if at == "" {
		at = "(response)"
	}
	return fmt.Sprintf("%s %d %s: %s (spec: %s; got %s)", m.Operation, m.Status, at, m.Kind, m.Expected, m.Got)
}

// key identifies a distinct mismatch: the same one in another response,
// or at another index of the same array, is not reported again.
type key struct {
	method, path string
	status       int
	pointer      string
	kind         Kind
}

func (m *Mismatch) key() key {
	return key{method: m.Method, path: m.Path, status: m.Status, pointer: m.Pointer, kind: m.Kind}
}

// attrs are m as log attributes.
func (m *Mismatch) attrs() []slog.Attr {
	return []slog.Attr{
		slog.String("operation", m.Operation),
		slog.String("method", m.Method),
		slog.String("path", m.Path),
		slog.Int("status", m.Status),
		slog.String("pointer", m.Pointer),
		slog.String("schema", m.Schema),
		slog.String("kind", string(m.Kind)),
		slog.String("expected", m.Expected),
		slog.String("got", m.Got),
	}
}
