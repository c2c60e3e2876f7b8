package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/podero-go/podero/internal/httpguard"
	"github.com/podero-go/podero/internal/snippet"
)

// requestFunc builds one token request; the flows differ only in it. ctx
// carries the request timeout.
type requestFunc func(ctx context.Context) (*http.Request, error)

// jsonBody is the request body documented in Podero's guides.
const jsonBody = `{"grant_type":"client_credentials"}`

// maxResponse bounds how much of a token response is read.
const maxResponse = 1 << 20

// jsonRequest builds the documented request, which x/oauth2 cannot send:
// it only speaks the form encoding.
func jsonRequest(s *settings) requestFunc {
	return func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.tokenURL, strings.NewReader(jsonBody))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.SetBasicAuth(s.ClientID, s.ClientSecret)
		return req, nil
	}
}

// formRequest builds an RFC 6749 token request (section 4.3 or 4.4) with
// the client credentials in the Authorization header, as x/oauth2 does with
// AuthStyleInHeader. It is built here rather than by x/oauth2 so that every
// flow shares one response parser and one way to report failures.
func formRequest(s *settings, form url.Values) requestFunc {
	body := form.Encode()
	return func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.tokenURL, strings.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// RFC 6749 section 2.3.1: the credentials are form-encoded first.
		req.SetBasicAuth(url.QueryEscape(s.ClientID), url.QueryEscape(s.ClientSecret))
		return req, nil
	}
}

// fetch performs one token request.
func (ts *TokenSource) fetch(ctx context.Context) (*oauth2.Token, error) {
	req, err := ts.request(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := ts.client.Do(req)
	if err != nil {
		return nil, &TokenError{Err: err, temporary: transient(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, &TokenError{StatusCode: resp.StatusCode, Err: fmt.Errorf("read token response: %w", err), temporary: true}
	}
	tok, unreadableExpiry, err := parseToken(resp.StatusCode, resp.Header, body, ts.s.now())
	if unreadableExpiry {
		// Not the value: it is the server's text, and no use to the reader.
		ts.s.Logger.WarnContext(ctx, "oauth: token response has an unreadable expires_in; its lifetime is unknown, so the token is used until the API rejects it",
			"token_url", ts.s.tokenURL, "grant_type", ts.grant)
	}
	return tok, err
}

// tokenJSON is a token response (RFC 6749 section 5.1) or error response
// (section 5.2).
type tokenJSON struct {
	AccessToken      string   `json:"access_token"`
	TokenType        string   `json:"token_type"`
	RefreshToken     string   `json:"refresh_token"`
	ExpiresIn        lifetime `json:"expires_in"`
	Error            string   `json:"error"`
	ErrorDescription string   `json:"error_description"`
}

// lifetime is the expires_in of a token response: a number of seconds, or
// a string holding one (some servers send "3600"). Reading it never fails:
// the field is only RECOMMENDED (RFC 6749 section 5.1), so a value that
// cannot be read costs no more than an absent one, and must not cost the
// token.
type lifetime struct {
	secs       float64 // > 0, or 0 when the lifetime is unknown
	unreadable bool    // present, but not a number
}

func (e *lifetime) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) != nil {
		s = string(b) // a number, or something else that ParseFloat rejects
	}
	*e = parseExpiresIn(s)
	return nil
}

func parseExpiresIn(s string) lifetime {
	if s == "" || s == "null" {
		return lifetime{}
	}
	secs, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return lifetime{unreadable: true}
	}
	if !(secs > 0) { // zero, negative or NaN: unknown
		secs = 0
	}
	return lifetime{secs: min(secs, math.MaxInt32)} // as x/oauth2 caps it; avoids overflow
}

// decodeResponse reads a token or error response. It is JSON, or, as
// x/oauth2 also accepts, a form-encoded body when the Content-Type says so.
// raw is the whole response, for Token.Extra.
func decodeResponse(header http.Header, body []byte) (tj tokenJSON, raw any, err error) {
	err = json.Unmarshal(body, &tj)
	if err == nil {
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			raw = m
		}
		return tj, raw, nil
	}
	mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" && mt != "text/plain" {
		return tj, nil, err
	}
	vals, qerr := url.ParseQuery(string(body))
	if qerr != nil {
		return tj, nil, err
	}
	return tokenJSON{
		AccessToken:      vals.Get("access_token"),
		TokenType:        vals.Get("token_type"),
		RefreshToken:     vals.Get("refresh_token"),
		ExpiresIn:        parseExpiresIn(vals.Get("expires_in")),
		Error:            vals.Get("error"),
		ErrorDescription: vals.Get("error_description"),
	}, vals, nil
}

// parseToken reads a token response. unreadableExpiry reports a token
// whose expires_in could not be read, which is used with an unknown
// lifetime.
func parseToken(status int, header http.Header, body []byte, now time.Time) (tok *oauth2.Token, unreadableExpiry bool, err error) {
	tj, raw, decodeErr := decodeResponse(header, body)
	if status < 200 || status > 299 {
		te := &TokenError{StatusCode: status, temporary: temporaryStatus(status)}
		if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
			te.retryAfter, _ = httpguard.RetryAfter(header, now)
		}
		if decodeErr == nil && tj.Error != "" {
			te.ErrorCode, te.Description = tj.Error, tj.ErrorDescription
		} else {
			te.Body = string(body) // redacted, then shortened, by toTokenError
		}
		return nil, false, te
	}
	// Never quote a successful response: it may hold a token.
	switch {
	case decodeErr != nil:
		return nil, false, &TokenError{StatusCode: status, Err: fmt.Errorf("malformed JSON in token response: %w", decodeErr)}
	case tj.Error != "": // some servers report errors with 200
		return nil, false, &TokenError{StatusCode: status, ErrorCode: tj.Error, Description: tj.ErrorDescription}
	case tj.AccessToken == "":
		return nil, false, &TokenError{StatusCode: status, Err: errors.New("token response has no access_token")}
	case tj.TokenType != "" && !strings.EqualFold(tj.TokenType, "Bearer"):
		// RFC 6749 section 7.1: a client must not use a token whose type
		// it does not understand. Sent as a bearer token it would only earn
		// an unexplained 401 from the API. The type is not secret.
		return nil, false, &TokenError{StatusCode: status, Err: fmt.Errorf("token response has token_type %q; only Bearer tokens are supported",
			snippet.Of([]byte(tj.TokenType), 64))}
	}
	tok = &oauth2.Token{AccessToken: tj.AccessToken, TokenType: tj.TokenType, RefreshToken: tj.RefreshToken}
	if secs := tj.ExpiresIn.secs; secs > 0 {
		tok.ExpiresIn = int64(secs)
		tok.Expiry = now.Add(time.Duration(secs * float64(time.Second)))
	}
	if raw != nil {
		tok = tok.WithExtra(raw) // scope, ...
	}
	return tok, tj.ExpiresIn.unreadable, nil
}

// toTokenError turns any failure of fetch into a *TokenError for url,
// with secrets removed from the text the server sent back, which is then
// shortened. In that order: a secret cut in half would not be recognized.
func toTokenError(err error, url string, redact *strings.Replacer) *TokenError {
	var te *TokenError
	if !errors.As(err, &te) {
		te = &TokenError{Err: err}
	}
	te.URL = url
	// A server may echo what it was sent.
	te.ErrorCode = snippet.Of([]byte(redact.Replace(te.ErrorCode)), maxErrorCode)
	te.Description = snippet.Of([]byte(redact.Replace(te.Description)), maxSnippet)
	te.Body = snippet.Of([]byte(redact.Replace(te.Body)), maxSnippet)
	return te
}
