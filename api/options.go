package api

import (
	"fmt"
	"net/http"
	"net/textproto"
	"strings"
	"time"
)

// CallOption changes one call of a [PartnerClient] method: its retry policy,
// its timeout or its headers, or asks for what the response looked like.
type CallOption func(*callOptions)

type callOptions struct {
	retry   *RetryPolicy // nil: the client's
	timeout time.Duration
	hasTO   bool
	header  [][2]string
	info    *ResponseInfo
	rawBody *[]byte // WithRawBody
	// rawRedacted: WithRedactedRawBody, the body with the call's
	// credentials cut out
	rawRedacted bool
	err         error // a bad option, reported by the call
	// WithMiddleware and WithPriority (middleware.go, pace.go):
	middleware []Middleware
	priority   Priority
	ownPace    bool  // WithoutAdaptivePace
	call       *Call // the call as middleware sees it, during sendCall
}

// WithRetry uses p instead of the client's [Config.Retry] for this call;
// &RetryPolicy{} (MaxRetries 0) turns retries off. A nil p changes nothing.
func WithRetry(p *RetryPolicy) CallOption {
	return func(o *callOptions) {
		if p != nil {
			rp := p.withDefaults()
			o.retry = &rp
		}
	}
}

// WithTimeout bounds each attempt of this call by d instead of
// [Config.Timeout]; a negative d means no timeout. The context bounds the
// whole call, retries included.
func WithTimeout(d time.Duration) CallOption {
	return func(o *callOptions) { o.timeout, o.hasTO = d, true }
}

// WithHeader sends the header key: value with this call. A key or value with
// a control character is refused (the call returns an error and sends
// nothing), and so are the headers the client sets itself: Authorization,
// Content-Type, Content-Length, Host and User-Agent.
func WithHeader(key, value string) CallOption {
	return func(o *callOptions) {
		if o.err != nil {
			return
		}
		canonical, err := checkHeader(key, value)
		if err != nil {
			o.err = err
			return
		}
		o.header = append(o.header, [2]string{canonical, value})
	}
}

// checkHeader returns key in canonical form, or why the header may not be
// sent.
func checkHeader(key, value string) (string, error) {
	if key == "" || strings.ContainsFunc(key, func(r rune) bool { return r <= ' ' || r >= 0x7f || r == ':' }) {
		return "", fmt.Errorf("podero: WithHeader: %q is not a valid header name", key)
	}
	if strings.ContainsFunc(value, isControl) {
		return "", fmt.Errorf("podero: WithHeader(%q): the value has a control character", key)
	}
	canonical := textproto.CanonicalMIMEHeaderKey(key)
	switch canonical {
	case "Authorization", "Content-Type", "Content-Length", "Host", "User-Agent":
		return "", fmt.Errorf("podero: WithHeader: the client sets %s itself", key)
	}
	return canonical, nil
}

// isControl reports the characters net/http refuses in a header value
// (CR, LF and the other control characters but tab).
func isControl(r rune) bool { return (r < ' ' && r != '\t') || r == 0x7f }

// WithResponseInfo fills info when the call returns, on success and on
// failure alike: a call refused before sending (a bad option or
// parameter) resets it to the zero ResponseInfo.
func WithResponseInfo(info *ResponseInfo) CallOption {
	return func(o *callOptions) { o.info = info }
}

// WithRawBody sets *dst to the body of the call's 2xx response, as the
// server sent it, whether or not it decodes; on any other return (an error
// status, a network error, a call not sent) to an empty slice. The body is
// appended to (*dst)[:0], so a dst used for call after call is allocated
// once. It is the answer's data, as the decoded result is, and so is not
// redacted as errors are ([WithRedactedRawBody] is, for a body that will be
// shown). For the properties of a JSON object that the spec
// does not declare, the result's ExtraFields method costs less; see also
// [WithResponseInfo] for the status and headers. With an iterator, *dst is
// the last page's body.
func WithRawBody(dst *[]byte) CallOption {
	return func(o *callOptions) { o.rawBody = dst }
}

// WithRedactedRawBody is [WithRawBody] for a body that will be shown: a
// command's output, a tool's result. Wherever the server echoed a
// credential of the call, it is cut out as errors cut it: the access token
// the request carried ("[redacted token]"), the client secret and the Basic
// credentials of the token request, in base64 and escaped forms, and the
// request's secret parameters (a cue's secret, a claim token)
// ("[redacted]"), raw, URL-escaped and with a JSON-escaped "/". Nothing
// else of the body changes. The podero command and the MCP server print
// answers with it.
func WithRedactedRawBody(dst *[]byte) CallOption {
	return func(o *callOptions) { o.rawBody, o.rawRedacted = dst, true }
}

// ResponseInfo is what a call's last response looked like, for logs and
// metrics. It is filled by [WithResponseInfo].
type ResponseInfo struct {
	// StatusCode is the HTTP status of the last response, 0 when there was
	// none (a network error, or a call refused before sending).
	StatusCode int
	// Header is a copy of the last response's header, redacted: the
	// credential headers (Authorization, WWW-Authenticate, Set-Cookie,
	// Cookie, Proxy-*) read "[redacted]", and the request's secrets (the
	// bearer token, secret path and query parameters, the client
	// credentials) are cut out of every other value.
	Header http.Header
	// RequestID is the server's request id, if it sent one, redacted as
	// Header is.
	RequestID string
	// Attempts is how many requests the call sent, a re-authentication
	// after a 401 included.
	Attempts int
	// Duration is how long the call took, waits between attempts included.
	Duration time.Duration
	// PaceWait is how long the call's attempts waited for the client's
	// pace: a 429's pause, and Config.RateLimit or the pace a 429 set
	// (Config.DisableAdaptivePace). It is part of Duration.
	PaceWait time.Duration
	// RetryBudgetSpent reports a retry denied because the client's
	// RetryBudget was spent: the call returned the error it would have
	// retried.
	RetryBudgetSpent bool
}

// refused resets the ResponseInfo o asks for, if any: the call was not
// sent.
func (o *callOptions) refused() {
	if o.info != nil {
		*o.info = ResponseInfo{}
	}
}

func applyOptions(opts []CallOption) *callOptions {
	o := &callOptions{}
	for _, opt := range opts {
		if opt != nil {
			opt(o)
		}
	}
	return o
}

// noOptions are the options of a call that has none. Nothing writes them.
var noOptions callOptions
