// Package opcall calls the Partner API's operations by their Go names, with
// their parameters and body as JSON values: what the podero command and the
// MCP server (module mcp) have in common. operations.gen.go, which gen
// writes from the spec, has a function per operation that decodes the
// values into the PartnerClient method's typed parameters and calls it, so
// that every call goes through the SDK: its errors, retries and redaction.
package opcall

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/podero-go/podero/api"
)

// Op is one operation.
type Op struct {
	// Name is the Go name, as the PartnerClient method's.
	Name string
	// Method and Path are the route, the path a template.
	Method, Path string
	// Result is what a call returns: "json" (the decoded body, a pointer
	// or a slice), "bytes" (a body that is not JSON) or "none".
	Result string
	// Params are the path parameters in path order, less the organization
	// (the client's), then the query and header parameters.
	Params []Param
	// Body is nil when the operation takes none.
	Body *Body

	call func(ctx context.Context, c *api.PartnerClient, a *Args) (any, error)
}

// Param is a parameter of an operation.
type Param struct {
	// Name is as the spec spells it (user_id, fill-missing).
	Name string
	// In is path, query or header.
	In string
	// Kind is the JSON type of its values: string, integer, number,
	// boolean, or json for anything else.
	Kind     string
	Required bool
	// Secret: a credential (a cue's secret, a wallbox claim token). The
	// SDK redacts it from errors; a front end must not take it where it
	// is echoed or kept (a command line).
	Secret bool
}

// Body is what an operation's request body is.
type Body struct {
	Required bool
	// MediaTypes are those of a body that is not JSON, which is sent as it
	// is; nil for JSON.
	MediaTypes []string
}

// ReadOnly reports whether the operation only reads: a GET.
func (op *Op) ReadOnly() bool { return op.Method == "GET" || op.Method == "HEAD" }

// Operations lists every operation, in the spec's order.
func Operations() []*Op { return slices.Clone(operations) }

// Lookup returns the operation named name, or nil.
func Lookup(name string) *Op {
	for _, op := range operations {
		if op.Name == name {
			return op
		}
	}
	return nil
}

// Args are the values of a call.
type Args struct {
	// Params are the parameters' values by name, as JSON: "…" for a
	// string, 5 for an integer.
	Params map[string]json.RawMessage
	// Body is the request body: JSON, or the bytes to send when the body
	// is not JSON. nil sends none.
	Body []byte
	// ContentType is a body's that is not JSON; the first media type the
	// spec declares when empty.
	ContentType string
	// Options are passed to the PartnerClient method: api.WithRawBody for
	// the body as received (see [Show]), api.WithResponseInfo, ...
	Options []api.CallOption

	op *Op
}

// Call checks args against the operation's parameters and calls it. An
// *InputError reports a value that is missing, unknown or malformed,
// before anything is sent; other errors are the SDK's (*api.Error).
func (op *Op) Call(ctx context.Context, c *api.PartnerClient, args Args) (any, error) {
	for name := range args.Params {
		if !slices.ContainsFunc(op.Params, func(p Param) bool { return p.Name == name }) {
			return nil, &InputError{Param: name, Err: fmt.Errorf("%s has no parameter %s", op.Name, name)}
		}
	}
	for _, p := range op.Params {
		if _, ok := args.Params[p.Name]; p.Required && !ok {
			return nil, &InputError{Param: p.Name, In: p.In, Err: errors.New("missing: it is required")}
		}
	}
	switch {
	case op.Body == nil && args.Body != nil:
		return nil, &InputError{In: "body", Err: fmt.Errorf("%s takes no body", op.Name)}
	case op.Body != nil && op.Body.Required && args.Body == nil:
		return nil, &InputError{In: "body", Err: errors.New("missing: it is required")}
	}
	args.op = op
	return op.call(ctx, c, &args)
}

// InputError is a value of a call that is missing, unknown or malformed.
type InputError struct {
	// Param is the parameter's name; "" for the body.
	Param string
	// In is path, query, header or body.
	In string
	// Field is the body's field, as a dotted path, when the error is in
	// one ("email", "device_model.vin").
	Field string
	Err   error
}

func (e *InputError) Error() string {
	switch {
	case e.Param != "":
		return e.Param + ": " + e.Err.Error()
	case e.Field != "":
		return "body field " + e.Field + ": " + e.Err.Error()
	}
	return "body: " + e.Err.Error()
}

func (e *InputError) Unwrap() error { return e.Err }

// path decodes a path parameter's value into dst.
func (a *Args) path(name string, dst any) error {
	if err := json.Unmarshal(a.Params[name], dst); err != nil {
		return &InputError{Param: name, In: "path", Err: a.valueError(name, err, a.Params[name])}
	}
	return nil
}

