package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// This file is gen's normalisation step: it rewrites the spec before
// oapi-codegen sees it, so that the generated Go is what a Go engineer
// expects. The pinned openapi.json itself is never changed: tests and fakes
// validate traffic against the original, and only the code generator reads
// the normalised copy.
//
//   - Component schemas with generic names ("Request", "GetOutput") get the
//     Go names of gen/schema_names.txt.
//   - An inline enum or union becomes one named component schema, shared by
//     every identical copy, so that a price zone is one Go type wherever it
//     appears (oapi-codegen would make one type per property).
//   - Schemas that only appear in responses lose their "null" branches, so
//     that oapi-codegen makes their nullable fields pointers (null and absent
//     both decode as nil) instead of nullable.Nullable, which is a map per
//     field. Request schemas keep the three states a PATCH needs: absent,
//     null and a value. The required lists that this drops are kept in
//     x-podero-required, for the response decoders.
//   - Component names that would collide with a Go identifier that package
//     api declares, or that oapi-codegen derives from an operation, are
//     renamed by a rule; so are component parameters, responses and request
//     bodies named like a schema's Go type.

type jsonObj = map[string]any

// requiredExt lists a response schema's required properties as the spec has
// them, after normalisation dropped the nullable ones from "required".
const requiredExt = "x-podero-required"

// normalized is the spec as oapi-codegen gets it.
type normalized struct {
	Data  []byte
	Notes []string
	// Hoisted lists the types made from inline schemas, for the report.
	Hoisted []hoistedType
	// TypeNames maps each component schema's name in the spec (and each
	// hoisted schema's site) to its Go type name.
	TypeNames map[string]string
}

type hoistedType struct {
	Name  string
	Kind  string // "enum" or "union"
	Sites []string
}

type normalizer struct {
	doc     jsonObj
	schemas jsonObj
	table   schemaTable
	opNames map[string]string   // "METHOD /path" -> Go name
	goName  func(string) string // oapi-codegen's type name for a schema name
	// reserved are the Go identifiers that schema types must not take, and
	// what takes them.
	reserved map[string]string
	// members are the methods and fields package api declares by hand, by
	// type: generated fields must not take their names.
	members map[string]map[string]handDecl
	// specName maps a component's current name to its name in the spec.
	specName map[string]string
	used     map[string]bool // table entries that matched
	notes    []string
	hoisted  []hoistedType
}

// normalizeSpec returns the spec for oapi-codegen. opNames gives each
// operation's Go name, goName is oapi-codegen's schema-name-to-type-name
// function, and reserved lists identifiers that types must not take.
func normalizeSpec(data []byte, table schemaTable, opNames map[string]string, goName func(string) string, reserved map[string]string) (*normalized, error) {
	return normalizeSpecWith(data, table, opNames, goName, reserved, nil)
}

// normalizeSpecWith is normalizeSpec with the members package api declares
// by hand on its types (see handWrittenMembers), which generated fields
// must not be named like.
func normalizeSpecWith(data []byte, table schemaTable, opNames map[string]string, goName func(string) string, reserved map[string]string, members map[string]map[string]handDecl) (*normalized, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // numbers go back out exactly as they came
	var doc jsonObj
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("normalize: %w", err)
	}
	n := &normalizer{doc: doc, table: table, opNames: opNames, goName: goName, reserved: reserved, members: members,
		specName: map[string]string{}, used: map[string]bool{}}
	components := obj(doc, "components")
	if components == nil {
		components = jsonObj{}
		doc["components"] = components
	}
	n.schemas = obj(components, "schemas")
	if n.schemas == nil {
		n.schemas = jsonObj{}
		components["schemas"] = n.schemas
	}
	for name := range n.schemas {
		n.specName[name] = name
	}
	canonicalize(doc)
	rewriteDecimals(doc)
	prepareTree(doc) // its notes are prepareSpec's, which the caller has
	if err := n.renameComponents(); err != nil {
		return nil, err
	}
	if hooks := obj(doc, "webhooks"); len(hooks) > 0 {
		n.notes = append(n.notes, fmt.Sprintf("the document declares webhooks (%s): their payloads are types, as every component schema is, but the client has no methods for them",
			strings.Join(slices.Sorted(maps.Keys(hooks)), ", ")))
	}
	n.avoidComponentClashes()
	if err := n.hoistInline(); err != nil {
		return nil, err
	}
	n.responsePointers()
	n.binaryAsText()
	if err := n.avoidReserved(); err != nil {
		return nil, err
	}
	n.avoidFieldClashes()
	n.avoidHandWritten()
	n.avoidSectionClashes()
	for _, key := range slices.Sorted(maps.Keys(table.Components)) {
		if !n.used[key] {
			n.notes = append(n.notes, fmt.Sprintf("%s names schema %s, which the spec does not have", schemaNameTableFile, key))
		}
	}
	for _, key := range slices.Sorted(maps.Keys(table.Inline)) {
		if !n.used[key] {
			n.notes = append(n.notes, fmt.Sprintf("%s names the inline schema at %s, which the spec does not have (or which is not an enum or union)", schemaNameTableFile, key))
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("normalize: %w", err)
	}
	typeNames := map[string]string{}
	for current, spec := range n.specName {
		typeNames[spec] = goName(current)
	}
	return &normalized{Data: out, Notes: n.notes, Hoisted: n.hoisted, TypeNames: typeNames}, nil
}

func obj(m jsonObj, key string) jsonObj {
	o, _ := m[key].(jsonObj)
	return o
}

