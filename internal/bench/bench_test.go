// Package bench measures the SDK against the least a Go program can do: a
// hand-written net/http + encoding/json client decoding into structs with
// the same fields (internal/benchdata), in the same benchmark run, on one
// loopback server that serves fixed, spec-valid bodies with keep-alive on.
// Sub-benchmarks are named impl=baseline, impl=bare (the same exchange
// with no encoding or decoding: the least a Go program can do),
// impl=generated (oapi-codegen's client alone), impl=partner
// (PartnerClient) and impl=ogen (ogen's client for the same spec,
// internal/bench/ogenclient), so that `benchstat -col /impl` shows each as
// a ratio to the baseline; see BENCHMARKS.md and `make bench`.
//
// This is a module of its own, so that ogen's runtime stays out of the
// SDK's go.mod.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/go-faster/jx"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/raw"
	"github.com/podero-go/podero/api/speccheck"
	"github.com/podero-go/podero/internal/bench/ogenclient"
	"github.com/podero-go/podero/internal/benchdata"
	"github.com/podero-go/podero/internal/specserver"
)

var (
	evPath       = fmt.Sprintf("/api/partners/v2.0/org/%s/users/%s/electric-vehicles/%s", benchdata.OrgID, benchdata.UserID, benchdata.EVID)
	sessionsPath = evPath + "/sessions"
	usersPath    = fmt.Sprintf("/api/partners/v2.0/org/%s/users", benchdata.OrgID)
	pageSizes    = []int{10, 50, 200}
)

// fixtures are the bodies the server answers, by what they are.
type fixtures struct {
	ev, user []byte
	pages    map[int][]byte // SessionListOutput by page size
	walk     map[int][]byte // the pages of 200 of the 1,000 a walk asks for, by offset
}

var fix = sync.OnceValue(func() fixtures {
	f := fixtures{ev: benchdata.EV(), user: benchdata.CreatedUser(), pages: map[int][]byte{}}
	for _, n := range pageSizes {
		f.pages[n] = benchdata.SessionsPage(n)
	}
	// After the first page, an iterator asks each page from the last item
	// of the one before (see api's paginate): 199 new items a page.
	f.walk = map[int][]byte{0: f.pages[200]}
	for off := 199; off < 1000; off += 199 {
		f.walk[off] = benchdata.SessionsPageAt(off, min(200, 1000-off))
	}
	return f
})

// server answers the three calls with fixed bytes and counts the requests
// it gets, by path.
type server struct {
	*httptest.Server
	tokens, pages atomic.Int64
}

func newServer(tb testing.TB) *server {
	f := fix()
	s := &server{}
	write := func(w http.ResponseWriter, body []byte) {
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
		w.Write(body)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/oauth2/token/":
			s.tokens.Add(1)
			write(w, []byte(`{"access_token":"bench-token","token_type":"Bearer","expires_in":36000}`))
		case evPath:
			write(w, f.ev)
		case sessionsPath:
			s.pages.Add(1)
			q := r.URL.Query()
			n, _ := strconv.Atoi(q.Get("limit"))
			off, _ := strconv.Atoi(q.Get("offset"))
			page, ok := f.pages[n]
			if p, walking := f.walk[off]; walking && off > 0 {
				page, ok = p, true // a later page of a walk: other sessions
			}
			if !ok {
				page = f.pages[200]
			}
			write(w, page)
		case usersPath:
			io.Copy(io.Discard, r.Body)
			write(w, f.user)
		default:
			http.NotFound(w, r)
		}
	}))
	tb.Cleanup(s.Close)
	return s
}

func partner(tb testing.TB, s *server) *api.PartnerClient {
	c, err := api.New(api.Config{BaseURL: s.URL, OrgID: benchdata.OrgID,
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "bench-token"})})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func generated(tb testing.TB, s *server) *raw.ClientWithResponses {
	c, err := raw.NewClientWithResponses(s.URL, raw.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer bench-token")
		return nil
	}))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// baseline is the hand-written client: one request, the JSON decoded into
// the struct.
type baseline struct {
	http *http.Client
	base string
}

func (b baseline) do(ctx context.Context, method, url string, body []byte, out any) error {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.base+url, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer bench-token")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, out)
}

// bare is the exchange alone: the same request, with a body encoded
// beforehand, and the answer read into a reused buffer and not decoded.
type bare struct {
	http *http.Client
	base string
	buf  []byte
}

var (
	bearer   = []string{"Bearer bench-token"}
	jsonType = []string{"application/json"}
)