// valueError is valueError, without the value of a secret parameter.
func (a *Args) valueError(param string, err error, raw []byte) error {
	for _, p := range a.op.Params {
		if p.Name == param && p.Secret {
			return errors.New("not a valid value (it is a secret, so this message does not show it)")
		}
	}
	return valueError(err, raw)
}

// params decodes the query and header parameters into the operation's
// params struct, whose json names are the parameters'. Each is decoded on
// its own, so that an error names its parameter.
func (a *Args) params(dst any) error {
	for _, p := range a.op.Params {
		raw, ok := a.Params[p.Name]
		if !ok || p.In == "path" {
			continue
		}
		obj, _ := json.Marshal(map[string]json.RawMessage{p.Name: raw})
		if err := strictDecode(obj, dst); err != nil {
			return &InputError{Param: p.Name, In: p.In, Err: a.valueError(p.Name, err, raw)}
		}
	}
	return nil
}

// body decodes the JSON body into dst, refusing fields the body's type does
// not have. The fields of an object are decoded one at a time, so that an
// error names its field.
func (a *Args) body(dst any) error {
	if a.Body == nil {
		return nil
	}
	var fields map[string]json.RawMessage
	_, custom := dst.(json.Unmarshaler)
	if custom || json.Unmarshal(a.Body, &fields) != nil || fields == nil {
		if err := strictDecode(a.Body, dst); err != nil {
			return &InputError{In: "body", Err: valueError(err, a.Body)}
		}
		return nil
	}
	for _, name := range sortedKeys(fields) {
		obj, _ := json.Marshal(map[string]json.RawMessage{name: fields[name]})
		if err := strictDecode(obj, dst); err != nil {
			field := name
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) && te.Field != "" {
				field = te.Field
			}
			if strings.HasPrefix(err.Error(), "json: unknown field ") {
				return &InputError{In: "body", Field: field, Err: errors.New("unknown field: " + bodyTypeName(dst) + " has no such field")}
			}
			return &InputError{In: "body", Field: field, Err: valueError(err, fields[name])}
		}
	}
	return nil
}

// rawBody is a body that is not JSON, with its media type.
//
//lint:ignore U1000 operations.gen.go calls it for an operation whose body is not JSON; the pinned spec has none today.
func (a *Args) rawBody() (string, []byte) {
	ct := a.ContentType
	if ct == "" && a.op.Body != nil && len(a.op.Body.MediaTypes) > 0 {
		ct = a.op.Body.MediaTypes[0]
	}
	return ct, a.Body
}

func strictDecode(data []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber() // a number in a free-form field keeps its digits
	if err := dec.Decode(dst); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}

// valueError says what is wrong with a value in words a person can act on.
func valueError(err error, raw []byte) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return fmt.Errorf("want %s, got %s %s", typeWords(te.Type), article(te.Value), shorten(raw))
	case errors.As(err, &se):
		return fmt.Errorf("not valid JSON: %v", se)
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	return fmt.Errorf("%s is not valid: %s", shorten(raw), msg)
}

func typeWords(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}

func article(jsonType string) string {
	switch jsonType {
	case "array", "object", "":
		return "an " + jsonType
	case "number", "string", "bool":
		return "a " + jsonType
	}
	return jsonType // "number 1.5", as encoding/json reports a fraction for an integer
}

// shorten quotes a value for a message, cut to a readable length.
func shorten(raw []byte) string {
	s := strings.TrimSpace(string(raw))
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

func bodyTypeName(dst any) string {
	t := reflect.TypeOf(dst)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// urlSecretRE matches the value of a query or fragment parameter whose
// name says it is a credential, whatever its case or prefix (secret,
// cue_secret, access_token, X-Amz-Signature): a pending action's
// resolution_link.url carries its cue's secret so, and a server may send
// other links, in properties the spec does not declare too.
var urlSecretRE = regexp.MustCompile(`(?i)([?&#;][\w.-]*(?:secret|token|password|passwd|signature|sig)=)[^&#\s"]+`)

// urlPasswordRE matches the password in a URL's userinfo
// (https://user:password@host), which the SDK's String methods drop.
var urlPasswordRE = regexp.MustCompile(`(?i)(\b[a-z][a-z0-9+.-]*://[^/?#@\s:"]*:)[^/?#@\s"]+@`)

// RedactURLSecrets replaces the secrets in the URLs of a result's strings
// with [redacted], as the SDK's String methods do, before a front end
// shows it: a result is printed, logged, and read by models. A cue
// operation takes the secret from the device as the SDK reads it
// (api.PendingAction.ResolutionURL), not from a front end's output.
func RedactURLSecrets(data []byte) []byte {
	data = urlSecretRE.ReplaceAll(data, []byte("${1}[redacted]"))
	return urlPasswordRE.ReplaceAll(data, []byte("${1}[redacted]@"))
}
