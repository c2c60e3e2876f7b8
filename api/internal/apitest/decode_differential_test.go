package apitest

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"golang.org/x/oauth2"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/docgen"
	"github.com/podero-go/podero/internal/pinned"
)

// The differential test of the decoders: documents valid against each
// operation's 2xx schema, written as a Python server may write them
// (internal/docgen), decoded through the PartnerClient method over HTTP and
// through encoding/json into the same Go type, and compared.
//
// Where encoding/json reads a document otherwise than JSON.parse and Python
// do (docgen.Incompatible: keys that differ in case, a duplicate key, a
// date-time without a zone or with an escape in it, an integer written
// 2.0), encoding/json decodes the document written without those
// (Doc.Compat), and the test checks that encoding/json does differ on the
// original: that is the SDK's side of each known difference.

// docsPerOperation is how many documents each operation gets in the test,
// the first docsOverLoopback of them over a loopback connection to an
// httptest server, the rest handed to its handler in memory (see
// fixture): 11,600 documents in about 3 CPU-seconds. Under the race
// detector, which makes each ten times dearer and finds nothing here that
// the SDK's own tests under it do not, a few per operation; make test runs
// the full count without it (make test-decode). The fuzz target
// FuzzDecodeDifferential goes further.
const (
	docsPerOperation = 200
	docsOverLoopback = 20
	docsUnderRace    = 10
)

// diffOp is an operation that answers JSON, as the test calls it.
type diffOp struct {
	name   string
	schema *openapi3.SchemaRef
	call   func(ctx context.Context, c *api.PartnerClient, opts ...api.CallOption) (reflect.Value, error)
	result reflect.Type // what the method returns, less the pointer
}

// jsonOperations lists the operations with a JSON 2xx body, with a call of
// their PartnerClient method that makes up its arguments.
func jsonOperations(t testing.TB) []diffOp {
	t.Helper()
	doc, err := pinned.Doc()
	if err != nil {
		t.Fatal(err)
	}
	var ops []diffOp
	for _, info := range api.Operations {
		o := doc.Paths.Find(info.Path).GetOperation(info.Method)
		var schema *openapi3.SchemaRef
		for code, r := range o.Responses.Map() {
			if strings.HasPrefix(code, "2") && r.Value != nil {
				if mt := r.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
					schema = mt.Schema
				}
			}
		}
		m, ok := reflect.TypeFor[*api.PartnerClient]().MethodByName(info.Name)
		if schema == nil || !ok || m.Type.NumOut() != 2 {
			continue
		}
		result := m.Type.Out(0)
		if result.Kind() == reflect.Pointer {
			result = result.Elem()
		}
		if result.Kind() == reflect.Slice && result.Elem().Kind() == reflect.Uint8 {
			continue // not JSON
		}
		name := info.Name
		ops = append(ops, diffOp{name: name, schema: schema, result: result,
			call: func(ctx context.Context, c *api.PartnerClient, opts ...api.CallOption) (reflect.Value, error) {
				method := reflect.ValueOf(c).MethodByName(name)
				mt := method.Type()
				args := []reflect.Value{reflect.ValueOf(ctx)}
				for i := 1; i < mt.NumIn()-1; i++ {
					args = append(args, argument(mt.In(i)))
				}
				for _, o := range opts {
					args = append(args, reflect.ValueOf(o))
				}
				out := method.Call(args)
				err, _ := out[1].Interface().(error)
				return out[0], err
			}})
	}
	if len(ops) < 50 {
		t.Fatalf("only %d operations answer JSON", len(ops))
	}
	return ops
}

// argument makes up an argument of a method: a UUID, a non-empty string,
// a number, or the zero params or body.
func argument(t reflect.Type) reflect.Value {
	v := reflect.New(t).Elem()
	switch {
	case t == reflect.TypeFor[api.UUID]():
		v.Set(reflect.ValueOf(api.UUID{1, 2, 3}))
	case t.Kind() == reflect.String:
		v.SetString("x")
	case t.Kind() == reflect.Int:
		v.SetInt(7)
	}
	return v
}

