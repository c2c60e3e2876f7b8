package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Middleware sees, and may change, the calls of a client: each call once
// (Call), each attempt within it (Attempt), and the progress of waiters and
// iterators (Event). Any of the three may be nil. Set it for every call of
// a client with [Config.Middleware], or for one call with
// [WithMiddleware]: the client's run first, in order (the first is the
// outermost), then the call's own.
//
// A Call or Attempt hook runs the rest of the chain, and in the end the
// call or the attempt itself, by calling next with the context it wants
// the call to carry. It can
//
//   - observe: what the call or attempt is before next, how it went after
//     (Call.Info, Attempt.StatusCode, Duration, Err);
//   - add headers: set them in Call.Header or Attempt.Header before next;
//   - short-circuit: return an error without calling next, and the call
//     returns that error (an [*Error] naming the call and the middleware's
//     error, unless it is an *Error already), having sent nothing;
//   - retry: call next again. For a Call hook that sends the whole call
//     again, the client's own retries included.
//
// A call returns its result only when the chain returns nil after the call
// itself succeeded: a middleware cannot make a result out of nothing.
//
// Token requests of the token source that [New] makes are calls too, of
// kind [CallToken] ("Token"), seen by the client's middleware (not a
// call's own: the token serves every call). So are the waiters'
// (WaitFor...), of kind [CallWait]: their polls are calls of their own,
// within the wait's context.
//
// A client without middleware does not pay for it: no allocation, no
// indirection on a call.
type Middleware struct {
	// Call wraps each call.
	Call func(ctx context.Context, c *Call, next Next) error
	// Attempt wraps each attempt of a call, each HTTP request sent: the
	// retries, the one re-authentication after a 401, and the tries of a
	// token request.
	Attempt func(ctx context.Context, a *Attempt, next Next) error
	// Event is told of each poll of a waiter (in the wait's context) and
	// each page of an iterator (in the iterator's context). Only the
	// client's middleware get events.
	Event func(ctx context.Context, e *Event)
}

// Next runs the rest of a middleware chain with ctx.
type Next func(ctx context.Context) error

// CallKind says what a [Call] is.
type CallKind int

const (
	// CallOperation is a call of an operation of the API: a method of
	// [PartnerClient], or a request of its raw client.
	CallOperation CallKind = iota
	// CallToken is a token request of the token source [New] makes,
	// retries included: Operation "Token", Method POST, Path the token
	// endpoint's. Its Header is nil: the request carries the client
	// credentials.
	CallToken
	// CallWait is a waiter (Operation "WaitForBoost", ...), whose polls are
	// calls of their own. Its Info has the polls in Attempts and the wait's
	// Duration.
	CallWait
)

func (k CallKind) String() string {
	switch k {
	case CallOperation:
		return "operation"
	case CallToken:
		return "token"
	case CallWait:
		return "wait"
	}
	return fmt.Sprintf("CallKind(%d)", int(k))
}

// Call is a call as middleware sees it.
type Call struct {
	Kind CallKind
	// Operation is the Go name of the operation ("GetElectricVehicle"),
	// "" for a raw request of a path the spec lacks, "Token" for a token
	// request and the waiter's name for a wait.
	Operation string
	// Method and Path are the request's method and path template (as in
	// the spec: "/api/partners/v2.0/org/{org_id}/users/{user_id}"). Empty
	// for a wait.
	Method, Path string
	// Org is the organization of an /org/{org_id}/... operation; the zero
	// UUID for the others.
	Org UUID
	// Priority is the call's place while it waits for the pace
	// ([WithPriority]).
	Priority Priority
	// Header is the request's header, without the Authorization a
	// request gets when it is sent: set a header here, before next, to send
	// it with every attempt. nil for a token request and a wait.
	Header http.Header
	// Info is what the call's last response looked like, its attempts, its
	// duration and its wait for the pace: filled when next returns, as
	// [WithResponseInfo] fills it.
	Info ResponseInfo

	mw          []Middleware  // the client's, then the call's own
	attemptPace time.Duration // the current attempt's wait for the pace
}