const schemaRefPrefix = "#/components/schemas/"

// operationsOf calls f for every operation of the document, in path and
// method order.
func (n *normalizer) operationsOf(f func(path, method string, op jsonObj)) {
	paths := obj(n.doc, "paths")
	for _, path := range slices.Sorted(maps.Keys(paths)) {
		item, _ := paths[path].(jsonObj)
		for _, method := range slices.Sorted(maps.Keys(item)) {
			if op, ok := item[method].(jsonObj); ok && isMethod(method) {
				f(path, method, op)
			}
		}
	}
}

func isMethod(m string) bool {
	switch m {
	case "get", "put", "post", "delete", "options", "head", "patch", "trace":
		return true
	}
	return false
}

// renameComponents applies the table's component names.
func (n *normalizer) renameComponents() error {
	renames := map[string]string{}
	for _, old := range slices.Sorted(maps.Keys(n.table.Components)) {
		name := n.table.Components[old]
		s, ok := n.schemas[old]
		if !ok {
			continue
		}
		n.used[old] = true
		if _, clash := n.schemas[name]; clash {
			return fmt.Errorf("%s:%d: renaming schema %s to %s, but the spec already has a schema %s", schemaNameTableFile, n.table.lines[old], old, name, name)
		}
		delete(n.schemas, old)
		n.schemas[name] = s
		n.specName[name] = old
		delete(n.specName, old)
		renames[schemaRefPrefix+old] = schemaRefPrefix + name
	}
	if len(renames) > 0 {
		rewriteRefs(n.doc, renames)
	}
	return nil
}

// rewriteRefs replaces every "$ref" that renames lists.
func rewriteRefs(v any, renames map[string]string) {
	switch x := v.(type) {
	case jsonObj:
		if ref, ok := x["$ref"].(string); ok {
			if to, ok := renames[ref]; ok {
				x["$ref"] = to
			}
		}
		for _, e := range x {
			rewriteRefs(e, renames)
		}
	case []any:
		for _, e := range x {
			rewriteRefs(e, renames)
		}
	}
}

// site is a place in the document where an inline schema sits.
type site struct {
	owner     string // the Go-ish name of what it belongs to: a component schema, or an operation
	specOwner string // the same in the spec's names (for gen/schema_names.txt)
	prop      string // the property or parameter it is the schema of, "" for none
	items     bool   // it is the items of prop
	ptr       string // JSON pointer, for messages
}

// key is how gen/schema_names.txt names the site.
func (s site) key() string {
	k := s.specOwner + "." + s.prop
	if s.items {
		k += "[]"
	}
	return k
}

// walkSchemas calls visit for every inline schema of the document,
// innermost first, and puts what visit returns in its place. Component
// schemas themselves are walked but not visited: they are named already.
func (n *normalizer) walkSchemas(visit func(s jsonObj, at site) any) {
	for _, name := range slices.Sorted(maps.Keys(n.schemas)) {
		if s, ok := n.schemas[name].(jsonObj); ok {
			n.walkChildren(s, site{owner: name, specOwner: n.specName[name], ptr: schemaRefPrefix + name}, visit)
		}
	}
	n.operationsOf(func(path, method string, op jsonObj) {
		opName := n.opNames[routeKey(method, path)]
		if opName == "" {
			opName = n.goName(method + " " + path)
		}
		base := "#/paths/" + escapePointer(path) + "/" + method
		for i, p := range asList(op["parameters"]) {
			pm, ok := p.(jsonObj)
			if !ok {
				continue
			}
			if s, ok := pm["schema"].(jsonObj); ok {
				at := site{owner: opName, specOwner: opName, prop: fmt.Sprint(pm["name"]), ptr: fmt.Sprintf("%s/parameters/%d/schema", base, i)}
				pm["schema"] = n.walk(s, at, visit)
			}
		}
		bodies := []struct {
			content jsonObj
			owner   string
			ptr     string
		}{}
		if rb := obj(op, "requestBody"); rb != nil {
			bodies = append(bodies, struct {
				content jsonObj
				owner   string
				ptr     string
			}{obj(rb, "content"), opName + "Body", base + "/requestBody/content"})
		}
		responses := obj(op, "responses")
		for _, code := range slices.Sorted(maps.Keys(responses)) {
			if r, ok := responses[code].(jsonObj); ok {
				bodies = append(bodies, struct {
					content jsonObj
					owner   string
					ptr     string
				}{obj(r, "content"), opName + "Response" + strings.ToUpper(code), base + "/responses/" + code + "/content"})
			}
		}
		for _, b := range bodies {
			n.walkContent(b.content, b.owner, b.ptr, visit)
		}
	})
	// The components that operations refer to: parameters, request bodies
	// and responses by $ref (FastAPI and django-ninja inline them, others
	// do not).
	components := obj(n.doc, "components")
	for _, kind := range []string{"parameters", "requestBodies", "responses"} {
		m := obj(components, kind)
		for _, name := range slices.Sorted(maps.Keys(m)) {
			c, _ := m[name].(jsonObj)
			owner := n.goName(name)
			ptr := "#/components/" + kind + "/" + escapePointer(name)
			switch kind {
			case "parameters":
				if s, ok := c["schema"].(jsonObj); ok {
					c["schema"] = n.walk(s, site{owner: owner, specOwner: name, prop: fmt.Sprint(c["name"]), ptr: ptr + "/schema"}, visit)
				}
			case "requestBodies":
				n.walkContent(obj(c, "content"), owner+"Body", ptr+"/content", visit)
			default:
				n.walkContent(obj(c, "content"), owner, ptr+"/content", visit)
			}
		}
	}
}

