package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-faster/jx"
	"github.com/google/uuid"
	"github.com/oapi-codegen/nullable"
)

// This file is the runtime of the response decoders that gen writes into
// decode.gen.go: one function per type, reading JSON with
// github.com/go-faster/jx instead of encoding/json's reflection. The
// generated functions decode into oapi-codegen's models, so a PartnerClient
// method returns the same types as the raw client; unlike encoding/json they
// report the required fields a response lacks.

// decodeError is a response body that did not decode: where (a JSON
// pointer, built as the error travels up through the objects and arrays
// that hold the value) and why.
type decodeError struct {
	path []string // innermost first
	err  error
}

func (e *decodeError) Error() string {
	if len(e.path) == 0 {
		return e.err.Error()
	}
	var b strings.Builder
	for i := len(e.path) - 1; i >= 0; i-- {
		b.WriteString("/")
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(e.path[i], "~", "~0"), "/", "~1"))
	}
	return "at " + b.String() + ": " + e.err.Error()
}

func (e *decodeError) Unwrap() error { return e.err }

// at adds the key of the object field or array element that err is about.
// It runs only when decoding fails.
func at(key string, err error) error {
	var de *decodeError
	if errors.As(err, &de) {
		de.path = append(de.path, key)
		return de
	}
	return &decodeError{path: []string{key}, err: cleanJX(err)}
}

// cleanJX drops the "callback: " that jx puts before an error returned from
// inside an object or array.
func cleanJX(err error) error {
	msg := err.Error()
	if trimmed := strings.TrimPrefix(msg, "callback: "); trimmed != msg {
		return errors.New(trimmed)
	}
	return err
}

// missing is the error for required fields a response lacks (absent, or
// null where the spec does not allow it).
func missing(names []string, seen []bool) error {
	var gone []string
	for i, ok := range seen {
		if !ok {
			gone = append(gone, strconv.Quote(names[i]))
		}
	}
	if len(gone) == 1 {
		return &decodeError{err: fmt.Errorf("the required field %s is missing or null", gone[0])}
	}
	return &decodeError{err: fmt.Errorf("the required fields %s are missing or null", strings.Join(gone, ", "))}
}

// Decoders of the scalar types, in the shape every decoder has.

func decodeString(d *jx.Decoder, v *string) (err error) {
	*v, err = d.Str()
	return err
}

func decodeBool(d *jx.Decoder, v *bool) (err error) {
	*v, err = d.Bool()
	return err
}

func decodeInt(d *jx.Decoder, v *int) (err error) {
	*v, err = d.Int()
	return err
}

func decodeInt32(d *jx.Decoder, v *int32) (err error) {
	*v, err = d.Int32()
	return err
}

func decodeInt64(d *jx.Decoder, v *int64) (err error) {
	*v, err = d.Int64()
	return err
}

func decodeFloat64(d *jx.Decoder, v *float64) (err error) {
	*v, err = d.Float64()
	return err
}

func decodeFloat32(d *jx.Decoder, v *float32) (err error) {
	*v, err = d.Float32()
	return err
}

// decodeTime reads an RFC 3339 date-time, as encoding/json does.
func decodeTime(d *jx.Decoder, v *time.Time) error {
	b, err := d.StrBytes()
	if err != nil {
		return err
	}
	if t, ok := parseUTC(b); ok {
		*v = t
		return nil
	}
	return v.UnmarshalText(b)
}