func (b *bare) do(ctx context.Context, method, url string, body []byte) error {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.base+url, r)
	if err != nil {
		return err
	}
	req.Header["Authorization"] = bearer
	if body != nil {
		req.Header["Content-Type"] = jsonType
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	buf := b.buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := resp.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	b.buf = buf
	return nil
}

// ogenToken is the ogen client's security source: the fixed token.
type ogenToken struct{}

func (ogenToken) OAuth2(context.Context, ogenclient.OperationName) (ogenclient.OAuth2, error) {
	return ogenclient.OAuth2{Token: "bench-token"}, nil
}

func ogenClient(tb testing.TB, s *server) *ogenclient.Client {
	c, err := ogenclient.NewClient(s.URL, ogenToken{}, ogenclient.WithClient(&http.Client{}))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// ogenUserInput is the create-user body as ogen's type.
func ogenUserInput(tb testing.TB) *ogenclient.UserCreateInput {
	var in ogenclient.UserCreateInput
	if err := in.Decode(jx.DecodeBytes(benchdata.CreateUserRequest())); err != nil {
		tb.Fatal(err)
	}
	return &in
}

// TestFixturesConformToSpec: the bodies the benchmarks decode are what the
// spec declares for the three operations.
func TestFixturesConformToSpec(t *testing.T) {
	doc, err := specserver.Doc()
	if err != nil {
		t.Fatal(err)
	}
	f := fix()
	bodies := map[string][]byte{
		"GET /api/partners/v2.0/org/{org_id}/users/{user_id}/electric-vehicles/{electric_vehicle_id}":          f.ev,
		"GET /api/partners/v2.0/org/{org_id}/users/{user_id}/electric-vehicles/{electric_vehicle_id}/sessions": f.pages[200],
		"POST /api/partners/v2.0/org/{org_id}/users":                                                           f.user,
	}
	// kin-openapi ignores undeclared properties: speccheck reports them, and
	// every other difference, as it would in a service.
	checker, err := speccheck.New(speccheck.Options{SampleRate: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer checker.Close()
	for route, body := range bodies {
		method, path, _ := strings.Cut(route, " ")
		checker.CheckResponse(context.Background(), &api.CheckedResponse{Method: method, Path: path, StatusCode: http.StatusOK,
			Header: http.Header{"Content-Type": {"application/json"}}, Body: body})
		op := doc.Paths.Value(path).GetOperation(method)
		schema := op.Responses.Status(200).Value.Content.Get("application/json").Schema
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatal(err)
		}
		if err := specserver.CheckValue(schema, v); err != nil {
			t.Errorf("%s: the fixture does not conform: %v", route, err)
		}
	}
	if err := checker.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	sum := checker.Summary()
	if sum.Checked != int64(len(bodies)) {
		t.Errorf("speccheck checked %d of the %d fixtures: %+v", sum.Checked, len(bodies), sum)
	}
	for _, m := range sum.Mismatches {
		t.Errorf("a fixture differs from the spec: %s", m.Mismatch)
	}
	in := doc.Paths.Value("/api/partners/v2.0/org/{org_id}/users").Post.RequestBody.Value.Content.Get("application/json").Schema
	var v any
	_ = json.Unmarshal(benchdata.CreateUserRequest(), &v)
	if err := specserver.CheckValue(in, v); err != nil {
		t.Errorf("the create-user body does not conform: %v", err)
	}
}

// TestBaselineDecodesEveryField: the baseline struct has the model's fields,
// so the two decode the same values.
func TestBaselineDecodesEveryField(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	var base benchdata.BaselineEV
	if err := (baseline{http: s.Client(), base: s.URL}).do(ctx, "GET", evPath, nil, &base); err != nil {
		t.Fatal(err)
	}
	ev, err := partner(t, s).GetElectricVehicle(ctx, benchdata.UserID, benchdata.EVID)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(base)
	b, _ := json.Marshal(ev)
	var av, bv map[string]any
	json.Unmarshal(a, &av)
	json.Unmarshal(b, &bv)
	if len(av) != len(bv) || len(av) != 46 {
		t.Errorf("baseline has %d fields, the model %d, want 46 each", len(av), len(bv))
	}
	for k, v := range av {
		if fmt.Sprint(v) != fmt.Sprint(bv[k]) {
			t.Errorf("%s: baseline %v, model %v", k, v, bv[k])
		}
	}
}

// impl is one implementation of a call: what it does once.
type impl struct {
	name string
	call func() error
}

// runImpls runs each implementation as the sub-benchmark impl=<name>.
func runImpls(b *testing.B, impls ...impl) {
	for _, im := range impls {
		b.Run("impl="+im.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := im.call(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkGetElectricVehicle(b *testing.B) {
	s := newServer(b)
	ctx := context.Background()
	bl, gen, pc := baseline{http: &http.Client{}, base: s.URL}, generated(b, s), partner(b, s)
	br, og := &bare{http: &http.Client{}, base: s.URL}, ogenClient(b, s)
	ogParams := ogenclient.IntegrationsAPIAPIV2OrganizationsUsersElectricVehiclesRouterRetrieveElectricVehicleParams{
		OrgID: benchdata.OrgID, UserID: benchdata.UserID, ElectricVehicleID: benchdata.EVID}
	runImpls(b,
		impl{"baseline", func() error {
			var ev benchdata.BaselineEV
			return bl.do(ctx, "GET", evPath, nil, &ev)
		}},
		impl{"bare", func() error {
			return br.do(ctx, "GET", evPath, nil)
		}},
		impl{"generated", func() error {
			resp, err := gen.GetElectricVehicleWithResponse(ctx, benchdata.OrgID, benchdata.UserID, benchdata.EVID)
			if err == nil && resp.JSON200 == nil {
				err = fmt.Errorf("status %d", resp.StatusCode())
			}
			return err
		}},
		impl{"partner", func() error {
			_, err := pc.GetElectricVehicle(ctx, benchdata.UserID, benchdata.EVID)
			return err
		}},
		impl{"ogen", func() error {
			_, err := og.IntegrationsAPIAPIV2OrganizationsUsersElectricVehiclesRouterRetrieveElectricVehicle(ctx, ogParams)
			return err
		}})
}

func BenchmarkListSessions200(b *testing.B) {
	s := newServer(b)
	ctx := context.Background()
	bl, gen, pc := baseline{http: &http.Client{}, base: s.URL}, generated(b, s), partner(b, s)
	br, og := &bare{http: &http.Client{}, base: s.URL}, ogenClient(b, s)
	params := sessionParams(200)
	ogParams := ogenSessionParams(200)
	query := "?from=2026-11-01&to=2026-11-30&limit=200&offset=0"
	want200 := func(n int) error {
		if n != 200 {
			return fmt.Errorf("%d items, want 200", n)
		}
		return nil
	}
	runImpls(b,
		impl{"baseline", func() error {
			var page benchdata.BaselineSessionPage
			if err := bl.do(ctx, "GET", sessionsPath+query, nil, &page); err != nil {
				return err
			}
			return want200(len(page.Items))
		}},
		impl{"bare", func() error {
			return br.do(ctx, "GET", sessionsPath+query, nil)
		}},
		impl{"generated", func() error {
			resp, err := gen.ListElectricVehicleSessionsWithResponse(ctx, benchdata.OrgID, benchdata.UserID, benchdata.EVID, &params)
			if err != nil || resp.JSON200 == nil {
				return fmt.Errorf("%v (status %d)", err, resp.StatusCode())
			}
			return want200(len(resp.JSON200.Items))
		}},
		impl{"partner", func() error {
			page, err := pc.ListElectricVehicleSessions(ctx, benchdata.UserID, benchdata.EVID, params)
			if err != nil {
				return err
			}
			return want200(len(page.Items))
		}},
		impl{"ogen", func() error {
			page, err := og.IntegrationsAPIAPIV2OrganizationsUsersElectricVehiclesSessionsRouterListSessionsEndpoint(ctx, ogParams)
			if err != nil {
				return err
			}
			return want200(len(page.Items))
		}})
}

func BenchmarkCreateUser(b *testing.B) {
	s := newServer(b)
	ctx := context.Background()
	bl, gen, pc := baseline{http: &http.Client{}, base: s.URL}, generated(b, s), partner(b, s)
	br, og := &bare{http: &http.Client{}, base: s.URL}, ogenClient(b, s)
	ogIn, ogParams := ogenUserInput(b), ogenclient.IntegrationsAPIAPIV2OrganizationsUsersRouterCreateUserParams{OrgID: benchdata.OrgID}
	raw := benchdata.CreateUserRequest()
	var baseIn benchdata.BaselineUserInput
	var in api.UserCreateInput
	if err := json.Unmarshal(raw, &baseIn); err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		b.Fatal(err)
	}
	runImpls(b,
		impl{"baseline", func() error {
			body, err := json.Marshal(baseIn)
			if err != nil {
				return err
			}
			var u benchdata.BaselineUser
			return bl.do(ctx, "POST", usersPath, body, &u)
		}},
		impl{"bare", func() error {
			return br.do(ctx, "POST", usersPath, raw)
		}},
		impl{"generated", func() error {
			resp, err := gen.CreateUserWithResponse(ctx, benchdata.OrgID, in)
			if err == nil && resp.JSON200 == nil {
				err = fmt.Errorf("status %d", resp.StatusCode())
			}
			return err
		}},
		impl{"partner", func() error {
			_, err := pc.CreateUser(ctx, in)
			return err
		}},
		impl{"ogen", func() error {
			_, err := og.IntegrationsAPIAPIV2OrganizationsUsersRouterCreateUser(ctx, ogIn, ogParams)
			return err
		}})
}

// BenchmarkEncodeCreateUser is the create-user body's encoding alone:
// encoding/json of the baseline's struct, and ogen's encoder. api's
// BenchmarkEncode has the SDK's encoder beside the same baseline (the
// encoders are unexported, so their benchmark lives in package api).
func BenchmarkEncodeCreateUser(b *testing.B) {
	var baseIn benchdata.BaselineUserInput
	if err := json.Unmarshal(benchdata.CreateUserRequest(), &baseIn); err != nil {
		b.Fatal(err)
	}
	ogIn := ogenUserInput(b)
	var sink []byte
	runImpls(b,
		impl{"baseline", func() (err error) {
			sink, err = json.Marshal(&baseIn)
			return err
		}},
		impl{"ogen", func() error {
			e := new(jx.Encoder)
			ogIn.Encode(e)
			sink = e.Bytes()
			return nil
		}})
	_ = sink
}

func ogenSessionParams(limit int) ogenclient.IntegrationsAPIAPIV2OrganizationsUsersElectricVehiclesSessionsRouterListSessionsEndpointParams {
	p := ogenclient.IntegrationsAPIAPIV2OrganizationsUsersElectricVehiclesSessionsRouterListSessionsEndpointParams{
		OrgID: benchdata.OrgID, UserID: benchdata.UserID, ElectricVehicleID: benchdata.EVID, Limit: ogenclient.NewOptInt(limit)}
	p.From, _ = parseDay("2026-11-01")
	p.To, _ = parseDay("2026-11-30")
	return p
}

// TestOgenAndBareMakeTheSameExchange: ogen's client decodes the three
// answers (so its benchmark measures a success, not an error path), and
// the bare exchange sends the same requests and reads the same bodies.
func TestOgenAndBareMakeTheSameExchange(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	og, br, f := ogenClient(t, s), &bare{http: s.Client(), base: s.URL}, fix()
	ev, err := og.IntegrationsAPIAPIV2OrganizationsUsersElectricVehiclesRouterRetrieveElectricVehicle(ctx,
		ogenclient.IntegrationsAPIAPIV2OrganizationsUsersElectricVehiclesRouterRetrieveElectricVehicleParams{
			OrgID: benchdata.OrgID, UserID: benchdata.UserID, ElectricVehicleID: benchdata.EVID})
	if err != nil || ev.ID.Value != benchdata.EVID || len(ev.Actions) != 1 {
		t.Fatalf("ogen's GetElectricVehicle: %v, %+v", err, ev)
	}
	page, err := og.IntegrationsAPIAPIV2OrganizationsUsersElectricVehiclesSessionsRouterListSessionsEndpoint(ctx, ogenSessionParams(200))
	if err != nil || len(page.Items) != 200 || page.Total != 1000 {
		t.Fatalf("ogen's session page: %v", err)
	}
	u, err := og.IntegrationsAPIAPIV2OrganizationsUsersRouterCreateUser(ctx, ogenUserInput(t),
		ogenclient.IntegrationsAPIAPIV2OrganizationsUsersRouterCreateUserParams{OrgID: benchdata.OrgID})
	if err != nil || u.Email != "grace.hopper@example.com" {
		t.Fatalf("ogen's CreateUser: %v", err)
	}
	// ogen sends the create-user body with the same fields.
	e := new(jx.Encoder)
	ogenUserInput(t).Encode(e)
	var got, want map[string]any
	if err := json.Unmarshal(e.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(benchdata.CreateUserRequest(), &want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ogen encodes the create-user body as %s, want %s", e.Bytes(), benchdata.CreateUserRequest())
	}
	for _, c := range []struct {
		method, path string
		body, want   []byte
	}{
		{"GET", evPath, nil, f.ev},
		{"GET", sessionsPath + "?limit=200", nil, f.pages[200]},
		{"POST", usersPath, benchdata.CreateUserRequest(), f.user},
	} {
		if err := br.do(ctx, c.method, c.path, c.body); err != nil || !bytes.Equal(br.buf, c.want) {
			t.Errorf("bare %s %s: %v, read %d bytes, want %d", c.method, c.path, err, len(br.buf), len(c.want))
		}
	}
}

func sessionParams(limit int) api.ListElectricVehicleSessionsParams {
	p := api.ListElectricVehicleSessionsParams{Limit: &limit}
	p.From.Time, _ = parseDay("2026-11-01")
	p.To.Time, _ = parseDay("2026-11-30")
	return p
}

// BenchmarkSessionsPerItem: the cost of a page grows no faster than its
// items; ns/item and B/item stay flat from 10 to 200.
func BenchmarkSessionsPerItem(b *testing.B) {
	s := newServer(b)
	ctx := context.Background()
	pc := partner(b, s)
	for _, n := range pageSizes {
		params := sessionParams(n)
		b.Run(fmt.Sprintf("items=%d/impl=partner", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				page, err := pc.ListElectricVehicleSessions(ctx, benchdata.UserID, benchdata.EVID, params)
				if err != nil || len(page.Items) != n {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/item")
		})
	}
}

// fixedTransport answers every request with the EV, without a network: the
// call layer's own work, per attempt, against the baseline's on the same
// transport.
type fixedTransport struct{ body []byte }

func (f fixedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		ContentLength: int64(len(f.body)), Body: io.NopCloser(bytes.NewReader(f.body)), Request: r}, nil
}

func BenchmarkCallLayer(b *testing.B) {
	ctx := context.Background()
	hc := &http.Client{Transport: fixedTransport{fix().ev}}
	bl := baseline{http: hc, base: "https://app.podero.com"}
	pc, err := api.New(api.Config{OrgID: benchdata.OrgID, HTTPClient: hc,
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "bench-token"})})
	if err != nil {
		b.Fatal(err)
	}
	runImpls(b,
		impl{"baseline", func() error {
			var ev benchdata.BaselineEV
			return bl.do(ctx, "GET", evPath, nil, &ev)
		}},
		impl{"partner", func() error {
			_, err := pc.GetElectricVehicle(ctx, benchdata.UserID, benchdata.EVID)
			return err
		}})
}

// coldCalls makes n concurrent first calls of a client whose token cache
// is empty, and returns how many token requests they made.
func coldCalls(tb testing.TB, s *server, n int) int64 {
	c, err := api.New(api.Config{BaseURL: s.URL, OrgID: benchdata.OrgID, ClientID: "bench", ClientSecret: "bench-secret"})
	if err != nil {
		tb.Fatal(err)
	}
	before := s.tokens.Load()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := c.GetElectricVehicle(context.Background(), benchdata.UserID, benchdata.EVID)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			tb.Fatal(err)
		}
	}
	return s.tokens.Load() - before
}

func TestThousandColdCallsOneToken(t *testing.T) {
	if n := coldCalls(t, newServer(t), 1000); n != 1 {
		t.Errorf("1,000 concurrent cold calls made %d token requests, want 1", n)
	}
}

func BenchmarkColdCalls1000(b *testing.B) {
	s := newServer(b)
	var tokens int64
	for b.Loop() {
		tokens += coldCalls(b, s, 1000)
	}
	b.ReportMetric(float64(tokens)/float64(b.N), "token-requests/op")
}

// walk iterates over 1,000 sessions and returns how many pages it fetched.
func walk(tb testing.TB, s *server, pc *api.PartnerClient) int64 {
	before := s.pages.Load()
	n := 0
	for _, err := range pc.ListElectricVehicleSessionsIter(context.Background(), benchdata.UserID, benchdata.EVID, sessionParams(0)) {
		if err != nil {
			tb.Fatal(err)
		}
		n++
	}
	if n != 1000 {
		tb.Fatalf("walked %d sessions, want 1000", n)
	}
	return s.pages.Load() - before
}

func TestWalkThousandSessions(t *testing.T) {
	s := newServer(t)
	if pages := walk(t, s, partner(t, s)); pages != 6 {
		t.Errorf("walking 1,000 sessions fetched %d pages, want 6: 200, then 199 new a page (each starts with the last item seen)", pages)
	}
}

func BenchmarkWalk1000Sessions(b *testing.B) {
	s := newServer(b)
	pc := partner(b, s)
	var pages int64
	b.ReportAllocs()
	for b.Loop() {
		pages += walk(b, s, pc)
	}
	b.ReportMetric(float64(pages)/float64(b.N), "page-requests/op")
}

func parseDay(s string) (time.Time, error) { return time.Parse(time.DateOnly, s) }
