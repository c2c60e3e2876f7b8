package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// This file writes the front ends that the spec gives beside the SDK, so
// that a new operation gets a command and an MCP tool on the next
// `make generate`, as it gets a method:
//
//   - internal/opcall/operations.gen.go: every operation as the front ends
//     call it, by its Go name, with its parameters as JSON values, through
//     the PartnerClient method (opcall's runtime decodes them);
//   - cmd/podero/commands.gen.go: the podero command's table, a command per
//     operation grouped by resource, with its help, arguments and flags;
//   - mcp/tools.gen.go: the MCP server's tool table, a tool per operation
//     with its description, JSON Schema input and annotations.
//
// They are generated only from the repository's pinned spec (generate and
// update-spec), not for the corpus documents, whose tests build package api
// alone.

const (
	opcallFile   = "internal/opcall/operations.gen.go"
	commandsFile = "cmd/podero/commands.gen.go"
	toolsFile    = "mcp/tools.gen.go"
)

// frontParam is a parameter of an operation, or a top-level field of its
// JSON body, as the front ends take it.
type frontParam struct {
	Name        string // as the spec spells it: user_id, from_datetime, fill-missing, email
	In          string // path, query, header, or body (a body field)
	Kind        string // string, integer, number, boolean, or json (anything else)
	Format      string // uuid, date, date-time, ...
	Description string
	Required    bool
	// Secret: a credential (a cue's secret, a wallbox claim token), by the
	// rule the runtime redacts them by (see surfaceFor).
	Secret  bool
	Enum    []string
	Default string // the spec's default, as JSON text
	GoVar   string // a path parameter's variable
	GoType  string // a path parameter's type, qualified with api.
}

// frontOp is one operation as the front ends see it.
type frontOp struct {
	s                             surfaceOp
	Summary, Description          string
	Group, Verb, Tool             string
	Params                        []frontParam // path parameters in path order (org_id left out), then query and header
	HasBody, BodyRequired, IsJSON bool
	BodyType                      string       // the body's Go type, qualified
	BodyMedia                     []string     // a body that is not JSON: its media types
	Fields                        []frontParam // the JSON body's top-level fields
	InputSchema                   []byte       // the MCP tool's input schema
}

// withFrontEnds returns res with the front ends' files added: each one
// whose directory exists under root, where its hand-written runtime is (a
// copy of the repository with package api alone, as gen's tests make, gets
// none). res may be cached (see resultCache), so it is copied, not changed.
func withFrontEnds(root string, res *result) (*result, error) {
	ops, err := frontOps(res)
	if err != nil {
		return nil, fmt.Errorf("front ends: %w", err)
	}
	files := maps.Clone(res.Files)
	for name, render := range map[string]func(pin, []*frontOp) ([]byte, error){
		opcallFile: opcallSource, commandsFile: commandsSource, toolsFile: toolsSource,
	} {
		if info, err := os.Stat(filepath.Join(root, filepath.Dir(name))); err != nil || !info.IsDir() {
			continue
		}
		src, err := render(res.Pin, ops)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		files[name] = src
	}
	cp := *res
	cp.Files = files
	return &cp, nil
}

func frontOps(res *result) ([]*frontOp, error) {
	var raw map[string]any
	dec := json.NewDecoder(bytes.NewReader(res.Prepared))
	dec.UseNumber() // defaults and limits as the spec writes them
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	var out []*frontOp
	for _, s := range res.Surface {
		o := res.Doc.Paths.Value(s.Path).GetOperation(s.Method)
		f, err := frontOpFor(res.Doc, o, s)
		if err == nil {
			f.InputSchema, err = inputSchema(raw, f)
		}
		if err != nil {
			return nil, fmt.Errorf("%s (%s %s): %w", s.Name, s.Method, s.Path, err)
		}
		out = append(out, f)
	}
	nameCommands(out)
	return out, nil
}

var goParamRE = regexp.MustCompile(`^(\w+) (.+)$`)

