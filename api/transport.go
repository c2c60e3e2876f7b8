package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/oauth2"

	"github.com/podero-go/podero/internal/httpguard"
	"github.com/podero-go/podero/oauth"
)

// transport sends the requests of a PartnerClient and of its raw client
// (for which it is the HttpRequestDoer): it adds the token and User-Agent,
// bounds each attempt, retries, re-authenticates once after a 401, and turns
// every failure into an *Error.
type transport struct {
	http *http.Client
	base string // BaseURL without a trailing slash
	// baseURL is base parsed, for newRequest; nil when its path has
	// escapes.
	baseURL *url.URL
	tokens  oauth2.TokenSource
	// The token source's optional methods, found once in New: a stamper
	// (nil if none) and a source that honours the context (nil if none).
	stamps    stamper
	ctxTokens oauth.ContextTokenSource
	userAgent []string // the header value, shared by every request
	retry     RetryPolicy
	timeout   time.Duration // per attempt; 0 for none
	logger    *slog.Logger
	checker   ResponseChecker
	maxBody   int64 // the largest response body read
	// credentials are the client credentials in the forms a server may
	// echo them (see clientCredentials), redacted wherever a request's
	// secrets are.
	credentials []string
	// The client's pace, retry budget (nil for none) and middleware
	// (pace.go, budget.go, middleware.go), shared with ForOrg children.
	pace   *pacer
	budget *budget
	mw     []Middleware
	events bool // some middleware has an Event hook

	mu         sync.Mutex
	rejections map[string]oauth.Stamp                     // by access token; see rejected
	sleep      func(context.Context, time.Duration) error // tests record the waits
	now        func() time.Time
	bearer     atomic.Pointer[bearerHeader]
}

// bearerHeader is the Authorization value for one token, kept so that a
// cached token costs no allocation per request.
type bearerHeader struct {
	tok   *oauth2.Token
	value []string
}

// exchange is one call as the transport sends it.
type exchange struct {
	op     *operation
	req    *http.Request // each attempt sends a shallow copy with its own context
	body   []byte
	opts   *callOptions
	pooled bool // read the response into a pooled buffer
	// secrets are the values of the request's secret path and query
	// parameters (see operation.secretPath and secretQuery) and of its
	// cookie parameters (see addCookieParam), for errors and logs to redact.
	secrets []string
}

// path is the request's path as errors and logs show it (see
// operation.secretPath).
func (x *exchange) path() string { return x.op.shownPath(x.req.URL.Path) }

// reply is a call's last response, read whole.
type reply struct {
	resp     *http.Response
	body     []byte
	buf      *[]byte // the pooled buffer body is in, if any
	attempts int
	token    string   // the access token the request carried, to redact
	secrets  []string // and the secrets its query carried (exchange.secrets)
}

// Token sources that can replace a token after a 401. A stamper (such as
// *oauth.TokenSource) gives a token whose request began after the 401 came
// in: neither the rejected token nor one fetched before the 401 (an early
// refresh that the server revoked too). The others can at least drop the
// rejected token: InvalidateToken only if it is still the cached one.
type (
	stamper interface {
		Stamp() oauth.Stamp
		TokenAfter(ctx context.Context, s oauth.Stamp) (*oauth2.Token, error)
	}
	tokenInvalidator interface{ InvalidateToken(accessToken string) }
	invalidator      interface{ Invalidate() }
)

// Do sends a request of the raw client, whose 2xx responses keep their body.
func (t *transport) Do(req *http.Request) (*http.Response, error) {
	op := lookupOperation(req.Method, trimBase(req.URL.Path, urlPath(t.base)))
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, &Error{Operation: op.name, Method: req.Method, Path: op.shownPath(req.URL.Path), Message: "read the request body: " + err.Error(), Err: err}
		}
		req.Body = nil
	}
	req.Header["User-Agent"] = t.userAgent
	rep, err := t.send(req.Context(), &exchange{op: op, req: req, body: body, opts: &noOptions})
	if err != nil {
		return nil, err
	}
	// oapi-codegen's Parse functions decode a JSON result with
	// encoding/json and return its error bare, naming no call: a body that
	// is not well-formed JSON is the call's *Error here instead. (One that
	// is well-formed but does not fit the types is Parse's; see Error.)
	if op.result != "" && rep.resp.StatusCode != http.StatusNoContent &&
		strings.Contains(rep.resp.Header.Get("Content-Type"), "json") && !json.Valid(rep.body) {
		err := json.Unmarshal(rep.body, new(json.RawMessage)) // says where
		return nil, rep.invalid(op, "the response is not well-formed JSON: "+err.Error(), err)
	}
	rep.resp.Body = io.NopCloser(bytes.NewReader(rep.body))
	return rep.resp, nil
}