// walkContent walks the schemas of a body's media types.
func (n *normalizer) walkContent(content jsonObj, owner, ptr string, visit func(jsonObj, site) any) {
	for _, mt := range slices.Sorted(maps.Keys(content)) {
		media, _ := content[mt].(jsonObj)
		if s, ok := media["schema"].(jsonObj); ok {
			media["schema"] = n.walk(s, site{owner: owner, specOwner: owner, ptr: ptr + "/" + escapePointer(mt) + "/schema"}, visit)
		}
	}
}

// walk walks s's children, then visits s itself.
func (n *normalizer) walk(s jsonObj, at site, visit func(jsonObj, site) any) any {
	if _, isRef := s["$ref"]; isRef {
		return s
	}
	n.walkChildren(s, at, visit)
	return visit(s, at)
}

func (n *normalizer) walkChildren(s jsonObj, at site, visit func(jsonObj, site) any) {
	if props := obj(s, "properties"); props != nil {
		owner, specOwner := at.owner, at.specOwner
		if at.prop != "" { // an inline object: its properties belong to it
			owner += n.goName(at.prop)
			specOwner += "." + at.prop
		}
		for _, name := range slices.Sorted(maps.Keys(props)) {
			if p, ok := props[name].(jsonObj); ok {
				props[name] = n.walk(p, site{owner: owner, specOwner: specOwner, prop: name, ptr: at.ptr + "/properties/" + escapePointer(name)}, visit)
			}
		}
	}
	for _, key := range []string{"items", "additionalProperties"} {
		if c, ok := s[key].(jsonObj); ok {
			s[key] = n.walk(c, site{owner: at.owner, specOwner: at.specOwner, prop: at.prop, items: true, ptr: at.ptr + "/" + key}, visit)
		}
	}
	for _, key := range []string{"anyOf", "oneOf", "allOf"} {
		for i, m := range asList(s[key]) {
			if c, ok := m.(jsonObj); ok {
				asList(s[key])[i] = n.walk(c, site{owner: at.owner, specOwner: at.specOwner, prop: at.prop, items: at.items, ptr: fmt.Sprintf("%s/%s/%d", at.ptr, key, i)}, visit)
			}
		}
	}
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// group is one inline schema and its identical copies.
type group struct {
	key    string // canonical JSON of the schema without its annotations
	kind   string
	schema jsonObj // the first copy
	sites  []site
	name   string
	// desc is the copies' description, if they all have the same one.
	desc      string
	descMixed bool
	// tied are the names the rule chose its name over, as common as it:
	// a new copy elsewhere may tip the choice and rename the type.
	tied []string
}

// hoistInline gives inline enums and unions names of their own.
func (n *normalizer) hoistInline() error {
	groups := map[string]*group{}
	n.walkSchemas(func(s jsonObj, at site) any {
		kind := inlineKind(s)
		if kind == "" {
			return s
		}
		// A nullable union (oneOf [A, B, null]) is the union of A and B,
		// nullable where it is used: the type has no null branch (which
		// oapi-codegen would make a union member that loses the data), and
		// the site says anyOf [union, null], which is a pointer in a
		// response and a nullable.Nullable in a request.
		s, nullable := withoutNullMembers(s)
		key := canonical(s)
		g := groups[key]
		desc, _ := s["description"].(string)
		if g == nil {
			g = &group{key: key, kind: kind, schema: s, desc: desc}
			groups[key] = g
		}
		g.descMixed = g.descMixed || desc != g.desc
		g.sites = append(g.sites, at)
		ref := jsonObj{"$ref": schemaRefPrefix + "\x00" + key} // placeholder, resolved below
		if !nullable {
			return ref
		}
		site := jsonObj{"anyOf": []any{ref, jsonObj{"type": "null"}}}
		for k, v := range s {
			if annotations[k] {
				site[k] = v
			}
		}
		return site
	})
	if len(groups) == 0 {
		return nil
	}
	// An inline schema identical to a component schema is that schema.
	existing := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(n.schemas)) {
		if s, ok := n.schemas[name].(jsonObj); ok && inlineKind(s) != "" {
			if _, dup := existing[canonical(s)]; !dup {
				existing[canonical(s)] = name
			}
		}
	}
	taken := map[string]string{} // Go type name -> what has it
	for name := range n.schemas {
		taken[n.goName(name)] = "the Go type of schema " + name
	}
	for id, what := range n.reserved {
		if _, ok := taken[id]; !ok {
			taken[id] = "a name " + what
		}
	}
	ordered := slices.SortedFunc(maps.Values(groups), func(a, b *group) int {
		if len(a.sites) != len(b.sites) {
			return len(b.sites) - len(a.sites)
		}
		return strings.Compare(a.key, b.key)
	})
	// Named by the table first, so that a rule-made name yields to them.
	for _, g := range ordered {
		if name, ok := existing[g.key]; ok {
			g.name = name
			continue
		}
		for _, at := range g.sites {
			name, ok := n.table.Inline[at.key()]
			if !ok {
				continue
			}
			n.used[at.key()] = true
			if g.name != "" && g.name != name {
				return fmt.Errorf("%s: %s and another copy of the same %s are given two names, %s and %s", schemaNameTableFile, at.key(), g.kind, g.name, name)
			}
			g.name = name
		}
		if g.name == "" {
			continue
		}
		if what, clash := taken[n.goName(g.name)]; clash {
			return fmt.Errorf("%s: the %s at %s is named %s, which is %s", schemaNameTableFile, g.kind, g.sites[0].key(), g.name, what)
		}
		taken[n.goName(g.name)] = "the Go type of the " + g.kind + " at " + g.sites[0].key()
	}
	for _, g := range ordered {
		if g.name != "" {
			continue
		}
		name, qualified := ruleTypeName(g, n.goName)
		if what, clash := taken[n.goName(name)]; clash {
			first := name
			if !qualified {
				name = qualify(g.sites[0].owner, baseName(g.sites[0], n.goName))
			}
			for i := 2; taken[n.goName(name)] != ""; i++ {
				name = fmt.Sprintf("%s%d", strings.TrimRight(name, "0123456789"), i)
			}
			n.notes = append(n.notes, fmt.Sprintf("the %s at %s would be %s, which is %s; named %s by the rule (give it a better name in %s)",
				g.kind, g.sites[0].key(), first, what, name, schemaNameTableFile))
		}
		g.name = name
		taken[n.goName(name)] = "the Go type of the " + g.kind + " at " + g.sites[0].key()
		if len(g.tied) > 0 {
			n.notes = append(n.notes, fmt.Sprintf("the %s at %s is named %s by the rule, over names as common (%s): a new copy of it elsewhere may rename it; pin the name with a line \"%s %s\" in %s",
				g.kind, g.sites[0].key(), name, strings.Join(g.tied, ", "), g.sites[0].key(), name, schemaNameTableFile))
		}
	}

	refs := map[string]string{}
	for _, g := range ordered {
		refs[schemaRefPrefix+"\x00"+g.key] = schemaRefPrefix + g.name
		if _, ok := existing[g.key]; ok {
			continue
		}
		n.schemas[g.name] = hoistedSchema(g)
		n.specName[g.name] = g.sites[0].key()
		h := hoistedType{Name: g.name, Kind: g.kind}
		for _, at := range g.sites {
			h.Sites = append(h.Sites, at.key())
		}
		n.hoisted = append(n.hoisted, h)
	}
	rewriteRefs(n.doc, refs)
	sort.Slice(n.hoisted, func(i, j int) bool { return n.hoisted[i].Name < n.hoisted[j].Name })
	return nil
}

