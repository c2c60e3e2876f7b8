package api

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

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
// that hold the value) and why. Its message is bounded, so that a hostile
// body cannot make an error of a megabyte: a short value is quoted whole
// (quoteShort), a long one only counted, and so is a long key. A prefix is
// never shown, as it could be part of a secret that the error layer, which
// redacts whole values (redact), would not find.
type decodeError struct {
	path []string // innermost first
	err  error
}

// maxKeyShown is the most of one key of the path an error shows.
const maxKeyShown = 64

func (e *decodeError) Error() string {
	if len(e.path) == 0 {
		return e.err.Error()
	}
	var b strings.Builder
	for i := len(e.path) - 1; i >= 0; i-- {
		b.WriteString("/")
		key := e.path[i]
		if len(key) > maxKeyShown {
			fmt.Fprintf(&b, "[a key of %d bytes]", len(key))
			continue
		}
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(key, "~", "~0"), "/", "~1"))
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

// maxErrorText bounds the text of an error that jx or the standard library
// gives; the values the decoders quote are bounded before (quoteShort).
const maxErrorText = 200

// cleanJX makes an error from jx one line of bounded length. jx wraps an
// error once per level it passes ("callback: ", and "array: " for each of
// 10,000 nested arrays of a malformed body): a long chain is reported by
// its innermost error, which says what was wrong and at which offset, and
// is never printed whole (printing it copies the chain once per level).
func cleanJX(err error) error {
	var de *decodeError
	if errors.As(err, &de) {
		return de
	}
	root, depth := err, 0
	for next := errors.Unwrap(root); next != nil; next = errors.Unwrap(root) {
		root, depth = next, depth+1
	}
	msg := root.Error()
	if depth <= 4 {
		msg = strings.ReplaceAll(err.Error(), "callback: ", "")
	}
	if strings.HasSuffix(msg, "depth: maximum") {
		return errors.New("the JSON is nested more than 10000 levels deep (encoding/json's limit too)")
	}
	if len(msg) > maxErrorText {
		msg = cutUTF8(msg, maxErrorText) + "…"
	}
	return errors.New(msg)
}

// cutUTF8 is s cut to at most n bytes, at the start of a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// maxQuoted is the longest value an error quotes.
const maxQuoted = 40

// quoteShort quotes a string's value for an error when it is short, and
// gives only the length of a longer one (see decodeError).
func quoteShort(b []byte) string {
	if len(b) <= maxQuoted {
		return strconv.Quote(string(b))
	}
	return fmt.Sprintf("a string of %d bytes", len(b))
}

