package poderotest

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/podero-go/podero/internal/specserver"
)

const (
	// tokenPath is the endpoint Podero's guides document.
	tokenPath = "/oauth2/token/"
	// specTokenPath is the tokenUrl of the spec's OAuth2 flows.
	specTokenPath = "/api/partners/v2.0/auth/token"
	// tokenLifetime is expires_in, in seconds: the guide's "typically 36000".
	tokenLifetime = 36000
)

// ExpireTokens makes every token issued so far invalid: API calls with one
// get 401, and the client must fetch a new token.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// TokenRequests returns how many requests the token endpoints received,
// failed ones included, and ones the client gave up on (or the server
// closed) during a latency wait: as many as [Server.Requests] lists.
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenRequests
}

func (s *Server) validToken(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens[token]
}

// serveToken answers a token request as django-oauth-toolkit does: the
// token, or an RFC 6749 error.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body) // at most MaxRequestBody: serveHTTP read it
	status, answer := s.issueToken(r, body)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="poderotest"`)
	}
	w.Header().Set("Cache-Control", "no-store")
	specserver.WriteJSON(w, status, answer)
	s.keep(specserver.Recorded{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: body, Status: status}, true)
}

func (s *Server) issueToken(r *http.Request, body []byte) (int, map[string]any) {
	oauthError := func(status int, code, description string) (int, map[string]any) {
		return status, map[string]any{"error": code, "error_description": description}
	}
	if r.Method != http.MethodPost {
		return oauthError(http.StatusMethodNotAllowed, "invalid_request", "the token endpoint takes POST")
	}
	params, err := tokenParams(r.Header.Get("Content-Type"), body)
	if err != nil {
		return oauthError(http.StatusBadRequest, "invalid_request", err.Error())
	}
	id, secret, ok := r.BasicAuth()
	if !ok { // RFC 6749 section 2.3.1 also allows the credentials in the body
		id, secret = params.Get("client_id"), params.Get("client_secret")
	}
	if !equal(id, s.ClientID) || !equal(secret, s.ClientSecret) {
		return oauthError(http.StatusUnauthorized, "invalid_client", "client authentication failed: unknown client or wrong secret")
	}
	switch grant := params.Get("grant_type"); grant {
	case "client_credentials":
	case "password":
		if !equal(params.Get("username"), s.Username) || !equal(params.Get("password"), s.Password) {
			return oauthError(http.StatusBadRequest, "invalid_grant", "invalid credentials given")
		}
	case "":
		return oauthError(http.StatusBadRequest, "invalid_request", "missing grant_type")
	default:
		return oauthError(http.StatusBadRequest, "unsupported_grant_type", "grant_type "+grant+" is not supported")
	}
	token := randomText()
	s.mu.Lock()
	s.tokens[token] = true
	s.mu.Unlock()
	return http.StatusOK, map[string]any{
		"access_token": token, "expires_in": tokenLifetime, "token_type": "Bearer", "scope": "read write",
	}
}

// tokenParams reads a token request body: JSON, as Podero's guide sends
// it, or the form encoding of RFC 6749.
func tokenParams(contentType string, body []byte) (url.Values, error) {
	if mt, _, _ := mime.ParseMediaType(contentType); mt == "application/json" {
		var fields map[string]string
		if err := json.Unmarshal(body, &fields); err != nil {
			return nil, err
		}
		params := url.Values{}
		for k, v := range fields {
			params.Set(k, v)
		}
		return params, nil
	}
	return url.ParseQuery(string(body))
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
