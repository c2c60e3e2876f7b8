package opcall

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
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
		out.WriteString(t.String())
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
// request's secrets as sent, query-escaped and path-escaped, as the SDK
// redacts them from errors. A value shorter than 8 bytes is not a secret
// worth cutting out of every word (the SDK's rule too).
func redactor(secrets []string) func(string) string {
	var forms []string
	for _, s := range secrets {
		if len(s) >= 8 {
			forms = append(forms, s, url.QueryEscape(s), url.PathEscape(s))
		}
	}
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) }) // the longest form first
	return func(s string) string {
		s = string(RedactURLSecrets([]byte(s)))
		for _, f := range forms {
			s = strings.ReplaceAll(s, f, "[redacted]")
		}
		return s
	}
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
func Undeclared(v any, secrets []string) []string {
	seen := map[string]bool{}
	undeclared(reflect.ValueOf(v), "", seen)
	redact := redactor(secrets) // a name is shown as Show shows it
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, redact(p))
	}
	slices.Sort(out)
	return out
}

func undeclared(v reflect.Value, path string, seen map[string]bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			undeclared(v.Elem(), path, seen)
		}
	case reflect.Struct:
		if !v.CanAddr() { // ExtraFields has a pointer receiver
			p := reflect.New(v.Type())
			p.Elem().Set(v)
			v = p.Elem()
		}
		if x, ok := v.Addr().Interface().(extraFielder); ok {
			for name := range x.ExtraFields() {
				seen[join(path, name)] = true
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
			undeclared(v.Field(i), join(path, name), seen)
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes, json.RawMessage
		}
		for i := range v.Len() {
			undeclared(v.Index(i), path+"[]", seen)
		}
	case reflect.Map:
		sub := join(path, "*")
		if v.Type().Key().Kind() == reflect.Bool {
			sub = path // nullable.Nullable: a value or null, at the same path
		}
		for it := v.MapRange(); it.Next(); {
			undeclared(it.Value(), sub, seen)
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
