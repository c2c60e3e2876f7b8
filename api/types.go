package api

import (
	"time"

	"github.com/google/uuid"
	"github.com/oapi-codegen/nullable"
	openapi_types "github.com/oapi-codegen/runtime/types"
)

// The types the basics need, so that a caller imports only this package.

// UUID is an id: a user's, a device's, an organization's. It is
// github.com/google/uuid's UUID, as the generated types use it.
type UUID = openapi_types.UUID

// ParseUUID parses an id in its canonical form (or any form
// github.com/google/uuid accepts).
func ParseUUID(s string) (UUID, error) { return uuid.Parse(s) }

// Date is a calendar day, as the session lists' from and to take it.
type Date = openapi_types.Date

// NewDate returns the day t falls on, in t's location.
func NewDate(t time.Time) Date {
	return Date{Time: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}

// Nullable is a request field that can be absent (its zero value), an
// explicit null ([Null]) or a value ([Value]): an update sends only the
// fields that are not absent, and null clears a field.
type Nullable[T any] = nullable.Nullable[T]

// Value returns a Nullable holding v, for a request field.
func Value[T any](v T) Nullable[T] { return nullable.NewNullableWithValue(v) }

// Null returns an explicit null, for a request field that is to be cleared.
func Null[T any]() Nullable[T] { return nullable.NewNullNullable[T]() }

// Ptr returns a pointer to a copy of v, for an optional field that is a
// pointer (Limit: api.Ptr(50)) and for poderotest's setters.
func Ptr[T any](v T) *T { return &v }