// inlineKind says whether an inline schema is one that gen names: an enum,
// or a union of two or more alternatives besides null.
func inlineKind(s jsonObj) string {
	if _, ok := s["enum"]; ok {
		switch s["type"] {
		case "string", "integer", nil:
			return "enum"
		}
		return ""
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		alts := 0
		for _, m := range asList(s[key]) {
			if !isNullSchema(m) {
				alts++
			}
		}
		if alts >= 2 {
			return "union"
		}
	}
	return ""
}

// withoutNullMembers is a union without its null alternatives, and whether
// it had any.
func withoutNullMembers(s jsonObj) (jsonObj, bool) {
	for _, key := range []string{"oneOf", "anyOf"} {
		members := asList(s[key])
		rest := slices.DeleteFunc(slices.Clone(members), isNullSchema)
		if len(rest) < len(members) && len(rest) >= 2 {
			out := shallowCopy(s)
			out[key] = rest
			return out, true
		}
	}
	return s, false
}

func isNullSchema(v any) bool {
	m, ok := v.(jsonObj)
	return ok && m["type"] == "null" && len(m) <= 3 // type, and perhaps title/description
}

// annotations are the keywords that do not change what a schema accepts.
var annotations = map[string]bool{"title": true, "description": true, "default": true, "example": true,
	"examples": true, "deprecated": true, "readOnly": true, "writeOnly": true, "$comment": true}

// canonical is the schema as JSON, without annotations or extensions, so
// that copies that differ only in their titles compare equal.
func canonical(s jsonObj) string {
	b, _ := json.Marshal(stripAnnotations(s)) // maps of JSON values always encode
	return string(b)
}

func stripAnnotations(v any) any {
	switch x := v.(type) {
	case jsonObj:
		out := jsonObj{}
		for k, e := range x {
			if annotations[k] || strings.HasPrefix(k, "x-") {
				continue
			}
			out[k] = stripAnnotations(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = stripAnnotations(e)
		}
		return out
	}
	return v
}

// hoistedSchema is the component schema for a group: the first copy with
// its own title and without the per-property annotations, with a
// description only if every copy has the same one.
func hoistedSchema(g *group) jsonObj {
	s := deepCopy(g.schema).(jsonObj)
	for k := range annotations {
		delete(s, k)
	}
	s["title"] = g.name
	if g.desc != "" && !g.descMixed {
		s["description"] = g.desc
	}
	return s
}

// baseName is the name a site suggests for its schema: its property or
// parameter, camel-cased, with "Item" for the items of an array; the owner
// for a schema that is not a property's.
func baseName(at site, goName func(string) string) string {
	if at.prop == "" {
		return at.owner
	}
	name := goName(at.prop)
	if at.items {
		name += "Item"
	}
	return name
}

// ruleTypeName names a group that the table does not: the most common base
// name of its sites when they belong to several owners (a price zone shared
// by many schemas is PriceZone), else the base name qualified by its owner
// (WallboxOutput's mode is WallboxMode). It reports whether it qualified.
func ruleTypeName(g *group, goName func(string) string) (string, bool) {
	counts := map[string]int{}
	owners := map[string]bool{}
	props := slices.ContainsFunc(g.sites, func(at site) bool { return at.prop != "" })
	for _, at := range g.sites {
		owners[at.owner] = true
		if props && at.prop == "" {
			continue // a property's name says more than an operation's body
		}
		counts[baseName(at, goName)]++
	}
	// The most common name; among as common ones a property's own name
	// before an array's XItem, then the first in order.
	names := slices.SortedFunc(maps.Keys(counts), func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		if ai, bi := strings.HasSuffix(a, "Item"), strings.HasSuffix(b, "Item"); ai != bi {
			if ai {
				return 1
			}
			return -1
		}
		return strings.Compare(a, b)
	})
	best := names[0]
	g.tied = nil
	for _, name := range names[1:] {
		if counts[name] == counts[best] {
			g.tied = append(g.tied, name)
		}
	}
	if len(owners) > 1 || g.sites[0].prop == "" {
		return best, false
	}
	return qualify(g.sites[0].owner, best), true
}

