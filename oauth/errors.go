package oauth

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxSnippet bounds [TokenError.Description] and [TokenError.Body];
// maxErrorCode bounds [TokenError.ErrorCode].
const (
	maxSnippet   = 256
	maxErrorCode = 64
)

// TokenError reports a failed token request: an error status or OAuth error
// from the endpoint, a response that holds no usable token, a transport
// error or a timeout. Its text, in every print form, never contains the
// client secret, the password or a token: text quoted from the response is
// redacted (in every form a secret may be echoed in, such as the base64
// Basic credentials) and shortened.
type TokenError struct {
	// URL is the token endpoint.
	URL string
	// StatusCode is the HTTP status of the response, or 0 when there was
	// none or it is unknown.
	StatusCode int
	// ErrorCode and Description are the OAuth "error" and
	// "error_description" of the response, if it had them, redacted and
	// shortened.
	ErrorCode   string
	Description string
	// Body is the start of the response body, redacted, whitespace
	// collapsed, when an error response is not OAuth error JSON (an HTML
	// error page, say).
	Body string
	// Err is the underlying cause when it is not described by the fields
	// above: a transport error, a timeout or an undecodable response.
	Err error
	// Attempts is how many token requests were made, retries included.
	Attempts int

	timeout    time.Duration // set when Err is our own request timeout
	temporary  bool          // see Temporary
	retryAfter time.Duration // the response's Retry-After, if any
}

// Error returns a message such as
//
//	oauth: token request to https://app.podero.com/oauth2/token/ failed: 401 Unauthorized: invalid_client: Client authentication failed
//	oauth: token request to https://app.podero.com/oauth2/token/ failed after 4 attempts: 503 Service Unavailable: …
func (e *TokenError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "oauth: token request to %s failed", e.URL)
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	for _, s := range []string{e.ErrorCode, e.Description} {
		if s != "" {
			b.WriteString(": " + s)
		}
	}
	switch {
	case e.timeout > 0:
		fmt.Fprintf(&b, ": no response within the %v timeout", e.timeout)
	case e.Err != nil:
		err := e.Err
		// The URL is already in the message; don't repeat it.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		b.WriteString(": " + err.Error())
	}
	if e.Body != "" {
		b.WriteString(": " + e.Body)
	}
	return b.String()
}

// Unwrap returns Err.
func (e *TokenError) Unwrap() error { return e.Err }

// GoString shows the fields for %#v, with Err as its message, so that
// no print form shows more than Error does.
func (e *TokenError) GoString() string {
	errText := "nil"
	if e.Err != nil {
		errText = fmt.Sprintf("errors.New(%q)", e.Err.Error())
	}
	return fmt.Sprintf("&oauth.TokenError{URL:%q, StatusCode:%d, ErrorCode:%q, Description:%q, Body:%q, Err:%s, Attempts:%d}",
		e.URL, e.StatusCode, e.ErrorCode, e.Description, e.Body, errText, e.Attempts)
}

// Temporary reports whether the failure was transient: no response, a
// timeout, or HTTP 408, 429 or 5xx. Such failures are retried
// (Config.MaxRetries) before they are returned, and a later request may
// succeed. Rejected credentials and other OAuth errors are not temporary
// and are returned at once.
func (e *TokenError) Temporary() bool { return e.temporary }
