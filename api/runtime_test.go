package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-faster/jx"
	"github.com/google/uuid"
	"github.com/oapi-codegen/runtime"
	"golang.org/x/oauth2"
)

// The helpers of the generated methods and decoders, some of which only a
// spec other than Podero's uses (a float query parameter, a map of
// objects, a body that is not JSON).

func TestQueryAppenders(t *testing.T) {
	id := uuid.MustParse("3fa85f64-5717-4562-b3fc-2c963f66afa6")
	var q []byte
	q = appendQueryString(q, "name", "a b&c=d/ü")
	q = appendQueryInt(q, "limit", -3)
	q = appendQueryFloat(q, "max", 0.25)
	q = appendQueryBool(q, "deleted", true)
	q = appendQueryUUID(q, "id", id)
	q = appendQueryTime(q, "from", time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", 3600)))
	q = appendQueryDate(q, "day", Date{Time: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)})
	q, err := appendQueryStyled(q, "form", true, "tag", []string{"x", "y"})
	if err != nil {
		t.Fatal(err)
	}
	values, err := url.ParseQuery(string(q))
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	want := url.Values{"name": {"a b&c=d/ü"}, "limit": {"-3"}, "max": {"0.25"}, "deleted": {"true"},
		"id": {id.String()}, "from": {"2026-01-02T03:04:05+01:00"}, "day": {"2026-01-02"}, "tag": {"x", "y"}}
	for k, v := range want {
		if strings.Join(values[k], ",") != strings.Join(v, ",") {
			t.Errorf("%s = %q, want %q (query %s)", k, values[k], v, q)
		}
	}
}

func TestAppendUUID(t *testing.T) {
	id := uuid.New()
	if got := string(appendUUID([]byte("x/"), id)); got != "x/"+id.String() {
		t.Errorf("appendUUID = %q, want x/%s", got, id)
	}
}

// FuzzPathSegment: any string goes out as exactly one path segment that
// decodes back to it, and is never a dot-segment that URL resolution would
// remove.
func FuzzPathSegment(f *testing.F) {
	for _, s := range []string{"..", ".", "...", "a/b", "a?b#c", "%2E%2E", "ü", " ", "a;b", "\x00", "../../users"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://app.podero.com/api/partners/v2.0/org/o/users/by-ext-id/")
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" {
			return // refused before sending (emptyParam)
		}
		seg := string(appendSegment(nil, s))
		if strings.ContainsAny(seg, "/?#") || seg == "." || seg == ".." {
			t.Fatalf("%q is not one segment", seg)
		}
		back, err := url.PathUnescape(seg)
		if err != nil || back != s {
			t.Fatalf("%q decodes to %q (%v), want %q", seg, back, err, s)
		}
		u, err := base.Parse("./" + seg + "/x")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := u.EscapedPath(), base.EscapedPath()+seg+"/x"; got != want {
			t.Fatalf("resolved to %s, want %s", got, want)
		}
	})
}

func TestScalarDecoders(t *testing.T) {
	d := jx.DecodeStr(`[7, 8, 1.5, "x", {"a": 1}, {"k": 2, "l": null}]`)
	var (
		i32 int32
		i64 int64
		f32 float32
		raw json.RawMessage
		obj json.RawMessage
		m   map[string]int
	)
	decoders := []func(*jx.Decoder) error{
		func(d *jx.Decoder) error { return decodeInt32(d, &i32) },
		func(d *jx.Decoder) error { return decodeInt64(d, &i64) },
		func(d *jx.Decoder) error { return decodeFloat32(d, &f32) },
		func(d *jx.Decoder) error { return decodeRaw(d, &raw) },
		func(d *jx.Decoder) error { return decodeRaw(d, &obj) },
		func(d *jx.Decoder) error { return decodeMap(d, &m, decodeInt) },
	}
	n := 0
	err := d.Arr(func(d *jx.Decoder) error {
		n++
		return decoders[n-1](d)
	})
	if err == nil {
		t.Fatal("null in a map of int decoded")
	}
	if !strings.Contains(err.Error(), "at /l") {
		t.Errorf("the error %q does not say where", err)
	}
	if i32 != 7 || i64 != 8 || f32 != 1.5 || string(raw) != `"x"` || string(obj) != `{"a": 1}` || m["k"] != 2 {
		t.Errorf("decoded %v %v %v %s %s %v", i32, i64, f32, raw, obj, m)
	}
}

// A pydantic Decimal field is a json.Number in Go (see gen/decimal.go),
// which the generated decoders read with decodeJSON: pydantic writes a
// string, and a number is as good; both keep their digits, anything else
// fails.
func TestDecimalDecodes(t *testing.T) {
	var got []json.Number
	if err := decodeTop([]byte(`["12.50", 0.1, -3, "1E+3"]`), &got, func(d *jx.Decoder, v *[]json.Number) error {
		return decodeList(d, v, decodeJSON[json.Number])
	}); err != nil {
		t.Fatal(err)
	}
	if want := []json.Number{"12.50", "0.1", "-3", "1E+3"}; !slices.Equal(got, want) {
		t.Errorf("decoded %v, want %v", got, want)
	}
	for _, bad := range []string{`"twelve"`, `"NaN"`, `true`} {
		var n json.Number
		if err := decodeTop([]byte(bad), &n, decodeJSON[json.Number]); err == nil {
			t.Errorf("%s decoded as the decimal %q", bad, n)
		}
	}
}

