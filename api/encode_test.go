package api

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-faster/jx"
)

// The generated request encoders (encode.gen.go) against encoding/json, on
// random values of every type that has one (encoderCases, written by gen
// into encode.gen_test.go).
//
// The values are generated over the Go types, with reflection, rather than
// over the schemas: the encoders' contract is "what encoding/json writes for
// this Go value", and the Go types have states a schema-valid document
// never shows, which an encoder must still get right: a Nullable absent,
// null or set (and a non-nil empty one), a nil list beside an empty one, a
// nil pointer, NaN, a time in the year 10000, invalid UTF-8, every string
// escape, enum values the spec does not list. The generator knows the
// types gen emits (oapi-codegen's models) and nothing of Podero's, so gen's
// corpus runs the same test on the clients of other specs.
//
// This file must build beside the generated code alone (gen's corpus copies
// it into every client it builds), so it uses nothing else of package api's
// tests.

// encoderCase is one type's encoder, on values of that type.
type encoderCase struct {
	name string
	typ  reflect.Type
	// encode encodes a *T with the generated encoder.
	encode func(v any) ([]byte, error)
	// decode, when the type is a response type too, decodes into a new *T
	// with the generated decoder; nil otherwise.
	decode func(data []byte) (any, error)
}

func newEncoderCase[T any](name string, enc func(*jx.Writer, *T) error, dec func(*jx.Decoder, *T) error) encoderCase {
	c := encoderCase{name: name, typ: reflect.TypeFor[T](), encode: func(v any) ([]byte, error) {
		var w jx.Writer
		err := enc(&w, v.(*T))
		return w.Buf, err
	}}
	if dec != nil {
		c.decode = func(data []byte) (any, error) {
			v := new(T)
			return v, decodeTop(data, v, dec)
		}
	}
	return c
}

// valuesPerType is how many random values of each type make test runs
// (about a second under -race); FuzzEncoders tries as many as it is given
// time for.
const valuesPerType = 40

// TestEncodersMatchEncodingJSON: every generated encoder writes exactly what
// encoding/json writes for the same value (byte for byte, and so the same
// JSON after canonicalisation), and refuses what encoding/json refuses.
func TestEncodersMatchEncodingJSON(t *testing.T) {
	if len(encoderCases) == 0 {
		t.Skip("the spec has no request bodies")
	}
	r := rand.New(rand.NewPCG(19, 1))
	for _, c := range encoderCases {
		t.Run(c.name, func(t *testing.T) {
			errs := 0
			for i := range valuesPerType {
				v := newValue(r, c.typ, valueOptions{})
				if checkEncoder(t, c, v, i) {
					errs++
				}
			}
			t.Logf("%d values, %d refused by both", valuesPerType, errs)
		})
	}
}

// TestEncodersRoundTrip: a type that is a response too reads back, through
// its generated decoder, as the value that was encoded.
func TestEncodersRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 2))
	for _, c := range encoderCases {
		if c.decode == nil {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			for i := range valuesPerType {
				checkRoundTrip(t, c, newValue(r, c.typ, valueOptions{valid: true}), i)
			}
		})
	}
}

// FuzzEncoders runs both checks on the values a seed gives:
// go test -fuzz FuzzEncoders ./api
func FuzzEncoders(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Fuzz(func(t *testing.T, s1, s2 uint64) {
		r := rand.New(rand.NewPCG(s1, s2))
		for _, c := range encoderCases {
			checkEncoder(t, c, newValue(r, c.typ, valueOptions{}), 0)
			if c.decode != nil {
				checkRoundTrip(t, c, newValue(r, c.typ, valueOptions{valid: true}), 0)
			}
		}
	})
}

