package otel_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
	"golang.org/x/oauth2"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/benchdata"
	poderootel "github.com/podero-go/podero/otel"
)

// fixedTransport answers every request with the vehicle, without a
// network, so that the benchmark measures the client's own work (as
// internal/bench's CallLayer does).
type fixedTransport struct{ body []byte }

func (f fixedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		ContentLength: int64(len(f.body)), Body: io.NopCloser(bytes.NewReader(f.body)), Request: r}, nil
}

// BenchmarkMiddleware: the call layer's work for GetElectricVehicle on a
// transport without a network, with no middleware (mw=none), a middleware
// that only passes the call on (mw=pass), this package's middleware with
// OpenTelemetry's no-op providers (mw=otel-noop, what a service that has
// not set up OpenTelemetry pays) and with the SDK's, sampling every span
// into a processor that drops it and aggregating every metric
// (mw=otel-sdk). The difference to mw=none is the middleware's CPU per call.
func BenchmarkMiddleware(b *testing.B) {
	ev := benchdata.EV()
	sdkTraces := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	sdkMetrics := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		sdkTraces.Shutdown(context.Background())
		sdkMetrics.Shutdown(context.Background())
	})
	pass := api.Middleware{
		Call:    func(ctx context.Context, _ *api.Call, next api.Next) error { return next(ctx) },
		Attempt: func(ctx context.Context, _ *api.Attempt, next api.Next) error { return next(ctx) },
	}
	for _, tc := range []struct {
		name string
		mw   []api.Middleware
	}{
		{"none", nil},
		{"pass", []api.Middleware{pass}},
		{"otel-noop", []api.Middleware{poderootel.Middleware(poderootel.WithTracerProvider(tracenoop.NewTracerProvider()),
			poderootel.WithMeterProvider(noop.NewMeterProvider()))}},
		{"otel-sdk", []api.Middleware{poderootel.Middleware(poderootel.WithTracerProvider(sdkTraces),
			poderootel.WithMeterProvider(sdkMetrics))}},
	} {
		b.Run("mw="+tc.name, func(b *testing.B) {
			c, err := api.New(api.Config{OrgID: benchdata.OrgID, HTTPClient: &http.Client{Transport: fixedTransport{ev}},
				TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "bench-token"}), Middleware: tc.mw})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.GetElectricVehicle(ctx, benchdata.UserID, benchdata.EVID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