// Attempt is one HTTP request of a call, as middleware sees it.
type Attempt struct {
	// Call is the call the attempt is part of.
	Call *Call
	// N counts the call's attempts, 1 for the first.
	N int
	// URL is the request's scheme, host and path, without the query (a
	// cue's secret can be in it). For an operation whose path holds a
	// secret (a claim token) it is the path template.
	URL string
	// Header is this attempt's request header, without Authorization (a
	// token, or a token request's client credentials, which the client
	// adds when it sends): set a header here before next to send it with
	// this attempt (a trace context, say).
	Header http.Header
	// PaceWait is how long the attempt waited for the client's pace before
	// it was sent.
	PaceWait time.Duration

	// Filled when next returns:

	// StatusCode and ResponseHeader are the response's; 0 and nil when
	// there was none.
	StatusCode     int
	ResponseHeader http.Header
	// Duration is the time from sending to the whole response (the
	// response's header for a token request), on the client's clock.
	Duration time.Duration
	// Err is why the attempt got no response (or could not read it): a
	// connection error, a timeout.
	Err error
}

// EventKind says what an [Event] reports.
type EventKind int

const (
	// EventPoll is a poll of a waiter.
	EventPoll EventKind = iota + 1
	// EventPage is a page of an iterator (ListElectricVehicleSessionsIter,
	// ...).
	EventPage
)