// checkEncoder compares the encoder with encoding/json on v (a *T) and
// reports whether both refused it.
func checkEncoder(t *testing.T, c encoderCase, v any, i int) (refused bool) {
	t.Helper()
	got, gerr := c.encode(v)
	want, werr := json.Marshal(v)
	switch {
	case gerr != nil && werr != nil:
		return true
	case gerr != nil || werr != nil:
		t.Fatalf("%s #%d: the encoder says %v, encoding/json %v, for %s", c.name, i, gerr, werr, show(v))
	case !json.Valid(got):
		t.Fatalf("%s #%d: the encoder wrote invalid JSON %s", c.name, i, got)
	case !bytes.Equal(canonical(t, got), canonical(t, want)):
		t.Fatalf("%s #%d: the encoder wrote\n%s\nencoding/json\n%s", c.name, i, got, want)
	case !bytes.Equal(got, want):
		t.Fatalf("%s #%d: the same JSON, but not the same bytes:\n%s\n%s", c.name, i, got, want)
	}
	return false
}

// checkRoundTrip encodes v and decodes it back: the value read is the value
// written, as encoding/json shows them.
func checkRoundTrip(t *testing.T, c encoderCase, v any, i int) {
	t.Helper()
	data, err := c.encode(v)
	if err != nil {
		t.Fatalf("%s #%d: %v", c.name, i, err)
	}
	back, err := c.decode(data)
	if err != nil {
		t.Fatalf("%s #%d: the decoder refuses what the encoder wrote: %v\n%s", c.name, i, err, data)
	}
	want, _ := json.Marshal(v)
	got, _ := json.Marshal(back)
	if !bytes.Equal(canonical(t, got), canonical(t, want)) {
		t.Fatalf("%s #%d: encoded\n%s\nread back as\n%s", c.name, i, want, got)
	}
}

// canonical is data parsed and written again: object keys sorted, no
// space; numbers as they were spelled.
func canonical(t *testing.T, data []byte) []byte {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, data)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return reflect.ValueOf(v).Elem().String()
	}
	return string(b)
}

// valueOptions steer the generator.
type valueOptions struct {
	// valid: only values that read back unchanged: no NaN or infinities,
	// no time outside RFC 3339's years, valid UTF-8, a time's offset in
	// whole minutes, floats of at most roundTripDigits digits.
	valid bool
}

// roundTripDigits is the number of significant digits of the floats the
// round trip uses: 17, every float64. (jx's Float64 read some numbers of 16
// and 17 digits one unit in the last place off, issue 19; the decoders
// parse floats exactly now, so the round trip takes them all.)
const roundTripDigits = 17

var (
	timeType     = reflect.TypeFor[time.Time]()
	dateType     = reflect.TypeFor[Date]()
	numberType   = reflect.TypeFor[json.Number]()
	rawType      = reflect.TypeFor[json.RawMessage]()
	nullablePath = "github.com/oapi-codegen/nullable"
)

// newValue makes a random *T for t = T.
func newValue(r *rand.Rand, t reflect.Type, o valueOptions) any {
	p := reflect.New(t)
	fillRandom(r, p.Elem(), o, 0)
	if o.valid {
		notNull(p.Elem()) // a body of null is refused
	}
	return p.Interface()
}

// notNull makes a nil list or map empty: JSON's null reads back as a nil
// pointer or an absent field, not as a pointer to a nil list.
func notNull(v reflect.Value) {
	if (v.Kind() == reflect.Slice || v.Kind() == reflect.Map) && v.IsNil() && v.Type().PkgPath() != nullablePath {
		if v.Kind() == reflect.Slice {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		} else {
			v.Set(reflect.MakeMap(v.Type()))
		}
	}
}

