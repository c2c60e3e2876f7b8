package opcall

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What a front end shows of a call's answer. The decoded result drops what
// the pinned spec does not declare (the SDK keeps it in ExtraFields) and
// encoding/json writes numbers and times its own way, so a front end shows
// the 2xx body as it was received ([api.WithRawBody] in Args.Options),
// after the SDK decoded it: exact by construction, undeclared properties
// included. Show redacts it, and Undeclared names what the spec did not
// expect, for a note.

// Show returns the JSON text body, compact, with the value of every string
// redacted: the secrets in its URLs (see [RedactURLSecrets]) and the
// secrets of the request (see [Args.Secrets]), whatever JSON escapes the
// server wrote them with. Everything else is as the body has it: the keys
// in their order, numbers as written (0.30000000000000004 or an integer
// above 2^53 keeps its digits), duplicate keys included.
func Show(body []byte, secrets []string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var out bytes.Buffer
	if err := show(dec, &out, redactor(secrets)); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("more than one JSON value")
	}
	return out.Bytes(), nil
}

func show(dec *json.Decoder, out *bytes.Buffer, redact func(string) string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		out.WriteByte(byte(t))
		for i := 0; dec.More(); i++ {
			if i > 0 {
				out.WriteByte(',')
			}
			if t == '{' {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				writeString(out, redact(k.(string)))
				out.WriteByte(':')
			}
			if err := show(dec, out, redact); err != nil {
				return err
			}
		}
		end, err := dec.Token()
		if err != nil {
			return err
		}
		out.WriteByte(byte(end.(json.Delim)))
	case string:
		writeString(out, redact(t))
	case json.Number:
		if r := redact(t.String()); r != t.String() { // a secret of digits, echoed as a number
			writeString(out, r)
		} else {
			out.WriteString(t.String())
		}
	case bool:
		out.WriteString(strconv.FormatBool(t))
	case nil:
		out.WriteString("null")
	}
	return nil
}

// writeString writes s as a JSON string, without escaping <, > and & (in
// every URL's query), as the front ends always have.
func writeString(out *bytes.Buffer, s string) {
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	out.Truncate(out.Len() - 1)
}

// redactor returns what Show does to a string: the URL secrets, then the
// request's secrets however the server escaped them (see secretPattern)
// or in base64 (as the SDK redacts the client credentials). A value
// shorter than 8 bytes is not a secret worth cutting out of every word
// (the SDK's rule too).
func redactor(secrets []string) func(string) string {
	secrets = slices.Clone(secrets)
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) }) // leftmost-first: the longest secret first
	var alts []string
	for _, s := range secrets {
		if len(s) < 8 {
			continue
		}
		alts = append(alts, secretPattern(s))
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			alts = append(alts, regexp.QuoteMeta(enc.EncodeToString([]byte(s)))) // padded first: leftmost-first takes the first that matches
		}
	}
	var re *regexp.Regexp
	if len(alts) > 0 {
		re = regexp.MustCompile(strings.Join(alts, "|"))
	}
	return func(s string) string {
		s = string(RedactURLSecrets([]byte(s)))
		if re != nil {
			s = re.ReplaceAllLiteralString(s, "[redacted]")
		}
		return s
	}
}

// secretPattern is a regular expression that matches s however a server
// escaped each of its characters: as it is; percent-escaped with either
// case of hex digits (url.QueryEscape and url.PathEscape write upper case
// and each leaves other bytes alone; Python's quote keeps "/"), or + for a
// space; and, inside a string that is itself JSON, \u00XX or \/. A
// fixed list of forms (as sent, QueryEscape, PathEscape) misses every
// mixture of these.
func secretPattern(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteString("(?:")
		b.WriteString(regexp.QuoteMeta(string(r)))
		var buf [utf8.UTFMax]byte
		n := utf8.EncodeRune(buf[:], r)
		b.WriteString("|")
		for _, c := range buf[:n] {
			fmt.Fprintf(&b, "%%(?i:%02X)", c)
		}
		if r < utf8.RuneSelf {
			fmt.Fprintf(&b, `|\\u00(?i:%02X)`, r)
		} else if r <= 0xFFFF {
			fmt.Fprintf(&b, `|\\u(?i:%04X)`, r)
		}
		switch r {
		case '/':
			b.WriteString(`|\\/`)
		case ' ':
			b.WriteString(`|\+`)
		case '"', '\\':
			b.WriteString(`|\\` + regexp.QuoteMeta(string(r)))
		}
		b.WriteString(")")
	}
	return b.String()
}

// Secrets returns the values of the call's secret parameters (a cue's
// secret, a wallbox claim token), for [Show].
func (a *Args) Secrets(op *Op) []string {
	var out []string
	for _, p := range op.Params {
		var s string
		if raw, ok := a.Params[p.Name]; ok && p.Secret && json.Unmarshal(raw, &s) == nil && s != "" {
			out = append(out, s)
		}
	}
	return out
}

// extraFielder is what the SDK's decoded objects have: the properties
// their schema does not declare, by name.
type extraFielder interface {
	ExtraFields() map[string]json.RawMessage
}

// Undeclared returns the paths of the properties of a decoded result that
// the pinned spec does not declare, redacted as Show redacts, sorted, each
// once: "battery_health",
// "device_model.trim", "[].nickname" for the items of a list,
// "prices.*.x" for the values of a map. What is undeclared is the SDK's
// decoders' judgment (ExtraFields, generated from the spec); this only
// visits the objects, through the exported fields by their JSON names. A
// union (a device's actions) keeps its JSON undecoded and is not visited.
// A name that is not plain (letters, digits, _ and -) is quoted, as Go
// quotes a string: a server's name cannot break the line a front end
// prints it on, nor write a terminal's escapes.
func Undeclared(v any, secrets []string) []string {
	seen := map[string]bool{}
	undeclared(reflect.ValueOf(v), "", seen, redactor(secrets)) // a name is redacted as Show redacts it
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// quoteName is an undeclared property's name as a path shows it: as it
// is when it is a plain name (letters, digits, _ and -), else quoted as
// in Go, so that a name cannot break the line it is printed on, write a
// terminal's escapes, or pass for a path ("a.b", "*").
func quoteName(name string) string {
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '-' {
			return strconv.Quote(name)
		}
	}
	if name == "" {
		return `""`
	}
	return name
}

func undeclared(v reflect.Value, path string, seen map[string]bool, redact func(string) string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			undeclared(v.Elem(), path, seen, redact)
		}
	case reflect.Struct:
		if !v.CanAddr() { // ExtraFields has a pointer receiver
			p := reflect.New(v.Type())
			p.Elem().Set(v)
			v = p.Elem()
		}
		if x, ok := v.Addr().Interface().(extraFielder); ok {
			for name := range x.ExtraFields() {
				seen[join(path, quoteName(redact(name)))] = true
			}
		}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case name == "-":
				continue
			case name == "" && f.Anonymous:
				name = "" // embedded: its fields are the object's
			case name == "":
				name = f.Name
			}
			undeclared(v.Field(i), join(path, name), seen, redact)
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes, json.RawMessage
		}
		for i := range v.Len() {
			undeclared(v.Index(i), path+"[]", seen, redact)
		}
	case reflect.Map:
		sub := join(path, "*")
		if v.Type().Key().Kind() == reflect.Bool {
			sub = path // nullable.Nullable: a value or null, at the same path
		}
		for it := v.MapRange(); it.Next(); {
			undeclared(it.Value(), sub, seen, redact)
		}
	}
}

func join(path, name string) string {
	switch {
	case name == "":
		return path
	case path == "":
		return name
	}
	return path + "." + name
}
