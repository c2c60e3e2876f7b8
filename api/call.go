package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-faster/jx"
	"github.com/oapi-codegen/runtime"
)

// This file is the runtime under the generated PartnerClient methods
// (client.gen.go): a method builds a request from its arguments, and one of
// the call functions here sends it and decodes the answer.

// operation is what a generated method knows of its operation.
type operation struct {
	name   string // the Go name
	method string
	path   string // the path template, as in the spec
	auth   bool   // sends the bearer token
	result string // the Go type of the 2xx body, for messages
	// secretPath: path parameters that are credentials (a wallbox claim
	// token), so errors and logs show the path template, not the path, and
	// redact their values from what a server echoes.
	secretPath []string
	// secretQuery: query parameters that are credentials (a cue's
	// secret), whose values errors and logs redact.
	secretQuery []string
}

// refused is the *Error for a call to op that was not sent; path is the
// one errors may show.
func (op *operation) refused(path, msg string, err error) *Error {
	return &Error{Operation: op.name, Method: op.method, Path: path, Message: msg, Err: err}
}

// shownPath is the path errors and logs may show for a request to op.
func (op *operation) shownPath(path string) string {
	if len(op.secretPath) > 0 {
		return op.path
	}
	return path
}

// request is one call's path, query, headers and body, as a generated
// method builds them.
type request struct {
	path        []byte
	query       []byte
	header      [][2]string // header parameters
	cookie      [][2]string // cookie parameters, name and value (see addCookieParam)
	body        []byte      // JSON, or nil
	contentType string      // the body's media type when it is not JSON (a form, a file)
}

var jsonContentType = []string{"application/json"}

// send sends r and returns the 2xx response, read into a pooled buffer that
// the caller gives back with putBody.
func (c *PartnerClient) send(ctx context.Context, op *operation, r *request, opts []CallOption) (*reply, error) {
	o := &noOptions // read only: a call without options allocates none
	if len(opts) > 0 {
		o = applyOptions(opts)
	}
	if o.rawBody != nil {
		*o.rawBody = (*o.rawBody)[:0]
	}
	if o.err != nil {
		o.refused()
		return nil, op.refused(op.shownPath(string(r.path)), o.err.Error(), o.err)
	}
	req, err := c.t.newRequest(ctx, op.method, r)
	if err != nil {
		o.refused()
		return nil, op.refused(op.shownPath(string(r.path)), "build the request: "+err.Error(), err)
	}
	req.Header["User-Agent"] = c.t.userAgent
	switch {
	case r.body != nil && r.contentType != "":
		req.Header.Set("Content-Type", r.contentType)
	case r.body != nil:
		req.Header["Content-Type"] = jsonContentType
	}
	for _, h := range r.header {
		req.Header.Set(h[0], h[1])
	}
	var secrets []string
	if len(r.cookie) > 0 {
		var b strings.Builder
		for i, ck := range r.cookie {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(ck[0])
			b.WriteByte('=')
			b.WriteString(ck[1])
			secrets = append(secrets, ck[1])
		}
		req.Header["Cookie"] = []string{b.String()}
	}
	for _, h := range o.header { // keys canonical already (WithHeader)
		req.Header[h[0]] = append(req.Header[h[0]], h[1])
	}
	if v := req.Header["Cookie"]; len(r.cookie) > 0 && len(v) > 1 {
		// A client sends one Cookie header (RFC 6265 5.4): a cookie the
		// caller adds by WithHeader joins the parameters'.
		req.Header["Cookie"] = []string{strings.Join(v, "; ")}
	}
	rep, err := c.t.send(ctx, &exchange{op: op, req: req, body: r.body, opts: o, pooled: true, secrets: secrets})
	if err == nil && o.rawBody != nil {
		*o.rawBody = append(*o.rawBody, rep.body...)
		if o.rawRedacted {
			*o.rawBody = redactBody(*o.rawBody, rep.token, rep.secrets)
		}
	}
	return rep, err
}

