// Package otel traces and measures the calls of a podero-go client with
// OpenTelemetry. It is a module of its own, so that a service that imports
// only github.com/podero-go/podero/api downloads none of OpenTelemetry.
//
//	client, err := api.New(api.Config{
//		...
//		Middleware: []api.Middleware{otel.Middleware()},
//	})
//
// # Spans
//
// Each call is a span named "Podero <Operation>" ("Podero
// GetElectricVehicle"), of kind internal, with one child span of kind client
// per attempt (each HTTP request: retries, the re-authentication after a
// 401) that follows OpenTelemetry's HTTP client conventions: named
// "<METHOD> <path template>", with http.request.method, url.full,
// url.template, server.address, server.port, http.response.status_code,
// http.request.resend_count and error.type. The attempt span's context goes
// out with the request (the propagators' headers, W3C traceparent by
// default).
//
// A token request is a span "Podero Token" with its tries as attempts; a
// waiter is a span "Podero WaitForBoost" (...) whose polls are the calls
// within it, and an event "podero.poll" each; an iterator's pages are
// events "podero.page" on the span of the iterator's context.
//
// Spans carry no query string (a cue's secret can be in it), no value of a
// secret path parameter (url.full has the template's placeholder instead),
// no header value and no body.
//
// # Metrics
//
// Per operation (podero.operation): podero.client.call.duration (s),
// podero.client.call.attempts, podero.client.call.errors (by error.type: the
// HTTP status, or timeout, canceled, network, token, invalid_response,
// _OTHER), podero.client.call.retries and podero.client.call.retries_denied
// (a retry the client's RetryBudget refused), podero.client.pace.wait (s,
// the time a call waited for the client's pace), and
// podero.client.token.requests (by error.type when one failed).
//
// A fleet watcher's counters and gauges (package watch) are metrics too:
// [WatchMetrics] reads its Stats at each collection.
package otel

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/oauth"
)

// ScopeName is the instrumentation scope of the spans and metrics.
const ScopeName = "github.com/podero-go/podero/otel"

// Attribute keys of podero-go's own.
const (
	OperationKey = attribute.Key("podero.operation") // the Go name of the call
	CallKindKey  = attribute.Key("podero.call.kind") // operation, token, wait
	OrgKey       = attribute.Key("podero.org_id")
	PriorityKey  = attribute.Key("podero.priority")
	AttemptsKey  = attribute.Key("podero.attempts")
	// PaceWaitKey is the time a call or attempt waited for the client's
	// pace, in seconds.
	PaceWaitKey         = attribute.Key("podero.pace.wait")
	RetryBudgetSpentKey = attribute.Key("podero.retry_budget.spent")
)

// Option configures [Middleware].
type Option func(*config)

type config struct {
	tp    trace.TracerProvider
	mp    metric.MeterProvider
	props propagation.TextMapPropagator
}

// WithTracerProvider sets the tracer provider; the default is the global
// one (otel.GetTracerProvider) at the time Middleware is called.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) { c.tp = tp }
}

// WithMeterProvider sets the meter provider; the default is the global
// one.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.mp = mp }
}

// WithPropagators sets how an attempt's span context goes out with its
// request; the default is the global propagators. A
// propagation.NewCompositeTextMapPropagator() without arguments sends
// none.
func WithPropagators(p propagation.TextMapPropagator) Option {
	return func(c *config) { c.props = p }
}

// instruments are the middleware's tracer and metrics.
type instruments struct {
	tracer trace.Tracer
	props  propagation.TextMapPropagator

	duration, paceWait                metric.Float64Histogram
	attempts, errors, retries, denied metric.Int64Counter
	tokens                            metric.Int64Counter

	sets sync.Map // the metrics' attribute sets, by operation and error.type (see set)
}

// set is the attribute set of the metrics of operation op (none if "")
// that failed with class (none if ""), made once: a set sorts and
// allocates.
func (in *instruments) set(op, class string) metric.MeasurementOption {
	key := op + "\x00" + class
	if s, ok := in.sets.Load(key); ok {
		return s.(metric.MeasurementOption)
	}
	var kvs []attribute.KeyValue
	if op != "" {
		kvs = append(kvs, OperationKey.String(op))
	}
	if class != "" {
		kvs = append(kvs, semconv.ErrorTypeKey.String(class))
	}
	s, _ := in.sets.LoadOrStore(key, metric.WithAttributeSet(attribute.NewSet(kvs...)))
	return s.(metric.MeasurementOption)
}

