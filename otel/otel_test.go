package otel_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/benchdata"
	poderootel "github.com/podero-go/podero/otel"
)

// Secrets that must not reach a span, an event or a metric.
const (
	clientSecret = "client-secret-0123456789"
	claimToken   = "claim-token-secret-0123456789"
	cueSecret    = "cue-secret-0123456789"
	tokenPrefix  = "tok-otel-"
)

// stepClock moves its time on at once when the client sleeps.
type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(max(d, 0))
	return ctx.Err()
}

// fixture is a loopback Podero whose answers the test scripts, a client on
// it with the OpenTelemetry middleware, and the SDK's in-memory span
// recorder and manual metric reader.
type fixture struct {
	t       *testing.T
	srv     *httptest.Server
	client  *api.PartnerClient
	spans   *tracetest.SpanRecorder
	metrics *sdkmetric.ManualReader
	tracer  trace.Tracer

	tokens  atomic.Int32
	revoked atomic.Bool // the first token is rejected once
	evPolls atomic.Int32

	mu           sync.Mutex
	evScript     []int // statuses of GetElectricVehicle before the vehicle (0: a boost still requested)
	traceparents []string
}

func (f *fixture) script(statuses ...int) {
	f.mu.Lock()
	f.evScript = statuses
	f.mu.Unlock()
	f.evPolls.Store(0)
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, spans: tracetest.NewSpanRecorder(), metrics: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(f.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(f.metrics))
	f.tracer = tp.Tracer("test")
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	c, err := api.New(api.Config{BaseURL: f.srv.URL, OrgID: benchdata.OrgID, ClientID: "otel-test", ClientSecret: clientSecret,
		Clock: &stepClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)},
		Middleware: []api.Middleware{poderootel.Middleware(poderootel.WithTracerProvider(tp), poderootel.WithMeterProvider(mp),
			poderootel.WithPropagators(propagation.TraceContext{}))}})
	if err != nil {
		t.Fatal(err)
	}
	f.client = c
	return f
}

func (f *fixture) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/oauth2/token/" {
		n := f.tokens.Add(1)
		fmt.Fprintf(w, `{"access_token":"%s%d","token_type":"Bearer","expires_in":3600}`, tokenPrefix, n)
		return
	}
	f.mu.Lock()
	f.traceparents = append(f.traceparents, r.Header.Get("Traceparent"))
	script := f.evScript
	f.mu.Unlock()
	switch {
	case strings.HasSuffix(r.URL.Path, "/sessions"):
		q := r.URL.Query()
		limit, _ := strconv.Atoi(q.Get("limit"))
		offset, _ := strconv.Atoi(q.Get("offset"))
		w.Write(benchdata.SessionsPageAt(offset, limit)) // each session once: the iterator checks
	case strings.Contains(r.URL.Path, "/cues/") || strings.Contains(r.URL.Path, "/wallbox-claim-tokens/"):
		// A server that echoes what it was sent, secrets included.
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"detail": "nothing at %s?%s"}`, r.URL.Path, r.URL.RawQuery)
	case strings.HasSuffix(r.URL.Path, "/users"):
		if r.Header.Get("Authorization") == "Bearer "+tokenPrefix+"1" && f.revoked.CompareAndSwap(true, false) {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"detail": "Token expired"}`))
			return
		}
		w.Write([]byte(`[]`))
	case strings.Contains(r.URL.Path, "/electric-vehicles/"):
		n := int(f.evPolls.Add(1))
		if n <= len(script) && script[n-1] != 0 {
			w.WriteHeader(script[n-1])
			w.Write([]byte(`{"detail": "busy"}`))
			return
		}
		ev := benchdata.EV()
		if n <= len(script) { // 0 in the script: the boost is still requested
			ev = bytes.Replace(ev, []byte(`"boost_state":"ongoing"`), []byte(`"boost_state":"requested"`), 1)
		}
		w.Write(ev)
	default:
		http.NotFound(w, r)
	}
}