// fill sets v, of any type oapi-codegen writes, to a random value.
func fillRandom(r *rand.Rand, v reflect.Value, o valueOptions, depth int) {
	deep := depth > 5
	t := v.Type()
	switch {
	case t == timeType:
		v.Set(reflect.ValueOf(randomTime(r, o)))
		return
	case t == dateType:
		day := time.Date(1+r.IntN(9998), time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(365))
		v.Set(reflect.ValueOf(Date{Time: day}))
		return
	case t == numberType:
		v.SetString(randomNumber(r, o))
		return
	case t == rawType:
		if r.IntN(4) > 0 {
			b, _ := json.Marshal(randomJSON(r, o, depth))
			v.SetBytes(append([]byte(" "), b...)) // encoding/json compacts it
		}
		return
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.Bool && t.PkgPath() == nullablePath:
		// nullable.Nullable: absent, null or a value; now and then an
		// empty map (absent too).
		switch n := r.IntN(10); {
		case n < 3 || deep:
		case n < 6:
			v.Set(reflect.MakeMap(t))
			v.SetMapIndex(reflect.ValueOf(false), reflect.Zero(t.Elem()))
		case n == 6:
			v.Set(reflect.MakeMap(t))
		default:
			v.Set(reflect.MakeMap(t))
			e := reflect.New(t.Elem()).Elem()
			fillRandom(r, e, o, depth+1)
			v.SetMapIndex(reflect.ValueOf(true), e)
		}
		return
	}
	switch t.Kind() {
	case reflect.String:
		v.SetString(randomString(r, o))
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(randomInt(r) >> (64 - t.Bits()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(r.Uint64() >> (64 - t.Bits()))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(randomFloat(r, o, t.Bits()))
	case reflect.Pointer:
		if !deep && r.IntN(4) > 0 {
			e := reflect.New(t.Elem())
			fillRandom(r, e.Elem(), o, depth+1)
			if o.valid {
				notNull(e.Elem())
			}
			v.Set(e)
		}
	case reflect.Slice:
		switch n := r.IntN(8); {
		case n == 0 || deep:
		case n == 1:
			v.Set(reflect.MakeSlice(t, 0, 0))
		default:
			s := reflect.MakeSlice(t, n-1, n-1)
			for i := range s.Len() {
				fillRandom(r, s.Index(i), o, depth+1)
			}
			v.Set(s)
		}
	case reflect.Array:
		for i := range v.Len() {
			fillRandom(r, v.Index(i), o, depth+1)
		}
	case reflect.Map:
		if deep || r.IntN(4) == 0 {
			return
		}
		m := reflect.MakeMap(t)
		for range r.IntN(4) {
			e := reflect.New(t.Elem()).Elem()
			fillRandom(r, e, o, depth+1)
			m.SetMapIndex(reflect.ValueOf(randomString(r, o)).Convert(t.Key()), e)
		}
		v.Set(m)
	case reflect.Interface:
		if x := randomJSON(r, o, depth); x != nil {
			v.Set(reflect.ValueOf(x))
		}
	case reflect.Struct:
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				fillRandom(r, v.Field(i), o, depth+1)
			}
		}
	}
}

// stringParts are what random strings are made of: plain text, every
// character encoding/json escapes (quote, backslash, controls, HTML's <>&,
// U+2028 and U+2029), multi-byte characters, and invalid UTF-8 (a lone
// byte, a truncated sequence, a surrogate), which encoding/json writes as
// U+FFFD.
var stringParts = []string{"a", "Wien", "1060", "grace.hopper@example.com", " ", "\"", "\\", "/", "\n", "\r", "\t", "\b", "\f", "\x00",
	"\x01", "\x1f", "\x7f", "<", ">", "&", "\u2028", "\u2029", "é", "ß", "日本", "😀", "\ufffd", "~"}

var invalidUTF8 = []string{"\xff", "\xc3", "\xed\xa0\x80", "\xe2\x82"}

func randomString(r *rand.Rand, o valueOptions) string {
	var b strings.Builder
	for range r.IntN(6) {
		if !o.valid && r.IntN(20) == 0 {
			b.WriteString(invalidUTF8[r.IntN(len(invalidUTF8))])
			continue
		}
		b.WriteString(stringParts[r.IntN(len(stringParts))])
	}
	return b.String()
}