// ownerSuffixes are dropped from an owner's name before it qualifies a
// type name: WallboxOutput's mode is WallboxMode.
var ownerSuffixes = []string{"CreateInput", "UpdateInput", "Input", "Output", "Schema"}

func qualify(owner, base string) string {
	for _, suf := range ownerSuffixes {
		if trimmed, ok := strings.CutSuffix(owner, suf); ok && trimmed != "" {
			owner = trimmed
			break
		}
	}
	if strings.HasSuffix(owner, base) {
		return owner
	}
	return owner + base
}

// responsePointers drops the null branches from the schemas that only
// responses use (see the top of this file).
func (n *normalizer) responsePointers() {
	request, response := n.usage()
	seen := map[string]bool{}
	var fix func(s jsonObj)
	fix = func(s jsonObj) {
		if ref, ok := s["$ref"].(string); ok {
			name := strings.TrimPrefix(ref, schemaRefPrefix)
			if seen[name] || request[name] || !response[name] {
				return
			}
			seen[name] = true
			if target, ok := n.schemas[name].(jsonObj); ok {
				fix(target)
			}
			return
		}
		if req := asList(s["required"]); len(req) > 0 {
			if _, done := s[requiredExt]; !done {
				s[requiredExt] = deepCopy(req)
			}
		}
		props := obj(s, "properties")
		var keep []any
		dropped := map[string]bool{}
		for _, name := range slices.Sorted(maps.Keys(props)) {
			p, ok := props[name].(jsonObj)
			if !ok {
				continue
			}
			if np, nullable := withoutNull(p); nullable {
				props[name] = np
				p = np
				dropped[name] = true
			}
			fix(p)
		}
		for _, r := range asList(s["required"]) {
			if !dropped[fmt.Sprint(r)] {
				keep = append(keep, r)
			}
		}
		if _, had := s["required"]; had {
			if len(keep) == 0 {
				delete(s, "required")
			} else {
				s["required"] = keep
			}
		}
		for _, key := range []string{"items", "additionalProperties"} {
			if c, ok := s[key].(jsonObj); ok {
				fix(c)
			}
		}
		for _, key := range []string{"anyOf", "oneOf", "allOf"} {
			for _, m := range asList(s[key]) {
				if c, ok := m.(jsonObj); ok {
					fix(c)
				}
			}
		}
	}
	fixResponses := func(responses jsonObj) {
		for _, code := range slices.Sorted(maps.Keys(responses)) {
			r, _ := responses[code].(jsonObj)
			content := obj(r, "content")
			for _, mt := range slices.Sorted(maps.Keys(content)) {
				media, _ := content[mt].(jsonObj)
				if s := obj(media, "schema"); s != nil {
					fix(s)
				}
			}
		}
	}
	n.operationsOf(func(_, _ string, op jsonObj) { fixResponses(obj(op, "responses")) })
	fixResponses(obj(obj(n.doc, "components"), "responses"))
}

// withoutNull returns a property schema without its null alternative, and
// whether it had one: anyOf/oneOf [X, null] becomes X (keeping the
// property's annotations when X is inline), and OpenAPI 3.0's nullable is
// dropped.
func withoutNull(p jsonObj) (jsonObj, bool) {
	if p["nullable"] == true {
		q := shallowCopy(p)
		delete(q, "nullable")
		return q, true
	}
	if types := asList(p["type"]); slices.Contains(types, any("null")) {
		q := shallowCopy(p)
		rest := slices.DeleteFunc(slices.Clone(types), func(t any) bool { return t == "null" })
		if len(rest) == 1 {
			q["type"] = rest[0]
		} else {
			q["type"] = rest
		}
		return q, true
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		alts := asList(p[key])
		if len(alts) == 0 {
			continue
		}
		var rest []any
		for _, m := range alts {
			if !isNullSchema(m) {
				rest = append(rest, m)
			}
		}
		if len(rest) == len(alts) {
			continue
		}
		if len(rest) != 1 {
			q := shallowCopy(p)
			q[key] = rest
			return q, true
		}
		only, _ := rest[0].(jsonObj)
		if _, isRef := only["$ref"]; isRef {
			return only, true
		}
		q := shallowCopy(only)
		for k, v := range p {
			if annotations[k] && q[k] == nil {
				q[k] = v
			}
		}
		return q, true
	}
	return p, false
}

