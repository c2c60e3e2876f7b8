package api

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/podero-go/podero/internal/snippet"
	"github.com/podero-go/podero/oauth"
)

// MaxErrorBody is how much of an error response's body an [Error] keeps.
const MaxErrorBody = 64 << 10

// Error is the error of every call of a [PartnerClient] that does not
// return its result:
//
//   - a response that is not a 2xx: StatusCode, Message (the server's),
//     Payload, Body;
//   - a 2xx whose body is not what the spec declares (not JSON, not
//     decodable, null, without a required field): StatusCode, a Message
//     that says what is wrong, Body, and Err;
//   - no response at all (a connection that failed, a timeout, no access
//     token, a call refused before sending): StatusCode 0 and Err, the cause.
//
// The raw client (oapi-codegen's, on the same transport) gets an *Error for
// the same failures of the exchange and for a 2xx whose JSON body is not
// well-formed. One exception: a well-formed 2xx body whose values do not
// fit the generated types (a string where the spec has an integer) fails
// in oapi-codegen's Parse<Name>Response, which returns encoding/json's
// error (a *json.UnmarshalTypeError naming the Go type and field) as is.
//
// Use errors.As to get it, or the predicates [IsNotFound],
// [IsUnauthorized], [IsConflict], [IsRateLimited], [IsValidation],
// [IsTimeout] and [IsRetryable]; [AsPayload] and the generated accessors
// ([BoostConflict]) read a declared error body. errors.Is sees through it
// to Err (context.Canceled, say), but an attempt's own timeout is not
// context.DeadlineExceeded (see IsTimeout).
//
// No secret of the request (the bearer token, a secret path or query
// parameter, the client credentials) is in any of its fields, its cause's
// text or any print form of it: what the server echoed is redacted.
type Error struct {
	// Operation is the Go name of the call (such as "GetElectricVehicle"),
	// or "" for a path the spec does not have.
	Operation string
	// Method and Path are the request's, without the query string (which
	// can carry secrets, such as a cue's).
	Method string
	Path   string
	// StatusCode is the HTTP status, or 0 when there was no response.
	StatusCode int
	// Message is what the server said: django-ninja's {"detail": "..."},
	// the validation messages of a 422, the reason of a declared error
	// body ("already_charging"), or a short description of a body that is
	// not JSON.
	Message string
	// Validation holds a 422's {"detail": [{"loc", "msg", "type"}]} items.
	Validation []ValidationError
	// Payload is the error body the spec declares for this operation and
	// status, decoded into its generated type (*BoostConflictOutput for a
	// boost's 409), or nil.
	Payload any
	// Body is the raw response body, at most MaxErrorBody bytes.
	Body []byte
	// RequestID is the server's request id, if it sent one, with the
	// request's secrets cut out (a gateway may echo the request URI in it).
	RequestID string
	// RetryAfter is the server's Retry-After, if it sent one.
	RetryAfter time.Duration
	// Attempts is how many times the request was sent.
	Attempts int
	// Err is the cause, when there is one beyond the status: a network
	// error, an *oauth.TokenError, a decoding error, the context's error.
	// A cause whose text quoted a secret is replaced by one with the text
	// redacted, which answers errors.Is as the cause does but not
	// errors.As.
	Err error

	retry  bool        // a failure without a response that may pass if sent again
	header http.Header // the response's, redacted (see redactHeader), for ResponseInfo
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// GoString prints e's exported fields as Go syntax, Err as its text: %#v
// shows what %v shows, no more (no headers, no cause's innards).
func (e *Error) GoString() string {
	if e == nil {
		return "(*api.Error)(nil)"
	}
	type fields struct {
		Operation, Method, Path string
		StatusCode              int
		Message                 string
		Validation              []ValidationError
		Payload                 any
		RequestID               string
		RetryAfter              time.Duration
		Attempts                int
	}
	s := fmt.Sprintf("%#v", fields{e.Operation, e.Method, e.Path, e.StatusCode, e.Message, e.Validation, e.Payload, e.RequestID, e.RetryAfter, e.Attempts})
	_, s, _ = strings.Cut(s, "{")
	cause := "error(nil)"
	if e.Err != nil {
		cause = fmt.Sprintf("errors.New(%q)", e.Err.Error())
	}
	return fmt.Sprintf("&api.Error{%s, Body:[]byte(%q), Err:%s}", strings.TrimSuffix(s, "}"), e.Body, cause)
}

// ValidationError is one item of a 422 answer.
type ValidationError struct {
	// Loc is where: ["body", "email"], ["query", "limit"], ...
	Loc []string
	// Msg says what is wrong, Type is pydantic's error type.
	Msg, Type string
}

func (v ValidationError) String() string {
	if len(v.Loc) == 0 {
		return v.Msg
	}
	return strings.Join(v.Loc, ".") + ": " + v.Msg
}

// Error returns one line that names the call by its operation (the path,
// with its ids, is in Path, and %+v prints it), the status, what the
// server said (a 409's reason, a 422's first items), the request id, and
// what to do where that is known:
//
//	podero: GetElectricVehicle: 404 Not Found (request id 5f1c…)
//	podero: TriggerElectricVehicleBoost: 409 Conflict: already_charging
//	podero: ListUsers: 429 Too Many Requests; retry after 7s
//	podero: GetUser: attempt 4 timed out after 60s (Config.Timeout) (retryable)
func (e *Error) Error() string { return e.text(false) }

// Format prints [Error.Error] for %v, %s and %q, [Error.GoString] for %#v,
// and for %+v the line with the request's method and path after the
// operation.
func (e *Error) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		io.WriteString(f, e.GoString())
	case verb == 'v' && f.Flag('+'):
		io.WriteString(f, e.text(true))
	case verb == 'q':
		fmt.Fprintf(f, "%q", e.text(false))
	default:
		io.WriteString(f, e.text(false))
	}
}