// ended returns the spans ended so far, and forgets them.
func (f *fixture) ended() []sdktrace.ReadOnlySpan {
	spans := f.spans.Ended()
	f.spans.Reset()
	return spans
}

// attrs is a span's or an event's attributes as a map.
func attrs(kvs []attribute.KeyValue) map[string]string {
	m := map[string]string{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.String()
	}
	return m
}

// find returns the spans named name.
func find(spans []sdktrace.ReadOnlySpan, name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// children returns the spans whose parent is p, in the order they started.
func children(spans []sdktrace.ReadOnlySpan, p sdktrace.ReadOnlySpan) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Parent().SpanID() == p.SpanContext().SpanID() {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b sdktrace.ReadOnlySpan) int { return a.StartTime().Compare(b.StartTime()) })
	return out
}

// want compares some attributes of got.
func (f *fixture) want(what string, got map[string]string, want map[string]string) {
	f.t.Helper()
	for k, v := range want {
		if got[k] != v {
			f.t.Errorf("%s: %s = %q, want %q (all: %v)", what, k, got[k], v, got)
		}
	}
}

const evTemplate = "/api/partners/v2.0/org/{org_id}/users/{user_id}/electric-vehicles/{electric_vehicle_id}"

// TestSpans: the spans of a success, a retried call, a 404, a token
// refresh and a waiter.
func TestSpans(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	// A success, the client's first call: its token request is a span
	// inside the call's.
	if _, err := f.client.ListUsers(ctx, api.ListUsersParams{}); err != nil {
		t.Fatal(err)
	}
	spans := f.ended()
	call := find(spans, "Podero ListUsers")
	if len(call) != 1 || len(spans) != 4 {
		t.Fatalf("spans %v, want ListUsers, its token request and an attempt each", names(spans))
	}
	f.want("ListUsers", attrs(call[0].Attributes()), map[string]string{"podero.operation": "ListUsers", "podero.call.kind": "operation",
		"http.request.method": "GET", "url.template": "/api/partners/v2.0/org/{org_id}/users", "podero.org_id": benchdata.OrgID.String(),
		"podero.attempts": "1", "http.response.status_code": "200"})
	if call[0].SpanKind() != trace.SpanKindInternal || call[0].Status().Code == codes.Error {
		t.Errorf("ListUsers: kind %v, status %v", call[0].SpanKind(), call[0].Status())
	}
	kids := children(spans, call[0])
	if len(kids) != 2 || kids[0].Name() != "Podero Token" || kids[1].Name() != "GET /api/partners/v2.0/org/{org_id}/users" {
		t.Fatalf("ListUsers's children: %v", names(kids))
	}
	tok := kids[0]
	f.want("Token", attrs(tok.Attributes()), map[string]string{"podero.call.kind": "token", "url.template": "/oauth2/token/", "podero.attempts": "1"})
	if tk := children(spans, tok); len(tk) != 1 || tk[0].Name() != "POST /oauth2/token/" || tk[0].SpanKind() != trace.SpanKindClient {
		t.Errorf("the token request's attempts: %v", names(tk))
	}
	attempt := kids[1]
	f.want("ListUsers attempt", attrs(attempt.Attributes()), map[string]string{"http.request.method": "GET",
		"url.full": f.srv.URL + "/api/partners/v2.0/org/" + benchdata.OrgID.String() + "/users", "server.address": "127.0.0.1",
		"http.response.status_code": "200"})
	if attempt.SpanKind() != trace.SpanKindClient {
		t.Errorf("attempt kind %v", attempt.SpanKind())
	}
	// The attempt's context went out with the request.
	f.mu.Lock()
	tp := f.traceparents[0]
	f.mu.Unlock()
	if !strings.Contains(tp, attempt.SpanContext().SpanID().String()) {
		t.Errorf("traceparent %q, want the attempt's span %s", tp, attempt.SpanContext().SpanID())
	}

	// A retried call: a 503, then the vehicle.
	f.script(http.StatusServiceUnavailable)
	if _, err := f.client.GetElectricVehicle(ctx, benchdata.UserID, benchdata.EVID); err != nil {
		t.Fatal(err)
	}
	spans = f.ended()
	call = find(spans, "Podero GetElectricVehicle")
	if len(call) != 1 {
		t.Fatalf("spans %v", names(spans))
	}
	f.want("GetElectricVehicle", attrs(call[0].Attributes()), map[string]string{"podero.attempts": "2", "http.response.status_code": "200"})
	kids = children(spans, call[0])
	if len(kids) != 2 {
		t.Fatalf("attempts %v", names(kids))
	}
	f.want("attempt 1", attrs(kids[0].Attributes()), map[string]string{"http.response.status_code": "503", "error.type": "503", "url.template": evTemplate})
	f.want("attempt 2", attrs(kids[1].Attributes()), map[string]string{"http.response.status_code": "200", "http.request.resend_count": "1"})
	if kids[0].Status().Code != codes.Error || kids[1].Status().Code == codes.Error {
		t.Errorf("attempt statuses %v, %v; want an error, then none", kids[0].Status(), kids[1].Status())
	}

	// A 404, of a path that holds a secret, and of a query that holds one.
	session := api.UUID{9}
	if _, err := f.client.GetWallboxClaimTokenStatus(ctx, session, claimToken); !api.IsNotFound(err) {
		t.Fatalf("got %v, want a 404", err)
	}
	if _, err := f.client.ResolveCue(ctx, session, api.ResolveCueParams{Secret: cueSecret}, api.ReauthenticateResolveInput{CancelURL: "https://example.com/c"}); !api.IsNotFound(err) {
		t.Fatalf("got %v, want a 404", err)
	}
	spans = f.ended()
	call = find(spans, "Podero GetWallboxClaimTokenStatus")
	if len(call) != 1 || call[0].Status().Code != codes.Error {
		t.Fatalf("spans %v", names(spans))
	}
	f.want("404", attrs(call[0].Attributes()), map[string]string{"error.type": "404", "http.response.status_code": "404", "podero.attempts": "1"})
	kids = children(spans, call[0])
	f.want("404 attempt", attrs(kids[0].Attributes()), map[string]string{"error.type": "404",
		"url.full": f.srv.URL + "/api/partners/v2.0/device-onboarding/{onboarding_session_id}/wallbox-claim-tokens/{token}/status"})
	cue := find(spans, "Podero ResolveCue")
	if len(cue) != 1 || !strings.HasSuffix(attrs(children(spans, cue[0])[0].Attributes())["url.full"], "/resolve") {
		t.Errorf("ResolveCue: %v", names(spans))
	}

	// A token refresh: the API rejects the token, the client gets a new
	// one and sends again.
	f.revoked.Store(true)
	if _, err := f.client.ListUsers(ctx, api.ListUsersParams{}); err != nil {
		t.Fatal(err)
	}
	spans = f.ended()
	call = find(spans, "Podero ListUsers")
	if len(call) != 1 {
		t.Fatalf("spans %v", names(spans))
	}
	kids = children(spans, call[0])
	if len(kids) != 3 || kids[0].Name() != "GET /api/partners/v2.0/org/{org_id}/users" || kids[1].Name() != "Podero Token" {
		t.Fatalf("the refresh: %v, want the 401's attempt, the token request, the attempt with the new token", names(kids))
	}
	f.want("401 attempt", attrs(kids[0].Attributes()), map[string]string{"http.response.status_code": "401", "error.type": "401"})
	f.want("after the refresh", attrs(kids[2].Attributes()), map[string]string{"http.response.status_code": "200", "http.request.resend_count": "1"})
	f.want("refreshed", attrs(call[0].Attributes()), map[string]string{"podero.attempts": "2", "http.response.status_code": "200"})

	// A waiter: a span of its own, the polls inside it, an event each.
	f.script(0, 0) // requested twice, then ongoing
	parent, root := f.tracer.Start(ctx, "dashboard")
	if _, err := f.client.WaitForBoost(parent, benchdata.UserID, benchdata.EVID); err != nil {
		t.Fatal(err)
	}
	root.End()
	spans = f.ended()
	wait := find(spans, "Podero WaitForBoost")
	if len(wait) != 1 || wait[0].Parent().SpanID() != root.SpanContext().SpanID() {
		t.Fatalf("spans %v, want WaitForBoost in the caller's span", names(spans))
	}
	f.want("wait", attrs(wait[0].Attributes()), map[string]string{"podero.call.kind": "wait", "podero.operation": "WaitForBoost"})
	polls := children(spans, wait[0])
	if len(polls) != 3 || polls[0].Name() != "Podero GetElectricVehicle" {
		t.Errorf("the wait's children: %v, want its 3 polls", names(polls))
	}
	events := wait[0].Events()
	if len(events) != 3 {
		t.Fatalf("%d events, want one a poll", len(events))
	}
	for i, e := range events {
		f.want(fmt.Sprintf("poll %d", i+1), attrs(e.Attributes), map[string]string{"podero.waiter": "WaitForBoost",
			"podero.poll": fmt.Sprint(i + 1), "podero.done": fmt.Sprint(i == 2)})
		if e.Name != "podero.poll" {
			t.Errorf("event %q", e.Name)
		}
	}
	if ev := attrs(events[0].Attributes); ev["podero.next"] == "" {
		t.Errorf("the first poll does not say when the next is: %v", ev)
	}
	f.noSecrets(spans)
}