// callBytes serves an operation whose answer is not JSON (a CSV export,
// say): the body comes back as it is.
func TestCallBytes(t *testing.T) {
	bodies := []string{"a,b\n1,2\n", "x,y\n9,8\n"}
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		w.Write([]byte(bodies[(n.Add(1)-1)%2]))
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t"})})
	if err != nil {
		t.Fatal(err)
	}
	op := &operation{name: "Export", method: "GET", path: "/export", auth: true}
	got, err := callBytes(c, context.Background(), op, &request{path: []byte("/export")}, nil)
	// The next calls reuse the pooled read buffer (sync.Pool gives it to
	// the same P, so a few calls make sure): the first result must not be
	// in it.
	for i := 1; i < 10; i++ {
		got2, err2 := callBytes(c, context.Background(), op, &request{path: []byte("/export")}, nil)
		if err2 != nil || string(got2) != bodies[i%2] {
			t.Errorf("callBytes %d = %q, %v", i, got2, err2)
		}
	}
	if err != nil || string(got) != bodies[0] {
		t.Errorf("first callBytes = %q, %v after the next calls", got, err)
	}
}

// decodePtr is what a type that holds itself (a tree of nodes) decodes its
// optional fields with, since it cannot be in its own scratch.
func TestDecodePtr(t *testing.T) {
	var p *string
	if err := decodePtr(jx.DecodeStr(`"x"`), &p, decodeString); err != nil || p == nil || *p != "x" {
		t.Errorf("decodePtr = %v, %v", p, err)
	}
	if err := decodePtr(jx.DecodeStr(`null`), &p, decodeString); err != nil || p != nil {
		t.Errorf("decodePtr(null) = %v, %v", p, err)
	}
}

// FuzzParseUTC: where the fast path takes a date-time, the standard
// library reads it as the same instant, in UTC; a date-time without a zone
// as the standard library reads it with a Z.
func FuzzParseUTC(f *testing.F) {
	for _, s := range []string{"2026-11-30T17:45:12.345678Z", "2026-11-30T17:45:12Z", "2026-02-29T00:00:00Z", "2024-02-29T23:59:59.999999999Z",
		"2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00+01:00", "0000-01-01T00:00:00Z",
		"2026-03-01T12:00:00", "2026-03-01T12:00:00.123456", "2026-03-01T12:00:00.", "100A-01-10T00:00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseUTC([]byte(s))
		if !ok {
			return // the standard library decides
		}
		zoned := s
		if !strings.HasSuffix(s, "Z") {
			zoned += "Z"
		}
		var want time.Time
		err := want.UnmarshalText([]byte(zoned))
		if err != nil || !got.Equal(want) || got.Location() != time.UTC || want.Location() != time.UTC {
			t.Fatalf("%q: fast %v, standard %v (%v)", s, got, want, err)
		}
	})
}

// TestTimeoutDefaults: Config.Timeout zero is DefaultTimeout per attempt,
// negative is none. (What a timed-out attempt does is
// internal/apitest's TestAttemptTimeout.)
func TestTimeoutDefaults(t *testing.T) {
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t"})
	for _, tc := range []struct {
		set, want time.Duration
	}{{0, DefaultTimeout}, {-1, 0}, {5 * time.Second, 5 * time.Second}} {
		c, err := New(Config{BaseURL: "http://127.0.0.1:1", TokenSource: ts, Timeout: tc.set})
		if err != nil {
			t.Fatal(err)
		}
		if c.t.timeout != tc.want {
			t.Errorf("Config.Timeout %v gives attempts %v, want %v", tc.set, c.t.timeout, tc.want)
		}
	}
}

// TestStylePathParam: the path parameters that the generated methods style
// with oapi-codegen's runtime (a date, an enum) cannot take a request to
// another route: "." and ".." are encoded, "" is refused.
func TestStylePathParam(t *testing.T) {
	opts := runtime.StyleParamOptions{ParamLocation: runtime.ParamLocationPath}
	for value, want := range map[string]string{"..": "%2E%2E", ".": "%2E", "2026-01-02": "2026-01-02"} {
		if got, err := stylePathParam("simple", false, "day", value, opts); err != nil || got != want {
			t.Errorf("%q styled %q, %v; want %q", value, got, err, want)
		}
	}
	if _, err := stylePathParam("simple", false, "day", "", opts); err == nil || !strings.Contains(err.Error(), "day is empty") {
		t.Errorf("an empty value: %v", err)
	}
}