// quoteNumber quotes a number for an error, its first digits when it is
// long: digits are no secret.
func quoteNumber(b []byte) string {
	if len(b) <= maxQuoted {
		return strconv.Quote(string(b))
	}
	return strconv.Quote(string(b[:maxQuoted])) + fmt.Sprintf("… (%d digits)", len(b))
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

// jsonTypes name what a JSON value is, for errors, by jx's types.
var jsonTypes = [...]string{jx.Invalid: "invalid JSON", jx.String: "a string", jx.Number: "a number",
	jx.Null: "null", jx.Bool: "true or false", jx.Array: "an array", jx.Object: "an object"}

// wrongType is the error for a value that is not of the JSON type the
// spec declares; it says what was there, never the value.
func wrongType(d *jx.Decoder, want string) error {
	t := d.Next()
	if t == jx.Invalid {
		if err := d.Skip(); err != nil {
			return cleanJX(err) // a syntax error, with its offset
		}
	}
	if int(t) >= len(jsonTypes) {
		t = jx.Invalid
	}
	return fmt.Errorf("want %s, got %s", want, jsonTypes[t])
}

// readError is err, from a jx call that reads a value of one type, saying
// what was wanted and, when the value is of another JSON type, which: jx
// says only "unexpected byte 34 '"' at 120". It is for the error path of
// the decoders that do not look at the value's type before reading it,
// which would cost a look per value.
func readError(err error, want string) error {
	var de *decodeError
	if errors.As(err, &de) {
		return err
	}
	msg := err.Error()
	for _, wrap := range []string{`"{" expected: `, `"[" expected: `} {
		msg = strings.TrimPrefix(msg, wrap)
	}
	if rest, ok := strings.CutPrefix(msg, "unexpected byte "); ok {
		if code, _, ok := strings.Cut(rest, " "); ok {
			if c, err := strconv.Atoi(code); err == nil && c < 256 {
				if t := valueType(byte(c)); t != "" {
					return fmt.Errorf("want %s, got %s (%s)", want, t, msg)
				}
			}
		}
	}
	return fmt.Errorf("want %s: %w", want, cleanJX(err))
}

// valueType names the JSON type of a value that starts with c, "" when no
// value starts so.
func valueType(c byte) string {
	switch {
	case c == '"':
		return "a string"
	case c == '-' || c >= '0' && c <= '9':
		return "a number"
	case c == 'n':
		return "null"
	case c == 't' || c == 'f':
		return "true or false"
	case c == '[':
		return "an array"
	case c == '{':
		return "an object"
	}
	return ""
}

// Decoders of the scalar types, in the shape every decoder has.

// decodeString reads a string. Bytes that are not UTF-8 become U+FFFD, as
// encoding/json makes them.
func decodeString(d *jx.Decoder, v *string) error {
	b, err := d.StrBytes()
	if err != nil {
		return readError(err, "a string")
	}
	*v = validString(b)
	return nil
}

// validString is b as a string, each byte of it that is not part of a
// UTF-8 character replaced by U+FFFD, as encoding/json replaces them.
// (strings.ToValidUTF8 would replace a run of them by one.)
func validString(b []byte) string {
	if isASCII(b) || utf8.Valid(b) {
		return string(b)
	}
	s := make([]byte, 0, len(b)+8)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			s = utf8.AppendRune(s, utf8.RuneError)
		} else {
			s = append(s, b[:size]...)
		}
		b = b[size:]
	}
	return string(s)
}

// isASCII reports whether b is all ASCII, eight bytes at a time: most
// strings are, and it costs a third of utf8.Valid on a short string.
func isASCII(b []byte) bool {
	n := len(b)
	if n < 8 {
		var acc byte
		for _, c := range b {
			acc |= c
		}
		return acc < utf8.RuneSelf
	}
	var acc uint64
	for i := 0; i+8 <= n; i += 8 {
		acc |= binary.LittleEndian.Uint64(b[i:])
	}
	acc |= binary.LittleEndian.Uint64(b[n-8:])
	return acc&0x8080808080808080 == 0
}

func decodeBool(d *jx.Decoder, v *bool) (err error) {
	if *v, err = d.Bool(); err != nil {
		return readError(err, "true or false")
	}
	return nil
}

// numberBytes reads a number and returns its text, which jx has checked is
// a JSON number. (jx.Decoder.Raw reads any value, which is why the first
// byte is looked at: that costs less than looking at the type before.)
func numberBytes(d *jx.Decoder) ([]byte, error) {
	b, err := d.Raw()
	if err != nil {
		return nil, readError(err, "a number")
	}
	if len(b) > 0 && (b[0] == '-' || b[0]-'0' <= 9) {
		return b, nil
	}
	b = bytes.TrimLeft(b, " \t\r\n") // jx gives a value without the space before it; in case it does not
	switch {
	case len(b) == 0:
		return nil, errors.New("want a number")
	case b[0] != '-' && (b[0] < '0' || b[0] > '9'):
		return nil, fmt.Errorf("want a number, got %s", cmp.Or(valueType(b[0]), "invalid JSON"))
	}
	return b, nil
}

func decodeInt(d *jx.Decoder, v *int) error {
	n, err := decodeInteger(d, strconv.IntSize)
	*v = int(n)
	return err
}

func decodeInt32(d *jx.Decoder, v *int32) error {
	n, err := decodeInteger(d, 32)
	*v = int32(n)
	return err
}

