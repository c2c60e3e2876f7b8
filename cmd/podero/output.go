package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/opcall"
)

// withClient runs do with a client for where the flags say, and prints
// what it returns: nothing for nil, bytes as they are, a received body as
// it was received, anything else as JSON; each as --output says. Its error
// is the command's.
func (a *app) withClient(ctx context.Context, do func(context.Context, *api.PartnerClient, *fakeTarget) (any, error)) error {
	format, err := a.format()
	if err != nil {
		return err
	}
	c, fake, done, err := a.client(ctx)
	if err != nil {
		return &runError{err}
	}
	defer done()
	res, err := do(ctx, c, fake)
	if err != nil {
		return &runError{err}
	}
	if res == nil {
		return nil
	}
	if b, ok := res.([]byte); ok {
		_, err := a.stdout.Write(b)
		return err
	}
	r, ok := res.(received)
	if !ok {
		r = received{decoded: res}
	}
	r.secrets = append(r.secrets, a.sent.list()...) // should the server echo a credential of the run
	data, err := r.show()
	if err != nil {
		return &runError{err}
	}
	a.noteUndeclared(r)
	return write(a.stdout, format, data)
}

// received is a result that the SDK decoded from body, the 2xx body as the
// server sent it (api.WithRawBody). The command prints body, not decoded:
// what the spec does not declare is in it, and every value as sent.
type received struct {
	body    []byte
	decoded any
	// secrets are the request's (a cue's secret, a claim token), cut out
	// of what is printed should the server echo them.
	secrets []string
}

// show is the JSON text the command prints of r: its body, or, without
// one (a journey's summary), decoded as JSON; redacted by opcall.Show.
func (r received) show() ([]byte, error) {
	if len(r.body) > 0 {
		if data, err := opcall.Show(r.body, r.secrets); err == nil {
			return data, nil
		}
		// Should encoding/json refuse what the SDK's decoder took, the
		// decoded result is what there is to print.
	}
	b, err := json.Marshal(r.decoded)
	if err != nil {
		return nil, fmt.Errorf("encoding the result: %w", err)
	}
	return opcall.Show(b, r.secrets) // which also undoes Marshal's escaping of <, > and &
}

// noteUndeclared tells the user, on standard error and once per run, which
// properties of the answer the pinned spec does not declare: the data is
// printed as received, and the note says where reality differs from the
// spec, without changing the data on standard output. --quiet hides it.
func (a *app) noteUndeclared(r received) {
	if a.flags.quiet {
		return
	}
	paths := opcall.Undeclared(r.decoded, r.secrets) // a name that is not plain is quoted: one line whatever the server sent
	if len(paths) == 0 {
		return
	}
	if n := len(paths) - maxNoted; n > 0 {
		paths = append(paths[:maxNoted], fmt.Sprintf("and %d more", n))
	}
	fmt.Fprintf(a.stderr, "podero: note: the answer has properties the API spec does not declare, printed as received: %s (--quiet hides this note)\n",
		strings.Join(paths, ", "))
}

// maxNoted is the most properties the note names: a server that sends a
// thousand makes a note of a line, not of a screen.
const maxNoted = 10

// format is --output, or its default: a table on a terminal, JSON
// otherwise (a pipe, a file, another program).
func (a *app) format() (string, error) {
	switch f := a.flags.output; f {
	case "json", "yaml", "table":
		return f, nil
	case "":
		if a.terminal {
			return "table", nil
		}
		return "json", nil
	default:
		return "", usageErr(fmt.Errorf("--output %q: want json, yaml or table", f))
	}
}

// write prints a JSON value in the format.
func write(w io.Writer, format string, data []byte) error {
	if format == "json" {
		if nesting(data) > maxIndent {
			_, err := w.Write(append(bytes.TrimRight(data, "\n"), '\n')) // compact, as Show wrote it
			return err
		}
		var buf bytes.Buffer
		if err := json.Indent(&buf, bytes.TrimRight(data, "\n"), "", "  "); err != nil {
			return err
		}
		buf.WriteByte('\n')
		_, err := w.Write(buf.Bytes())
		return err
	}
	v, err := parseOrdered(data)
	if err != nil {
		return err
	}
	if format == "yaml" {
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(v.yaml(0)); err != nil {
			return err
		}
		return enc.Close()
	}
	return writeTable(w, v)
}

// maxIndent is the deepest nesting that -o json and yaml indent. An
// indented line is as long as its depth, so an answer nested thousands
// deep (the SDK decodes up to 10,000 levels) would print quadratically:
// 162 MB of JSON for 18 KB of arrays 9,000 deep. Deeper, -o json prints
// the answer compact, and yaml the deeper values in flow style.
const maxIndent = 64