// binaryAsText makes a string of format "binary" inside a JSON body a Go
// string: oapi-codegen would make it openapi_types.File, which reads and
// writes base64, while a JSON body carries text (pydantic writes a bytes
// field as UTF-8 text). A base64 field says so with contentEncoding (3.1) or
// format "byte" (3.0), and stays []byte. Bodies that are not JSON (a
// multipart upload) keep their files.
func (n *normalizer) binaryAsText() {
	count := 0
	seen := map[string]bool{}
	var strip func(v any)
	strip = func(v any) {
		switch x := v.(type) {
		case jsonObj:
			if ref, ok := x["$ref"].(string); ok {
				name := strings.TrimPrefix(ref, schemaRefPrefix)
				if !seen[name] {
					seen[name] = true
					strip(n.schemas[name])
				}
				return
			}
			if x["type"] == "string" && x["contentEncoding"] == nil {
				if x["format"] == "binary" {
					delete(x, "format")
					count++
				} else if x["contentMediaType"] == "application/octet-stream" { // pydantic's bytes, later
					delete(x, "contentMediaType")
					count++
				}
			}
			for _, e := range x {
				strip(e)
			}
		case []any:
			for _, e := range x {
				strip(e)
			}
		}
	}
	json := func(content jsonObj) {
		for mt, m := range content {
			if media, ok := m.(jsonObj); ok && isJSONMedia(strings.TrimSpace(strings.Split(mt, ";")[0])) {
				strip(media["schema"])
			}
		}
	}
	n.operationsOf(func(_, _ string, op jsonObj) {
		json(obj(obj(op, "requestBody"), "content"))
		for _, r := range obj(op, "responses") {
			if r, ok := r.(jsonObj); ok {
				json(obj(r, "content"))
			}
		}
	})
	components := obj(n.doc, "components")
	for _, r := range obj(components, "responses") {
		if r, ok := r.(jsonObj); ok {
			json(obj(r, "content"))
		}
	}
	for _, r := range obj(components, "requestBodies") {
		if r, ok := r.(jsonObj); ok {
			json(obj(r, "content"))
		}
	}
	if count > 0 {
		n.notes = append(n.notes, fmt.Sprintf("%d string fields of format \"binary\" (or contentMediaType application/octet-stream) inside JSON bodies are Go strings, not base64-reading openapi_types.File: JSON carries text (pydantic writes bytes as UTF-8); a base64 field says contentEncoding: base64, and is []byte", count))
	}
}

// usage says which component schemas requests reach (bodies and
// parameters) and which responses reach.
func (n *normalizer) usage() (request, response map[string]bool) {
	request, response = map[string]bool{}, map[string]bool{}
	var mark func(v any, set map[string]bool)
	mark = func(v any, set map[string]bool) {
		switch x := v.(type) {
		case jsonObj:
			if ref, ok := x["$ref"].(string); ok && strings.HasPrefix(ref, schemaRefPrefix) {
				name := strings.TrimPrefix(ref, schemaRefPrefix)
				if !set[name] {
					set[name] = true
					mark(n.schemas[name], set)
				}
			}
			for _, e := range x {
				mark(e, set)
			}
		case []any:
			for _, e := range x {
				mark(e, set)
			}
		}
	}
	n.operationsOf(func(_, _ string, op jsonObj) {
		mark(op["parameters"], request)
		mark(op["requestBody"], request)
		mark(op["responses"], response)
	})
	// References through components.parameters, requestBodies and responses.
	components := obj(n.doc, "components")
	mark(components["parameters"], request)
	mark(components["requestBodies"], request)
	mark(components["responses"], response)
	return request, response
}

// avoidComponentClashes renames component schemas that would be the same
// Go type as another (EventID, EventId and event_id are all EventID, which
// oapi-codegen refuses): the one spelled like its Go name keeps it, else
// the first by name; each other gets a number.
func (n *normalizer) avoidComponentClashes() {
	byGo := map[string][]string{}
	for _, name := range slices.Sorted(maps.Keys(n.schemas)) {
		byGo[n.goName(name)] = append(byGo[n.goName(name)], name)
	}
	renames := map[string]string{}
	for _, goName := range slices.Sorted(maps.Keys(byGo)) {
		names := byGo[goName]
		if len(names) < 2 {
			continue
		}
		slices.SortStableFunc(names, func(a, b string) int {
			if (a == goName) != (b == goName) {
				if a == goName {
					return -1
				}
				return 1
			}
			return strings.Compare(a, b)
		})
		var moved []string
		for _, name := range names[1:] {
			to := name
			for i := 2; n.schemas[to] != nil || byGo[n.goName(to)] != nil; i++ {
				to = fmt.Sprintf("%s%d", name, i)
			}
			byGo[n.goName(to)] = []string{to}
			n.schemas[to] = n.schemas[name]
			delete(n.schemas, name)
			n.specName[to] = n.specName[name]
			delete(n.specName, name)
			renames[schemaRefPrefix+name] = schemaRefPrefix + to
			moved = append(moved, fmt.Sprintf("%s is %s", n.specName[to], n.goName(to)))
		}
		n.notes = append(n.notes, fmt.Sprintf("schemas %s would all be the Go type %s: %s keeps it, and by the rule %s (give them names in %s)",
			strings.Join(names, ", "), goName, names[0], strings.Join(moved, ", "), schemaNameTableFile))
	}
	if len(renames) > 0 {
		rewriteRefs(n.doc, renames)
	}
}

