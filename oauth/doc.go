// Package oauth gets, caches and refreshes access tokens for the Podero
// Partner API and attaches them to outgoing requests.
//
// A [TokenSource] made by [NewTokenSource] implements [oauth2.TokenSource].
// It asks the token endpoint once, hands the same token to every caller
// until shortly before it expires, and lets callers that arrive during a
// refresh wait for the request already in flight instead of starting their
// own. [RequestEditor] turns any [oauth2.TokenSource] into a request editor
// for the generated client in package api.
//
// A token request that fails for a transient reason (no response, a
// timeout, HTTP 408, 429 or 5xx) is retried with jittered exponential
// backoff, [Config.MaxRetries] times ([DefaultMaxRetries] by default), and a
// short Retry-After is honoured. The retries happen inside the one request
// in flight, so all the callers waiting for it share its final outcome.
// Rejected credentials and other OAuth errors (invalid_client,
// invalid_grant, ...) are not retried. [TokenError.Attempts] and
// [TokenError.Temporary] tell which happened. Each caller's context still
// bounds that caller's wait.
//
// After the API rejects a token (HTTP 401), a client takes a [Stamp] and
// asks [TokenSource.TokenAfter] for a token whose request began after it:
// never the rejected token, nor one fetched before the 401 (which a
// revocation may have hit too). Calls that get a 401 together share one new
// token request.
//
// # Which token endpoint
//
// Podero's integration guides document a single way to get a token:
//
//	POST https://app.podero.com/oauth2/token/
//	Authorization: Basic base64(client_id:client_secret)
//	Content-Type: application/json
//
//	{"grant_type": "client_credentials"}
//
// That is the default ([EncodingJSON], at [GuideTokenPath] on
// [Config.BaseURL]'s host, so [ProductionTokenURL] or [SandboxTokenURL];
// [ProductionTokenURL] when no BaseURL is set). The OpenAPI description of the API
// declares a different endpoint, the relative URL [SpecTokenPath]
// (/api/partners/v2.0/auth/token), with the client-credentials and password
// grants. The guides never mention it, so it is not the default, but it can
// be chosen with [Config.TokenURL] (resolved against [Config.BaseURL]) and,
// for the password grant, [NewPasswordTokenSource].
//
// A token endpoint that expects JSON may reject the form encoding of
// RFC 6749, and the other way round, so both are supported: [EncodingJSON]
// sends the JSON body shown above and [EncodingForm] sends the standard
// application/x-www-form-urlencoded request, with the credentials in the
// Authorization header as golang.org/x/oauth2's AuthStyleInHeader sends
// them. Every flow reads the response the same way: JSON, or a form-encoded
// body when its Content-Type says so, as golang.org/x/oauth2 does.
//
// # Token responses
//
// A token response must hold an access_token. Its token_type must be
// Bearer, in any case, or absent, which means Bearer: a token of another
// type (MAC, say) is refused with a [*TokenError] that names the type, as
// RFC 6749 section 7.1 requires of a client that does not understand it,
// rather than sent as a bearer token that the API would reject.
//
// expires_in, the token's lifetime in seconds, may be a number or a string
// holding one. A token without it, or with zero or a negative number, has an
// unknown lifetime: it is reused until it is invalidated, which the API
// client does after a 401 ([TokenSource.TokenAfter],
// [TokenSource.InvalidateToken]). So is a token whose expires_in cannot be
// read ("soon", say): it is used, and a warning naming expires_in (never
// the token) is logged. This is deliberate: RFC 6749 section 5.1 makes
// expires_in RECOMMENDED, not required, so an unreadable value is no worse
// than an absent one; refusing the token would fail every API call over a
// field the client can do without; and the API client's re-authentication
// after a 401 covers the token's expiry.
//
// # Safety
//
// Token URLs must use https, except for loopback hosts (localhost,
// 127.0.0.0/8, ::1) so that tests can use net/http/httptest. Token
// requests never follow a redirect to another scheme or host:port, so
// credentials are only sent where they were configured to go. Errors, log
// lines and the printed form of [Config] and [TokenSource] never contain the
// client secret, the password or a token. A token endpoint or proxy may echo
// the request in an error response (in error_description, an HTML error
// page, plain text), so text quoted from a response is redacted before it is
// shortened to at most 256 bytes: the secret and the password raw and URL-,
// path-, JSON- and HTML-escaped, and the Basic credentials of every flow in
// standard and URL-safe base64, padded or not, are replaced by
// "[redacted]". This holds for [TokenError.Error], its %v, %+v and %#v forms
// and the warnings logged to [Config.Logger].
package oauth
