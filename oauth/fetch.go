package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/podero-go/podero/internal/snippet"
)

// fetchFunc performs one token request. ctx carries the request timeout.
type fetchFunc func(ctx context.Context) (*oauth2.Token, error)

// jsonBody is the request body documented in Podero's guides.
const jsonBody = `{"grant_type":"client_credentials"}`

// maxResponse bounds how much of a token response is read.
const maxResponse = 1 << 20

// jsonFetch builds the documented request, which x/oauth2 cannot send:
// it only speaks the form encoding.
func jsonFetch(s *settings, client *http.Client) fetchFunc {
	return func(ctx context.Context) (*oauth2.Token, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.tokenURL, strings.NewReader(jsonBody))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.SetBasicAuth(s.ClientID, s.ClientSecret)
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
		if err != nil {
			return nil, fmt.Errorf("read token response: %w", err)
		}
		return parseTokenJSON(resp.StatusCode, body, s.now())
	}
}

// tokenJSON is a token response (RFC 6749 section 5.1) or error response
// (section 5.2).
type tokenJSON struct {
	AccessToken      string      `json:"access_token"`
	TokenType        string      `json:"token_type"`
	RefreshToken     string      `json:"refresh_token"`
	ExpiresIn        json.Number `json:"expires_in"` // a number, or a string holding one
	Error            string      `json:"error"`
	ErrorDescription string      `json:"error_description"`
}

func parseTokenJSON(status int, body []byte, now time.Time) (*oauth2.Token, error) {
	var tj tokenJSON
	jsonErr := json.Unmarshal(body, &tj)
	if status < 200 || status > 299 {
		te := &TokenError{StatusCode: status}
		if jsonErr == nil && tj.Error != "" {
			te.ErrorCode, te.Description = tj.Error, tj.ErrorDescription
		} else {
			te.Body = snippet.Of(body, maxSnippet)
		}
		return nil, te
	}
	// Never quote a successful response: it may hold a token.
	switch {
	case jsonErr != nil:
		return nil, &TokenError{StatusCode: status, Err: fmt.Errorf("malformed JSON in token response: %w", jsonErr)}
	case tj.Error != "": // some servers report errors with 200
		return nil, &TokenError{StatusCode: status, ErrorCode: tj.Error, Description: tj.ErrorDescription}
	case tj.AccessToken == "":
		return nil, &TokenError{StatusCode: status, Err: errors.New("token response has no access_token")}
	}
	tok := &oauth2.Token{AccessToken: tj.AccessToken, TokenType: tj.TokenType, RefreshToken: tj.RefreshToken}
	if secs, err := tj.ExpiresIn.Float64(); err == nil && secs > 0 {
		secs = min(secs, math.MaxInt32) // as x/oauth2 does; avoids overflow
		tok.ExpiresIn = int64(secs)
		tok.Expiry = now.Add(time.Duration(secs * float64(time.Second)))
	}
	// Keep the whole response (scope, ...) for Token.Extra.
	var raw map[string]any
	if json.Unmarshal(body, &raw) == nil {
		tok = tok.WithExtra(raw)
	}
	return tok, nil
}

// formFetch sends the RFC 6749 client-credentials request through
// x/oauth2, with the credentials in the Authorization header (no
// auto-detection, which would retry with the secret in the body).
func formFetch(s *settings, client *http.Client) fetchFunc {
	cc := &clientcredentials.Config{
		ClientID:     s.ClientID,
		ClientSecret: s.ClientSecret,
		TokenURL:     s.tokenURL,
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
	return func(ctx context.Context) (*oauth2.Token, error) {
		tok, err := cc.Token(context.WithValue(ctx, oauth2.HTTPClient, client))
		if err != nil {
			return nil, err
		}
		return rebase(tok, s.now), nil
	}
}

// passwordFetch sends the RFC 6749 resource-owner password request
// through x/oauth2, with the client credentials in the Authorization
// header.
func passwordFetch(s *settings, client *http.Client, username, password string) fetchFunc {
	conf := &oauth2.Config{
		ClientID:     s.ClientID,
		ClientSecret: s.ClientSecret,
		Endpoint:     oauth2.Endpoint{TokenURL: s.tokenURL, AuthStyle: oauth2.AuthStyleInHeader},
	}
	return func(ctx context.Context) (*oauth2.Token, error) {
		tok, err := conf.PasswordCredentialsToken(context.WithValue(ctx, oauth2.HTTPClient, client), username, password)
		if err != nil {
			return nil, err
		}
		return rebase(tok, s.now), nil
	}
}

// rebase moves an expiry that x/oauth2 computed with the wall clock onto
// our clock, so that one clock (replaceable in tests) governs every flow.
func rebase(tok *oauth2.Token, now func() time.Time) *oauth2.Token {
	if !tok.Expiry.IsZero() {
		tok.Expiry = now().Add(time.Until(tok.Expiry))
	}
	return tok
}

// toTokenError turns any failure of fetch into a *TokenError for url,
// with secrets removed from the text the server sent back.
func toTokenError(err error, url string, redact *strings.Replacer) *TokenError {
	var te *TokenError
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &te):
	case errors.As(err, &re):
		te = &TokenError{ErrorCode: re.ErrorCode, Description: re.ErrorDescription}
		if re.Response != nil {
			te.StatusCode = re.Response.StatusCode
		}
		if re.ErrorCode == "" && te.StatusCode/100 != 2 {
			te.Body = snippet.Of(re.Body, maxSnippet)
		}
	default:
		te = &TokenError{Err: err}
	}
	te.URL = url
	// A server may echo what it was sent.
	te.ErrorCode = redact.Replace(te.ErrorCode)
	te.Description = redact.Replace(te.Description)
	te.Body = redact.Replace(te.Body)
	return te
}