// avoidFieldClashes gives distinct Go field names (x-go-name) to the
// properties of one object that would be the same field: id and ID, type
// and Type, or a property additional_properties beside oapi-codegen's
// AdditionalProperties. An all-lowercase property keeps the plain name
// (it is what JSON APIs mostly write), else the first by name; each other
// gets a number.
func (n *normalizer) avoidFieldClashes() {
	walkSchemaObjects(n.doc, "#", func(s jsonObj, ptr string) {
		props := obj(s, "properties")
		if len(props) < 2 && s["additionalProperties"] == nil {
			return
		}
		byGo := map[string][]string{}
		for _, name := range slices.Sorted(maps.Keys(props)) {
			p, _ := props[name].(jsonObj)
			goName := n.goName(name)
			if explicit, ok := p["x-go-name"].(string); ok {
				goName = n.goName(explicit)
			}
			byGo[goName] = append(byGo[goName], name)
		}
		if ap := s["additionalProperties"]; ap != nil && ap != false {
			if names, ok := byGo["AdditionalProperties"]; ok {
				byGo["AdditionalProperties"] = append([]string{"\x00"}, names...) // oapi-codegen's own field comes first
			}
		}
		for _, goName := range slices.Sorted(maps.Keys(byGo)) {
			names := byGo[goName]
			if len(names) < 2 {
				continue
			}
			slices.SortStableFunc(names, func(a, b string) int {
				if la, lb := a == strings.ToLower(a), b == strings.ToLower(b); la != lb {
					if la {
						return -1
					}
					return 1
				}
				return strings.Compare(a, b)
			})
			var moved []string
			for _, name := range names[1:] {
				to := goName
				for i := 2; byGo[to] != nil; i++ {
					to = fmt.Sprintf("%s%d", goName, i)
				}
				byGo[to] = []string{name}
				p, _ := props[name].(jsonObj)
				if p == nil {
					continue
				}
				p["x-go-name"] = to
				moved = append(moved, fmt.Sprintf("%q is %s", name, to))
			}
			keeper := fmt.Sprintf("%q", names[0])
			if names[0] == "\x00" {
				keeper = "oapi-codegen's additional properties"
			}
			n.notes = append(n.notes, fmt.Sprintf("%s has properties that would all be the Go field %s: %s keeps it, and by the rule %s",
				describePointer(ptr), goName, keeper, strings.Join(moved, ", ")))
		}
	})
}

// avoidReserved renames component schemas whose Go type name package api
// already declares by hand, or oapi-codegen derives from an operation (a
// schema called ListUsersResponse, say): their Go name gets "Schema" added.
func (n *normalizer) avoidReserved() error {
	renames := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(n.schemas)) {
		what, clash := n.reserved[n.goName(name)]
		if !clash {
			continue
		}
		to := name + "Schema"
		for i := 2; n.schemas[to] != nil || n.reserved[n.goName(to)] != ""; i++ {
			to = fmt.Sprintf("%sSchema%d", name, i)
		}
		n.schemas[to] = n.schemas[name]
		delete(n.schemas, name)
		n.specName[to] = n.specName[name]
		renames[schemaRefPrefix+name] = schemaRefPrefix + to
		n.notes = append(n.notes, fmt.Sprintf("schema %s would be the Go type %s, which %s; named %s by the rule (or give it a name in %s)",
			n.specName[to], n.goName(name), what, n.goName(to), schemaNameTableFile))
	}
	if len(renames) > 0 {
		rewriteRefs(n.doc, renames)
	}
	return nil
}

// avoidHandWritten gives another Go field name (x-go-name) to a property of
// a component schema, or a parameter of an operation, whose field would be
// named like a method (or field) that package api declares by hand on the
// Go type the field belongs to: a kind property beside
// (*ElectricVehicleOutput).Kind in semantics_actions.go, a query parameter
// format beside ResolveCueParams.Format. Go refuses a field and a method of
// one name. The hand-written method keeps its name, since code is written
// against it; the field gets "Field" added (KindField), with a note that
// says where the method is. A property that an allOf brings from another
// schema is renamed there, and so in that schema's type too.
func (n *normalizer) avoidHandWritten() {
	if len(n.members) == 0 {
		return
	}
	for _, name := range slices.Sorted(maps.Keys(n.schemas)) {
		typ := n.goName(name)
		hw := n.members[typ]
		if len(hw) == 0 {
			continue
		}
		s, _ := n.schemas[name].(jsonObj)
		var fields []fieldSite // the properties of every part of the type
		seen := map[string]bool{}
		var collect func(s jsonObj, from string)
		collect = func(s jsonObj, from string) {
			if ref, ok := s["$ref"].(string); ok {
				target := strings.TrimPrefix(ref, schemaRefPrefix)
				if t, ok := n.schemas[target].(jsonObj); ok && !seen[target] {
					seen[target] = true
					collect(t, fmt.Sprintf(" (of schema %s, which it takes in by allOf)", n.specName[target]))
				}
				return
			}
			p := obj(s, "properties")
			for _, prop := range slices.Sorted(maps.Keys(p)) {
				if ps, ok := p[prop].(jsonObj); ok {
					fields = append(fields, fieldSite{what: fmt.Sprintf("property %q", prop), schema: ps, name: prop, from: from})
				}
			}
			for _, part := range asList(s["allOf"]) {
				if part, ok := part.(jsonObj); ok {
					collect(part, from)
				}
			}
		}
		seen[name] = true
		collect(s, "")
		n.renameFields(fields, typ, hw, "schema "+n.specName[name])
	}
	n.operationsOf(func(path, method string, op jsonObj) {
		typ := n.opNames[routeKey(method, path)] + "Params"
		hw := n.members[typ]
		if len(hw) == 0 {
			return
		}
		var fields []fieldSite
		for _, p := range asList(op["parameters"]) {
			if pm, ok := p.(jsonObj); ok && pm["in"] != "path" && pm["$ref"] == nil {
				fields = append(fields, fieldSite{what: fmt.Sprintf("%v parameter %q", pm["in"], pm["name"]), schema: pm, name: fmt.Sprint(pm["name"])})
			}
		}
		n.renameFields(fields, typ, hw, routeKey(method, path))
	})
}

