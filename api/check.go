package api

import (
	"context"
	"log/slog"
	"net/http"
)

// ResponseChecker sees every response a client receives: 2xx and errors,
// from the PartnerClient methods and the raw client alike. Package
// api/speccheck implements it to report where the API differs from the
// pinned spec; set it as [Config.ResponseCheck].
//
// CheckResponse runs on the caller's goroutine after the response has been
// read, before the call returns, so it must be quick: a checker that
// validates in the background copies what it needs (the record and its
// body are valid only during the call) and decides itself how often to
// sample.
type ResponseChecker interface {
	CheckResponse(ctx context.Context, r *CheckedResponse)
}

// CheckedResponse is one response, as a ResponseChecker sees it.
type CheckedResponse struct {
	// Operation is the Go name of the call ("" for a path the spec does not
	// have); Operations gives its operationId.
	Operation string
	// Method is the request's; Path is the operation's path template, as in
	// the spec.
	Method, Path string
	// StatusCode, Header and Body are the response's. Body is valid only
	// during CheckResponse.
	StatusCode int
	Header     http.Header
	Body       []byte
	// Logger is the client's Config.Logger, or nil.
	Logger *slog.Logger
}

// check hands a response to the client's checker, if it has one.
func (t *transport) check(ctx context.Context, x *exchange, rep *reply) {
	if t.checker == nil || rep == nil || rep.resp == nil {
		return
	}
	t.checker.CheckResponse(ctx, &CheckedResponse{Operation: x.op.name, Method: x.req.Method, Path: x.op.path,
		StatusCode: rep.resp.StatusCode, Header: rep.resp.Header, Body: rep.body, Logger: t.logger})
}
