package poderotest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/podero-go/podero/api"
)

// Client returns an HTTP client that reaches the server: httptest's client
// for a server on loopback, and for an in-process one ([NewInProcessServer])
// a client whose transport serves each request in the calling goroutine.
func (s *Server) Client() *http.Client {
	if s.ts != nil {
		return s.ts.Client()
	}
	return &http.Client{Transport: inProcess{s}}
}

// Config returns an api.Config for this server: its URL, organization and
// client credentials, its [Server.Client], and its [Server.Clock], so that
// a client made from it keeps the fake's time (its waiters then run in no
// real time). Set the other fields as a test needs.
func (s *Server) Config() api.Config {
	return api.Config{
		BaseURL:      s.URL,
		OrgID:        s.OrgID,
		ClientID:     s.ClientID,
		ClientSecret: s.ClientSecret,
		HTTPClient:   s.Client(),
		Clock:        s.Clock(),
	}
}

// inProcess serves requests to an in-process server without a network: the
// round trip is a call of the server's handler.
type inProcess struct{ s *Server }

// errDropped is what a client sees when the in-process server drops the
// connection, as a server on loopback does when a request waiting out the
// latency is given up.
var errDropped = errors.New("poderotest: the server dropped the connection without answering")

func (t inProcess) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	if base, _ := url.Parse(t.s.URL); req.URL.Scheme != base.Scheme || req.URL.Host != base.Host {
		return nil, fmt.Errorf("poderotest: %s://%s is not the in-process server %s: nothing else is reachable", req.URL.Scheme, req.URL.Host, t.s.URL)
	}
	select {
	case <-t.s.closed:
		return nil, errors.New("poderotest: the in-process server is closed")
	default:
	}
	// The request as a server receives it.
	in := req.Clone(req.Context())
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "192.0.2.1:1" // TEST-NET-1: no real peer
	in.Host = req.URL.Host
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	defer func() {
		if p := recover(); p != nil {
			if p != http.ErrAbortHandler {
				panic(p)
			}
			// A client that gave up sees why, as from http.Transport;
			// otherwise (the server closed) the dropped connection.
			resp, err = nil, context.Cause(req.Context())
			if err == nil {
				err = errDropped
			}
		}
	}()
	t.s.serveHTTP(rec, in)
	resp = rec.Result()
	resp.Request = req
	return resp, nil
}