// nesting is how deep the JSON text data nests its objects and arrays.
func nesting(data []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range data {
		switch {
		case escaped:
			escaped = false
		case inString:
			escaped, inString = c == '\\', c != '"'
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// value is a JSON value with its objects' keys in order and its numbers
// as written, for YAML and tables: neither changes a value.
type value struct {
	kind  byte     // '{', '[', 's' (string), 'n' (number), 'b' (bool), 0 (null)
	text  string   // a scalar's: the string, or the number or bool as written
	keys  []string // an object's
	elems []*value // an object's values or an array's elements
}

func parseOrdered(data []byte) (*value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return parseValue(dec)
}

func parseValue(dec *json.Decoder) (*value, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		v := &value{kind: byte(t)}
		for dec.More() {
			if t == '{' {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v.keys = append(v.keys, k.(string))
			}
			e, err := parseValue(dec)
			if err != nil {
				return nil, err
			}
			v.elems = append(v.elems, e)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		return v, nil
	case string:
		return &value{kind: 's', text: t}, nil
	case json.Number:
		return &value{kind: 'n', text: t.String()}, nil
	case bool:
		return &value{kind: 'b', text: strconv.FormatBool(t)}, nil
	case nil:
		return &value{}, nil
	}
	return nil, errors.New("unexpected JSON token")
}

// yaml is v as a YAML node at depth levels of nesting: in flow style
// ({a: [1]}, on one line) from maxIndent down, as -o json is compact.
func (v *value) yaml(depth int) *yaml.Node {
	var style yaml.Style
	if depth >= maxIndent {
		style = yaml.FlowStyle
	}
	switch v.kind {
	case '{':
		n := &yaml.Node{Kind: yaml.MappingNode, Style: style}
		for i, k := range v.keys {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, v.elems[i].yaml(depth+1))
		}
		return n
	case '[':
		n := &yaml.Node{Kind: yaml.SequenceNode, Style: style}
		for _, e := range v.elems {
			n.Content = append(n.Content, e.yaml(depth+1))
		}
		return n
	case 's':
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v.text}
	case 'n':
		tag := "!!int"
		if strings.ContainsAny(v.text, ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v.text}
	case 'b':
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: v.text}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
}

// cell is a scalar as a table shows it.
func (v *value) cell() string {
	switch v.kind {
	case 0:
		return "-"
	case '{':
		return "{…}"
	case '[':
		if len(v.elems) == 0 {
			return "[]"
		}
		var parts []string
		for _, e := range v.elems {
			if e.kind == '{' || e.kind == '[' {
				return fmt.Sprintf("[%d items]", len(v.elems))
			}
			parts = append(parts, e.cell())
		}
		return strings.Join(parts, ", ")
	}
	return printable(strings.ReplaceAll(v.text, "\n", " "))
}

// printable is text from the answer as a table shows it: with its control
// characters (a tab, a carriage return, a terminal's escape) and bidi
// controls escaped as Go escapes them, so that the server's text neither
// shifts the columns nor drives the terminal.
func printable(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }) {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// writeTable prints a list of objects as rows under their fields' names,
// and anything else as FIELD VALUE lines, nested fields by their dotted
// paths.
func writeTable(w io.Writer, v *value) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	switch {
	case v.kind == '[' && len(v.elems) == 0:
		fmt.Fprintln(tw, "(none)")
	case v.kind == '[' && v.elems[0].kind == '{':
		var cols []string
		seen := map[string]bool{}
		for _, e := range v.elems {
			for i, k := range e.keys {
				if !seen[k] && e.elems[i].kind != '{' {
					seen[k] = true
					cols = append(cols, k)
				}
			}
		}
		header := make([]string, len(cols))
		for i, c := range cols {
			header[i] = printable(strings.ToUpper(c))
		}
		fmt.Fprintln(tw, strings.Join(header, "\t"))
		for _, e := range v.elems {
			row := make([]string, len(cols))
			for i, c := range cols {
				row[i] = "-"
				for j, k := range e.keys {
					if k == c {
						row[i] = e.elems[j].cell()
					}
				}
			}
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
	case v.kind == '{' || v.kind == '[':
		flatten(tw, "", v)
	default:
		fmt.Fprintln(tw, v.cell())
	}
	return tw.Flush()
}

func flatten(w io.Writer, prefix string, v *value) {
	switch {
	case v.kind == '{' && len(v.keys) > 0:
		for i, k := range v.keys {
			p := printable(k)
			if prefix != "" {
				p = prefix + "." + p
			}
			flatten(w, p, v.elems[i])
		}
	case v.kind == '[' && len(v.elems) > 0 && (v.elems[0].kind == '{' || v.elems[0].kind == '['):
		for i, e := range v.elems {
			flatten(w, fmt.Sprintf("%s[%d]", prefix, i), e)
		}
	default:
		fmt.Fprintf(w, "%s\t%s\n", prefix, v.cell())
	}
}