// send sends x until it gets a 2xx response, which it returns, or gives up
// with an *Error.
func (t *transport) send(ctx context.Context, x *exchange) (*reply, error) {
	if x.opts.call == nil && (len(t.mw) > 0 || len(x.opts.middleware) > 0) {
		return t.sendCall(ctx, x) // middleware.go: the middleware, then send again
	}
	o := x.opts
	var ps paceState // what the pace and the retry budget did (pace.go)
	start := t.now()
	if s := t.secretsOf(x); len(x.secrets) == 0 {
		x.secrets = s // shared when it is t.credentials: never appended to
	} else {
		x.secrets = append(x.secrets, s...) // the cookie parameters' (PartnerClient.send), then these
	}
	policy := t.retry
	if o.retry != nil {
		policy = *o.retry
	}
	timeout := t.timeout
	if o.hasTO {
		timeout = max(o.timeout, 0)
	}
	canRetry := policy.retryMethod(x.req.Method)
	reauthed := false
	var after *oauth.Stamp // set by a 401: the next token must be newer
	sent := 0              // requests sent, the re-authentication included
	finish := func(rep *reply, e *Error) (*reply, error) {
		if o.info != nil {
			*o.info = ResponseInfo{Attempts: sent, Duration: t.now().Sub(start)}
			if rep != nil {
				h := redactHeader(rep.resp.Header, rep.token, x.secrets)
				o.info.StatusCode, o.info.Header, o.info.RequestID = rep.resp.StatusCode, h, requestID(h)
			} else if e.StatusCode != 0 {
				o.info.StatusCode, o.info.Header, o.info.RequestID = e.StatusCode, e.header, e.RequestID
			}
			o.info.PaceWait, o.info.RetryBudgetSpent = ps.wait, ps.budgetSpent
		}
		if e != nil {
			e.Attempts = sent
			return nil, e
		}
		rep.attempts = sent
		return rep, nil
	}
	for attempt := 1; ; attempt++ {
		at := start // the pace's clock reading: send's own for the first attempt
		if sent > 0 {
			at = t.now()
		}
		if e := t.waitPace(ctx, x, &ps, at); e != nil {
			return finish(nil, e)
		}
		sent++
		rep, err := t.attempt(ctx, x, timeout, sent, after)
		if err != nil {
			e, resend := t.failure(ctx, x, err, rep)
			if !resend || !canRetry || attempt > policy.MaxRetries || !t.retryAllowed(ctx, x, e, true, &ps) {
				return finish(nil, e)
			}
			if err := t.wait(ctx, policy.backoff(attempt), x, attempt, e.Message); err != nil {
				e.Err, e.Message = err, "the call's context ended while waiting to retry: "+e.Message
				return finish(nil, e)
			}
			continue
		}
		t.check(ctx, x, rep)
		status := rep.resp.StatusCode
		if status >= 200 && status < 300 {
			t.budget.succeeded(ps.retryCost)
			return finish(rep, nil)
		}
		t.observe(ctx, x, rep.resp, &ps) // a 429 pauses the client
		apiErr := newError(x.op.name, x.req.Method, x.path(), status, rep.resp.Header, rep.body, rep.token, x.secrets...)
		putBody(rep.buf)
		// A 401 may be a token the server dropped before its expiry: get a
		// fresh one and try once more. This is not a retry of the policy.
		if status == http.StatusUnauthorized && !reauthed && x.op.auth {
			if t.stamps != nil {
				stamp := t.rejected(t.stamps, rep.token)
				after, reauthed = &stamp, true
			} else {
				reauthed = t.invalidate(rep.token)
			}
			if reauthed {
				attempt--
				continue
			}
		}
		if !canRetry || !retryStatus(status) || attempt > policy.MaxRetries {
			return finish(nil, apiErr)
		}
		wait := policy.backoff(attempt)
		if ra, ok := retryAfter(rep.resp.Header, t.now()); ok {
			if ra > policy.MaxRetryAfter {
				return finish(nil, apiErr) // the caller decides whether to wait that long
			}
			wait = ra
		}
		if !t.retryAllowed(ctx, x, apiErr, false, &ps) {
			return finish(nil, apiErr)
		}
		if err := t.wait(ctx, wait, x, attempt, rep.resp.Status); err != nil {
			apiErr.Err = err
			apiErr.Message = strings.TrimSuffix("the call's context ended while waiting to retry: "+apiErr.Message, ": ")
			return finish(nil, apiErr)
		}
	}
}

