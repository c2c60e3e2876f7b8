package specserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
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
	defer func() {
		h.mu.Lock()
		h.calls = append(h.calls, rec)
		h.mu.Unlock()
	}()

	call, problem := h.V.Check(r)
	if call != nil {
		rec.OperationID = call.Operation().OperationID
		rec.Body = call.Body
	}
	if problem == nil && call != nil && needsAuth(call.Operation(), h.V.doc) {
		token, ok := BearerToken(r)
		if !ok || (h.Authenticate != nil && !h.Authenticate(token)) {
			problem = &Problem{Status: http.StatusUnauthorized, Detail: "Unauthorized"}
		}
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
			rec.Status = http.StatusInternalServerError
			http.Error(w, err.Error(), rec.Status)
			return
		}
		resp = Response{Status: status, Body: body}
	}
	rec.Status = h.write(w, call, resp)
}

// write encodes resp, checks it against the spec and sends it.
func (h *Handler) write(w http.ResponseWriter, call *Call, resp Response) int {
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
			http.Error(w, "specserver: encode response: "+err.Error(), http.StatusInternalServerError)
			return http.StatusInternalServerError
		}
	}
	if body != nil && header.Get("Content-Type") == "" {
		header.Set("Content-Type", "application/json")
	}
	// Errors the fake chooses to send (401, 404, 422, 5xx, ...) are not in
	// the spec, which declares success responses and the boost 409 only.
	if _, declared := call.Operation().Responses.Map()[strconv.Itoa(resp.Status)]; declared || resp.Status < 400 {
		if err := h.V.CheckResponse(call, resp.Status, header, body); err != nil {
			msg := fmt.Sprintf("specserver: the response to %s does not conform to the spec: %v", call.Operation().OperationID, err)
			http.Error(w, msg, http.StatusInternalServerError)
			return http.StatusInternalServerError
		}
	}
	for k, vs := range header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.Status)
	_, _ = w.Write(body)
	return resp.Status
}

// SampleResponse is the operation's first declared success response (lowest
// 2xx status) with a sample body, or a nil body when it declares none.
func SampleResponse(op *openapi3.Operation) (int, any, error) {
	var statuses []int
	for code := range op.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil && n >= 200 && n < 300 {
			statuses = append(statuses, n)
		}
	}
	if len(statuses) == 0 {
		return 0, nil, fmt.Errorf("specserver: %s declares no success response", op.OperationID)
	}
	sort.Ints(statuses)
	resp := op.Responses.Status(statuses[0]).Value
	mt := resp.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return statuses[0], nil, nil
	}
	return statuses[0], Sample(mt.Schema), nil
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
