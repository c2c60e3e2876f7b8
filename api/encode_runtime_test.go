package api

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/go-faster/jx"
)

// TestEncodeScalarsMatchEncodingJSON: the runtime's encoders of the types
// the pinned spec's bodies do not use (other specs' do, which gen's corpus
// checks) write what encoding/json writes, and refuse what it refuses.
func TestEncodeScalarsMatchEncodingJSON(t *testing.T) {
	type c struct {
		v   any
		enc func(w *jx.Writer) error
	}
	var cases []c
	for _, f := range []float32{0, -1.5, 1e-7, 1e21, math.MaxFloat32, math.SmallestNonzeroFloat32, float32(math.NaN()), float32(math.Inf(1))} {
		cases = append(cases, c{f, func(w *jx.Writer) error { return encodeFloat32(w, f) }})
	}
	for _, d := range []time.Time{time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(12345, 6, 7, 0, 0, 0, 0, time.UTC)} {
		cases = append(cases, c{Date{Time: d}, func(w *jx.Writer) error { encodeDate(w, Date{Time: d}); return nil }})
	}
	for _, b := range [][]byte{nil, {}, []byte("hello, world"), {0xff, 0, 0xfe}} {
		cases = append(cases, c{b, func(w *jx.Writer) error { encodeBytes(w, b); return nil }})
	}
	for _, n := range []json.Number{"", "0", "-0", "12.50", "-0.5e+3", "1E-9", "123456789012345678901234567890",
		"01", "+1", "1.", ".5", "1e", "1e+", "-", "NaN", "0x10", "1_000", " 1"} {
		cases = append(cases, c{n, func(w *jx.Writer) error { return encodeNumber(w, n) }})
	}
	for _, tc := range cases {
		want, werr := json.Marshal(tc.v)
		var w jx.Writer
		gerr := tc.enc(&w)
		switch {
		case (gerr != nil) != (werr != nil):
			t.Errorf("%#v: the encoder says %v, encoding/json %v", tc.v, gerr, werr)
		case gerr == nil && !bytes.Equal(w.Buf, want):
			t.Errorf("%#v: the encoder wrote %s, encoding/json %s", tc.v, w.Buf, want)
		}
	}
}
