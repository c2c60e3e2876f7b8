package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"time"
)

// The token source that New makes sends its requests through the client's
// pace and middleware: tokenTransport is its HTTP client's transport, and
// tokenCall the oauth.Config.Middleware that makes each token request a
// Call of kind CallToken.

// tokenCallKey carries the token request's *Call to tokenTransport.
type tokenCallKey struct{}

// tokenTransport sends the token source's requests: each waits for the pace
// (before every call: all of them need the token), a 429 pauses the client,
// and each is an attempt of its token Call for the Attempt hooks.
type tokenTransport struct {
	t    *transport
	base http.RoundTripper
}

// tokenHTTPClient is a copy of hc (nil: a default client) whose requests go
// through tokenTransport.
func (t *transport) tokenHTTPClient(hc *http.Client) *http.Client {
	c := &http.Client{}
	if hc != nil {
		*c = *hc
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = &tokenTransport{t: t, base: base}
	return c
}

func (tt *tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t := tt.t
	ctx := req.Context()
	at := t.now()
	d, err := t.pace.wait(ctx, priorityToken, false, 0, at, t.now, t.sleep)
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("the token request's context ended while it waited for the client's pace (a 429's pause, Config.RateLimit, or the pace a 429 set): %w", err)
	}
	c, _ := ctx.Value(tokenCallKey{}).(*Call)
	var resp *http.Response
	if c == nil || !hasAttemptHook(t.mw) {
		resp, err = tt.base.RoundTrip(req)
	} else {
		resp, err = tt.attempt(ctx, c, req, d)
	}
	if c != nil {
		c.Info.Attempts++
		c.Info.PaceWait += d
		c.Info.StatusCode, c.Info.Header = 0, nil
		if resp != nil {
			c.Info.StatusCode, c.Info.Header = resp.StatusCode, resp.Header
		}
	}
	if resp != nil {
		_, longer, cut := t.pace.observe(resp, t.now(), at.Add(d))
		if longer && t.logger != nil {
			t.logger.LogAttrs(ctx, slog.LevelWarn, "podero pause: a 429's Retry-After holds every request of the client",
				slog.String("operation", "Token"), slog.String("path", req.URL.Path), slog.Time("until", time.Unix(0, t.pace.until.Load())))
		}
		if cut > 0 && t.logger != nil {
			t.logger.LogAttrs(ctx, slog.LevelWarn, "podero pace: after a 429 the client paces itself (Config.DisableAdaptivePace)",
				slog.String("operation", "Token"), slog.String("path", req.URL.Path), slog.Float64("per_second", math.Round(cut*100)/100))
		}
	}
	return resp, err
}

// attempt sends req through the client's Attempt hooks.
func (tt *tokenTransport) attempt(ctx context.Context, c *Call, req *http.Request, paceWait time.Duration) (*http.Response, error) {
	t := tt.t
	u := *req.URL
	u.RawQuery, u.Fragment, u.User = "", "", nil
	a := &Attempt{Call: c, N: c.Info.Attempts + 1, URL: u.String(), Header: req.Header.Clone(), PaceWait: paceWait}
	delete(a.Header, "Authorization") // the client credentials
	var resp *http.Response
	var rtErr error
	sent := false
	err := runAttempt(ctx, t.mw, a, func(ctx context.Context) error {
		r := req.Clone(ctx)
		if sent {
			if resp != nil {
				resp.Body.Close()
				resp = nil
			}
			if req.GetBody == nil {
				return errors.New("the token request cannot be sent again: its body cannot be read twice")
			}
			body, err := req.GetBody()
			if err != nil {
				return err
			}
			r.Body = body
		}
		sent = true
		r.Header = a.Header.Clone()
		if auth := req.Header["Authorization"]; auth != nil {
			r.Header["Authorization"] = auth
		}
		start := t.now()
		resp, rtErr = tt.base.RoundTrip(r)
		a.Duration, a.Err = t.now().Sub(start), rtErr
		if resp != nil {
			a.StatusCode, a.ResponseHeader = resp.StatusCode, resp.Header
		}
		return rtErr
	})
	switch {
	case err == nil && !sent:
		err = errors.New("an Attempt middleware returned without an error and without sending the token request")
	case err == nil:
		err = rtErr
	}
	if err != nil && resp != nil {
		resp.Body.Close()
		resp = nil
	}
	return resp, err
}

// tokenCall is the oauth.Config.Middleware of the token source New makes:
// each token request is a Call of kind CallToken through the client's
// Call hooks. path is the token endpoint's, which New sets once the token
// source is made.
func (t *transport) tokenCall(path *string) func(ctx context.Context, next func(context.Context) error) error {
	return func(ctx context.Context, next func(context.Context) error) error {
		c := &Call{Kind: CallToken, Operation: "Token", Method: http.MethodPost, Path: *path, Priority: priorityToken}
		called := false
		var sendErr error
		err := runCall(ctx, t.mw, c, func(ctx context.Context) error {
			called = true
			c.Info = ResponseInfo{}
			start := t.now()
			sendErr = next(context.WithValue(ctx, tokenCallKey{}, c))
			c.Info.Duration = t.now().Sub(start)
			return sendErr
		})
		switch {
		case err == nil && !called:
			return errors.New("a middleware returned without an error and without sending the token request")
		case err == nil:
			return sendErr // a failure cannot become a token
		}
		return err
	}
}