func decodeInt64(d *jx.Decoder, v *int64) error {
	n, err := decodeInteger(d, 64)
	*v = n
	return err
}

func decodeInteger(d *jx.Decoder, bits int) (int64, error) {
	b, err := numberBytes(d)
	if err != nil {
		return 0, err
	}
	return parseInteger(b, bits)
}

// parseInteger reads a JSON number as an integer of the given size. JSON
// Schema counts 1.0 and 1e2 as integers, and Python writes a float that
// holds a whole number so, so they decode (api/speccheck reports them as
// drift); 1.5 does not. The value is exact: the digits are not taken
// through a float64.
func parseInteger(b []byte, bits int) (int64, error) {
	i, neg := 0, false
	if len(b) > 0 && b[0] == '-' {
		i, neg = 1, true
	}
	if len(b)-i <= 18 { // the common case: digits only, fewer than 19
		var u int64
		j := i
		for ; j < len(b) && b[j] >= '0' && b[j] <= '9'; j++ {
			u = u*10 + int64(b[j]-'0')
		}
		if j == len(b) {
			if neg {
				u = -u
			}
			if bits < 64 && (u < -1<<(bits-1) || u >= 1<<(bits-1)) {
				return 0, rangeError(b, bits)
			}
			return u, nil
		}
	}
	// The digits before the point, after it, and the exponent.
	start := i
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	whole := b[start:i]
	var frac []byte
	if i < len(b) && b[i] == '.' {
		start = i + 1
		for i = start; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		}
		frac = b[start:i]
	}
	exp := 0
	if i < len(b) { // e or E: jx has checked that digits follow
		i++
		eneg := b[i] == '-'
		if b[i] == '-' || b[i] == '+' {
			i++
		}
		for ; i < len(b); i++ {
			if exp < 1e9 { // beyond, no 64-bit integer is that
				exp = exp*10 + int(b[i]-'0')
			}
		}
		if eneg {
			exp = -exp
		}
	}
	// The value is the digits of whole and frac, from the first that is
	// not zero to the last, times ten to the power e.
	digit := func(k int) byte {
		if k < len(whole) {
			return whole[k]
		}
		return frac[k-len(whole)]
	}
	n := len(whole) + len(frac)
	first, last := 0, n-1
	for first < n && digit(first) == '0' {
		first++
	}
	if first == n {
		return 0, nil
	}
	for digit(last) == '0' {
		last--
	}
	e := exp - len(frac) + (n - 1 - last)
	if e < 0 {
		return 0, fmt.Errorf("%s is not an integer", quoteNumber(b))
	}
	if last-first+1+e > 19 {
		return 0, rangeError(b, bits)
	}
	var u uint64
	for k := first; k <= last; k++ {
		u = u*10 + uint64(digit(k)-'0')
	}
	for range e {
		u *= 10
	}
	if limit := uint64(1) << (bits - 1); u > limit || (u == limit && !neg) {
		return 0, rangeError(b, bits)
	}
	if neg {
		return -int64(u-1) - 1, nil
	}
	return int64(u), nil
}

func rangeError(b []byte, bits int) error {
	return fmt.Errorf("%s is out of range for an int%d", quoteNumber(b), bits)
}

func decodeFloat64(d *jx.Decoder, v *float64) error {
	b, err := numberBytes(d)
	if err != nil {
		return err
	}
	*v, err = parseFloat(b, 64)
	return err
}

func decodeFloat32(d *jx.Decoder, v *float32) error {
	b, err := numberBytes(d)
	if err != nil {
		return err
	}
	f, err := parseFloat(b, 32)
	*v = float32(f)
	return err
}

