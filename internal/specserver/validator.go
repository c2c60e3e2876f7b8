// Package specserver checks HTTP traffic against the pinned openapi.json with
// kin-openapi's openapi3filter, and answers requests with responses built
// from the spec's schemas. The SDK's tests use it as the server side of every
// operation; api/poderotest grows it into a stateful fake.
package specserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/podero-go/podero"
)

var (
	loadOnce sync.Once
	loadDoc  *openapi3.T
	loadErr  error
)

// Doc returns the pinned spec, parsed and validated once per process.
// Callers must not modify it.
func Doc() (*openapi3.T, error) {
	loadOnce.Do(func() {
		loader := openapi3.NewLoader()
		loadDoc, loadErr = loader.LoadFromData(podero.OpenAPIJSON)
		if loadErr == nil {
			loadErr = loadDoc.Validate(context.Background())
		}
		if loadErr != nil {
			loadErr = fmt.Errorf("specserver: pinned openapi.json: %w", loadErr)
		}
	})
	return loadDoc, loadErr
}

// Validator checks requests and responses against the spec.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
}

// NewValidator returns a Validator for the pinned spec.
func NewValidator() (*Validator, error) {
	doc, err := Doc()
	if err != nil {
		return nil, err
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("specserver: route the spec: %w", err)
	}
	return &Validator{doc: doc, router: router}, nil
}

// Call is a request that conforms to the spec.
type Call struct {
	Route      *routers.Route
	PathParams map[string]string
	Body       []byte // the request body as received
	input      *openapi3filter.RequestValidationInput
}

// Operation is the spec's operation the request was routed to.
func (c *Call) Operation() *openapi3.Operation { return c.Route.Operation }

// Problem is an error answer in django-ninja's shape: {"detail": ...}, where
// detail is a string, or for 422 a list of {loc, msg, type}.
type Problem struct {
	Status int
	Detail any
}

func (p *Problem) Error() string {
	if s, ok := p.Detail.(string); ok {
		return fmt.Sprintf("%d: %s", p.Status, s)
	}
	b, _ := json.Marshal(p.Detail)
	return fmt.Sprintf("%d: %s", p.Status, b)
}

// Write sends the problem as a JSON response.
func (p *Problem) Write(w http.ResponseWriter) {
	WriteJSON(w, p.Status, map[string]any{"detail": p.Detail})
}

// ValidationItem is one entry of a django-ninja 422 detail list.
type ValidationItem struct {
	Loc  []string `json:"loc"`
	Msg  string   `json:"msg"`
	Type string   `json:"type"`
}

// Check routes r and validates its path, query, headers and body against
// the spec. Security is left to the caller. The body is read and kept in the
// Call; r.Body is restored so that a handler can read it again.
func (v *Validator) Check(r *http.Request) (*Call, *Problem) {
	route, params, err := v.router.FindRoute(r)
	if err != nil {
		if errors.Is(err, routers.ErrMethodNotAllowed) {
			return nil, &Problem{Status: http.StatusMethodNotAllowed, Detail: "Method Not Allowed"}
		}
		return nil, &Problem{Status: http.StatusNotFound, Detail: "Not Found"}
	}
	var body []byte
	if r.Body != nil {
		body, err = io.ReadAll(r.Body)
		if err != nil {
			return nil, &Problem{Status: http.StatusBadRequest, Detail: "cannot read request body: " + err.Error()}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	input := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			MultiError:         true,
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		},
	}
	err = openapi3filter.ValidateRequest(r.Context(), input)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return nil, &Problem{Status: http.StatusUnprocessableEntity, Detail: validationItems(err)}
	}
	return &Call{Route: route, PathParams: params, Body: body, input: input}, nil
}

// CheckResponse validates a response to c against the spec, status included.
func (v *Validator) CheckResponse(c *Call, status int, header http.Header, body []byte) error {
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: c.input,
		Status:                 status,
		Header:                 header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(context.Background(), in)
}

// validationItems turns openapi3filter's errors into django-ninja's 422
// detail list: loc names where (["body", "name"], ["query", "limit"]).
func validationItems(err error) []ValidationItem {
	var items []ValidationItem
	var multi openapi3.MultiError
	if errors.As(err, &multi) {
		for _, e := range multi {
			items = append(items, validationItems(e)...)
		}
		return items
	}
	var reqErr *openapi3filter.RequestError
	if !errors.As(err, &reqErr) {
		return []ValidationItem{{Loc: []string{"request"}, Msg: err.Error(), Type: "value_error"}}
	}
	var loc []string
	switch {
	case reqErr.Parameter != nil:
		loc = []string{reqErr.Parameter.In, reqErr.Parameter.Name}
	case reqErr.RequestBody != nil:
		loc = []string{"body"}
	default:
		loc = []string{"request"}
	}
	var schemaErrs openapi3.MultiError
	if errors.As(reqErr.Err, &schemaErrs) {
		for _, e := range schemaErrs {
			items = append(items, schemaItem(loc, e, reqErr.Reason))
		}
		return items
	}
	return []ValidationItem{schemaItem(loc, reqErr.Err, reqErr.Reason)}
}

func schemaItem(loc []string, err error, reason string) ValidationItem {
	item := ValidationItem{Loc: loc, Type: "value_error"}
	var se *openapi3.SchemaError
	switch {
	case errors.As(err, &se):
		item.Loc = append(append([]string(nil), loc...), se.JSONPointer()...)
		item.Msg = se.Reason
		if se.SchemaField == "required" {
			item.Type = "missing"
		}
	case err != nil:
		item.Msg = err.Error()
	default:
		item.Msg = reason
	}
	if item.Msg == "" {
		item.Msg = reason
	}
	return item
}

// WriteJSON writes v as a JSON response with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "specserver: encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// BearerToken returns the token of an "Authorization: Bearer ..." header.
func BearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}