// Bounds of the parts of an error line that come from the server, so that
// the line stays readable: Message is kept whole in the field.
const (
	maxLineMessage   = 150
	maxLineRequestID = 48
	maxLineItems     = 2 // a 422's validation items
)

func (e *Error) text(long bool) string {
	var b strings.Builder
	b.WriteString("podero: ")
	switch {
	case e.Operation == "":
		b.WriteString(e.Method + " " + e.Path)
	case long:
		b.WriteString(e.Operation + " (" + e.Method + " " + e.Path + ")")
	default:
		b.WriteString(e.Operation)
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": %d", e.StatusCode)
		if text := http.StatusText(e.StatusCode); text != "" {
			b.WriteString(" " + text)
		}
	}
	if msg := e.lineMessage(); msg != "" {
		b.WriteString(": " + msg)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + snippet.Of([]byte(e.RequestID), maxLineRequestID) + ")")
	}
	if e.Attempts > 1 && !IsTimeout(e.Err) { // a timeout's message says which attempt
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if hint := e.hint(); hint != "" {
		b.WriteString("; " + hint)
	}
	if e.StatusCode == 0 && e.Attempts > 0 {
		if e.retry {
			b.WriteString(" (retryable)")
		} else {
			b.WriteString(" (not retryable)")
		}
	}
	return b.String()
}

// lineMessage is Message as the error line shows it: without a repeat of
// the status text ("404 Not Found", not "404 Not Found: Not Found"), a
// 422's first items only, bounded.
func (e *Error) lineMessage() string {
	if n := len(e.Validation); n > maxLineItems {
		items := make([]string, maxLineItems)
		for i := range items {
			items[i] = e.Validation[i].String()
		}
		return snippet.Of([]byte(strings.Join(items, "; ")), maxLineMessage) + fmt.Sprintf(" (+%d more)", n-maxLineItems)
	}
	msg := strings.TrimSuffix(strings.TrimSpace(e.Message), ".")
	if e.StatusCode != 0 && strings.EqualFold(msg, http.StatusText(e.StatusCode)) {
		return ""
	}
	return snippet.Of([]byte(msg), maxLineMessage)
}

// hint says what to do, where the failure tells.
func (e *Error) hint() string {
	switch {
	case e.RetryAfter > 0 && (e.StatusCode == http.StatusTooManyRequests || e.StatusCode == http.StatusServiceUnavailable):
		return "retry after " + shortDuration((e.RetryAfter + time.Second - 1).Truncate(time.Second))
	case IsUnauthorized(e):
		return "check the client credentials"
	}
	return ""
}

// shortDuration prints d as a person writes it: "60s", "20ms", not "1m0s".
func shortDuration(d time.Duration) string {
	switch {
	case d >= time.Second && d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	case d >= time.Millisecond && d < time.Second && d%time.Millisecond == 0:
		return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
	}
	return d.String()
}

// attemptTimeout is the cause of a call whose attempt ran out of its own
// time ([Config.Timeout] or [WithTimeout]) while the caller's context was
// alive. It does not wrap context.DeadlineExceeded: errors.Is(err,
// context.DeadlineExceeded) stays the caller's deadline only. It is a
// net.Error whose Timeout is true.
type attemptTimeout struct {
	attempt int
	after   time.Duration
	setting string // "Config.Timeout" or "WithTimeout"
}