// exactPow10 are the powers of ten a float64 holds exactly.
var exactPow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseFloat reads a JSON number as the float strconv.ParseFloat gives,
// the one nearest its decimal value.
//
// jx.Decoder.Float64 is not used: its fast path divides the digits, as an
// integer of up to 63 bits, by a power of ten, and an integer above 2^53 is
// already rounded when converted to float64, so the quotient may be one ULP
// off. A reproduction for jx upstream (go-faster/jx v1.2.0): inside an
// object or array, where the fast path runs,
//
//	jx.DecodeStr(`[1911568997308.3718]`).Arr(func(d *jx.Decoder) error {
//		f, _ := d.Float64() // 1911568997308.372, strconv: 1911568997308.3718
//		...
//	})
//
// and 4334507231935231.5 gives 4334507231935231 (strconv: ...232). At the
// end of the input jx takes its slow path, strconv's, so a bare number
// decodes right. The fast path here is exact: digits of at most 2^53 times
// or divided by a power of ten up to 10^22, both exact in a float64, with
// one rounding (Clinger's fast path); anything else goes to strconv.
func parseFloat(b []byte, bits int) (float64, error) {
	if bits == 64 {
		if f, ok := fastFloat(b); ok {
			return f, nil
		}
	}
	f, err := strconv.ParseFloat(string(b), bits)
	if err != nil {
		// strconv's error would quote all of b, a million digits maybe.
		return 0, fmt.Errorf("%s is out of range for a float%d", quoteNumber(b), bits)
	}
	return f, nil
}

// fastFloat is Clinger's fast path, for a number whose digits without the
// point are an integer of at most 2^53 and whose scale is 10^-22 to 10^22.
// b is a JSON number (jx has checked it).
func fastFloat(b []byte) (float64, bool) {
	i, neg := 0, false
	if b[0] == '-' {
		i, neg = 1, true
	}
	// Digits before the point, then after it: 19 digits at most, which an
	// uint64 holds; more than 2^53 is for strconv anyway.
	var m uint64
	start := i
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		m = m*10 + uint64(b[i]-'0')
	}
	n := i - start
	frac := 0
	if i < len(b) && b[i] == '.' {
		i++
		start = i
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			m = m*10 + uint64(b[i]-'0')
		}
		frac = i - start
		n += frac
	}
	if n > 19 && !leadingZeros(b, n-19) {
		return 0, false
	}
	exp := 0
	if i < len(b) { // an exponent: e or E, a sign, digits
		i++
		eneg := b[i] == '-'
		if b[i] == '-' || b[i] == '+' {
			i++
		}
		for ; i < len(b); i++ {
			if exp > 1000 {
				return 0, false
			}
			exp = exp*10 + int(b[i]-'0')
		}
		if eneg {
			exp = -exp
		}
	}
	if m > 1<<53 {
		return 0, false
	}
	f := float64(m)
	switch e := exp - frac; {
	case e == 0:
	case e > 0 && e <= 22:
		f *= exactPow10[e]
	case e < 0 && e >= -22:
		f /= exactPow10[-e]
	default:
		return 0, false
	}
	if neg {
		f = -f
	}
	return f, true
}

// leadingZeros reports whether the first k digits of the number b (its
// sign and point skipped) are zeros, so that its digits fit in 19.
func leadingZeros(b []byte, k int) bool {
	for _, c := range b {
		switch {
		case c == '-' || c == '.':
		case c != '0':
			return false
		default:
			if k--; k == 0 {
				return true
			}
		}
	}
	return false
}

// decodeTime reads an RFC 3339 date-time, as encoding/json does, and a
// date-time without a zone offset (2026-03-01T12:00:00, as pydantic writes
// a datetime that has none) as UTC, since the API gives every time in UTC.
// api/speccheck reports the latter as drift.
func decodeTime(d *jx.Decoder, v *time.Time) error {
	b, err := d.StrBytes()
	if err != nil {
		return readError(err, "a date-time string")
	}
	if t, ok := parseUTC(b); ok {
		*v = t
		return nil
	}
	if v.UnmarshalText(b) != nil { // its error quotes all of b
		return fmt.Errorf("%s is not an RFC 3339 date-time", quoteShort(b))
	}
	return nil
}

