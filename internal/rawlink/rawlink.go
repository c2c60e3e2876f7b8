// Package rawlink lets package api/raw reach a PartnerClient's transport
// without a method on PartnerClient that api's users would see: api
// registers, in an init function, how to get a client's base URL and
// transport, and raw.New asks for them. It is keyed by the client's type, so
// that the packages gen writes for other specs (its corpus, which one test
// binary links together) each register their own.
package rawlink

import (
	"net/http"
	"reflect"
	"sync"
)

// Doer sends a request: oapi-codegen's HttpRequestDoer.
type Doer interface {
	Do(req *http.Request) (*http.Response, error)
}

var links sync.Map // reflect.Type of *C -> func(*C) (string, Doer)

// Register records how to reach the transport of a client of type *C: its
// base URL, without a trailing slash, and the Doer that sends its requests.
func Register[C any](transport func(*C) (base string, d Doer)) {
	links.Store(reflect.TypeFor[*C](), transport)
}

// Transport returns c's base URL and transport, as Register recorded them.
// It panics if c is nil or its type was never registered, which is a bug of
// the generated code, not of its caller.
func Transport[C any](c *C) (base string, d Doer) {
	if c == nil {
		panic("rawlink: a nil " + reflect.TypeFor[*C]().String())
	}
	f, ok := links.Load(reflect.TypeFor[*C]())
	if !ok {
		panic("rawlink: no transport registered for " + reflect.TypeFor[*C]().String())
	}
	return f.(func(*C) (string, Doer))(c)
}