func (t *attemptTimeout) Error() string {
	return fmt.Sprintf("attempt %d timed out after %s (%s)", t.attempt, shortDuration(t.after), t.setting)
}
func (t *attemptTimeout) Timeout() bool   { return true }
func (t *attemptTimeout) Temporary() bool { return true }

// IsNotFound reports whether err is an [Error] with status 404.
func IsNotFound(err error) bool { return hasStatus(err, http.StatusNotFound) }

// IsUnauthorized reports whether the call failed for its credentials: an
// [Error] with status 401 (after the one re-authentication the client tries),
// or a token endpoint that refused the client credentials (an
// *oauth.TokenError with status 400 or 401, or the OAuth errors
// invalid_client, unauthorized_client and invalid_grant).
func IsUnauthorized(err error) bool {
	if hasStatus(err, http.StatusUnauthorized) {
		return true
	}
	var te *oauth.TokenError
	if !errors.As(err, &te) {
		return false
	}
	switch te.ErrorCode {
	case "invalid_client", "unauthorized_client", "invalid_grant":
		return true
	}
	return te.StatusCode == http.StatusUnauthorized || (te.StatusCode == http.StatusBadRequest && te.ErrorCode == "")
}

// IsConflict reports whether err is an [Error] with status 409, such as a
// boost on a vehicle that is already charging.
func IsConflict(err error) bool { return hasStatus(err, http.StatusConflict) }

// IsRateLimited reports whether err is an [Error] with status 429.
func IsRateLimited(err error) bool { return hasStatus(err, http.StatusTooManyRequests) }

// IsValidation reports whether err is an [Error] with status 422: the
// request did not pass the server's validation.
func IsValidation(err error) bool { return hasStatus(err, http.StatusUnprocessableEntity) }

// IsTimeout reports whether err is an [Error] of a call whose last attempt
// ran out of its per-attempt time, [Config.Timeout] or [WithTimeout],
// while the caller's context was alive; such a call is retryable.
//
// It is told apart from the caller's own deadline: that one ends the call
// with errors.Is(err, context.DeadlineExceeded) true and IsTimeout false,
// while an attempt's timeout gives IsTimeout true and errors.Is(err,
// context.DeadlineExceeded) false (the caller's context did not end, so
// the caller may well try again). A timeout of Config.HTTPClient's own is
// net/http's error, as net/http reports it.
func IsTimeout(err error) bool {
	var t *attemptTimeout
	return errors.As(err, &t)
}

// IsRetryable reports whether trying again later may succeed: an [Error]
// whose status the client retries (408, 429, 502, 503, 504), or one without a
// response whose cause is transient (a connection that failed or broke, an
// attempt that timed out). It is false when the call's own context ended.
func IsRetryable(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	if e.StatusCode == 0 {
		return e.retry
	}
	return retryStatus(e.StatusCode)
}

func hasStatus(err error, status int) bool {
	var e *Error
	return errors.As(err, &e) && e.StatusCode == status
}

// newError builds the Error for a response whose body has been read. token
// is the access token the request carried and secrets the values of its
// secret query parameters (see operation.secretQuery): a server that echoes
// them (a "Token <token> is expired") must not put them into the error.
func newError(operation, method, path string, status int, header http.Header, body []byte, token string, secrets ...string) *Error {
	if len(body) > MaxErrorBody {
		body = body[:MaxErrorBody]
	}
	body = bytes.Clone(body) // the read buffer may be reused
	if len(token) >= minTokenLen && bytes.Contains(body, []byte(token)) {
		body = bytes.ReplaceAll(body, []byte(token), []byte(redactedToken))
	}
	for _, f := range secretForms(secrets) {
		body = bytes.ReplaceAll(body, []byte(f), []byte(redactedSecret))
	}
	header = redactHeader(header, token, secrets)
	e := &Error{
		Operation:  operation,
		Method:     method,
		Path:       path,
		StatusCode: status,
		Body:       body,
		RequestID:  requestID(header),
		Attempts:   1,
		header:     header,
	}
	e.RetryAfter, _ = retryAfter(header, time.Now())
	e.Message, e.Validation = errorMessage(body, header.Get("Content-Type"))
	if operation != "" {
		e.Payload = errorPayload(operation, status, body)
		if r := payloadReason(e.Payload); r != "" && len(e.Validation) == 0 {
			e.Message = r // "already_charging", not the body's JSON
		}
	}
	return e
}