// parseUTC parses the forms of RFC 3339 a Python server writes for UTC,
// 2026-11-30T17:45:12.345678Z, and the same without the Z, which it reads
// as UTC, in a fraction of the time time.Parse takes (a page of sessions
// has seven date-times an item). Anything else, an offset or a malformed
// value, it leaves to time.Time.UnmarshalText, whose result it equals where
// it succeeds (FuzzParseUTC checks that, with a Z added to a naive value).
func parseUTC(b []byte) (time.Time, bool) {
	n := len(b)
	if n > 0 && b[n-1] == 'Z' {
		n--
	}
	if n < 19 || n > 29 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	century, year := two(b, 0), two(b, 2)
	month, day, hour, minute, sec := two(b, 5), two(b, 8), two(b, 11), two(b, 14), two(b, 17)
	if century < 0 || year < 0 {
		return time.Time{}, false
	}
	year += century * 100
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour < 0 || hour > 23 ||
		minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	nsec := 0
	if n > 19 {
		if b[19] != '.' || n == 20 {
			return time.Time{}, false
		}
		for _, c := range b[20:n] {
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
			nsec = nsec*10 + int(c-'0')
		}
		nsec *= nanoScale[n-20]
	}
	days := daysFromCivil(year, month, day)
	return time.Unix(days*86400+int64(hour*3600+minute*60+sec), int64(nsec)).UTC(), true
}

// nanoScale makes nanoseconds of a fraction of n digits.
var nanoScale = [10]int{0, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 1e2, 1e1, 1}

// two is the number of the two digits at b[i:], negative if they are not.
func two(b []byte, i int) int {
	hi, lo := b[i]-'0', b[i+1]-'0'
	if hi > 9 || lo > 9 {
		return -1000
	}
	return int(hi)*10 + int(lo)
}

// daysIn is the number of days of a month of the proleptic Gregorian
// calendar.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is the number of days from 1970-01-01 to a date (Howard
// Hinnant's days_from_civil).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// decodeDate reads a YYYY-MM-DD date.
func decodeDate(d *jx.Decoder, v *Date) error {
	b, err := d.StrBytes()
	if err != nil {
		return readError(err, "a date string")
	}
	if v.UnmarshalText(b) != nil {
		return fmt.Errorf("%s is not a date (YYYY-MM-DD)", quoteShort(b))
	}
	return nil
}

func decodeUUID(d *jx.Decoder, v *UUID) error {
	b, err := d.StrBytes()
	if err != nil {
		return readError(err, "a UUID string")
	}
	if parseUUID(b, v) {
		return nil
	}
	id, err := uuid.ParseBytes(b) // the other forms: urn:uuid:, braces, no dashes
	if err != nil {
		return fmt.Errorf("%s is not a UUID", quoteShort(b))
	}
	*v = id
	return nil
}

// parseUUID parses the canonical form of a UUID,
// xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, in a third of the time
// uuid.ParseBytes takes, and reports whether b was one; where it is, the
// result is uuid.ParseBytes's (FuzzParseUUID checks that).
func parseUUID(b []byte, v *UUID) bool {
	if len(b) != 36 || b[8] != '-' || b[13] != '-' || b[18] != '-' || b[23] != '-' {
		return false
	}
	var id UUID
	bad := byte(0)
	for i, x := range uuidHexAt {
		hi, lo := unhex[b[x]], unhex[b[x+1]]
		bad |= hi | lo
		id[i] = hi<<4 | lo
	}
	if bad&0xf0 != 0 {
		return false
	}
	*v = id
	return true
}

// uuidHexAt are where the 16 bytes of a canonical UUID are.
var uuidHexAt = [16]int{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}

// unhex is the value of a hex digit, 0xff for any other byte.
var unhex = func() (t [256]byte) {
	for i := range t {
		switch {
		case i >= '0' && i <= '9':
			t[i] = byte(i - '0')
		case i >= 'a' && i <= 'f':
			t[i] = byte(i - 'a' + 10)
		case i >= 'A' && i <= 'F':
			t[i] = byte(i - 'A' + 10)
		default:
			t[i] = 0xff
		}
	}
	return t
}()