// parseUTC parses the form of RFC 3339 a Python server writes for UTC,
// 2026-11-30T17:45:12.345678Z, in a quarter of the time time.Parse takes
// (a page of sessions has seven date-times an item). Anything else, an
// offset or a malformed value, it leaves to time.Time.UnmarshalText, whose
// result it equals where it succeeds (FuzzParseUTC checks that).
func parseUTC(b []byte) (time.Time, bool) {
	if len(b) < 20 || len(b) > 30 || b[len(b)-1] != 'Z' || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for _, c := range b[i : i+n] {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 2)
	day, ok3 := num(8, 2)
	hour, ok4 := num(11, 2)
	minute, ok5 := num(14, 2)
	sec, ok6 := num(17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	nsec := 0
	if frac := b[19 : len(b)-1]; len(frac) > 0 {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		n, ok := num(20, len(frac)-1)
		if !ok {
			return time.Time{}, false
		}
		for range 10 - len(frac) {
			n *= 10
		}
		nsec = n
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // February 30th and the like
		return time.Time{}, false
	}
	return t, true
}

// decodeDate reads a YYYY-MM-DD date.
func decodeDate(d *jx.Decoder, v *Date) error {
	b, err := d.StrBytes()
	if err != nil {
		return err
	}
	return v.UnmarshalText(b)
}

func decodeUUID(d *jx.Decoder, v *UUID) error {
	b, err := d.StrBytes()
	if err != nil {
		return err
	}
	id, err := uuid.ParseBytes(b)
	if err != nil {
		return fmt.Errorf("%q is not a UUID", b)
	}
	*v = id
	return nil
}

// decodeRaw keeps a value as its JSON, copied out of the body.
func decodeRaw(d *jx.Decoder, v *json.RawMessage) error {
	raw, err := d.Raw()
	if err != nil {
		return err
	}
	*v = append((*v)[:0], raw...)
	return nil
}

// decodeJSON decodes one value with encoding/json: for the types gen writes
// no decoder for (interface{}, maps of them), and the unions and other types
// that oapi-codegen gives an UnmarshalJSON method.
func decodeJSON[T any](d *jx.Decoder, v *T) error {
	raw, err := d.Raw()
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// decodePtr decodes an optional field: null leaves *p nil.
func decodePtr[T any](d *jx.Decoder, p **T, dec func(*jx.Decoder, *T) error) error {
	if d.Next() == jx.Null {
		*p = nil
		return d.Null()
	}
	v := new(T)
	if err := dec(d, v); err != nil {
		return err
	}
	*p = v
	return nil
}

// decodeNullable decodes a field that keeps the three states of a request
// schema: null, or a value (absent is the zero Nullable).
func decodeNullable[T any](d *jx.Decoder, p *nullable.Nullable[T], dec func(*jx.Decoder, *T) error) error {
	if d.Next() == jx.Null {
		p.SetNull()
		return d.Null()
	}
	var v T
	if err := dec(d, &v); err != nil {
		return err
	}
	p.Set(v)
	return nil
}

// decodeValue decodes a field that is not a pointer, and reports whether it
// had a value: null leaves the field zero, and a required field counts as
// missing.
func decodeValue[T any](d *jx.Decoder, p *T, dec func(*jx.Decoder, *T) error) (bool, error) {
	if d.Next() == jx.Null {
		return false, d.Null()
	}
	return true, dec(d, p)
}

// decodeList decodes an array, null as nil.
func decodeList[T any](d *jx.Decoder, v *[]T, dec func(*jx.Decoder, *T) error) error {
	if d.Next() == jx.Null {
		*v = nil
		return d.Null()
	}
	s := (*v)[:0]
	if s == nil {
		s = []T{} // [] decodes to an empty list, not nil
	}
	err := d.Arr(func(d *jx.Decoder) error {
		var zero T
		s = append(s, zero)
		if err := dec(d, &s[len(s)-1]); err != nil {
			return at(strconv.Itoa(len(s)-1), err)
		}
		return nil
	})
	*v = s
	return err
}

// decodeMap decodes an object of values of one type.
func decodeMap[T any](d *jx.Decoder, v *map[string]T, dec func(*jx.Decoder, *T) error) error {
	if d.Next() == jx.Null {
		*v = nil
		return d.Null()
	}
	m := map[string]T{}
	err := d.Obj(func(d *jx.Decoder, key string) error {
		var e T
		if err := dec(d, &e); err != nil {
			return at(key, err)
		}
		m[key] = e
		return nil
	})
	*v = m
	return err
}

// decodeTop decodes a whole response body with dec, refusing null (the
// spec declares a value) and anything after the value.
func decodeTop[T any](body []byte, out *T, dec func(*jx.Decoder, *T) error) error {
	d := jx.GetDecoder()
	defer jx.PutDecoder(d)
	d.ResetBytes(body)
	switch d.Next() {
	case jx.Null:
		return errors.New("the body is null")
	case jx.Invalid:
		if len(strings.TrimSpace(string(body))) == 0 {
			return errors.New("the body is empty")
		}
	}
	if err := dec(d, out); err != nil {
		return cleanJX(err)
	}
	if err := d.Skip(); !errors.Is(err, io.EOF) {
		return errors.New("the body has data after its JSON value")
	}
	return nil
}

// decodeSlot decodes an optional field of an object into slot, a field of
// the object's scratch value, and points *p at it (see the generated struct
// decoders); null leaves *p nil.
func decodeSlot[T any](d *jx.Decoder, p **T, slot *T, dec func(*jx.Decoder, *T) error) error {
	if d.Next() == jx.Null {
		*p = nil
		return d.Null()
	}
	if err := dec(d, slot); err != nil {
		return err
	}
	*p = slot
	return nil
}

// decodeUnmarshaler decodes a type with its own UnmarshalJSON method (a
// union, an object with additional properties) from the raw JSON, without
// a round trip through encoding/json's reflection.
func decodeUnmarshaler[T any, PT interface {
	*T
	json.Unmarshaler
}](d *jx.Decoder, v *T) error {
	raw, err := d.Raw()
	if err != nil {
		return err
	}
	return PT(v).UnmarshalJSON(raw)
}

// maxPooledList is the largest list buffer kept for reuse, in elements.
const maxPooledList = 1024

// listPool returns the pool of list buffers of one element type, for
// decodeListPooled.
func listPool[T any]() sync.Pool {
	return sync.Pool{New: func() any { return new([]T) }}
}

// decodeListPooled is decodeList for lists of objects: it decodes into a
// buffer from pool and copies the elements out into a slice of the list's
// length, then clears the buffer (it must not keep the elements' pointers
// alive) and gives it back.
func decodeListPooled[T any](d *jx.Decoder, v *[]T, dec func(*jx.Decoder, *T) error, pool *sync.Pool) error {
	if d.Next() == jx.Null {
		*v = nil
		return d.Null()
	}
	bp := pool.Get().(*[]T)
	buf := (*bp)[:0]
	err := d.Arr(func(d *jx.Decoder) error {
		var zero T
		buf = append(buf, zero)
		if err := dec(d, &buf[len(buf)-1]); err != nil {
			return at(strconv.Itoa(len(buf)-1), err)
		}
		return nil
	})
	out := make([]T, len(buf))
	copy(out, buf)
	clear(buf)
	if cap(buf) <= maxPooledList {
		*bp = buf[:0]
		pool.Put(bp)
	}
	*v = out
	return err
}