// redactedToken stands in for an access token a server echoed, and
// redactedSecret for another credential of a request (a cue's secret, a
// claim token).
const (
	redactedToken  = "[redacted token]"
	redactedSecret = "[redacted]"
)

// redact removes token and secrets from s.
func redact(s, token string, secrets []string) string {
	return redactForms(s, token, secretForms(secrets))
}

// redactForms removes token and the forms of the secrets (see secretForms)
// from s. A token shorter than minTokenLen is left alone: it is a test's
// ("t"), and would be cut out of every word.
func redactForms(s, token string, forms []string) string {
	if len(token) >= minTokenLen {
		s = strings.ReplaceAll(s, token, redactedToken)
	}
	for _, f := range forms {
		s = strings.ReplaceAll(s, f, redactedSecret)
	}
	return s
}

// redactBody cuts token and the forms of secrets out of a response body
// (WithRedactedRawBody): as errors do, and also with "/" written "\/", as a
// JSON encoder may write it inside a string.
func redactBody(body []byte, token string, secrets []string) []byte {
	var forms []string
	if len(token) >= minTokenLen {
		forms = append(forms, token)
	}
	forms = append(forms, secretForms(secrets)...)
	for _, f := range forms {
		repl := []byte(redactedSecret)
		if f == token {
			repl = []byte(redactedToken)
		}
		if bytes.Contains(body, []byte(f)) {
			body = bytes.ReplaceAll(body, []byte(f), repl)
		}
		if esc := strings.ReplaceAll(f, "/", `\/`); esc != f && bytes.Contains(body, []byte(esc)) {
			body = bytes.ReplaceAll(body, []byte(esc), repl)
		}
	}
	return body
}

// redactErr returns err, or, when its text holds a secret, an error whose
// text is redacted. That error answers errors.Is as err does
// (context.Canceled, say), but gives neither errors.As nor Unwrap the
// original, whose text (or fields) would show the secret.
func redactErr(err error, token string, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if r := redact(msg, token, secrets); r != msg {
		return &redactedError{msg: r, cause: err}
	}
	return err
}

type redactedError struct {
	msg   string
	cause error
}

func (e *redactedError) Error() string        { return e.msg }
func (e *redactedError) GoString() string     { return fmt.Sprintf("errors.New(%q)", e.msg) }
func (e *redactedError) Is(target error) bool { return errors.Is(e.cause, target) }

// credentialHeader reports the response headers that carry credentials by their
// nature (a cookie the server sets, a challenge that may quote the token):
// ResponseInfo and Error show them masked, whatever their value.
func credentialHeader(key string) bool {
	switch key {
	case "Authorization", "Www-Authenticate", "Set-Cookie", "Set-Cookie2", "Cookie":
		return true
	}
	return strings.HasPrefix(key, "Proxy-")
}

// redactHeader returns a copy of h fit to show: the credential headers
// masked, and the token and secrets redacted from every other value (a
// gateway may echo the request's URI or Authorization header in any of
// them).
func redactHeader(h http.Header, token string, secrets []string) http.Header {
	if h == nil {
		return nil
	}
	forms := secretForms(secrets)
	out := make(http.Header, len(h))
	for k, vs := range h {
		c := make([]string, len(vs))
		for i, v := range vs {
			switch {
			case credentialHeader(textproto.CanonicalMIMEHeaderKey(k)):
				c[i] = redactedSecret
			default:
				c[i] = redactForms(v, token, forms)
			}
		}
		out[k] = c
	}
	return out
}