// TestIteratorPages: an iterator's pages are events of the span of its
// context.
func TestIteratorPages(t *testing.T) {
	f := newFixture(t)
	ctx, span := f.tracer.Start(context.Background(), "backfill")
	limit := 3
	n := 0
	for _, err := range f.client.ListElectricVehicleSessionsIter(ctx, benchdata.UserID, benchdata.EVID, api.ListElectricVehicleSessionsParams{Limit: &limit}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 7 {
			break
		}
	}
	span.End()
	spans := f.ended()
	root := find(spans, "backfill")[0]
	if calls := find(spans, "Podero ListElectricVehicleSessions"); len(calls) != 3 {
		t.Errorf("%d page calls, want 3", len(calls))
	}
	var pages []map[string]string
	for _, e := range root.Events() {
		if e.Name == "podero.page" {
			pages = append(pages, attrs(e.Attributes))
		}
	}
	if len(pages) != 3 {
		t.Fatalf("%d page events, want 3", len(pages))
	}
	f.want("page 3", pages[2], map[string]string{"podero.operation": "ListElectricVehicleSessions", "podero.page": "3",
		"podero.offset": "6", "podero.items": "3", "podero.total": "1000", "podero.done": "false"})
}

// noSecrets fails if a span, its events or its status hold a secret or a
// token.
func (f *fixture) noSecrets(spans []sdktrace.ReadOnlySpan) {
	f.t.Helper()
	for _, s := range spans {
		text := fmt.Sprint(s.Name(), s.Attributes(), s.Events(), s.Status())
		for _, secret := range []string{clientSecret, claimToken, cueSecret, tokenPrefix} {
			if strings.Contains(text, secret) {
				f.t.Errorf("span %s holds %q: %s", s.Name(), secret, text)
			}
		}
		if u := attrs(s.Attributes())["url.full"]; strings.Contains(u, "?") {
			f.t.Errorf("span %s: url.full %q has a query", s.Name(), u)
		}
	}
}

