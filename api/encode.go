package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/go-faster/jx"
)

// This file is the runtime of the request encoders that gen writes into
// encode.gen.go: one function per type, writing JSON with
// github.com/go-faster/jx instead of encoding/json's reflection, byte for
// byte what encoding/json writes for the same value (encode_test.go checks
// that on generated values of every request type). A PartnerClient method
// encodes its body into a pooled writer and sends a copy of exactly its
// length: one allocation.

// bodyWriters are the writers request bodies are encoded into.
var bodyWriters = sync.Pool{New: func() any { return &jx.Writer{Buf: make([]byte, 0, 1024)} }}

// bodyWriter takes an empty writer from the pool.
func bodyWriter() *jx.Writer {
	w := bodyWriters.Get().(*jx.Writer)
	w.Buf = w.Buf[:0]
	return w
}

// bodyBytes is what the encoding into w gave: a copy of the body, or the
// encoder's error. It gives w back to the pool (a copy, because the
// transport may read the body after the call has its answer, and again on a
// retry).
func bodyBytes(w *jx.Writer, err error) ([]byte, error) {
	var b []byte
	if err == nil {
		b = append(make([]byte, 0, len(w.Buf)), w.Buf...)
	}
	if cap(w.Buf) <= maxPooled {
		bodyWriters.Put(w)
	}
	return b, err
}

// bodyError is a value that does not encode: where (a JSON pointer, built
// as the error travels up through the objects and lists that hold it) and
// why.
type bodyError struct {
	path []string // innermost first
	err  error
}

func (e *bodyError) Error() string {
	var b strings.Builder
	b.WriteString("at ")
	for i := len(e.path) - 1; i >= 0; i-- {
		b.WriteString("/")
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(e.path[i], "~", "~0"), "/", "~1"))
	}
	return b.String() + ": " + e.err.Error()
}

func (e *bodyError) Unwrap() error { return e.err }

// encodeAt adds the key of the field or list element that err is about.
// It runs only when encoding fails.
func encodeAt(key string, err error) error {
	var be *bodyError
	if errors.As(err, &be) {
		be.path = append(be.path, key)
		return be
	}
	return &bodyError{path: []string{key}, err: err}
}

// endObject ends an object whose fields, each written as `,"key":value`,
// follow position p: the first comma becomes the opening brace.
func endObject(w *jx.Writer, p int) {
	if len(w.Buf) == p {
		w.Buf = append(w.Buf, "{}"...)
		return
	}
	w.Buf[p] = '{'
	w.Buf = append(w.Buf, '}')
}

// encodeString writes s as encoding/json does (with its HTML escaping):
// `"`, `\\` and the control characters escaped (\b, \f, \n, \r, \t by
// name, the others as \u00XX), <, > and & as \u003c, \u003e and \u0026,
// U+2028 and U+2029 as \u2028 and \u2029, and each byte of invalid UTF-8 as
// \ufffd. (jx's StrEscape writes \b and \f as \u0008 and \u000c, and
// takes a third more instructions.)
func encodeString(w *jx.Writer, s string) {
	b := append(w.Buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if jsonSafe[c] {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		if c < utf8.RuneSelf {
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	w.Buf = append(b, '"')
}

const hexDigits = "0123456789abcdef"

// jsonSafe marks the bytes encodeString copies as they are: printable ASCII
// but for ", \\, <, > and &. (Bytes from 0x80 start a UTF-8 sequence, which
// encodeString checks.)
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = !strings.ContainsRune(`"\\<>&`, rune(c))
	}
	return t
}()

// errNotFinite is the error for NaN and the infinities, which JSON has no
// spelling for (encoding/json refuses them too).
func errNotFinite(v float64) error {
	return errors.New(floatName(v) + " is not a JSON number (JSON has no NaN or infinities)")
}

func floatName(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case v > 0:
		return "+Inf"
	}
	return "-Inf"
}

// encodeFloat64 writes v as encoding/json does (the shortest form that
// reads back as v, with an exponent below 1e-6 and from 1e21).
func encodeFloat64(w *jx.Writer, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return errNotFinite(v)
	}
	w.Float64(v)
	return nil
}

func encodeFloat32(w *jx.Writer, v float32) error {
	if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
		return errNotFinite(f)
	}
	w.Float32(v)
	return nil
}

// encodeTime writes t in RFC 3339 with its fraction, as encoding/json does;
// a time it cannot write as RFC 3339 (a year outside 0-9999) is an error.
func encodeTime(w *jx.Writer, t time.Time) error {
	b, err := t.AppendText(append(w.Buf, '"'))
	if err != nil {
		return errors.New("the time is not RFC 3339: " + strings.TrimPrefix(err.Error(), "Time.AppendText: "))
	}
	w.Buf = append(b, '"')
	return nil
}

// encodeDate writes a day as YYYY-MM-DD, as Date's MarshalJSON does.
func encodeDate(w *jx.Writer, d Date) {
	w.Buf = append(d.Time.AppendFormat(append(w.Buf, '"'), time.DateOnly), '"')
}

// encodeUUID writes id in its canonical form.
func encodeUUID(w *jx.Writer, id UUID) {
	w.Buf = append(appendUUID(append(w.Buf, '"'), id), '"')
}

// encodeBytes writes b in standard base64, null for nil, as encoding/json
// does.
func encodeBytes(w *jx.Writer, b []byte) {
	if b == nil {
		w.Null()
		return
	}
	w.Buf = append(base64.StdEncoding.AppendEncode(append(w.Buf, '"'), b), '"')
}

// encodeNumber writes a json.Number (a decimal) as it is, 0 for "", as
// encoding/json does; a string that is not a JSON number is an error.
func encodeNumber(w *jx.Writer, n json.Number) error {
	s := string(n)
	if s == "" {
		s = "0"
	}
	if !validNumber(s) {
		return errors.New("invalid number literal " + `"` + s + `"`)
	}
	w.Buf = append(w.Buf, s...)
	return nil
}

// validNumber reports whether s is a JSON number (RFC 8259's grammar).
func validNumber(s string) bool {
	if s != "" && s[0] == '-' {
		s = s[1:]
	}
	digits := func() int {
		n := 0
		for n < len(s) && '0' <= s[n] && s[n] <= '9' {
			n++
		}
		s = s[n:]
		return n
	}
	switch {
	case s == "":
		return false
	case s[0] == '0':
		s = s[1:]
	case digits() == 0:
		return false
	}
	if s != "" && s[0] == '.' {
		s = s[1:]
		if digits() == 0 {
			return false
		}
	}
	if s != "" && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s != "" && (s[0] == '+' || s[0] == '-') {
			s = s[1:]
		}
		if digits() == 0 {
			return false
		}
	}
	return s == ""
}

// encodeJSON writes v with encoding/json: interface{}, a type with its own
// MarshalJSON (a union, an object with additional properties), anything gen
// has no encoder for.
func encodeJSON[T any](w *jx.Writer, v *T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Buf = append(w.Buf, b...)
	return nil
}