// enumBytes reads the string of an enum, for the generated enum decoders.
func enumBytes(d *jx.Decoder) ([]byte, error) {
	b, err := d.StrBytes()
	if err != nil {
		return nil, readError(err, "a string")
	}
	return b, nil
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
// that oapi-codegen gives an UnmarshalJSON method. It decodes into a zero
// value, so that a key given twice is the last value whole (encoding/json
// would merge an object into the map it decoded before).
func decodeJSON[T any](d *jx.Decoder, v *T) error {
	raw, err := d.Raw()
	if err != nil {
		return err
	}
	var zero T
	*v = zero
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
// missing. The field starts from zero, so that a key given twice is its
// last value whole, as JSON.parse and Python read it (not an object merged
// into the one before, as encoding/json does).
func decodeValue[T any](d *jx.Decoder, p *T, dec func(*jx.Decoder, *T) error) (bool, error) {
	var zero T
	*p = zero
	if d.Next() == jx.Null {
		return false, d.Null()
	}
	return true, dec(d, p)
}

// decodeList decodes an array, null as nil.
func decodeList[T any](d *jx.Decoder, v *[]T, dec func(*jx.Decoder, *T) error) error {
	switch d.Next() {
	case jx.Null:
		*v = nil
		return d.Null()
	case jx.Array:
	default:
		return wrongType(d, "an array")
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

// decodeMap decodes an object of values of one type; a key given twice is
// its last value.
func decodeMap[T any](d *jx.Decoder, v *map[string]T, dec func(*jx.Decoder, *T) error) error {
	switch d.Next() {
	case jx.Null:
		*v = nil
		return d.Null()
	case jx.Object:
	default:
		return wrongType(d, "an object")
	}
	m := map[string]T{}
	err := d.ObjBytes(func(d *jx.Decoder, key []byte) error {
		var e T
		if err := dec(d, &e); err != nil {
			return at(validString(key), err)
		}
		m[validString(key)] = e
		return nil
	})
	*v = m
	return err
}

// decodeObject decodes an object with f, which the generated struct
// decoders give: it decodes each property they declare and keeps the rest
// (keepExtra).
func decodeObject(d *jx.Decoder, f func(d *jx.Decoder, key []byte) error) error {
	if err := d.ObjBytes(f); err != nil {
		return readError(err, "an object")
	}
	return nil
}

// extraFields are the properties of one JSON object that its schema does
// not declare, as raw JSON by name: gen gives every struct that a
// PartnerClient method decodes a field of this type and an ExtraFields
// method that returns it. The map exists only for an object that had such
// properties; a struct without them holds a nil pointer, so that decoding
// it allocates nothing more and the struct stays comparable.
type extraFields map[string]json.RawMessage

// fields is x's map, nil for none.
func (x *extraFields) fields() map[string]json.RawMessage {
	if x == nil {
		return nil
	}
	return *x
}

// keepExtra keeps the value of a property the object's schema does not
// declare, copied out of the body (a key given twice keeps its last
// value). A key's bytes that are not UTF-8 become U+FFFD, as encoding/json
// makes them.
func keepExtra(d *jx.Decoder, key []byte, x **extraFields) error {
	raw, err := d.Raw()
	if err != nil {
		return at(validString(key), err)
	}
	if *x == nil {
		m := extraFields{}
		*x = &m
	}
	(**x)[validString(key)] = bytes.Clone(bytes.TrimLeft(raw, " \t\r\n"))
	return nil
}

// decodeTop decodes a whole response body with dec, refusing null (the
// spec declares a value) and anything after the value.
func decodeTop[T any](body []byte, out *T, dec func(*jx.Decoder, *T) error) error {
	body = loneSurrogates(body)
	d := jx.GetDecoder()
	defer jx.PutDecoder(d)
	d.ResetBytes(body)
	switch d.Next() {
	case jx.Null:
		return errors.New("the body is null")
	case jx.Invalid:
		if len(bytes.TrimSpace(body)) == 0 {
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

// loneSurrogates returns body with every \u escape of a UTF-16 surrogate
// that is not half of a pair written \ufffd, which is what it reads as
// (U+FFFD, as encoding/json, JSON.parse and Python turn it into UTF-8). jx
// reads such an escape right alone, but not when the next escape begins a
// pair: it takes that one as the lone surrogate's partner, and the pair is
// lost. A reproduction for jx upstream (go-faster/jx v1.2.0):
//
//	jx.DecodeStr(`"\udc00\ud834\udd1e"`).Str() // "\ufffd\ufffd\ufffd", encoding/json "\ufffd𝄞"
//
// A body without a lone surrogate, all but every one, is returned as it is,
// after a look for \u that costs a fraction of the decoding; one with
// them is copied. (The raw JSON of an undeclared property then has \ufffd
// where the body had the lone surrogate.)
func loneSurrogates(body []byte) []byte {
	var out []byte
	for i := 0; ; {
		j := bytes.Index(body[i:], []byte(`\u`))
		if j < 0 {
			break
		}
		j += i
		i = j + 2
		if !escapeAt(body, j) || j+6 > len(body) {
			continue
		}
		r := hexRune(body[j+2 : j+6])
		switch {
		case r < 0xd800 || r > 0xdfff:
			continue
		case r < 0xdc00 && j+12 <= len(body) && body[j+6] == '\\' && body[j+7] == 'u':
			if r2 := hexRune(body[j+8 : j+12]); r2 >= 0xdc00 && r2 <= 0xdfff {
				i = j + 12 // a pair
				continue
			}
		}
		if out == nil {
			out = bytes.Clone(body)
		}
		copy(out[j:j+6], `\ufffd`)
		i = j + 6
	}
	if out == nil {
		return body
	}
	return out
}

// escapeAt reports whether the backslash at b[j] begins an escape: it
// follows an even number of backslashes.
func escapeAt(b []byte, j int) bool {
	n := 0
	for k := j - 1; k >= 0 && b[k] == '\\'; k-- {
		n++
	}
	return n%2 == 0
}

// hexRune is the value of four hex digits, -1 if they are not.
func hexRune(b []byte) rune {
	var r rune
	for _, c := range b {
		v := unhex[c]
		if v > 15 {
			return -1
		}
		r = r<<4 | rune(v)
	}
	return r
}

// unmarshalJSON is the UnmarshalJSON method gen writes for the types a
// union holds (DeviceAction's ReauthenticateAction, say), so that the
// union's As methods, which decode with encoding/json, decode as a
// PartnerClient method does: the required fields checked, unknown fields
// kept, a key given twice its last value. null changes nothing, as
// encoding/json expects of an UnmarshalJSON method.
func unmarshalJSON[T any](b []byte, v *T, dec func(*jx.Decoder, *T) error) error {
	if string(bytes.TrimSpace(b)) == "null" {
		return nil
	}
	var zero T
	*v = zero
	return decodeTop(b, v, dec)
}

// decodeSlot decodes an optional field of an object into slot, a field of
// the object's scratch value, and points *p at it (see the generated struct
// decoders); null leaves *p nil. The slot starts from zero, for a key
// given twice (see decodeValue).
func decodeSlot[T any](d *jx.Decoder, p **T, slot *T, dec func(*jx.Decoder, *T) error) error {
	if d.Next() == jx.Null {
		*p = nil
		return d.Null()
	}
	var zero T
	*slot = zero
	if err := dec(d, slot); err != nil {
		return err
	}
	*p = slot
	return nil
}

// decodeUnmarshaler decodes a type with its own UnmarshalJSON method (a
// union, an object with additional properties) from the raw JSON, without
// a round trip through encoding/json's reflection, into a zero value (see
// decodeJSON).
func decodeUnmarshaler[T any, PT interface {
	*T
	json.Unmarshaler
}](d *jx.Decoder, v *T) error {
	raw, err := d.Raw()
	if err != nil {
		return err
	}
	var zero T
	*v = zero
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
	switch d.Next() {
	case jx.Null:
		*v = nil
		return d.Null()
	case jx.Array:
	default:
		return wrongType(d, "an array")
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
