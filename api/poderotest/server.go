package poderotest

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/specserver"
)

// Server is a fake Podero, on loopback or in process. Its exported fields are
// set by [NewServer] and must not be changed.
type Server struct {
	// URL is the base URL, such as "http://127.0.0.1:50123": what
	// api.ProductionBaseURL is for Podero. API paths start with
	// /api/partners/v2.0.
	URL string
	// TokenURL is the token endpoint Podero's guides document, on this
	// server: URL + "/oauth2/token/".
	TokenURL string
	// ClientID and ClientSecret are the only client credentials the token
	// endpoints accept.
	ClientID     string
	ClientSecret string
	// Username and Password are the partner admin's credentials for the
	// password grant at the spec's token URL, /api/partners/v2.0/auth/token.
	Username string
	Password string
	// OrgID is the partner's organization, the org_id of every API path.
	// Other organizations are answered 403.
	OrgID openapi_types.UUID

	ts    *httptest.Server
	api   *specserver.Handler
	doc   *openapi3.T
	opIDs map[string]string // operation names (operationIds, Go names) to operationIds
	// secretKey signs the secrets of cues' resolution links.
	secretKey []byte
	closed    chan struct{}
	once      sync.Once
	checks    *checkPolicy // which responses are checked against the spec

	mu            sync.Mutex // guards everything below
	tokens        map[string]bool
	tokenRequests int
	requests      []Request
	invalid       []error
	latency       time.Duration
	clock         *Clock           // the fake's clock, unless nowFunc is set
	nowFunc       func() time.Time // SetClock's; nil: clock
	fail          failure
	failOp        map[string]failure // by operationId
	claims        map[string]*claim  // wallbox claim tokens, by token
	cues          map[string]*cue    // devices' pending actions, by cue id
	records       map[string]*record
	// owned indexes records by owner ("" for users), in creation order, so
	// that lists and renders cost what the owner has, not the whole store.
	owned map[string][]*record
	// timeline is what is due to happen, by time (see tick).
	timeline timeline
	dueSeq   int
	proc     *process // the change process, if started
	// fleetUsers counts the users Populate and the process created.
	fleetUsers int
	blanks     map[*kind]map[string]any // new objects' blanks, by kind
	// The rate limit (SetRateLimit), fault windows, overlapping reads
	// (ConcurrentReads), and what the server does with requests answered.
	rate      float64
	burst     int
	buckets   map[string]*bucket
	limited   int
	windows   []FaultWindow
	faultRand *mrand.Rand
	reading   map[string]int
	overlaps  int
	observe   func(Answered)
	noRecord  bool
	drop      map[string]int // DropNextAnswers, by operationId
	// The ground truth (see Changes): the log, who its entries are about,
	// and its strings (cue ids, boost states), 0 being none.
	changes      []logEntry
	logRefs      []logRef
	logStrings   []string
	logIndex     map[string]int32
	tamper       map[string]func(map[string]any) // by operationId
	tamperStatus map[string]int                  // by operationId
	seq          int
	hemsSeq      int    // the last HEMS session id handed out
	onWait       func() // tests: called when a request starts waiting out the latency
}

// Request is one request the server received.
type Request struct {
	Method string
	Path   string // as sent, escaped
	Query  string
	// OperationID is the spec's operationId; "" for the token endpoints
	// and for paths the spec does not have.
	OperationID string
	Header      http.Header // as received, credentials included
	// Body is nil when the request was not answered, and when it was
	// refused for a body larger than MaxRequestBody.
	Body []byte
	// Status is what the server answered. It is 0 when the server answered
	// nothing: the client gave up, or the server was closed, while the
	// request waited out the latency set by [Server.SetLatency]. The server
	// then drops the connection, so that a client still waiting sees a
	// connection error rather than an empty response.
	Status int
}

// NewServer starts a fake Podero on loopback with fresh credentials and an
// empty organization. The caller must Close it. Like httptest.NewServer it
// panics if it cannot start.
func NewServer() *Server {
	s := newServer()
	s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.setURL(s.ts.URL)
	return s
}

// InProcessURL is the URL of a server that [NewInProcessServer] starts: a
// host under the reserved .invalid domain, which no network resolves.
const InProcessURL = "https://poderotest.invalid"

// NewInProcessServer starts a fake Podero like [NewServer] that listens on
// no network: only the *http.Client of [Server.Client] (or [Server.Config])
// reaches it, and it serves each request in the calling goroutine. It is for
// simulations that run many requests, and for code under
// testing/synctest, whose bubbles must not use the network. Its URL is
// [InProcessURL]: https, so that the client sends its credentials, though
// no TLS is involved. Close it like any other.
func NewInProcessServer() *Server {
	s := newServer()
	s.setURL(InProcessURL)
	return s
}

func (s *Server) setURL(u string) {
	s.URL = u
	s.TokenURL = u + tokenPath
}