func frontOpFor(doc *openapi3.T, o *openapi3.Operation, s surfaceOp) (*frontOp, error) {
	f := &frontOp{s: s, Summary: strings.TrimSuffix(strings.TrimSpace(o.Summary), "."), Description: strings.TrimSpace(o.Description)}
	if f.Summary == "" {
		f.Summary = s.Name
	}
	// Path parameters: the method's, in path order.
	names := pathParamRE.FindAllStringSubmatch(s.Path, -1)
	i := 0
	for _, m := range names {
		if m[1] == "org_id" && s.HasOrg {
			continue
		}
		if i >= len(s.PathParams) {
			return nil, fmt.Errorf("the method has %d path parameters for %d in the path", len(s.PathParams), len(names))
		}
		gm := goParamRE.FindStringSubmatch(s.PathParams[i])
		i++
		p := frontParam{Name: m[1], In: "path", Required: true, Secret: slices.Contains(s.SecretPath, m[1]), GoVar: gm[1], GoType: apiQualified(gm[2])}
		if sp := o.Parameters.GetByInAndName("path", m[1]); sp != nil {
			describeParam(&p, sp.Description, sp.Schema)
		}
		f.Params = append(f.Params, p)
	}
	for _, pr := range o.Parameters {
		sp := pr.Value
		if sp == nil || (sp.In != openapi3.ParameterInQuery && sp.In != openapi3.ParameterInHeader) {
			continue
		}
		p := frontParam{Name: sp.Name, In: sp.In, Required: sp.Required, Secret: slices.Contains(s.SecretQuery, sp.Name)}
		describeParam(&p, sp.Description, sp.Schema)
		f.Params = append(f.Params, p)
	}
	// The body: the method's parameter "body T".
	for _, part := range strings.Split(strings.TrimSuffix(s.Signature, ", "), ", ") {
		if t, ok := strings.CutPrefix(part, "body "); ok {
			f.HasBody, f.BodyType = true, apiQualified(t)
		}
	}
	if f.HasBody {
		rb := o.RequestBody.Value
		f.BodyRequired = rb.Required
		if mt := jsonBody(rb.Content); mt != "" {
			f.IsJSON = true
			f.Fields = bodyFields(rb.Content[mt].Schema)
		} else {
			f.BodyMedia = bodyMediaTypes(o)
		}
	}
	for _, p := range f.Params {
		if p.Name == "body" {
			return nil, fmt.Errorf(`a parameter is named "body", the name the front ends give the request body`)
		}
	}
	return f, nil
}

// apiQualified spells a type of package api as another package does.
func apiQualified(typ string) string {
	return regexp.MustCompile(`(^|[\[\]*])([A-Z]\w*)`).ReplaceAllString(typ, "${1}api.${2}")
}

// describeParam fills a parameter's kind, format, enum and default from
// its schema, and its description from the parameter or else the schema.
func describeParam(p *frontParam, desc string, ref *openapi3.SchemaRef) {
	s := nonNull(ref)
	p.Description = strings.TrimSpace(desc)
	if s == nil {
		p.Kind = "string"
		return
	}
	if p.Description == "" {
		p.Description = strings.TrimSpace(s.Description)
	}
	if p.Description == "" && ref.Value != nil {
		p.Description = strings.TrimSpace(ref.Value.Description)
	}
	p.Kind, p.Format = kindOf(s), s.Format
	for _, e := range s.Enum {
		p.Enum = append(p.Enum, fmt.Sprint(e))
	}
	if ref.Value != nil && ref.Value.Default != nil {
		if b, err := json.Marshal(ref.Value.Default); err == nil {
			p.Default = string(b)
		}
	}
}

// nonNull is the schema of a value that may be null: X of anyOf [X, null],
// or the schema itself.
func nonNull(ref *openapi3.SchemaRef) *openapi3.Schema {
	if ref == nil || ref.Value == nil {
		return nil
	}
	s := ref.Value
	for _, alts := range [][]*openapi3.SchemaRef{s.AnyOf, s.OneOf} {
		var keep []*openapi3.SchemaRef
		for _, a := range alts {
			if a.Value != nil && !a.Value.Type.Is("null") {
				keep = append(keep, a)
			}
		}
		if len(alts) > 0 && len(keep) == 1 {
			return keep[0].Value
		}
	}
	return s
}

// kindOf is how a front end reads a value of the schema from text: a
// string as it is, a number or boolean as JSON, anything else as JSON.
func kindOf(s *openapi3.Schema) string {
	if s.Type != nil {
		for _, t := range s.Type.Slice() {
			switch t {
			case "string", "integer", "number", "boolean":
				return t
			}
		}
	}
	return "json"
}