// Middleware returns an api.Middleware that traces and measures every
// call of the client it is given to (api.Config.Middleware), its attempts,
// its token requests, waiters and iterators. Instruments that cannot be made
// are reported to otel.Handle and left out.
func Middleware(opts ...Option) api.Middleware {
	c := config{}
	for _, o := range opts {
		o(&c)
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	if c.props == nil {
		c.props = otel.GetTextMapPropagator()
	}
	in := &instruments{
		tracer: c.tp.Tracer(ScopeName, trace.WithSchemaURL(semconv.SchemaURL)),
		props:  c.props,
	}
	m := c.mp.Meter(ScopeName, metric.WithSchemaURL(semconv.SchemaURL))
	var errs []error
	hist := func(name, desc string) metric.Float64Histogram {
		h, err := m.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription(desc),
			metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
		errs = append(errs, err)
		return h
	}
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	in.duration = hist("podero.client.call.duration", "How long a call took, its retries and waits included.")
	in.paceWait = hist("podero.client.pace.wait", "How long a call or token request waited for the client's pace: a 429's pause, Config.RateLimit or the pace a 429 set.")
	in.attempts = counter("podero.client.call.attempts", "{attempt}", "HTTP requests sent for calls, retries included.")
	in.errors = counter("podero.client.call.errors", "{call}", "Calls that failed, by error.type.")
	in.retries = counter("podero.client.call.retries", "{retry}", "Attempts after a call's first.")
	in.denied = counter("podero.client.call.retries_denied", "{retry}", "Retries the client's retry budget refused.")
	in.tokens = counter("podero.client.token.requests", "{request}", "Token requests, their tries counted as one; error.type when one failed.")
	err := errors.Join(errs...)
	if err != nil {
		otel.Handle(err)
	}
	return api.Middleware{Call: in.call, Attempt: in.attempt, Event: in.event}
}

// call is the Call hook: a span, and the metrics when the call is done.
func (in *instruments) call(ctx context.Context, c *api.Call, next api.Next) error {
	attrs := make([]attribute.KeyValue, 0, 6)
	attrs = append(attrs, OperationKey.String(c.Operation), CallKindKey.String(c.Kind.String()))
	if c.Method != "" {
		attrs = append(attrs, semconv.HTTPRequestMethodKey.String(c.Method), semconv.URLTemplate(c.Path))
	}
	if c.Org != (api.UUID{}) {
		attrs = append(attrs, OrgKey.String(c.Org.String()))
	}
	if c.Priority != api.PriorityNormal && c.Kind == api.CallOperation {
		attrs = append(attrs, PriorityKey.Int(int(c.Priority)))
	}
	ctx, span := in.tracer.Start(ctx, "Podero "+c.Operation, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	err := next(ctx)
	info := &c.Info
	if c.Kind != api.CallWait {
		span.SetAttributes(AttemptsKey.Int(info.Attempts))
		if info.StatusCode != 0 {
			span.SetAttributes(semconv.HTTPResponseStatusCode(info.StatusCode))
		}
		if info.PaceWait > 0 {
			span.SetAttributes(PaceWaitKey.Float64(info.PaceWait.Seconds()))
		}
		if info.RetryBudgetSpent {
			span.SetAttributes(RetryBudgetSpentKey.Bool(true))
		}
	}
	class := ""
	if err != nil {
		class = errorType(err)
		span.SetAttributes(semconv.ErrorTypeKey.String(class))
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
	in.record(ctx, c, class)
	return err
}

// record records the metrics of a call that is done; class is its
// error.type, "" when it succeeded.
func (in *instruments) record(ctx context.Context, c *api.Call, class string) {
	info := &c.Info
	switch c.Kind {
	case api.CallWait:
		return
	case api.CallToken:
		in.tokens.Add(ctx, 1, in.set("", class))
		in.paceWait.Record(ctx, info.PaceWait.Seconds(), in.set(c.Operation, ""))
		return
	}
	opt := in.set(c.Operation, "")
	if class == "" {
		in.duration.Record(ctx, info.Duration.Seconds(), opt)
	} else {
		failed := in.set(c.Operation, class)
		in.duration.Record(ctx, info.Duration.Seconds(), failed)
		in.errors.Add(ctx, 1, failed)
	}
	in.attempts.Add(ctx, int64(info.Attempts), opt)
	if info.Attempts > 1 {
		in.retries.Add(ctx, int64(info.Attempts-1), opt)
	}
	if info.RetryBudgetSpent {
		in.denied.Add(ctx, 1, opt)
	}
	in.paceWait.Record(ctx, info.PaceWait.Seconds(), opt)
}

// attempt is the Attempt hook: a client span per HTTP request, whose
// context goes out with it.
func (in *instruments) attempt(ctx context.Context, a *api.Attempt, next api.Next) error {
	c := a.Call
	name := c.Method
	if c.Path != "" {
		name += " " + c.Path
	}
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs = append(attrs, semconv.HTTPRequestMethodKey.String(c.Method), semconv.URLFull(a.URL), semconv.URLTemplate(c.Path))
	if host, port := server(a.URL); host != "" {
		attrs = append(attrs, semconv.ServerAddress(host), semconv.ServerPort(port))
	}
	if a.N > 1 {
		attrs = append(attrs, semconv.HTTPRequestResendCount(a.N-1))
	}
	if a.PaceWait > 0 {
		attrs = append(attrs, PaceWaitKey.Float64(a.PaceWait.Seconds()))
	}
	ctx, span := in.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	if a.Header != nil {
		in.props.Inject(ctx, propagation.HeaderCarrier(a.Header))
	}
	err := next(ctx)
	if a.StatusCode != 0 {
		span.SetAttributes(semconv.HTTPResponseStatusCode(a.StatusCode))
	}
	switch {
	case err != nil:
		span.SetAttributes(semconv.ErrorTypeKey.String(errorType(err)))
		span.SetStatus(codes.Error, err.Error())
	case a.StatusCode >= 400:
		span.SetAttributes(semconv.ErrorTypeKey.String(strconv.Itoa(a.StatusCode)))
		span.SetStatus(codes.Error, "")
	}
	span.End()
	return err
}

// server is the host and port of an attempt's URL (scheme://host[:port]/path,
// without a query), without parsing all of it.
func server(u string) (string, int) {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return "", 0
	}
	hostport, _, _ := strings.Cut(rest, "/")
	host, p, err := net.SplitHostPort(hostport)
	if err != nil {
		host, p = hostport, ""
	}
	if port, err := strconv.Atoi(p); err == nil {
		return host, port
	}
	if scheme == "https" {
		return host, 443
	}
	return host, 80
}

// event adds a waiter's poll or an iterator's page to the span of ctx.
func (in *instruments) event(ctx context.Context, e *api.Event) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	var name string
	attrs := make([]attribute.KeyValue, 0, 6)
	switch e.Kind {
	case api.EventPoll:
		name = "podero.poll"
		attrs = append(attrs, attribute.String("podero.waiter", e.Name), attribute.Int("podero.poll", e.N),
			attribute.Bool("podero.done", e.Done), attribute.Float64("podero.waited", e.Waited.Seconds()))
		if !e.Done {
			attrs = append(attrs, attribute.Float64("podero.next", e.Next.Seconds()))
		}
	case api.EventPage:
		name = "podero.page"
		attrs = append(attrs, OperationKey.String(e.Name), attribute.Int("podero.page", e.N), attribute.Int("podero.offset", e.Offset),
			attribute.Int("podero.items", e.Items), attribute.Int("podero.total", e.Total), attribute.Bool("podero.done", e.Done))
	default:
		return
	}
	if e.Err != nil {
		attrs = append(attrs, semconv.ErrorTypeKey.String(errorType(e.Err)))
	}
	span.AddEvent(name, trace.WithAttributes(attrs...))
}

// errorType is the error.type of a failed call: the HTTP status of an
// error response, else what kind of failure it was.
func errorType(err error) string {
	var e *api.Error
	var te *oauth.TokenError
	var ne net.Error
	switch {
	case errors.As(err, &e) && e.StatusCode >= 400:
		return strconv.Itoa(e.StatusCode)
	case errors.As(err, &e) && e.StatusCode != 0:
		return "invalid_response" // a 2xx whose body is not what the spec declares
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.As(err, &te):
		return "token"
	case errors.As(err, &ne):
		if ne.Timeout() {
			return "timeout"
		}
		return "network"
	}
	return "_OTHER"
}