func (k EventKind) String() string {
	switch k {
	case EventPoll:
		return "poll"
	case EventPage:
		return "page"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event reports the progress of a waiter or an iterator to
// [Middleware].Event.
type Event struct {
	Kind EventKind
	// Name is the waiter's ("WaitForBoost") or the iterator's operation
	// ("ListElectricVehicleSessions").
	Name string
	// N counts the polls or pages, 1 for the first.
	N int
	// Err is the poll's or the page's error, if it failed.
	Err error
	// Done reports the last poll (the condition holds) or the last page.
	Done bool

	// For a poll: the time since the wait began, and the wait before the
	// next poll (0 when Done), as [WaitProgress] has them.
	Waited, Next time.Duration

	// For a page: the offset of its first item, its items, and the total
	// the server reported.
	Offset, Items, Total int
}

// WithMiddleware adds middleware to this call, after (inside) the client's
// [Config.Middleware]. It sees this call and its attempts only; its Event
// hook is not called.
func WithMiddleware(mw ...Middleware) CallOption {
	return func(o *callOptions) { o.middleware = append(o.middleware, mw...) }
}

// setMiddleware keeps the client's middleware.
func (t *transport) setMiddleware(mw []Middleware) {
	for _, m := range mw {
		if m.Call != nil || m.Attempt != nil || m.Event != nil {
			t.mw = append(t.mw, m)
			t.events = t.events || m.Event != nil
		}
	}
}

func hasCallHook(mw []Middleware) bool {
	return slices.ContainsFunc(mw, func(m Middleware) bool { return m.Call != nil })
}

func hasAttemptHook(mw []Middleware) bool {
	return slices.ContainsFunc(mw, func(m Middleware) bool { return m.Attempt != nil })
}

// runCall runs the Call hooks of mw around last.
func runCall(ctx context.Context, mw []Middleware, c *Call, last Next) error {
	next := last
	for i := len(mw) - 1; i >= 0; i-- {
		if f := mw[i].Call; f != nil {
			inner := next
			next = func(ctx context.Context) error { return f(ctx, c, inner) }
		}
	}
	return next(ctx)
}

// runAttempt runs the Attempt hooks of mw around last.
func runAttempt(ctx context.Context, mw []Middleware, a *Attempt, last Next) error {
	next := last
	for i := len(mw) - 1; i >= 0; i-- {
		if f := mw[i].Attempt; f != nil {
			inner := next
			next = func(ctx context.Context) error { return f(ctx, a, inner) }
		}
	}
	return next(ctx)
}

// sendCall sends x through the client's and the call's middleware: send
// again, with the options' call set, is the end of the chain.
func (t *transport) sendCall(ctx context.Context, x *exchange) (*reply, error) {
	o := x.opts
	mw := t.mw
	if len(o.middleware) > 0 {
		mw = append(slices.Clip(t.mw), o.middleware...)
	}
	c := &Call{Operation: x.op.name, Method: x.req.Method, Path: x.op.path, Org: orgOf(x.op.path, x.req.URL.Path),
		Priority: o.priority, Header: x.req.Header, mw: mw}
	inner := *o
	inner.info = &c.Info // the middleware sees it whether the caller asked or not
	inner.call = c
	x.opts = &inner
	var rep *reply
	var sendErr error
	err := runCall(ctx, mw, c, func(ctx context.Context) error {
		if rep != nil { // sent again: the last answer is not the result
			putBody(rep.buf)
			rep = nil
		}
		rep, sendErr = t.send(ctx, x)
		return sendErr
	})
	if o.info != nil {
		*o.info = c.Info
	}
	switch {
	case err == nil && rep != nil:
		return rep, nil
	case err == nil && sendErr != nil:
		return nil, sendErr // a failure cannot become a result
	case err == nil:
		return nil, &Error{Operation: x.op.name, Method: x.req.Method, Path: x.path(),
			Message: "a middleware returned without an error and without sending the call"}
	}
	if rep != nil {
		putBody(rep.buf)
	}
	if err == sendErr {
		return nil, err
	}
	return nil, middlewareError(x, err)
}

// orgOf is the org_id of a request to path for an operation whose template
// is tmpl, or the zero UUID if it has none (the path may have a prefix of
// the base URL's).
func orgOf(tmpl, path string) UUID {
	ts, ps := strings.Split(strings.Trim(tmpl, "/"), "/"), strings.Split(strings.Trim(path, "/"), "/")
	i := slices.Index(ts, "{org_id}")
	if i < 0 || len(ps) < len(ts) {
		return UUID{}
	}
	id, _ := ParseUUID(ps[len(ps)-len(ts)+i])
	return id
}

// middlewareError is the error of a call that a middleware failed with
// err: err itself if it is an *Error, else one that names the call.
func middlewareError(x *exchange, err error) error {
	if e := (*Error)(nil); errors.As(err, &e) {
		return err
	}
	return &Error{Operation: x.op.name, Method: x.req.Method, Path: x.path(), Err: err,
		Message: "a middleware failed the call: " + redact(err.Error(), "", x.secrets)}
}

// attemptChain sends req, an attempt of x, through the Attempt hooks of
// its middleware, and reads the response into rep.
func (t *transport) attemptChain(ctx context.Context, x *exchange, req *http.Request, rep *reply, n int) error {
	c := x.opts.call
	auth := req.Header["Authorization"]
	a := &Attempt{Call: c, N: n, URL: req.URL.Scheme + "://" + req.URL.Host + x.path(),
		Header: req.Header.Clone(), PaceWait: c.attemptPace}
	delete(a.Header, "Authorization")
	sent := false
	var rtErr error
	err := runAttempt(ctx, c.mw, a, func(ctx context.Context) error {
		if rep.resp != nil { // sent again: the last answer is not the result
			putBody(rep.buf)
			rep.resp, rep.body, rep.buf = nil, nil, nil
		}
		sent = true
		r := req.WithContext(ctx)
		r.Header = a.Header.Clone()
		if auth != nil {
			r.Header["Authorization"] = auth
		}
		start := t.now()
		rtErr = t.roundTrip(x, r, rep)
		a.Duration, a.Err = t.now().Sub(start), rtErr
		if rep.resp != nil {
			a.StatusCode, a.ResponseHeader = rep.resp.StatusCode, rep.resp.Header
		}
		return rtErr
	})
	switch {
	case err == nil && !sent:
		err = errors.New("an Attempt middleware returned without an error and without sending the request")
	case err == nil:
		err = rtErr // a failure without a response cannot become one
	}
	if err != nil && err != rtErr && rep.resp != nil {
		putBody(rep.buf) // the middleware turned the response into a failure
		rep.resp, rep.body, rep.buf = nil, nil, nil
	}
	return err
}

// event tells the client's middleware of e.
func (t *transport) event(ctx context.Context, e *Event) {
	for _, m := range t.mw {
		if m.Event != nil {
			m.Event(ctx, e)
		}
	}
}

// waitCall runs a waiter as a call of kind CallWait through the client's
// Call hooks.
func (t *transport) waitCall(ctx context.Context, name string, run func(ctx context.Context, info *ResponseInfo) error) error {
	c := &Call{Kind: CallWait, Operation: name}
	called := false
	var runErr error
	err := runCall(ctx, t.mw, c, func(ctx context.Context) error {
		called = true
		c.Info = ResponseInfo{}
		start := t.now()
		runErr = run(ctx, &c.Info)
		c.Info.Duration = t.now().Sub(start)
		return runErr
	})
	switch {
	case err == nil && !called:
		return fmt.Errorf("podero: %s: a middleware returned without an error and without waiting", name)
	case err == nil:
		return runErr // a failure cannot become a result
	}
	return err
}