// bodyFields are the top-level fields of a JSON body's object schema, by
// name.
func bodyFields(ref *openapi3.SchemaRef) []frontParam {
	s := nonNull(ref)
	if s == nil || len(s.Properties) == 0 {
		return nil
	}
	var out []frontParam
	for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
		p := frontParam{Name: name, In: "body", Required: slices.Contains(s.Required, name)}
		describeParam(&p, "", s.Properties[name])
		out = append(out, p)
	}
	return out
}

// groupNames renames the resources whose path segment is not what a person
// types: device-onboarding's commands are `podero onboarding ...`.
var groupNames = map[string]string{"device-onboarding": "onboarding"}

// nameCommands gives each operation its command, `podero GROUP VERB`, and
// its tool name. The group is the resource the path acts on: its first
// segment after the API prefix, the organization and the user
// (electric-vehicles for .../users/{user_id}/electric-vehicles/{id}/boost).
// The verb is the Go name less the resource's name (GetElectricVehicle is
// get, TriggerElectricVehicleBoost trigger-boost). Two operations that
// would share a command keep their whole Go names as verbs.
func nameCommands(ops []*frontOp) {
	seen := map[string][]*frontOp{}
	for _, f := range ops {
		seg := resourceSegment(f.s.Path)
		f.Group = seg
		if g, ok := groupNames[seg]; ok {
			f.Group = g
		}
		words := splitWords(f.s.Name)
		for _, noun := range []string{seg, f.Group} {
			nw := splitWords(noun)
			if rest, ok := cutWords(words, nw); ok {
				words = rest
				break
			}
			// The singular: electric-vehicles' GetElectricVehicle,
			// wallboxes' GetWallbox.
			cut := false
			for _, plural := range []string{"es", "s"} {
				n := len(nw)
				if n == 0 || !strings.HasSuffix(nw[n-1], plural) {
					continue
				}
				one := slices.Concat(nw[:n-1], []string{strings.TrimSuffix(nw[n-1], plural)})
				if rest, ok := cutWords(words, one); ok {
					words, cut = rest, true
					break
				}
			}
			if cut {
				break
			}
		}
		f.Verb = strings.Join(words, "-")
		f.Tool = strings.Join(splitWords(f.s.Name), "_")
		key := f.Group + " " + f.Verb
		seen[key] = append(seen[key], f)
	}
	for _, same := range seen {
		if len(same) > 1 {
			for _, f := range same {
				f.Verb = strings.Join(splitWords(f.s.Name), "-")
			}
		}
	}
}

// resourceSegment is the first literal segment of path after the API's
// prefix (up to a version segment, v2.0), org/{org_id} and, when more
// follows, users/{user_id}.
func resourceSegment(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, s := range segs {
		if regexp.MustCompile(`^v\d+(\.\d+)*$`).MatchString(s) {
			segs = segs[i+1:]
			break
		}
	}
	isParam := func(s string) bool { return strings.HasPrefix(s, "{") }
	if len(segs) >= 2 && segs[0] == "org" && isParam(segs[1]) {
		segs = segs[2:]
	}
	if len(segs) >= 3 && segs[0] == "users" && isParam(segs[1]) {
		segs = segs[2:]
	}
	for _, s := range segs {
		if !isParam(s) && s != "" {
			return strings.ReplaceAll(strings.ToLower(s), "_", "-")
		}
	}
	return "operations"
}

// cutWords removes the first run of words equal to noun, if there is one
// and something is left.
func cutWords(words, noun []string) ([]string, bool) {
	if len(noun) == 0 {
		return words, false
	}
	for i := 0; i+len(noun) <= len(words); i++ {
		if slices.Equal(words[i:i+len(noun)], noun) && len(words) > len(noun) {
			return slices.Concat(words[:i], words[i+len(noun):]), true
		}
	}
	return words, false
}

// help is an operation's help: the summary, the description (which carries
// the operationId and the spec's evidence note, see generateLocked) and the
// route.
func (f *frontOp) help() string {
	var b strings.Builder
	b.WriteString(f.Summary + ".\n")
	if f.Description != "" {
		// Some descriptions are indented as in the server's source.
		lines := strings.Split(f.Description, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimSpace(l)
		}
		b.WriteString("\n" + strings.Join(lines, "\n") + "\n")
	}
	fmt.Fprintf(&b, "\n  %s %s\n", f.s.Method, f.s.Path)
	if !f.s.Auth {
		b.WriteString("\nIt sends no bearer token: the spec declares no security for it.\n")
	}
	return b.String()
}

