package api

import (
	"encoding/hex"
	"strconv"
	"time"

	"github.com/oapi-codegen/runtime"
)

// This file builds request paths and queries for the generated
// PartnerClient methods. It appends to one byte slice per request rather
// than going through url.Values and fmt, which costs an allocation or more
// per parameter.

// appendUUID appends id in its canonical form.
func appendUUID(b []byte, id UUID) []byte {
	var buf [36]byte
	hex.Encode(buf[0:8], id[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], id[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], id[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], id[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:], id[10:])
	return append(b, buf[:]...)
}

// unreserved reports whether c may appear in a path segment or a query
// value as it is (RFC 3986's unreserved characters).
func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

const upperHex = "0123456789ABCDEF"

// appendEscaped appends s with every byte that is not unreserved
// percent-encoded.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; unreserved(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return b
}

// appendSegment appends s as exactly one path segment that decodes back to
// s. "." and ".." would be dot-segments, which URL resolution removes (a
// user "by-ext-id/.." is the list of users), so their dots are encoded too.
// The generated methods refuse an empty segment before they get here.
func appendSegment(b []byte, s string) []byte {
	if s == "." || s == ".." {
		for range len(s) {
			b = append(b, "%2E"...)
		}
		return b
	}
	return appendEscaped(b, s)
}

// appendInt appends an integer path segment.
func appendInt(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }

// query appenders: each adds "name=value", with "&" before it when the
// query is not empty.

func appendQueryKey(q []byte, name string) []byte {
	if len(q) > 0 {
		q = append(q, '&')
	}
	q = appendEscaped(q, name)
	return append(q, '=')
}

func appendQueryString(q []byte, name, v string) []byte {
	return appendEscaped(appendQueryKey(q, name), v)
}

func appendQueryInt(q []byte, name string, v int64) []byte {
	return strconv.AppendInt(appendQueryKey(q, name), v, 10)
}

func appendQueryFloat(q []byte, name string, v float64) []byte {
	return strconv.AppendFloat(appendQueryKey(q, name), v, 'g', -1, 64)
}

func appendQueryBool(q []byte, name string, v bool) []byte {
	return strconv.AppendBool(appendQueryKey(q, name), v)
}

func appendQueryUUID(q []byte, name string, v UUID) []byte {
	return appendUUID(appendQueryKey(q, name), v)
}

// appendQueryTime appends a date-time in RFC 3339, as django-ninja parses
// it; its "+" must be escaped, or it would read as a space.
func appendQueryTime(q []byte, name string, v time.Time) []byte {
	var buf [64]byte
	return appendEscaped(appendQueryKey(q, name), string(v.AppendFormat(buf[:0], time.RFC3339Nano)))
}

func appendQueryDate(q []byte, name string, v Date) []byte {
	var buf [16]byte
	return append(appendQueryKey(q, name), v.Time.AppendFormat(buf[:0], time.DateOnly)...)
}

// appendQueryStyled appends a parameter of a type the appenders above do not
// cover (an array, an object), styled by oapi-codegen's runtime as the spec
// says.
func appendQueryStyled(q []byte, style string, explode bool, name string, v any) ([]byte, error) {
	s, err := runtime.StyleParamWithLocation(style, explode, name, runtime.ParamLocationQuery, v)
	if err != nil {
		return q, err
	}
	if s == "" {
		return q, nil
	}
	if len(q) > 0 {
		q = append(q, '&')
	}
	return append(q, s...), nil
}

// stylePathParam is runtime.StyleParamWithOptions for the path parameters
// of the generated methods that are not strings or UUIDs (a date, an enum),
// which gen points here: the same styling, but a value that is empty, "."
// or ".." can no longer take the request to another route. Package raw has
// its twin for its request builders.
func stylePathParam(style string, explode bool, name string, value any, opts runtime.StyleParamOptions) (string, error) {
	s, err := runtime.StyleParamWithOptions(style, explode, name, value, opts)
	if err != nil {
		return "", err
	}
	switch s {
	case "":
		return "", &Error{Message: "path parameter " + name + " is empty"}
	case ".", "..":
		return string(appendSegment(nil, s)), nil
	}
	return s, nil
}