// secretForms are the forms in which a server may echo the secrets: as
// sent (query-escaped), path-escaped, or decoded; longest first, so that
// no form leaves a part of a longer one. A value shorter than
// minSecretLen is left alone.
func secretForms(secrets []string) []string {
	if len(secrets) == 0 {
		return nil
	}
	var forms []string
	for _, v := range secrets {
		if len(v) >= minSecretLen {
			forms = append(forms, v, url.QueryEscape(v), url.PathEscape(v))
		}
	}
	slices.SortFunc(forms, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return slices.Compact(forms)
}

// minSecretLen is the shortest value redacted as a secret. The secrets are
// found by parameter name ("token", "secret"), which also takes in
// parameters such as a page token; a short value of one ("1", "string")
// would otherwise be cut out of every word of an error body that contains
// it, and the payload decoded from the result. Podero's cue secrets and
// claim tokens are far longer.
const minSecretLen = 8

// minTokenLen is the shortest access token redacted (see redactForms).
const minTokenLen = 6

// requestSecrets are the values of op's secret path and query parameters
// in u, for redaction: as sent, and decoded. It costs nothing for an
// operation without secrets.
func requestSecrets(op *operation, u *url.URL) []string {
	if len(op.secretPath) == 0 && len(op.secretQuery) == 0 {
		return nil
	}
	var out []string
	add := func(v string, unescape func(string) (string, error)) {
		if v == "" {
			return
		}
		out = append(out, v)
		if dec, err := unescape(v); err == nil && dec != v {
			out = append(out, dec)
		}
	}
	if len(op.secretPath) > 0 {
		// The request path has the template's segments, one per parameter
		// (see appendSegment).
		tmpl, segs := strings.Split(op.path, "/"), strings.Split(u.EscapedPath(), "/")
		for i, t := range tmpl {
			if i < len(segs) && strings.HasPrefix(t, "{") && slices.Contains(op.secretPath, strings.Trim(t, "{}")) {
				add(segs[i], url.PathUnescape)
			}
		}
	}
	for raw := u.RawQuery; raw != "" && len(op.secretQuery) > 0; {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(kv, "=")
		if k, err := url.QueryUnescape(k); err == nil && slices.Contains(op.secretQuery, k) {
			add(v, url.QueryUnescape)
		}
	}
	return out
}

// decodePayload decodes body into a new T, for errorPayload (generated):
// a *T, or nil (not a nil *T) when it does not decode.
func decodePayload[T any](body []byte) any {
	v := new(T)
	if json.Unmarshal(body, v) != nil {
		return nil
	}
	return v
}

// AsPayload returns the error body of err, an [*Error], as a T, and whether
// it is one: T is the type the spec declares for the operation and status,
// such as *BoostConflictOutput for a boost's 409. For each declared type
// there is a generated accessor as well, such as [BoostConflict].
//
//	if c, ok := api.AsPayload[*api.BoostConflictOutput](err); ok {
//		fmt.Println("no boost:", c.GetReason())
//	}
func AsPayload[T any](err error) (T, bool) {
	var e *Error
	if errors.As(err, &e) {
		if p, ok := e.Payload.(T); ok {
			return p, true
		}
	}
	var zero T
	return zero, false
}

// requestIDHeaders are the headers servers commonly put a request id in.
var requestIDHeaders = []string{"X-Request-Id", "X-Correlation-Id", "X-Amzn-Trace-Id", "Cf-Ray"}

func requestID(h http.Header) string {
	for _, k := range requestIDHeaders {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// errorMessage reads django-ninja's error bodies: {"detail": "..."} and
// the 422 {"detail": [{"loc": [...], "msg": "...", "type": "..."}]}. For
// any other body it says what the body is, briefly, so the message stays
// readable for an HTML error page.
func errorMessage(body []byte, contentType string) (string, []ValidationError) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return "", nil
	}
	var doc struct {
		Detail json.RawMessage `json:"detail"`
	}
	if trimmed[0] == '{' && json.Unmarshal(trimmed, &doc) == nil && len(doc.Detail) > 0 {
		var s string
		if json.Unmarshal(doc.Detail, &s) == nil {
			return s, nil
		}
		var items []struct {
			Loc  []any  `json:"loc"`
			Msg  string `json:"msg"`
			Type string `json:"type"`
		}
		if json.Unmarshal(doc.Detail, &items) == nil {
			out := make([]ValidationError, len(items))
			msgs := make([]string, len(items))
			for i, it := range items {
				out[i] = ValidationError{Msg: it.Msg, Type: it.Type}
				for _, l := range it.Loc {
					out[i].Loc = append(out[i].Loc, locString(l))
				}
				msgs[i] = out[i].String()
			}
			return strings.Join(msgs, "; "), out
		}
	}
	lower := bytes.ToLower(trimmed[:min(len(trimmed), 512)])
	if strings.Contains(contentType, "html") || bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html")) {
		if title := htmlTitle(trimmed); title != "" {
			return "the server sent an HTML page (" + title + "), not JSON: a proxy or gateway error", nil
		}
		return "the server sent an HTML page, not JSON: a proxy or gateway error", nil
	}
	return snippet.Of(trimmed, 200), nil
}

func locString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

func htmlTitle(body []byte) string {
	lower := bytes.ToLower(body)
	start := bytes.Index(lower, []byte("<title>"))
	if start < 0 {
		return ""
	}
	start += len("<title>")
	end := bytes.Index(lower[start:], []byte("</title>"))
	if end < 0 {
		return ""
	}
	return snippet.Of(bytes.TrimSpace(body[start:start+end]), 100)
}