// newRequest is the request of r. When r's path has no escapes (the
// generated methods escape a parameter only where it needs it), its URL is
// the parsed base URL with r's path and query, which saves parsing the whole
// URL again: a tenth of what a call costs the client beyond net/http.
func (t *transport) newRequest(ctx context.Context, method string, r *request) (*http.Request, error) {
	if t.baseURL == nil || bytes.IndexByte(r.path, '%') >= 0 {
		var u strings.Builder // one allocation for base, path and query
		u.Grow(len(t.base) + len(r.path) + 1 + len(r.query))
		u.WriteString(t.base)
		u.Write(r.path)
		if len(r.query) > 0 {
			u.WriteByte('?')
			u.Write(r.query)
		}
		return http.NewRequestWithContext(ctx, method, u.String(), nil)
	}
	req, err := http.NewRequestWithContext(ctx, method, "", nil)
	if err != nil {
		return nil, err
	}
	// The URL that parsing "" allocated is reused, and one string holds the
	// path and the query: no more allocations than parsing the whole URL.
	u := req.URL
	*u = *t.baseURL
	var b strings.Builder
	b.Grow(len(t.baseURL.Path) + len(r.path) + len(r.query))
	b.WriteString(t.baseURL.Path)
	b.Write(r.path)
	n := b.Len()
	b.Write(r.query)
	pq := b.String()
	u.Path, u.RawQuery = pq[:n], pq[n:]
	req.Host = u.Host
	return req, nil
}

// callJSON sends r and decodes the JSON body of the 2xx answer into out.
func callJSON[T any](c *PartnerClient, ctx context.Context, op *operation, r *request, opts []CallOption, out *T, dec func(*jx.Decoder, *T) error) error {
	rep, err := c.send(ctx, op, r, opts)
	if err != nil {
		return err
	}
	defer putBody(rep.buf)
	if ct := rep.resp.Header.Get("Content-Type"); !isJSON(ct) {
		if ct == "" {
			ct = "without a Content-Type"
		}
		return rep.invalid(op, "the response is "+ct+", not the JSON the spec declares", nil)
	}
	if err := decodeTop(rep.body, out, dec); err != nil {
		return rep.invalid(op, "the response is not the "+op.result+" the spec declares: "+err.Error(), err)
	}
	return nil
}

// callNoBody sends r for an operation whose answer has no body.
func callNoBody(c *PartnerClient, ctx context.Context, op *operation, r *request, opts []CallOption) error {
	rep, err := c.send(ctx, op, r, opts)
	if err != nil {
		return err
	}
	putBody(rep.buf)
	return nil
}

// callBytes sends r and returns the body of an answer that is not JSON.
func callBytes(c *PartnerClient, ctx context.Context, op *operation, r *request, opts []CallOption) ([]byte, error) {
	rep, err := c.send(ctx, op, r, opts)
	if err != nil {
		return nil, err
	}
	defer putBody(rep.buf)
	return bytes.Clone(rep.body), nil
}

// invalid is the *Error for a 2xx answer whose body is not what the spec
// declares.
func (rep *reply) invalid(op *operation, msg string, err error) *Error {
	e := newError(op.name, rep.resp.Request.Method, op.shownPath(rep.resp.Request.URL.Path), rep.resp.StatusCode, rep.resp.Header, rep.body, rep.token, rep.secrets...)
	// The body is the spec's 2xx result, whatever it looks like: not an
	// error body, so neither its message, validation items nor payload.
	e.Message, e.Err, e.Attempts, e.Payload, e.Validation = redact(msg, rep.token, rep.secrets), redactErr(err, rep.token, rep.secrets), rep.attempts, nil, nil
	return e
}

// isJSON reports whether a Content-Type is JSON: application/json or a
// +json type, whatever its parameters. (mime.ParseMediaType would allocate a
// map of the parameters on every call.)
func isJSON(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(mt)
	return strings.EqualFold(mt, "application/json") ||
		(len(mt) > 5 && strings.EqualFold(mt[len(mt)-5:], "+json") && strings.Contains(mt, "/"))
}

// lookupOperation finds the operation of a raw client's request, for
// errors, logs and whether it takes the bearer token: the route whose
// template matches the end of the path (a base URL may add a prefix, which
// the transport strips when it is the client's own), preferring literal
// segments over parameters (".../hems-sessions/current" over
// ".../hems-sessions/{session_id}"), then the longer match ("/{id}" over the
// root "/"). A path the spec does not have gets an unnamed operation that
// sends the token.
func lookupOperation(method, path string) *operation {
	return lookupIn(routes(), method, path)
}

