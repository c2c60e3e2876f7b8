package specserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// Response is what a Responder answers: a status and a body to encode as
// JSON (nil for no body). A Body of type []byte is sent as it is.
type Response struct {
	Status int
	Body   any
	Header http.Header
}

// Responder answers a conforming request. It returns false to fall back to
// the default answer built from the spec (SampleResponse).
type Responder func(c *Call, r *http.Request) (Response, bool)

// Recorded is one request the Handler received.
type Recorded struct {
	OperationID string // "" when the request did not route
	Method      string
	Path        string // the URL path, as sent
	Query       string
	Header      http.Header
	Body        []byte
	Status      int // what the Handler answered
	// Invalid is why the Handler's own answer did not conform to the spec
	// (or could not be built); it then answered 500 instead.
	Invalid error
}

// Handler is an http.Handler for the whole API: it checks each request
// against the spec (401 without a bearer token where the operation needs one,
// 422 with a django-ninja detail list when it does not conform), answers it
// (Responder, or the sample of the operation's first success response), and
// checks its own answer against the spec, answering 500 with the reason when
// that fails so that a test notices.
type Handler struct {
	V *Validator
	// Authenticate decides whether a bearer token is good. Nil accepts any
	// non-empty token.
	Authenticate func(token string) bool
	// Respond answers a conforming request; nil always uses the sample.
	Respond Responder
	// Record, if set, receives each request when it has been answered,
	// instead of Calls keeping it.
	Record func(Recorded)
	// Alter, if set, sees every response to a conforming request before it
	// is sent (Respond's or the sample) and may replace it. It returns the
	// response to send and whether it altered it on purpose: an altered
	// response is sent without being checked against the spec, so that a
	// test can serve one that does not conform.
	Alter func(c *Call, resp Response) (Response, bool)
	// ShouldCheck, if set, decides whether a response that would be
	// checked against the spec is: a fake that answers a fleet's worth of
	// requests checks a sample (kin-openapi compiles the schema for every
	// check, milliseconds each). Nil checks every one.
	ShouldCheck func(c *Call, resp Response) bool

	mu    sync.Mutex
	calls []Recorded
}

// NewHandler returns a Handler for the pinned spec.
func NewHandler() (*Handler, error) {
	v, err := NewValidator()
	if err != nil {
		return nil, err
	}
	return &Handler{V: v}, nil
}

// NewServer starts a Handler on loopback and closes it when the test ends.
func NewServer(t interface {
	Helper()
	Fatal(...any)
	Cleanup(func())
}) (*httptest.Server, *Handler) {
	t.Helper()
	h, err := NewHandler()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, h
}

// Calls returns the requests received so far.
func (h *Handler) Calls() []Recorded {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Recorded(nil), h.calls...)
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := Recorded{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Header: r.Header.Clone()}
	if r.Body != nil { // kept for the record even when the request is refused
		rec.Body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(rec.Body))
	}
	defer func() {
		if h.Record != nil {
			h.Record(rec)
			return
		}
		h.mu.Lock()
		h.calls = append(h.calls, rec)
		h.mu.Unlock()
	}()

	// As django-ninja does: route, then authenticate, then validate, so
	// that a request without a token gets 401 whatever its body.
	route, _, problem := h.V.Route(r)
	if problem == nil {
		rec.OperationID = route.Operation.OperationID
		if needsAuth(route.Operation, h.V.doc) {
			token, ok := BearerToken(r)
			if !ok || (h.Authenticate != nil && !h.Authenticate(token)) {
				problem = &Problem{Status: http.StatusUnauthorized, Detail: "Unauthorized"}
			}
		}
	}
	var call *Call
	if problem == nil {
		call, problem = h.V.Check(r)
	}
	if problem != nil {
		rec.Status = problem.Status
		problem.Write(w)
		return
	}

	resp, ok := Response{}, false
	if h.Respond != nil {
		resp, ok = h.Respond(call, r)
	}
	if !ok {
		status, body, err := SampleResponse(call.Operation())
		if err != nil {
			rec.Status, rec.Invalid = http.StatusInternalServerError, err
			http.Error(w, err.Error(), rec.Status)
			return
		}
		resp = Response{Status: status, Body: body}
	}
	altered := false
	if h.Alter != nil {
		resp, altered = h.Alter(call, resp)
	}
	rec.Status, rec.Invalid = h.write(w, call, resp, !altered)
}

// write encodes resp, checks it against the spec unless check is false, and
// sends it. It returns the status sent and, when that is a 500 instead of
// resp, why.
func (h *Handler) write(w http.ResponseWriter, call *Call, resp Response, check bool) (int, error) {
	var body []byte
	header := resp.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	switch b := resp.Body.(type) {
	case nil:
	case []byte:
		body = b
	default:
		var err error
		if body, err = json.Marshal(b); err != nil {
			err = fmt.Errorf("specserver: encode response: %w", err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return http.StatusInternalServerError, err
		}
	}
	if body != nil && header.Get("Content-Type") == "" {
		header.Set("Content-Type", "application/json")
	}
	// Errors the fake chooses to send (401, 404, 422, 5xx, ...) are not in
	// the spec, which declares success responses and the boost 409 only.
	// One the operation declares, by its code, its range (4XX) or a
	// default response, is checked.
	responses := call.Operation().Responses
	declared := responses.Status(resp.Status) != nil || responses.Default() != nil
	if check && (declared || resp.Status < 400) && (h.ShouldCheck == nil || h.ShouldCheck(call, resp)) {
		if err := h.V.CheckResponse(call, resp.Status, header, body); err != nil {
			err = fmt.Errorf("specserver: the response to %s does not conform to the spec: %w", call.Operation().OperationID, err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return http.StatusInternalServerError, err
		}
	}
	for k, vs := range header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.Status)
	_, _ = w.Write(body)
	return resp.Status, nil
}

// SampleResponse is the operation's first declared success response (lowest
// 2xx status) with a sample body, or a nil body when it declares none.
func SampleResponse(op *openapi3.Operation) (int, any, error) {
	status, ok := SuccessStatus(op)
	if !ok {
		return 0, nil, fmt.Errorf("specserver: %s declares no success response", op.OperationID)
	}
	resp := op.Responses.Status(status).Value
	mt := resp.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return status, nil, nil
	}
	return status, Sample(mt.Schema), nil
}

// SuccessStatus is the lowest 2xx status op declares (exactly: not 2XX nor
// default), and whether it declares one.
func SuccessStatus(op *openapi3.Operation) (int, bool) {
	best := 0
	for code := range op.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil && n >= 200 && n < 300 && (best == 0 || n < best) {
			best = n
		}
	}
	return best, best != 0
}

// needsAuth reports whether op requires the OAuth2 bearer token: its own
// security list, or the document's when it has none.
func needsAuth(op *openapi3.Operation, doc *openapi3.T) bool {
	reqs := doc.Security
	if op.Security != nil {
		reqs = *op.Security
	}
	for _, req := range reqs {
		if len(req) == 0 {
			return false // {} means anonymous access is one of the options
		}
	}
	return len(reqs) > 0
}