// secretsOf are the values x's errors, logs and ResponseInfo redact: its
// secret parameters' (see requestSecrets) and the client credentials.
func (t *transport) secretsOf(x *exchange) []string {
	s := requestSecrets(x.op, x.req.URL)
	if s == nil {
		return t.credentials // shared, never written
	}
	return append(s, t.credentials...)
}

// rejected returns the stamp that a token rejected by a 401 calls for: the
// token source's state at the first 401 of that token. A re-authentication
// then uses a token whose request began after the token was first
// rejected: not one fetched before (an early refresh that the server revoked
// as well), while the many calls a revocation rejects at once share the one
// request the first of them started.
func (t *transport) rejected(st stamper, token string) oauth.Stamp {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s, ok := t.rejections[token]; ok {
		return s
	}
	if len(t.rejections) >= 16 || t.rejections == nil {
		t.rejections = map[string]oauth.Stamp{} // only the latest tokens matter
	}
	s := st.Stamp()
	t.rejections[token] = s
	return s
}

// invalidate drops the token a rejected request carried from a token
// source that has no Stamp, and reports whether the source can do that.
func (t *transport) invalidate(token string) bool {
	switch ts := t.tokens.(type) {
	case tokenInvalidator:
		ts.InvalidateToken(token)
	case invalidator:
		ts.Invalidate()
	default:
		return false
	}
	return true
}

// attempt sends the request once and reads the whole response, so that a
// connection that breaks mid-body counts as a failed attempt too.
// after, when set, asks for a token fetched after a 401 (see stamper).
func (t *transport) attempt(ctx context.Context, x *exchange, timeout time.Duration, n int, after *oauth.Stamp) (*reply, error) {
	actx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	req := x.req.WithContext(actx)
	if x.body != nil {
		req.Body = io.NopCloser(bytes.NewReader(x.body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(x.body)), nil }
		req.ContentLength = int64(len(x.body))
	}
	rep := &reply{secrets: x.secrets}
	if x.opts.call != nil {
		req.Header = req.Header.Clone() // the attempt's own: the middleware's Call.Header is x.req's, not for the token
	}
	if x.op.auth && t.tokens != nil {
		tok, err := t.token(actx, after)
		if err != nil {
			return nil, err
		}
		rep.token = tok.AccessToken
		req.Header["Authorization"] = t.bearerValue(tok)
	}
	logging := t.logger != nil && t.logger.Enabled(ctx, slog.LevelDebug)
	var start time.Time
	if logging {
		start = time.Now()
	}
	var err error
	if x.opts.call != nil && hasAttemptHook(x.opts.call.mw) {
		err = t.attemptChain(actx, x, req, rep, n) // middleware.go
	} else {
		err = t.roundTrip(x, req, rep)
	}
	if err != nil {
		// *url.Error quotes the whole URL, and a cue's query carries its
		// secret. (Declared here: urlErr escapes to errors.As.)
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			urlErr.URL = req.URL.Scheme + "://" + req.URL.Host + x.path()
		}
		// The attempt's own timeout, not the caller's deadline: say so,
		// and do not pass for context.DeadlineExceeded (see IsTimeout).
		if timeout > 0 && actx.Err() != nil && ctx.Err() == nil {
			setting := "Config.Timeout"
			if x.opts.hasTO {
				setting = "WithTimeout"
			}
			err = &attemptTimeout{attempt: n, after: timeout, setting: setting}
		}
	}
	if logging {
		attrs := make([]slog.Attr, 0, 6)
		attrs = append(attrs, slog.String("operation", x.op.name), slog.String("method", req.Method),
			slog.String("path", x.path()), slog.Int("attempt", n), slog.Duration("duration", time.Since(start)))
		if err != nil {
			attrs = append(attrs, slog.String("error", redact(err.Error(), rep.token, x.secrets)))
		} else {
			attrs = append(attrs, slog.Int("status", rep.resp.StatusCode))
		}
		t.logger.LogAttrs(ctx, slog.LevelDebug, "podero request", attrs...)
	}
	if err != nil {
		return rep, err // the token it carried, for failure to redact
	}
	return rep, nil
}