// opcallSource renders internal/opcall/operations.gen.go.
func opcallSource(p pin, ops []*frontOp) ([]byte, error) {
	var b strings.Builder
	b.WriteString("// operations lists every operation of the pinned spec, as the front ends call it.\nvar operations = []*Op{\n")
	for _, f := range ops {
		s := f.s
		fmt.Fprintf(&b, "\t{\n\t\tName: %q, Method: %q, Path: %q, Result: %q,\n", s.Name, s.Method, s.Path, s.ResultKind)
		if len(f.Params) > 0 {
			b.WriteString("\t\tParams: []Param{\n")
			for _, p := range f.Params {
				secret := ""
				if p.Secret {
					secret = ", Secret: true"
				}
				fmt.Fprintf(&b, "\t\t\t{Name: %q, In: %q, Kind: %q, Required: %t%s},\n", p.Name, p.In, p.Kind, p.Required, secret)
			}
			b.WriteString("\t\t},\n")
		}
		if f.HasBody {
			media := ""
			if len(f.BodyMedia) > 0 {
				media = fmt.Sprintf(", MediaTypes: %#v", f.BodyMedia)
			}
			fmt.Fprintf(&b, "\t\tBody: &Body{Required: %t%s},\n", f.BodyRequired, media)
		}
		b.WriteString("\t\tcall: func(ctx context.Context, c *api.PartnerClient, a *Args) (any, error) {\n")
		var args []string
		for _, p := range f.Params {
			if p.In != "path" {
				continue
			}
			fmt.Fprintf(&b, "\t\t\tvar %s %s\n\t\t\tif err := a.path(%q, &%s); err != nil {\n\t\t\t\treturn nil, err\n\t\t\t}\n", p.GoVar, p.GoType, p.Name, p.GoVar)
			args = append(args, p.GoVar)
		}
		if s.ParamsType != "" {
			fmt.Fprintf(&b, "\t\t\tvar params api.%s\n\t\t\tif err := a.params(&params); err != nil {\n\t\t\t\treturn nil, err\n\t\t\t}\n", s.ParamsType)
			args = append(args, "params")
		}
		switch {
		case f.HasBody && f.IsJSON:
			fmt.Fprintf(&b, "\t\t\tvar body %s\n\t\t\tif err := a.body(&body); err != nil {\n\t\t\t\treturn nil, err\n\t\t\t}\n", f.BodyType)
			args = append(args, "body")
		case f.HasBody:
			b.WriteString("\t\t\tcontentType, body := a.rawBody()\n")
			args = append(args, "contentType", "body")
		}
		call := fmt.Sprintf("c.%s(%s)", s.Name, strings.Join(append(append([]string{"ctx"}, args...), "a.Options..."), ", "))
		if s.ResultKind == "none" {
			fmt.Fprintf(&b, "\t\t\treturn nil, %s\n", call)
		} else {
			fmt.Fprintf(&b, "\t\t\treturn %s\n", call)
		}
		b.WriteString("\t\t},\n\t},\n")
	}
	b.WriteString("}\n")
	return goFile(opcallFile, "opcall", p, b.String(), "context", "github.com/podero-go/podero/api")
}