func newServer() *Server {
	doc, err := specserver.Doc()
	if err != nil {
		panic("poderotest: " + err.Error())
	}
	h, err := specserver.NewHandler()
	if err != nil {
		panic("poderotest: " + err.Error())
	}
	s := &Server{
		ClientID:     "poderotest-client",
		ClientSecret: randomText(),
		Username:     "admin@poderotest.example",
		Password:     randomText(),
		OrgID:        parseID(newID()),
		api:          h,
		doc:          doc,
		closed:       make(chan struct{}),
		tokens:       map[string]bool{},
		records:      map[string]*record{},
		owned:        map[string][]*record{},
		logRefs:      []logRef{{}},
		logStrings:   []string{""},
		logIndex:     map[string]int32{},
		blanks:       map[*kind]map[string]any{},
		reading:      map[string]int{},
		drop:         map[string]int{},
		buckets:      map[string]*bucket{},
		tamper:       map[string]func(map[string]any){},
		tamperStatus: map[string]int{},
		failOp:       map[string]failure{},
		claims:       map[string]*claim{},
		cues:         map[string]*cue{},
		secretKey:    []byte(randomText()),
		clock:        newSteppedClock(),
		checks:       newCheckPolicy(),
	}
	s.opIDs = operationIDs(s)
	h.Authenticate = s.validToken
	h.Respond = s.respond
	h.Record = s.record
	h.Alter = s.alter
	h.ShouldCheck = s.checks.shouldCheck
	return s
}

// New starts a fake Podero for the test t and closes it when the test ends.
// At the end it also fails t if the fake ever answered with a response that
// does not conform to the spec: a bug in the fake, not in the code under
// test, but one that would make the test's results meaningless. Responses
// made wrong on purpose with [Server.Tamper] or [Server.TamperStatus] do not
// count.
func New(t testing.TB) *Server {
	t.Helper()
	s := NewServer()
	t.Cleanup(func() {
		s.Close()
		for _, err := range s.invalidResponses() {
			t.Errorf("poderotest: %v", err)
		}
	})
	return s
}

// Close shuts the server down, ending latency waits, and blocks until all
// outstanding requests on it have completed.
func (s *Server) Close() {
	s.once.Do(func() { close(s.closed) })
	if s.ts != nil {
		s.ts.Close()
	}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	isToken := r.URL.Path == tokenPath || r.URL.Path == specTokenPath
	if !isToken {
		// A read lasts from its arrival to its answer, latency included.
		defer s.startRead(r)()
	}
	if !s.wait(r.Context()) {
		s.keep(s.recorded(r, 0, s.operationOf(r, isToken)), isToken)
		// Returning without a write would send 200 with an empty body.
		// Aborting closes the connection instead; net/http does not log it.
		panic(http.ErrAbortHandler)
	}
	if !s.limitBody(w, r, isToken) {
		return
	}
	switch {
	case isToken:
		s.serveToken(w, r)
	case r.URL.Path == connectPath:
		s.serveConnect(w, r)
	default:
		if s.injectFailure(w, r) || s.limit(w, r) {
			return
		}
		if s.dropping() && s.takeDrop(s.operationOf(r, false)) {
			s.api.ServeHTTP(&discard{h: http.Header{}}, r)
			panic(http.ErrAbortHandler) // the connection is dropped unanswered
		}
		s.api.ServeHTTP(w, r)
	}
}

// MaxRequestBody is the largest request body, in bytes, the fake accepts,
// on the token endpoints as on the API. A larger one is answered 413
// {"detail": "..."}, as the web server in front of Podero would refuse it,
// before the request's token, operation or content are looked at; the fake
// reads no more of it than MaxRequestBody+1 bytes (none when Content-Length
// already says it is too large), and [Request.Body] is nil for it.
const MaxRequestBody = 1 << 20

// limitBody reads r's body, up to MaxRequestBody, into memory for the
// handlers to read. If the body is larger it answers 413, records the
// request without its body and returns false.
func (s *Server) limitBody(w http.ResponseWriter, r *http.Request, isToken bool) bool {
	var body []byte
	tooLarge := r.ContentLength > MaxRequestBody
	if !tooLarge && r.Body != nil {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, MaxRequestBody+1))
		if err != nil {
			specserver.WriteJSON(w, http.StatusBadRequest, map[string]any{"detail": "cannot read the request body: " + err.Error()})
			s.keep(s.recorded(r, http.StatusBadRequest, s.operationOf(r, isToken)), isToken)
			return false
		}
		tooLarge = len(body) > MaxRequestBody
	}
	if tooLarge {
		// The rest of the body is not read: the connection is closed
		// after the answer rather than drained.
		w.Header().Set("Connection", "close")
		specserver.WriteJSON(w, http.StatusRequestEntityTooLarge, map[string]any{
			"detail": fmt.Sprintf("Request body too large: the limit is %d bytes", MaxRequestBody)})
		s.keep(s.recorded(r, http.StatusRequestEntityTooLarge, s.operationOf(r, isToken)), isToken)
		return false
	}
	if r.Body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	return true
}