// roundTrip sends req and reads the whole response into rep.
func (t *transport) roundTrip(x *exchange, req *http.Request, rep *reply) error {
	resp, err := t.http.Do(req)
	if err != nil {
		return err
	}
	rep.resp = resp
	rep.body, rep.buf, err = readBody(resp.Body, resp.ContentLength, t.maxBody, resp.Status, x.pooled)
	resp.Body.Close()
	if err != nil && !isTooLarge(err) {
		err = fmt.Errorf("read the response (%s): %w", resp.Status, err)
	}
	return err
}

// token gets a token, honouring ctx when the source can, and one fetched
// after the stamp when there is one.
func (t *transport) token(ctx context.Context, after *oauth.Stamp) (*oauth2.Token, error) {
	switch {
	case after != nil && t.stamps != nil:
		return httpguard.CheckToken(t.stamps.TokenAfter(ctx, *after))
	case t.ctxTokens != nil:
		return httpguard.CheckToken(t.ctxTokens.TokenContext(ctx))
	}
	return httpguard.CheckToken(t.tokens.Token())
}

func (t *transport) bearerValue(tok *oauth2.Token) []string {
	if h := t.bearer.Load(); h != nil && h.tok == tok {
		return h.value
	}
	h := &bearerHeader{tok: tok, value: []string{tok.Type() + " " + tok.AccessToken}}
	t.bearer.Store(h)
	return h.value
}

// failure is the *Error for an attempt that got no response, and whether
// the attempt is worth sending again. rep, if not nil, has the token the
// attempt carried: a transport (a proxy's client, say) may quote the
// request in its error.
func (t *transport) failure(ctx context.Context, x *exchange, err error, rep *reply) (*Error, bool) {
	token := ""
	if rep != nil {
		token = rep.token
	}
	e := &Error{Operation: x.op.name, Method: x.req.Method, Path: x.path(), Err: redactErr(err, token, x.secrets)}
	var tokenErr *oauth.TokenError
	switch {
	case ctx.Err() != nil:
		e.Message = "the call's context ended: " + ctx.Err().Error()
		return e, false
	case errors.As(err, &tokenErr):
		// The token source has its own retries (see oauth.TokenSource), so
		// the call does not send again; whether a later call may succeed is
		// what the token endpoint's answer says.
		e.Message = e.Err.Error() // "oauth: token request to ... failed: ..."
		e.retry = tokenErr.Temporary()
		return e, false
	}
	e.Message = e.Err.Error()
	if ue := (*url.Error)(nil); errors.As(e.Err, &ue) {
		e.Message = ue.Err.Error() // the error line names the call; not the URL again
	}
	e.retry = transient(err)
	return e, e.retry
}

// transient reports whether an attempt that failed with err may succeed if
// sent again: a connection that failed or broke, or an attempt that timed
// out. Not a request net/http refuses to send (a bad header, say), a
// refused redirect, or a body over the limit.
func transient(err error) bool {
	var redirect *httpguard.RedirectError
	if isTooLarge(err) || errors.As(err, &redirect) {
		return false
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // *url.Error is a net.Error whatever it wraps
	}
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
}

func isTooLarge(err error) bool {
	var tl *tooLargeError
	return errors.As(err, &tl)
}

func (t *transport) wait(ctx context.Context, d time.Duration, x *exchange, attempt int, reason string) error {
	if t.logger != nil {
		t.logger.LogAttrs(ctx, slog.LevelWarn, "podero retry", slog.String("operation", x.op.name),
			slog.String("method", x.req.Method), slog.String("path", x.path()), slog.Int("attempt", attempt),
			slog.String("reason", reason), slog.Duration("wait", d))
	}
	return t.sleep(ctx, d)
}