// commandsSource renders cmd/podero/commands.gen.go.
func commandsSource(p pin, ops []*frontOp) ([]byte, error) {
	var b strings.Builder
	b.WriteString("// commands lists a command per operation of the pinned spec, `podero GROUP VERB`\n// and `podero call OPERATION`.\nvar commands = []command{\n")
	for _, f := range ops {
		fmt.Fprintf(&b, "\t{\n\t\top: %q, group: %q, verb: %q,\n\t\tshort: %q,\n\t\tlong: %q,\n", f.s.Name, f.Group, f.Verb, f.Summary, f.help())
		var args, flags []string
		for _, p := range f.Params {
			if p.In == "path" && !p.Secret {
				args = append(args, strconv.Quote(p.Name))
			}
		}
		if len(args) > 0 {
			fmt.Fprintf(&b, "\t\targs: []string{%s},\n", strings.Join(args, ", "))
		}
		flagNames := map[string]bool{}
		for _, p := range f.Params {
			if p.In == "path" && !p.Secret {
				continue
			}
			name := flagName(p.Name)
			if p.Secret {
				name += "-file" // a secret is never a flag's value, which the shell history keeps
			}
			flagNames[name] = true
			flags = append(flags, flagLiteral(name, p))
		}
		var fields []string
		for _, p := range f.Fields {
			name := flagName(p.Name)
			if flagNames[name] || reservedFlags[name] {
				name = "body-" + name
			}
			fields = append(fields, flagLiteral(name, p))
		}
		writeList(&b, "flags", flags)
		writeList(&b, "fields", fields)
		if f.HasBody {
			fmt.Fprintf(&b, "\t\tbody: true, bodyRequired: %t,\n", f.BodyRequired)
		}
		b.WriteString("\t},\n")
	}
	b.WriteString("}\n")
	return goFile(commandsFile, "main", p, b.String())
}

// flagName is the flag of a parameter or field: from_datetime is
// --from-datetime, successUrl --success-url.
func flagName(name string) string { return strings.Join(splitWords(name), "-") }

// reservedFlags are the flags every command has (see cmd/podero): a body
// field of the same name gets a "body-" prefix.
var reservedFlags = map[string]bool{"data": true, "output": true, "debug": true, "fake": true, "help": true,
	"client-secret-file": true, "timeout": true, "max-wait": true}

func flagLiteral(name string, p frontParam) string {
	usage := p.Description
	if usage == "" {
		usage = "the " + p.In + " " + map[bool]string{true: "field", false: "parameter"}[p.In == "body"] + " " + p.Name
	}
	usage = strings.Join(strings.Fields(usage), " ")
	if p.Format != "" {
		usage += " (" + p.Format + ")"
	}
	if p.Default != "" {
		usage += "; the server's default: " + p.Default
	}
	lit := fmt.Sprintf("{name: %q, param: %q, kind: %q, usage: %q", name, p.Name, p.Kind, usage)
	if p.Required {
		lit += ", required: true"
	}
	if p.Secret {
		lit += ", secret: true"
	}
	if len(p.Enum) > 0 {
		lit += fmt.Sprintf(", enum: %#v", p.Enum)
	}
	return lit + "}"
}

func writeList(b *strings.Builder, field string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "\t\t%s: []flag{\n", field)
	for _, it := range items {
		fmt.Fprintf(b, "\t\t\t%s,\n", it)
	}
	b.WriteString("\t\t},\n")
}

// toolsSource renders mcp/tools.gen.go.
func toolsSource(p pin, ops []*frontOp) ([]byte, error) {
	var b strings.Builder
	b.WriteString("// tools lists a tool per operation of the pinned spec.\nvar tools = []tool{\n")
	for _, f := range ops {
		m := f.s.Method
		readOnly := m == "GET" || m == "HEAD"
		// A POST creates or starts something; PUT, PATCH and DELETE change
		// or remove what is there. PUT and DELETE may be repeated.
		destructive := m == "PUT" || m == "PATCH" || m == "DELETE"
		idempotent := readOnly || m == "PUT" || m == "DELETE"
		desc := f.help() + "\nGo: PartnerClient." + f.s.Name + "."
		fmt.Fprintf(&b, "\t{\n\t\top: %q, name: %q,\n\t\ttitle: %q,\n\t\tdescription: %q,\n\t\treadOnly: %t, destructive: %t, idempotent: %t,\n\t\tinputSchema: %q,\n\t},\n",
			f.s.Name, f.Tool, f.Summary, desc, readOnly, destructive, idempotent, f.InputSchema)
	}
	b.WriteString("}\n")
	return goFile(toolsFile, "mcp", p, b.String())
}