// fixture is a server that answers every request with the body it is
// given, and two clients: one that reaches it over loopback (c), and one
// whose http.Client hands the request to the server's handler in memory
// (mem), for the same PartnerClient method, call layer and decoder at a
// fifth of the cost under the race detector, where make test runs.
type fixture struct {
	srv    *httptest.Server
	c, mem *api.PartnerClient
	mu     sync.Mutex
	body   []byte
}

func newFixture(t testing.TB) *fixture {
	f := &fixture{}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		body := f.body
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	f.srv = httptest.NewServer(handler)
	tokens := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "differential-token"})
	var err error
	f.c, err = api.New(api.Config{BaseURL: f.srv.URL, OrgID: api.UUID{9}, Retry: &api.RetryPolicy{}, TokenSource: tokens})
	if err != nil {
		t.Fatal(err)
	}
	f.mem, err = api.New(api.Config{BaseURL: f.srv.URL, OrgID: api.UUID{9}, Retry: &api.RetryPolicy{}, TokenSource: tokens,
		HTTPClient: &http.Client{Transport: inMemory{handler}}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// inMemory is an http.RoundTripper that serves a request with a handler,
// without a network.
type inMemory struct{ h http.Handler }

func (m inMemory) RoundTrip(r *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	m.h.ServeHTTP(w, r)
	resp := w.Result()
	resp.Request = r
	return resp, nil
}

// tally counts the documents with each feature, and for each known
// difference those where encoding/json did read the original otherwise.
type tally struct {
	mu                 sync.Mutex
	docs, had, differs map[docgen.Feature]int
	same               int // documents encoding/json read as they were
}

func (tl *tally) add(features docgen.Feature, jsonDiffers bool) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if features&docgen.Incompatible == 0 {
		tl.same++
	}
	for _, f := range features.Each() {
		tl.docs[f]++
		if f&docgen.Incompatible == 0 {
			continue
		}
		tl.had[f]++
		if jsonDiffers {
			tl.differs[f]++
		}
	}
}

// check decodes one document both ways and reports what differs.
func check(t testing.TB, f *fixture, op diffOp, doc docgen.Doc, tl *tally, loopback bool) {
	t.Helper()
	f.mu.Lock()
	f.body = doc.JSON
	f.mu.Unlock()
	c := f.mem
	if loopback {
		c = f.c
	}
	var raw []byte
	got, err := op.call(context.Background(), c, api.WithRawBody(&raw))
	if err != nil {
		t.Fatalf("%s: the SDK refuses a valid document: %v\n%s", op.name, err, doc.JSON)
	}
	if string(raw) != string(doc.JSON) {
		t.Fatalf("%s: WithRawBody gave %d bytes of the %d sent", op.name, len(raw), len(doc.JSON))
	}
	want := reflect.New(op.result)
	if err := json.Unmarshal(doc.Compat, want.Interface()); err != nil {
		t.Fatalf("%s: encoding/json refuses the document written for it: %v\n%s", op.name, err, doc.Compat)
	}
	if got.Kind() != reflect.Pointer {
		p := reflect.New(got.Type())
		p.Elem().Set(got)
		got = p
	}
	var d differ
	d.compare(got.Elem(), want.Elem(), "")
	if len(d.diffs) > 0 {
		t.Fatalf("%s: the SDK and encoding/json differ (document features: %v):\n  %s\ndocument:\n%s\nas encoding/json read it:\n%s",
			op.name, doc.Features, strings.Join(d.diffs, "\n  "), doc.JSON, doc.Compat)
	}
	// The undeclared properties, as written: the SDK keeps each.
	var kept []string
	extras(got, &kept)
	var sent []string
	for _, e := range doc.Extra {
		sent = append(sent, e.Key+"="+e.Raw)
	}
	if strings.Contains(strings.ToLower(string(doc.JSON)), `\ud`) {
		// The SDK writes a lone surrogate \ufffd (see loneSurrogates in
		// api/decode.go): compare the values, not their spelling.
		kept, sent = canonical(t, kept), canonical(t, sent)
	}
	slices.Sort(kept)
	slices.Sort(sent)
	if !slices.Equal(kept, sent) {
		t.Fatalf("%s: ExtraFields kept\n  %q\nthe document has\n  %q\n%s", op.name, kept, sent, doc.JSON)
	}
	differs := false
	if doc.Features&docgen.Incompatible != 0 {
		// The SDK's side of a known difference: encoding/json reads the
		// original otherwise (or refuses it).
		orig := reflect.New(op.result)
		differs = json.Unmarshal(doc.JSON, orig.Interface()) != nil
		if !differs {
			var d2 differ
			d2.compare(got.Elem(), orig.Elem(), "")
			differs = len(d2.diffs) > 0
		}
		if !differs && doc.Features&(docgen.NaiveDateTime|docgen.IntegerAsFloat) != 0 {
			t.Fatalf("%s: encoding/json read a document with %v", op.name, doc.Features&(docgen.NaiveDateTime|docgen.IntegerAsFloat))
		}
	}
	tl.add(doc.Features, differs)
}

// TestDecodeDifferential: for every operation that answers JSON, a few
// hundred documents from a fixed seed decode through the PartnerClient
// method as encoding/json decodes them into the same type; where
// encoding/json is the one that is wrong, the SDK's side is checked (see
// the file's comment).
func TestDecodeDifferential(t *testing.T) {
	ops := jsonOperations(t)
	tl := &tally{docs: map[docgen.Feature]int{}, had: map[docgen.Feature]int{}, differs: map[docgen.Feature]int{}}
	t.Run("operations", func(t *testing.T) {
		for _, op := range ops {
			t.Run(op.name, func(t *testing.T) {
				t.Parallel()
				f := newFixture(t)
				defer f.srv.Close()
				h := fnv.New64a()
				h.Write([]byte(op.name))
				g := docgen.New(rand.NewPCG(19, h.Sum64()))
				n := docsPerOperation
				if raceDetector {
					n = docsUnderRace
				}
				for i := range n {
					check(t, f, op, g.Document(op.schema), tl, i < docsOverLoopback)
				}
			})
		}
	})
	if t.Failed() {
		return
	}
	t.Logf("%d documents without a known difference, which encoding/json read as they were", tl.same)
	for _, f := range (docgen.UnknownProperty | docgen.DeepNesting | docgen.LongList | docgen.Incompatible).Each() {
		t.Logf("%d documents with %v", tl.docs[f], f)
	}
	// Each known difference was met, and encoding/json was wrong on it.
	for _, feature := range docgen.Incompatible.Each() {
		if raceDetector {
			break // too few documents to meet each
		}
		t.Logf("known difference, %v: %d documents, encoding/json read %d of them otherwise", feature, tl.had[feature], tl.differs[feature])
		if tl.had[feature] == 0 || tl.differs[feature] == 0 {
			t.Errorf("no document showed the known difference %v (%d had it)", feature, tl.had[feature])
		}
	}
}

// FuzzDecodeDifferential is TestDecodeDifferential with the generator's
// choices from the fuzzer: go test -fuzz FuzzDecodeDifferential
// ./api/internal/apitest. Its seed corpus, a document of each operation,
// runs with the tests.
func FuzzDecodeDifferential(f *testing.F) {
	ops := jsonOperations(f)
	for i := range ops {
		f.Add(uint8(i), fmt.Appendf(nil, "seed %d %s", i, strings.Repeat("\xff\x7f\x13", i%7)))
	}
	fx := newFixture(f)
	f.Cleanup(fx.srv.Close)
	tl := &tally{docs: map[docgen.Feature]int{}, had: map[docgen.Feature]int{}, differs: map[docgen.Feature]int{}}
	f.Fuzz(func(t *testing.T, op uint8, choices []byte) {
		o := ops[int(op)%len(ops)]
		check(t, fx, o, docgen.New(docgen.NewBytesSource(choices)).Document(o.schema), tl, true)
	})
}

// differ compares two decoded values, as the SDK and encoding/json give
// them.
type differ struct{ diffs []string }

func (d *differ) add(path, format string, args ...any) {
	if len(d.diffs) < 10 {
		d.diffs = append(d.diffs, path+": "+fmt.Sprintf(format, args...))
	}
}

var timeType = reflect.TypeFor[time.Time]()

func (d *differ) compare(a, b reflect.Value, path string) {
	if a.Type() != b.Type() {
		d.add(path, "types %v and %v", a.Type(), b.Type())
		return
	}
	switch {
	case a.Type() == timeType:
		ta, tb := a.Interface().(time.Time), b.Interface().(time.Time)
		_, oa := ta.Zone()
		_, ob := tb.Zone()
		if !ta.Equal(tb) || oa != ob {
			d.add(path, "%v and %v", ta, tb)
		}
		return
	case a.Kind() == reflect.Struct && a.NumField() == 1 && !a.Type().Field(0).IsExported():
		d.union(a, b, path)
		return
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				d.add(path, "nil %v and nil %v", a.IsNil(), b.IsNil())
			}
			return
		}
		d.compare(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := range a.NumField() {
			if a.Type().Field(i).IsExported() {
				d.compare(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name)
			}
		}
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			d.add(path, "lists of %d (nil %v) and %d (nil %v)", a.Len(), a.IsNil(), b.Len(), b.IsNil())
			return
		}
		for i := range a.Len() {
			d.compare(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			d.add(path, "maps of %d and %d", a.Len(), b.Len())
			return
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() {
				d.add(path, "key %v only in the SDK's", k)
				continue
			}
			d.compare(a.MapIndex(k), bv, fmt.Sprintf("%s[%v]", path, k))
		}
	case reflect.Float32, reflect.Float64:
		fa, fb := a.Float(), b.Float()
		if math.Float64bits(fa) != math.Float64bits(fb) && !(math.IsNaN(fa) && math.IsNaN(fb)) {
			d.add(path, "%v and %v", fa, fb)
		}
	default:
		if !a.Equal(b) {
			d.add(path, "%#v and %#v", a.Interface(), b.Interface())
		}
	}
}

