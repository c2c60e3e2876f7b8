package main

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/podero-go/podero/api"
)

// sentCredentials are the credentials a run sent: the client secret, the
// Basic credentials of the token request and each access token. The SDK
// cuts each call's own out of the body it gives (api.WithRedactedRawBody),
// as bytes; the output also cuts these out of every decoded string
// (opcall.Show), which catches the forms a server's escaping makes of them
// (\u00xx, %xx in either case) and those of the run's other calls.
type sentCredentials struct {
	mu     sync.Mutex
	values []string
}

func (s *sentCredentials) add(vs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range vs {
		if v != "" && !slices.Contains(s.values, v) {
			s.values = append(s.values, v)
		}
	}
}

func (s *sentCredentials) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.values)
}

// record notes cfg's client credentials, in the forms the SDK redacts
// them (the secret; id:secret, raw and form-escaped, in either base64
// alphabet, padded or not), and makes its client note each access token
// it sends.
func (s *sentCredentials) record(cfg *api.Config) {
	if cfg.ClientSecret != "" {
		s.add(cfg.ClientSecret)
		for _, creds := range []string{cfg.ClientID + ":" + cfg.ClientSecret, url.QueryEscape(cfg.ClientID) + ":" + url.QueryEscape(cfg.ClientSecret)} {
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
				s.add(enc.EncodeToString([]byte(creds)))
			}
		}
	}
	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = &recordingTransport{base: base, sent: s}
	cfg.HTTPClient = &hc
}

// recordingTransport notes the bearer token of each request it sends.
type recordingTransport struct {
	base http.RoundTripper
	sent *sentCredentials
}

func (t *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if tok, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer "); ok {
		t.sent.add(tok)
	}
	return t.base.RoundTrip(req)
}