func lookupIn(table map[string][]route, method, path string) *operation {
	segs := splitPath(path)
	var best *route
	candidates := table[method]
	for i := range candidates {
		r := &candidates[i]
		if len(r.segs) > len(segs) || (best != nil && (r.literals < best.literals ||
			r.literals == best.literals && len(r.segs) <= len(best.segs))) {
			continue
		}
		tail := segs[len(segs)-len(r.segs):]
		ok := true
		for i, s := range r.segs {
			if (s == "" && tail[i] == "") || (s != "" && s != tail[i]) {
				ok = false
				break
			}
		}
		if ok {
			best = r
		}
	}
	if best == nil {
		return &operation{method: method, path: path, auth: true}
	}
	return best.op
}

// splitPath splits a path into its segments; the root "/" has none.
func splitPath(path string) []string {
	if p := strings.Trim(path, "/"); p != "" {
		return strings.Split(p, "/")
	}
	return nil
}

// trimBase is a request's path without base, the path of the client's base
// URL, when the path starts with it: what lookupOperation matches.
func trimBase(path, base string) string {
	if rest, ok := strings.CutPrefix(path, base); ok && base != "" && (rest == "" || rest[0] == '/') {
		return rest
	}
	return path
}

// urlPath is the path of an absolute URL ("https://host/p" is "/p").
func urlPath(u string) string {
	if _, rest, ok := strings.Cut(u, "://"); ok {
		u = rest
	}
	if i := strings.IndexByte(u, '/'); i >= 0 {
		return u[i:]
	}
	return ""
}

// route is one operation's path template split into segments; "" stands
// for a path parameter.
type route struct {
	op       *operation
	segs     []string
	literals int
}

// refuse returns err, the error of a call that a generated method refuses
// before sending, after resetting the ResponseInfo its options ask for.
func refuse(opts []CallOption, err error) error {
	if len(opts) > 0 {
		applyOptions(opts).refused()
	}
	return err
}

// emptyParam is the error for a path parameter that is empty: it would
// drop a segment from the path, and so name another route.
func emptyParam(op *operation, name string) *Error {
	return op.refused(op.path, "the path parameter "+name+" is empty; the request was not sent", nil)
}

// paramError is the error for a parameter that cannot be encoded.
func paramError(op *operation, name string, err error) *Error {
	return op.refused(op.path, "the parameter "+name+" cannot be encoded: "+err.Error(), err)
}

// encodeError is the error for a request body that does not encode.
func encodeError(op *operation, err error) *Error {
	return op.refused(op.path, "the request body does not encode as JSON: "+err.Error(), err)
}

// addCookieParam adds a cookie parameter, styled as oapi-codegen's client
// styles it ("simple": a number or a string as it is). net/http's AddCookie
// would quote a value with a space or a comma and drop the bytes a cookie
// cannot carry, changing the value; such a value is refused here instead
// (RFC 6265's cookie-octet: printable ASCII but space, '"', ',', ';' and
// '\'), without showing it. A cookie parameter is taken for a credential
// (a session, a CSRF token): errors and logs redact its value as they do a
// secret query parameter's.
func addCookieParam(op *operation, rq *request, name string, v any) error {
	s, err := runtime.StyleParamWithLocation("simple", false, name, runtime.ParamLocationCookie, v)
	if err != nil {
		return paramError(op, name, err)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\' {
			return paramError(op, name, fmt.Errorf("the value has %s, which a cookie cannot carry: encode it (base64url, say) before passing it", byteName(c)))
		}
	}
	rq.cookie = append(rq.cookie, [2]string{name, s})
	return nil
}

// byteName names a byte of a value in an error that must not show the
// value.
func byteName(c byte) string {
	switch {
	case c == ' ':
		return "a space"
	case c < ' ' || c == 0x7f:
		return fmt.Sprintf("a control character (%#02x)", c)
	case c >= 0x80:
		return "a byte that is not ASCII"
	}
	return fmt.Sprintf("%q", rune(c))
}

// addHeaderParam adds a header parameter, styled as oapi-codegen's runtime
// does. A value that net/http would refuse to send is refused here.
func addHeaderParam(op *operation, rq *request, name string, v any) error {
	s, err := runtime.StyleParamWithLocation("simple", false, name, runtime.ParamLocationHeader, v)
	if err != nil {
		return paramError(op, name, err)
	}
	if strings.ContainsFunc(s, isControl) {
		return paramError(op, name, errors.New("the value has a control character"))
	}
	rq.header = append(rq.header, [2]string{name, s})
	return nil
}