// recorded is the record of a request answered status without its body;
// opID is its operation ([Server.operationOf]).
func (s *Server) recorded(r *http.Request, status int, opID string) specserver.Recorded {
	return specserver.Recorded{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery,
		Header: r.Header.Clone(), Status: status, OperationID: opID}
}

// operationOf is the operationId of the spec's operation r routes to, or
// "" for paths the spec does not have. Token requests are not operations
// (the spec names its token URL only in its security scheme): they are not
// routed at all.
func (s *Server) operationOf(r *http.Request, isToken bool) string {
	if isToken {
		return ""
	}
	route, _, problem := s.api.V.Route(r)
	if problem != nil {
		return ""
	}
	return route.Operation.OperationID
}

// record keeps a request for Requests. The specserver Handler calls it for
// API requests; the server itself for the rest.
func (s *Server) record(rec specserver.Recorded) { s.keep(rec, false) }

// keep records a request, counting it for TokenRequests when it was sent to
// a token endpoint, under one lock so that the two always agree.
func (s *Server) keep(rec specserver.Recorded, isToken bool) {
	s.mu.Lock()
	if !s.noRecord {
		s.requests = append(s.requests, Request{
			Method: rec.Method, Path: rec.Path, Query: rec.Query, OperationID: rec.OperationID,
			Header: rec.Header, Body: rec.Body, Status: rec.Status,
		})
	}
	if isToken {
		s.tokenRequests++
	}
	if rec.Invalid != nil {
		s.invalid = append(s.invalid, rec.Invalid)
	}
	observe, now := s.observe, s.now()
	s.mu.Unlock()
	if observe != nil {
		observe(Answered{At: now, Method: rec.Method, Path: rec.Path, OperationID: rec.OperationID, Status: rec.Status})
	}
}

// Requests returns the requests received so far, token requests included,
// in the order they were answered (or given up). The Requests are copies:
// changing their headers or bodies changes nothing the server holds.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Header = r.Header.Clone()
		r.Body = bytes.Clone(r.Body)
		out[i] = r
	}
	return out
}

// SetClock makes now the fake's clock: every timestamp it writes (created_at,
// updated_at, joined_at, session times, expiration dates, ...) and every
// transition that takes time (a boost starting, a cue's secret or a claim
// token expiring) reads it, so that a test can move time on without
// waiting. now is called with the server's lock held: it must not call the
// Server's methods. nil restores the fake's own clock ([Server.Clock]).
// Latency ([Server.SetLatency]) is real time, not this clock; access tokens
// do not expire with time at all ([Server.ExpireTokens] expires them).
//
// [Server.UseClock] is the other way to set the time: a [Clock] that a
// client can keep too.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nowFunc = now
}

// UseClock makes c the fake's clock, as [Server.SetClock] does with c.Now,
// and the clock that [Server.Clock] and [Server.Config] hand to clients.
func (s *Server) UseClock(c *Clock) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock, s.nowFunc = c, nil
}

// Clock returns the fake's time as an [api.Clock], for a client to keep
// (api.Config.Clock; [Server.Config] sets it): the waiters of package api
// then poll on the fake's time. Unless [Server.UseClock] set another, it is
// the real time, which its Sleep moves on instead of waiting: a test that
// waits for a boost (10 s on the fake's clock) takes no real time, and the
// fake sees the 10 s pass. If [Server.SetClock] set a function, Now reads it
// and Sleep waits in real time.
func (s *Server) Clock() api.Clock { return serverClock{s} }

// serverClock is Server.Clock: whatever clock the server keeps now.
type serverClock struct{ s *Server }

func (c serverClock) Now() time.Time {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	return c.s.now()
}

func (c serverClock) Sleep(ctx context.Context, d time.Duration) error {
	c.s.mu.Lock()
	clock, fixed := c.s.clock, c.s.nowFunc != nil
	c.s.mu.Unlock()
	if fixed {
		return api.SystemClock.Sleep(ctx, d)
	}
	return clock.Sleep(ctx, d)
}

// now reads the fake's clock; s.mu must be held.
func (s *Server) now() time.Time {
	if s.nowFunc != nil {
		return s.nowFunc()
	}
	return s.clock.Now()
}

// invalidResponses returns why the fake's own responses did not conform.
func (s *Server) invalidResponses() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.invalid...)
}

// newID returns a random (version 4) UUID.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func parseID(s string) openapi_types.UUID {
	var id openapi_types.UUID
	_ = id.UnmarshalText([]byte(s)) // our ids always parse
	return id
}

// randomText returns an unguessable string for secrets and tokens.
func randomText() string { return rand.Text() }

// dropping reports whether DropNextAnswers has answers to drop, so that
// only then is a request routed for it.
func (s *Server) dropping() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.drop) > 0
}