// inputSchema is an MCP tool's input: an object with the operation's
// parameters by their names in the spec and its body as "body", in JSON
// Schema 2020-12 (OpenAPI 3.1's dialect), the component schemas it uses
// under $defs. The organization is the server's, not an argument.
func inputSchema(raw map[string]any, f *frontOp) ([]byte, error) {
	op, _ := dig(raw, "paths", f.s.Path, strings.ToLower(f.s.Method)).(map[string]any)
	if op == nil {
		return nil, fmt.Errorf("not in the prepared spec")
	}
	props := map[string]any{}
	var required []string
	params, _ := op["parameters"].([]any)
	for _, fp := range f.Params {
		var schema any = map[string]any{}
		for _, pv := range params {
			pm, _ := resolveRef(raw, pv).(map[string]any)
			if pm["name"] == fp.Name && pm["in"] == fp.In {
				if s, ok := pm["schema"]; ok {
					schema = s
				}
			}
		}
		sm, _ := cleanSchema(schema).(map[string]any)
		if sm == nil {
			sm = map[string]any{}
		}
		if fp.Description != "" {
			sm["description"] = fp.Description
		}
		if fp.In != "path" {
			sm["description"] = strings.TrimSpace(fmt.Sprintf("%v (%s parameter)", orEmpty(sm["description"]), fp.In))
		}
		props[fp.Name] = sm
		if fp.Required {
			required = append(required, fp.Name)
		}
	}
	if f.HasBody {
		var bs any = map[string]any{}
		if rb, ok := resolveRef(raw, op["requestBody"]).(map[string]any); ok {
			for mt, c := range asMap(rb["content"]) {
				if isJSONMedia(mt) {
					bs = asMap(c)["schema"]
				}
			}
		}
		body := map[string]any{"description": "The request body."}
		if !f.IsJSON {
			body = map[string]any{"type": "string", "description": "The request body, sent as it is (" + strings.Join(f.BodyMedia, ", ") + ")."}
		} else if bm, ok := cleanSchema(bs).(map[string]any); ok {
			maps.Copy(body, bm)
			if _, ok := bm["description"]; ok {
				body["description"] = bm["description"]
			}
		}
		props["body"] = body
		if f.BodyRequired {
			required = append(required, "body")
		}
	}
	schema := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		schema["required"] = required
	}
	defs := map[string]any{}
	if err := collectDefs(raw, props, defs); err != nil {
		return nil, err
	}
	if len(defs) > 0 {
		schema["$defs"] = defs
	}
	return json.Marshal(schema)
}

func orEmpty(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

func dig(v any, keys ...string) any {
	for _, k := range keys {
		v = asMap(v)[k]
	}
	return v
}

// resolveRef follows a $ref to #/components/... (parameters and request
// bodies may be references).
func resolveRef(raw map[string]any, v any) any {
	for range 10 {
		ref, ok := asMap(v)["$ref"].(string)
		if !ok || !strings.HasPrefix(ref, "#/") {
			return v
		}
		v = dig(raw, strings.Split(strings.TrimPrefix(ref, "#/"), "/")...)
	}
	return v
}

// cleanSchema copies an OpenAPI 3.1 schema as plain JSON Schema: without
// the x- extensions and OpenAPI's own keywords, its component references
// pointing into $defs.
func cleanSchema(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			switch {
			case strings.HasPrefix(k, "x-"), k == "discriminator", k == "xml", k == "externalDocs", k == "example":
				continue
			case k == "$ref":
				if s, ok := e.(string); ok {
					e = strings.Replace(s, "#/components/schemas/", "#/$defs/", 1)
				}
			case k == "properties" || k == "$defs" || k == "patternProperties":
				// Keys of these are names, not keywords.
				props := map[string]any{}
				for name, s := range asMap(e) {
					props[name] = cleanSchema(s)
				}
				out[k] = props
				continue
			}
			out[k] = cleanSchema(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cleanSchema(e)
		}
		return out
	}
	return v
}

// collectDefs adds to defs every component schema that v refers to,
// transitively.
func collectDefs(raw map[string]any, v any, defs map[string]any) error {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if s, ok := e.(string); ok && k == "$ref" {
				name, ok := strings.CutPrefix(s, "#/$defs/")
				if !ok {
					return fmt.Errorf("a schema refers to %s, which is not a component schema", s)
				}
				if _, done := defs[name]; done {
					continue
				}
				c := dig(raw, "components", "schemas", name)
				if c == nil {
					return fmt.Errorf("no component schema %s", name)
				}
				defs[name] = cleanSchema(c)
				if err := collectDefs(raw, defs[name], defs); err != nil {
					return err
				}
				continue
			}
			if err := collectDefs(raw, e, defs); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range v {
			if err := collectDefs(raw, e, defs); err != nil {
				return err
			}
		}
	}
	return nil
}