// fieldSite is a property or a parameter that is a field of a Go struct.
type fieldSite struct {
	what   string  // for notes: property "kind", query parameter "format"
	schema jsonObj // where its x-go-name goes
	name   string  // its name in the spec
	from   string  // for notes: the schema an allOf takes it from
}

// renameFields renames, by x-go-name, the fields of the Go type typ that
// hw, its hand-written members, has already (see avoidHandWritten).
func (n *normalizer) renameFields(fields []fieldSite, typ string, hw map[string]handDecl, where string) {
	goField := func(f fieldSite) string {
		if explicit, ok := f.schema["x-go-name"].(string); ok {
			return n.goName(explicit)
		}
		return n.goName(f.name)
	}
	taken := map[string]bool{}
	for _, f := range fields {
		taken[goField(f)] = true
	}
	for _, f := range fields {
		was := goField(f)
		d, clash := hw[was]
		if !clash {
			continue
		}
		to := was + "Field"
		for i := 2; taken[to] || hw[to].Pos != ""; i++ {
			to = fmt.Sprintf("%sField%d", was, i)
		}
		taken[to] = true
		f.schema["x-go-name"] = to
		of := ""
		if !strings.HasPrefix(where, "schema ") {
			of = " of " + typ
		}
		n.notes = append(n.notes, fmt.Sprintf("%s: %s%s would be the Go field %s%s, which %s declares by hand as a %s of %s; named %s by the rule (rename the hand-written %s to give the field its name)",
			where, f.what, f.from, was, of, d.Pos, d.Kind, typ, to, d.Kind))
	}
}

// componentSections are the sections of components besides schemas that
// oapi-codegen makes Go types of, with the suffix its own collision rule
// (resolve-type-name-collisions) gives them.
var componentSections = []struct{ kind, what, suffix string }{
	{"parameters", "parameter", "Parameter"},
	{"requestBodies", "request body", "RequestBody"},
	{"responses", "response", "Response"},
}

// avoidSectionClashes renames the component parameters, request bodies and
// responses whose Go type name a schema's type (after every rename above),
// an identifier of package api or an earlier section's type has already: a
// query parameter Cursor beside a schema Cursor, which oapi-codegen refuses
// with advice (x-go-name) a gen user could only follow by editing the
// upstream spec. The schema keeps the name, since it is the type callers
// use; the other gets oapi-codegen's suffix (CursorParameter), with its
// references. Its name on the wire does not change. A component that is
// only a $ref to the schema of its name is that type, which oapi-codegen
// declares once, and stays.
func (n *normalizer) avoidSectionClashes() {
	taken := map[string]string{} // Go type name -> what has it, after "which"
	for name := range n.schemas {
		taken[n.goName(name)] = "is the Go type of schema " + n.specName[name]
	}
	for id, what := range n.reserved {
		if _, ok := taken[id]; !ok {
			taken[id] = what
		}
	}
	components := obj(n.doc, "components")
	renames := map[string]string{}
	for _, sec := range componentSections {
		m := obj(components, sec.kind)
		for _, name := range slices.Sorted(maps.Keys(m)) {
			goName := n.goName(name)
			what, clash := taken[goName]
			if !clash {
				taken[goName] = "is the Go type of component " + sec.what + " " + name
				continue
			}
			if n.refersToSchemaNamed(m[name], goName) {
				continue
			}
			to := name + sec.suffix
			for i := 2; taken[n.goName(to)] != "" || m[to] != nil; i++ {
				to = fmt.Sprintf("%s%s%d", name, sec.suffix, i)
			}
			m[to] = m[name]
			delete(m, name)
			taken[n.goName(to)] = "is the Go type of component " + sec.what + " " + name
			prefix := "#/components/" + sec.kind + "/"
			renames[prefix+escapePointer(name)] = prefix + escapePointer(to)
			n.notes = append(n.notes, fmt.Sprintf("component %s %s would be the Go type %s, which %s; named %s by the rule (its name on the wire is unchanged)",
				sec.what, name, goName, what, n.goName(to)))
		}
	}
	if len(renames) > 0 {
		rewriteRefs(n.doc, renames)
	}
}

// refersToSchemaNamed reports whether a component parameter, request body
// or response is only a $ref to the schema whose Go type is goName (every
// media type's schema, for a body).
func (n *normalizer) refersToSchemaNamed(c any, goName string) bool {
	isRef := func(s any) bool {
		m, _ := s.(jsonObj)
		ref, _ := m["$ref"].(string)
		name, ok := strings.CutPrefix(ref, schemaRefPrefix)
		return ok && len(m) == 1 && n.goName(name) == goName
	}
	m, _ := c.(jsonObj)
	if s, ok := m["schema"]; ok {
		return isRef(s)
	}
	content := obj(m, "content")
	for _, media := range content {
		mo, _ := media.(jsonObj)
		if !isRef(mo["schema"]) {
			return false
		}
	}
	return len(content) > 0
}

func shallowCopy(m jsonObj) jsonObj {
	out := make(jsonObj, len(m))
	maps.Copy(out, m)
	return out
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case jsonObj:
		out := make(jsonObj, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