func names(spans []sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name())
	}
	return out
}

// TestMetrics: the metrics of a success, a retried call, a 404, a token
// refresh and a waiter's polls.
func TestMetrics(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.client.ListUsers(ctx, api.ListUsersParams{}); err != nil { // a success, and the first token
		t.Fatal(err)
	}
	f.script(http.StatusServiceUnavailable, http.StatusBadGateway)
	if _, err := f.client.GetElectricVehicle(ctx, benchdata.UserID, benchdata.EVID); err != nil { // retried twice
		t.Fatal(err)
	}
	if _, err := f.client.GetWallboxClaimTokenStatus(ctx, api.UUID{9}, claimToken); !api.IsNotFound(err) { // a 404
		t.Fatal(err)
	}
	f.revoked.Store(true)
	if _, err := f.client.ListUsers(ctx, api.ListUsersParams{}); err != nil { // a token refresh
		t.Fatal(err)
	}
	f.script(0)
	if _, err := f.client.WaitForBoost(ctx, benchdata.UserID, benchdata.EVID); err != nil { // two polls
		t.Fatal(err)
	}

	var rm metricdata.ResourceMetrics
	if err := f.metrics.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	m := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != poderootel.ScopeName {
			t.Errorf("scope %q", sm.Scope.Name)
		}
		for _, x := range sm.Metrics {
			m[x.Name] = x
		}
	}
	sums := func(name string) map[string]int64 {
		out := map[string]int64{}
		data, ok := m[name].Data.(metricdata.Sum[int64])
		if !ok {
			t.Fatalf("%s: %T, want a sum", name, m[name].Data)
		}
		for _, dp := range data.DataPoints {
			out[key(dp.Attributes)] += dp.Value
		}
		return out
	}
	counts := func(name string) map[string]uint64 {
		out := map[string]uint64{}
		data, ok := m[name].Data.(metricdata.Histogram[float64])
		if !ok {
			t.Fatalf("%s: %T, want a histogram", name, m[name].Data)
		}
		for _, dp := range data.DataPoints {
			out[key(dp.Attributes)] += dp.Count
		}
		return out
	}
	check := func(name string, got, want any) {
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s:\n\tgot  %v\n\twant %v", name, got, want)
		}
	}
	check("attempts", sums("podero.client.call.attempts"), map[string]int64{
		"GetElectricVehicle": 3 + 2, "GetWallboxClaimTokenStatus": 1, "ListUsers": 1 + 2})
	check("retries", sums("podero.client.call.retries"), map[string]int64{"GetElectricVehicle": 2, "ListUsers": 1})
	check("errors", sums("podero.client.call.errors"), map[string]int64{"GetWallboxClaimTokenStatus,404": 1})
	check("token requests", sums("podero.client.token.requests"), map[string]int64{"": 2})
	check("call durations", counts("podero.client.call.duration"), map[string]uint64{
		"GetElectricVehicle": 3, "GetWallboxClaimTokenStatus,404": 1, "ListUsers": 2})
	check("pace waits", counts("podero.client.pace.wait"), map[string]uint64{
		"GetElectricVehicle": 3, "GetWallboxClaimTokenStatus": 1, "ListUsers": 2, "Token": 2})
	if _, ok := m["podero.client.call.retries_denied"]; ok {
		t.Errorf("retries_denied recorded with no retry denied")
	}
	// The retried call waited its backoffs (at least 0.25 s and 0.5 s) on
	// the client's clock, which the duration is measured on.
	for _, dp := range m["podero.client.call.duration"].Data.(metricdata.Histogram[float64]).DataPoints {
		if key(dp.Attributes) == "GetElectricVehicle" && dp.Sum < 0.75 {
			t.Errorf("GetElectricVehicle took %v s in all, want its backoffs' 0.75 s at least", dp.Sum)
		}
	}
}

// key is a data point's operation, and its error.type after a comma if it
// has one.
func key(set attribute.Set) string {
	op, _ := set.Value(poderootel.OperationKey)
	k := op.String()
	if et, ok := set.Value("error.type"); ok {
		k += "," + et.String()
	}
	return k
}