func randomInt(r *rand.Rand) int64 {
	switch r.IntN(4) {
	case 0:
		return int64(r.IntN(200)) - 100
	case 1:
		return []int64{0, 1, -1, math.MaxInt64, math.MinInt64}[r.IntN(5)]
	}
	return int64(r.Uint64())
}

func randomFloat(r *rand.Rand, o valueOptions, bits int) float64 {
	var f float64
	switch r.IntN(8) {
	case 0:
		f = float64(r.IntN(2000)-1000) / 8
	case 1: // a Python-like decimal
		f, _ = strconv.ParseFloat(strconv.Itoa(r.IntN(1e9))+"."+strconv.Itoa(r.IntN(1e6)), 64)
	case 2: // where encoding/json switches to an exponent
		f = []float64{0, math.Copysign(0, -1), 1e21, 1e20, 1e-6, 1e-7, 9.999999e-7, math.MaxFloat64, math.SmallestNonzeroFloat64, -1e21}[r.IntN(10)]
	case 3:
		if !o.valid && r.IntN(8) == 0 {
			f = []float64{math.NaN(), math.Inf(1), math.Inf(-1)}[r.IntN(3)]
			break
		}
		fallthrough
	default: // any finite float
		for {
			f = math.Float64frombits(r.Uint64())
			if !math.IsNaN(f) && !math.IsInf(f, 0) {
				break
			}
		}
	}
	if bits == 32 {
		f = float64(float32(f))
	}
	if o.valid {
		g, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'g', roundTripDigits, bits), bits)
		if math.IsInf(g, 0) { // the largest floats round up past the largest
			g = math.Copysign(1.7976931348623e308, f)
		}
		f = g
	}
	if o.valid && math.IsInf(f, 0) { // a float32 out of range
		f = 1
	}
	return f
}

// randomTime is a time from year 1 to 9999, in UTC or at an offset, with or
// without a fraction; not valid: now and then outside RFC 3339's years, or
// at an offset with seconds (which RFC 3339 drops).
func randomTime(r *rand.Rand, o valueOptions) time.Time {
	sec := r.Int64N(253402300799-(-62135596800)) - 62135596800
	var nsec int64
	if r.IntN(2) == 0 {
		nsec = r.Int64N(1e9)
	}
	t := time.Unix(sec, nsec).UTC()
	switch n := r.IntN(40); {
	case n < 16:
	case n < 38:
		offset := (r.IntN(48*60) - 24*60 + 1) * 60 // whole minutes, within ±24 h
		t = t.In(time.FixedZone("", offset))
	case !o.valid && n == 38:
		t = time.Date(10000+r.IntN(100), 1, 2, 3, 4, 5, 0, time.UTC)
	case !o.valid:
		t = t.In(time.FixedZone("LMT", 3600+r.IntN(59)+1))
	}
	return t
}

func randomNumber(r *rand.Rand, o valueOptions) string {
	if !o.valid {
		switch r.IntN(10) {
		case 0:
			return ""
		case 1:
			return []string{"1.", "01", "+1", "1e", ".5", "0x10", "NaN", "1_000"}[r.IntN(8)]
		}
	}
	return []string{"0", "-0", "0.30", "19.99", "1e3", "-2.5E-3", "123456789012345678901234567890", "7"}[r.IntN(8)]
}

// randomJSON is a value of interface{}: what encoding/json writes for it is
// the reference on both sides.
func randomJSON(r *rand.Rand, o valueOptions, depth int) any {
	switch n := r.IntN(7); {
	case n == 0 || depth > 4:
		return nil
	case n == 1:
		return randomString(r, o)
	case n == 2:
		return randomFloat(r, valueOptions{valid: true}, 64)
	case n == 3:
		return r.IntN(2) == 0
	case n == 4:
		return []any{randomJSON(r, o, depth+1), randomJSON(r, o, depth+1)}
	default:
		return map[string]any{randomString(r, o): randomJSON(r, o, depth+1), "k": randomJSON(r, o, depth+1)}
	}
}