// union compares oapi-codegen's unions by the value their discriminator
// gives (their JSON differs as written).
func (d *differ) union(a, b reflect.Value, path string) {
	m := a.MethodByName("ValueByDiscriminator")
	if !m.IsValid() {
		d.add(path, "a union without ValueByDiscriminator: %v", a.Type())
		return
	}
	va := m.Call(nil)
	vb := b.MethodByName("ValueByDiscriminator").Call(nil)
	ea, _ := va[1].Interface().(error)
	eb, _ := vb[1].Interface().(error)
	if (ea == nil) != (eb == nil) {
		d.add(path, "the union's value: %v and %v", ea, eb)
		return
	}
	if ea == nil {
		d.compare(va[0], vb[0], path+"(union)")
	}
}

// canonical rewrites key=raw pairs with each value as encoding/json
// writes what it reads from it.
func canonical(t testing.TB, pairs []string) []string {
	out := make([]string, len(pairs))
	for i, p := range pairs {
		k, raw, _ := strings.Cut(p, "=")
		for strings.HasPrefix(raw, "=") || !json.Valid([]byte(raw)) { // the key had a "="
			k2, rest, ok := strings.Cut(raw, "=")
			if !ok {
				break
			}
			k, raw = k+"="+k2, rest
		}
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("the undeclared property %q: %v", p, err)
		}
		b, _ := json.Marshal(v)
		out[i] = k + "=" + string(b)
	}
	slices.Sort(out)
	return out
}

// extras collects the ExtraFields of every object of a decoded value, as
// key=raw.
func extras(v reflect.Value, out *[]string) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if m := v.MethodByName("ExtraFields"); m.IsValid() {
			for k, raw := range m.Call(nil)[0].Interface().(map[string]json.RawMessage) {
				*out = append(*out, k+"="+string(raw))
			}
		}
		extras(v.Elem(), out)
	case reflect.Struct:
		if m := v.MethodByName("ValueByDiscriminator"); m.IsValid() {
			r := m.Call(nil)
			if r[1].IsNil() {
				member := reflect.ValueOf(r[0].Interface())
				p := reflect.New(member.Type())
				p.Elem().Set(member)
				extras(p, out)
			}
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				f := v.Field(i)
				if f.Kind() == reflect.Struct && f.CanAddr() {
					extras(f.Addr(), out)
				} else {
					extras(f, out)
				}
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			if e := v.Index(i); e.Kind() == reflect.Struct {
				extras(e.Addr(), out)
			} else {
				extras(e, out)
			}
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			extras(v.MapIndex(k), out)
		}
	}
}
