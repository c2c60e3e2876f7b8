package main

import (
	"bytes"
	"fmt"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"

	"github.com/podero-go/podero/internal/goapi"
)

// report is what a spec update changes, for the people who review and
// release it. update-spec prints it and prepends it to CHANGELOG.md.
type report struct {
	Added, Removed []reportOp
	Changed        []changedOp
	Breaking       []reportChange // breaking changes the Go API diff confirms
	// Unconfirmed are the changes oasdiff calls breaking that the Go API
	// diff does not confirm (see goArbiter).
	Unconfirmed []reportChange
	Other       []reportChange // not tied to one operation (components, security, ...)
	RuleNamed   []opName       // operations the name table does not list
	Stale       []string       // name-table entries the spec no longer has
	Notes       []string       // the generator's notes on the new spec
	GoAdded     []string       // exported identifiers of packages api and api/raw (as raw.X)
	GoRemoved   []string
	GoChanged   []goChange // identifiers on both sides, with another type
}

// goChange is an exported identifier of package api whose type changed:
// a struct field's type, a function's or method's signature, a type
// definition's underlying type.
type goChange struct {
	ID, Old, New string
}

// goBreaks counts the changes to the Go API that break code using it.
//
// Whether a spec update breaks Go code is decided by this Go API diff, not
// by oasdiff's levels: oasdiff judges HTTP clients, while what breaks Go
// code is how oapi-codegen maps a change (a property that stops being
// nullable turns nullable.Nullable[string] into *string; an anyOf gains a
// union type), which no list of rules can follow. So every identifier the
// new code removes or gives another type counts as breaking, whatever
// oasdiff says; goBreaking below only makes oasdiff's own findings agree
// where a rule maps onto such a change, so that the BREAKING mark also
// sits next to the spec change that causes it.
func (r *report) goBreaks() int { return len(r.GoRemoved) + len(r.GoChanged) }

type reportOp struct {
	Method, Path, OperationID, GoName string
}

type changedOp struct {
	reportOp
	Changes []reportChange
}

type reportChange struct {
	Method, Path string
	GoName       string
	Level        checker.Level
	ID           string // oasdiff's rule id
	Text         string
	// Confirmed is set on a breaking change that the Go API diff confirms:
	// an identifier of the operation, or of a type it uses, is removed or
	// changed.
	Confirmed bool
}

func (c reportChange) breaking() bool { return c.Level.IsBreaking() }

// goBreaking raises oasdiff rules that it counts as harmless for HTTP
// clients, but that take a field, a response field or a type away from the
// generated Go code, or change a field's Go type: code that reads or sets
// it no longer compiles. The "list of types" and "nullable" rules of
// properties change a struct field's type (T, *T, nullable.Nullable[T] or
// a union), in whichever direction; their other direction is an error for
// oasdiff already. Only raise here: TestGoBreakingOnlyRaises checks that no
// entry lowers a rule. The Go API diff (goBreaks) catches what this list
// misses.
var goBreaking = map[string]checker.Level{
	checker.ResponseOptionalPropertyRemovedId:          checker.WARN,
	checker.ResponseOptionalWriteOnlyPropertyRemovedId: checker.WARN,
	checker.ResponseNonSuccessStatusRemovedId:          checker.WARN, // the JSON4xx field
	checker.APISchemasRemovedId:                        checker.WARN,
	checker.ResponsePropertyListOfTypesNarrowedId:      checker.WARN,
	checker.ResponsePropertyBecameNotNullableId:        checker.WARN,
	checker.RequestPropertyListOfTypesWidenedId:        checker.WARN,
	checker.RequestPropertyBecomeNullableId:            checker.WARN,
}

// specChanges compares two specs with oasdiff and runs all its checks, down
// to the informational ones.
func specChanges(oldData, newData []byte) (*diff.Diff, checker.Changes, error) {
	// Both sides are canonicalized alike (see canonicalize), so that a
	// rewrite that means the same (type: [X, "null"] for anyOf [X, null],
	// an allOf of one $ref, parameters moved to the path) is no change.
	oldData, err := canonicalJSON(oldData)
	if err != nil {
		return nil, nil, fmt.Errorf("oasdiff: read the pinned spec: %w", err)
	}
	newData, err = canonicalJSON(newData)
	if err != nil {
		return nil, nil, fmt.Errorf("oasdiff: read the new spec: %w", err)
	}
	base, err := specInfo(oldData, "base")
	if err != nil {
		return nil, nil, fmt.Errorf("oasdiff: load the pinned spec: %w", err)
	}
	rev, err := specInfo(newData, "revision")
	if err != nil {
		return nil, nil, fmt.Errorf("oasdiff: load the new spec: %w", err)
	}
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), base, rev)
	if err != nil {
		return nil, nil, fmt.Errorf("oasdiff: %w", err)
	}
	cfg := checker.NewConfig(checker.GetAllChecks(), checker.WithSeverityLevels(goBreaking))
	return d, checker.CheckBackwardCompatibilityUntilLevel(cfg, d, sources, checker.INFO), nil
}

// specInfo is oasdiff's load.NewSpecInfoFromData, with the document read
// by parseDoc (encoding/json; kin-openapi's loader reads JSON as YAML, which
// took most of the report's time).
func specInfo(data []byte, name string) (*load.SpecInfo, error) {
	doc, err := parseDoc(data)
	if err != nil {
		return nil, err
	}
	info := &load.SpecInfo{Url: name, Spec: doc}
	if doc.Info != nil {
		info.Version = doc.Info.Version
	}
	return info, nil
}

// buildReport compares the pinned spec (oldData) and the code generated from
// it (oldRes) with the new spec (newData) and the code generated from it
// (newRes). Both sides are generated in memory by the same generator, so
// the Go API diff shows what the spec change does to the code, whatever the
// generated files on disk hold.
func buildReport(oldData []byte, oldRes *result, newData []byte, newRes *result) (*report, error) {
	d, changes, err := specChanges(oldData, newData)
	if err != nil {
		return nil, err
	}
	rep := &report{Stale: newRes.Stale, Notes: newRes.Notes}

	newOps := map[string]opName{}
	for _, op := range newRes.Ops {
		newOps[op.key()] = op
		if op.FromRule {
			rep.RuleNamed = append(rep.RuleNamed, op)
		}
	}
	oldOps := map[string]opName{}
	for _, op := range oldRes.Ops {
		oldOps[op.key()] = op
	}
	opOf := func(method, path string) reportOp {
		op, ok := newOps[routeKey(method, path)]
		if !ok {
			op = oldOps[routeKey(method, path)]
		}
		return reportOp{Method: method, Path: path, OperationID: op.OperationID, GoName: op.GoName}
	}

	modified := map[string]int{} // endpoint -> index in rep.Changed
	if d != nil && d.EndpointsDiff != nil {
		ed := d.EndpointsDiff
		for _, e := range sortedEndpoints(ed.Added) {
			rep.Added = append(rep.Added, opOf(e.Method, e.Path))
		}
		for _, e := range sortedEndpoints(ed.Deleted) {
			rep.Removed = append(rep.Removed, opOf(e.Method, e.Path))
		}
		for _, e := range ed.Modified.ToEndpoints() {
			modified[routeKey(e.Method, e.Path)] = len(rep.Changed)
			rep.Changed = append(rep.Changed, changedOp{reportOp: opOf(e.Method, e.Path)})
		}
	}

	// The hand-written files of package api are on both sides, so that the
	// methods gen generates for a hand-written type (PartnerClient's) are
	// listed as members of it.
	oldIDs, err := oldRes.identifiers()
	if err != nil {
		return nil, fmt.Errorf("the code generated from the pinned spec: %w", err)
	}
	newIDs, err := newRes.identifiers()
	if err != nil {
		return nil, fmt.Errorf("the code generated from the new spec: %w", err)
	}
	rep.GoAdded, rep.GoRemoved, rep.GoChanged = identifierChanges(oldIDs, newIDs)
	rep.Notes = append(slices.Clone(rep.Notes), iteratorNotes(rep.GoRemoved, oldRes, newRes)...)
	rep.Notes = append(rep.Notes, hoistedRenames(oldRes, newRes)...)
	arbiter := newGoArbiter(rep, oldRes, newRes)

	l := checker.NewDefaultLocalizer()
	for _, c := range changes {
		rc := reportChange{Method: c.GetOperation(), Path: c.GetPath(), Level: c.GetLevel(), ID: c.GetId(), Text: c.GetUncolorizedText(l)}
		if rc.Path != "" {
			rc.GoName = opOf(rc.Method, rc.Path).GoName
		}
		if rc.breaking() {
			key := routeKey(rc.Method, rc.Path)
			rc.Confirmed = arbiter.confirms(c, oldOps[key].GoName, newOps[key].GoName)
			if rc.Confirmed {
				rep.Breaking = append(rep.Breaking, rc)
			} else {
				rep.Unconfirmed = append(rep.Unconfirmed, rc)
			}
		}
		if i, ok := modified[routeKey(rc.Method, rc.Path)]; ok {
			rep.Changed[i].Changes = append(rep.Changed[i].Changes, rc)
		} else if rc.Path == "" || !isEndpointExistence(rc.ID) {
			// Added and removed operations have their own sections.
			rep.Other = append(rep.Other, rc)
		}
	}
	return rep, nil
}

// iteratorNotes says why each iterator that the new code no longer has
// (PartnerClient.XIter among the removed identifiers) is gone: the
// operation is gone, or what findPagers recorded on it (what its new shape
// lacks, or why its Go types do not fit), or it is named otherwise now.
func iteratorNotes(removed []string, oldRes, newRes *result) []string {
	var notes []string
	for _, id := range removed {
		name, ok := strings.CutPrefix(id, partnerClient+".")
		if !ok {
			continue
		}
		op, ok := strings.CutSuffix(name, "Iter")
		if !ok {
			continue
		}
		var old *opName
		for i := range oldRes.Ops {
			if oldRes.Ops[i].GoName == op {
				old = &oldRes.Ops[i]
			}
		}
		if old == nil {
			continue // not an operation's iterator
		}
		var why string
		miss, noIter := newRes.NoIterator[old.key()]
		switch item := newRes.Doc.Paths.Value(old.Path); {
		case item == nil || item.GetOperation(old.Method) == nil:
			why = fmt.Sprintf("the operation %s is gone", old.key())
		case miss.Note != "":
			why = miss.Note
		case miss.Lacks != "":
			why = "it no longer pages: it lacks " + miss.Lacks
		case !noIter:
			// It still has an iterator, under the operation's new name.
			for _, n := range newRes.Ops {
				if n.key() == old.key() {
					why = fmt.Sprintf("the operation is named %s now, and its iterator %s.%sIter", n.GoName, partnerClient, n.GoName)
				}
			}
		}
		notes = append(notes, fmt.Sprintf("%s is gone (%s %s): %s", id, old.Method, old.Path, why))
	}
	return notes
}

// hoistedRenames notes every type made from an inline enum or union whose
// rule-made name changed although a place it comes from is still there:
// ThingOutput.state was ThingState, and is State now that OtherOutput.state
// has the same enum. The Go API diff lists the rename as breaking; the note
// gives the schema_names.txt line that keeps the old name.
func hoistedRenames(oldRes, newRes *result) []string {
	newBySite := map[string]string{}
	for _, h := range newRes.Hoisted {
		for _, at := range h.Sites {
			newBySite[at] = h.Name
		}
	}
	var notes []string
	for _, h := range oldRes.Hoisted {
		for _, at := range h.Sites {
			if now, ok := newBySite[at]; ok && now != h.Name {
				notes = append(notes, fmt.Sprintf("the %s at %s was %s and is %s now (named by the rule from all its places): to keep the old name, add the line \"%s %s\" to %s",
					h.Kind, at, h.Name, now, at, h.Name, schemaNameTableFile))
				break
			}
		}
	}
	return notes
}

// goArbiter decides which of oasdiff's breaking changes the Go API diff
// confirms. The Go API diff is the arbiter of what breaks Go code: a spec
// change that oasdiff calls breaking is listed as breaking only when an
// identifier it plausibly causes to change is removed or changed: one that
// oapi-codegen or gen derives from its operation (ListUsersParams,
// PartnerClient.ListUsers, ...), or a type the operation uses (on either
// side) and its members, on the side of the change (a change to a request
// parameter is not confirmed by a response field); for a change to a
// component schema, that schema's type.
type goArbiter struct {
	broken             []string // identifiers removed or changed
	oldTypes, newTypes map[string]opTypes
	oldNames, newNames map[string]string // spec schema name -> Go type
}

func newGoArbiter(rep *report, oldRes, newRes *result) *goArbiter {
	a := &goArbiter{broken: slices.Clone(rep.GoRemoved), oldTypes: oldRes.OpTypes, newTypes: newRes.OpTypes,
		oldNames: oldRes.TypeNames, newNames: newRes.TypeNames}
	for _, c := range rep.GoChanged {
		a.broken = append(a.broken, c.ID)
	}
	return a
}

// clientTypes are the types whose methods are named after operations.
var clientTypes = map[string]bool{"PartnerClient": true, "Client": true, "ClientWithResponses": true,
	"ClientInterface": true, "ClientWithResponsesInterface": true}

// changeSide says which side of an operation an oasdiff rule is about:
// "request", "response" or "" for the whole operation.
func changeSide(id string) string {
	switch {
	case strings.HasPrefix(id, "response-"):
		return "response"
	case strings.HasPrefix(id, "request-") || strings.Contains(id, "-request-"):
		return "request"
	}
	return ""
}

func (a *goArbiter) confirms(c checker.Change, oldOp, newOp string) bool {
	side := changeSide(c.GetId())
	types := map[string]bool{}
	for _, t := range []opTypes{a.oldTypes[oldOp], a.newTypes[newOp]} {
		if side != "response" {
			maps.Copy(types, t.request)
		}
		if side != "request" {
			maps.Copy(types, t.response)
		}
	}
	if cc, ok := c.(checker.ComponentChange); ok && cc.Component == checker.ComponentSchemas {
		for _, arg := range cc.Args {
			if name, ok := arg.(string); ok {
				types[a.oldNames[name]] = true
				types[a.newNames[name]] = true
			}
		}
	}
	for _, id := range a.broken {
		id = strings.TrimPrefix(id, rawPkg+".") // the raw client's names derive from operations too
		recv, member, dotted := strings.Cut(id, ".")
		base := recv
		if dotted && clientTypes[recv] {
			base = member
		}
		if types[base] {
			return true
		}
		for _, op := range []string{oldOp, newOp} {
			if op != "" && derivedFrom(base, op, side) {
				return true
			}
		}
	}
	return false
}

// derivedFrom reports whether id is an identifier oapi-codegen or gen
// derives from the operation op, on the side of a change: op itself and
// opWith... (client methods) on either, opParams, opJSONRequestBody and
// NewopRequest for the request, opResponse, ParseopResponse and opIter for
// the response.
func derivedFrom(id, op, side string) bool {
	for _, prefix := range []string{"New", "Parse"} {
		if rest, ok := strings.CutPrefix(id, prefix); ok && strings.HasPrefix(rest, op) {
			id = rest
		}
	}
	rest, ok := strings.CutPrefix(id, op)
	if !ok {
		return false
	}
	suffixes := map[string][]string{
		"request":  {"With", "Params", "Request", "JSON", "Formdata", "Multipart", "Text"},
		"response": {"With", "Response", "Iter"},
		"":         {"With", "Params", "Request", "JSON", "Formdata", "Multipart", "Text", "Response", "Iter"},
	}[side]
	if rest == "" {
		return true
	}
	for _, suffix := range suffixes {
		if strings.HasPrefix(rest, suffix) {
			return true
		}
	}
	return false
}

// opTypes are the Go types of the component schemas an operation's
// request (parameters and body) and its responses reach.
type opTypes struct{ request, response map[string]bool }

// operationTypes lists, for every operation of the normalised spec by Go
// name, the Go types of the component schemas its request and its
// responses reach. It runs during generation: goName reads oapi-codegen's
// package state, which only generation may touch.
func operationTypes(doc *openapi3.T, ops []opName, goName func(string) string) map[string]opTypes {
	out := map[string]opTypes{}
	byOp := map[string]string{} // "METHOD path" -> Go name
	for _, op := range ops {
		byOp[op.key()] = op.GoName
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			t := opTypes{request: map[string]bool{}, response: map[string]bool{}}
			var walk func(ref *openapi3.SchemaRef, types map[string]bool, seen map[*openapi3.Schema]bool)
			walk = func(ref *openapi3.SchemaRef, types map[string]bool, seen map[*openapi3.Schema]bool) {
				if ref == nil {
					return
				}
				if name, ok := strings.CutPrefix(ref.Ref, schemaRefPrefix); ok {
					types[goName(name)] = true
				}
				s := ref.Value
				if s == nil || seen[s] {
					return
				}
				seen[s] = true
				for _, p := range s.Properties {
					walk(p, types, seen)
				}
				walk(s.Items, types, seen)
				walk(s.AdditionalProperties.Schema, types, seen)
				walk(s.Not, types, seen)
				for _, l := range [][]*openapi3.SchemaRef{s.AllOf, s.AnyOf, s.OneOf} {
					for _, m := range l {
						walk(m, types, seen)
					}
				}
			}
			seen := map[*openapi3.Schema]bool{}
			for _, p := range op.Parameters {
				if p.Value != nil {
					walk(p.Value.Schema, t.request, seen)
				}
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, mt := range op.RequestBody.Value.Content {
					walk(mt.Schema, t.request, seen)
				}
			}
			seen = map[*openapi3.Schema]bool{}
			for _, r := range op.Responses.Map() {
				if r.Value != nil {
					for _, mt := range r.Value.Content {
						walk(mt.Schema, t.response, seen)
					}
				}
			}
			out[byOp[routeKey(method, path)]] = t
		}
	}
	return out
}

// identifiers are the exported identifiers of package api as res has it
// (see exportedIdentifiers), worked out once per result.
func (res *result) identifiers() (map[string]string, error) {
	res.ids.once.Do(func() {
		res.ids.ids, res.ids.err = exportedIdentifiers(withFiles(res.Files, res.HandWritten))
	})
	return res.ids.ids, res.ids.err
}

// identifierCache holds a result's identifiers.
type identifierCache struct {
	once sync.Once
	ids  map[string]string
	err  error
}

// withFiles is the union of two file sets (a's files win).
func withFiles(a, b map[string][]byte) map[string][]byte {
	out := maps.Clone(b)
	if out == nil {
		out = map[string][]byte{}
	}
	maps.Copy(out, a)
	return out
}

func sortedEndpoints(es diff.Endpoints) diff.Endpoints {
	out := append(diff.Endpoints(nil), es...)
	sort.Slice(out, func(i, j int) bool { return out.SortFunc(out[i], out[j]) < 0 })
	return out
}

// isEndpointExistence tells oasdiff's "operation added" and "operation
// removed" findings, which the report lists as operations, from the rest.
func isEndpointExistence(id string) bool {
	return id == checker.EndpointAddedId || strings.HasPrefix(id, "api-removed-") || strings.HasPrefix(id, "api-path-removed-")
}

// exportedIdentifiers lists the exported API of Go files (internal/goapi
// reads it, as `make api-check` does) with the type of each identifier, as
// source: top-level names ("ListUsersResponse"), and methods, struct fields
// and interface methods of exported types ("Client.ListUsers",
// "UserOutput.Email"). The type is what code using the identifier depends
// on: a function's or method's signature without parameter names, a type's
// type parameters and underlying type ("struct{…}": its members are listed
// on their own), a field's type, a constant's or variable's declared type.
// Files that are not Go (the pinned spec's copy) are skipped. Those of
// package api/raw are listed with the package's name ("raw.Client.ListUsers").
func exportedIdentifiers(files map[string][]byte) (map[string]string, error) {
	ids := map[string]string{}
	byPrefix := map[string]map[string][]byte{"": {}, rawPkg + ".": {}}
	for name, data := range files {
		if strings.HasSuffix(name, ".go") {
			prefix := ""
			if path.Dir(name) == rawDir {
				prefix = rawPkg + "."
			}
			byPrefix[prefix][name] = data
		}
	}
	for prefix, goFiles := range byPrefix {
		decls, err := goapi.Declarations(goFiles)
		if err != nil {
			return nil, err
		}
		for id, d := range decls {
			typ := d.Type
			if d.Kind == "method" {
				_, typ, _ = strings.Cut(typ, ") ") // "(*T) func(...)": the receiver is in the id
			}
			ids[prefix+id] = typ
		}
	}
	return ids, nil
}

// memberType is the type an identifier of a member ("T.M", "raw.T.M") is of,
// with its package's prefix; ok is false for a top-level identifier.
func memberType(id string) (typ string, ok bool) {
	pkg := ""
	if rest, raw := strings.CutPrefix(id, rawPkg+"."); raw {
		pkg, id = rawPkg+".", rest
	}
	t, _, ok := strings.Cut(id, ".")
	return pkg + t, ok
}

// identifierChanges lists the identifiers only in newIDs, those only in
// oldIDs, and those in both whose type changed. A member ("T.M") is listed
// as added or removed only when its type T is on both sides: a new or
// removed type speaks for its members.
func identifierChanges(oldIDs, newIDs map[string]string) (added, removed []string, changed []goChange) {
	onlyIn := func(a, b map[string]string) []string {
		var out []string
		for id := range a {
			if _, ok := b[id]; ok {
				continue
			}
			if typ, ok := memberType(id); ok {
				if _, ok := b[typ]; !ok {
					continue
				}
			}
			out = append(out, id)
		}
		sort.Strings(out)
		return out
	}
	for id, old := range oldIDs {
		if n, ok := newIDs[id]; ok && n != old {
			changed = append(changed, goChange{ID: id, Old: old, New: n})
		}
	}
	sort.Slice(changed, func(i, j int) bool { return changed[i].ID < changed[j].ID })
	return onlyIn(newIDs, oldIDs), onlyIn(oldIDs, newIDs), changed
}

// changelogEntry renders the report as a Markdown CHANGELOG.md section. date
// is its only non-reproducible part.
func changelogEntry(date, source string, oldPin, newPin pin, rep *report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s: spec update\n\n", date)
	fmt.Fprintf(&b, "- Source: %s\n", source)
	fmt.Fprintf(&b, "- %s sha256: `%.12s` → `%.12s`\n", newPin.File, oldPin.SHA256, newPin.SHA256)
	fmt.Fprintf(&b, "- %s, %s, %s; %s, %s.\n",
		count(len(rep.Added), "operation added", "operations added"),
		count(len(rep.Removed), "removed", "removed"),
		count(len(rep.Changed), "changed", "changed"),
		count(len(rep.Breaking), "breaking spec change", "breaking spec changes"),
		count(rep.goBreaks(), "breaking Go API change", "breaking Go API changes"))

	if len(rep.Breaking) > 0 || rep.goBreaks() > 0 {
		fmt.Fprintf(&b, "\n### Breaking changes\n\n")
		for _, c := range rep.Breaking {
			fmt.Fprintf(&b, "- %s%s (%s, %s)\n", where(c), c.Text, c.Level, c.ID)
		}
		if rep.goBreaks() > 0 {
			fmt.Fprintf(&b, "- Go API: %s, %s; see Go API below\n",
				count(len(rep.GoChanged), "identifier changed", "identifiers changed"),
				count(len(rep.GoRemoved), "removed", "removed"))
		}
	}
	if len(rep.Unconfirmed) > 0 {
		fmt.Fprintf(&b, "\n### Breaking for oasdiff, not for the Go API\n\n"+
			"oasdiff calls these breaking for HTTP clients, but no identifier of the operation or of a type it uses\n"+
			"is removed or changed, so code using package api still compiles; check that it still sends what the\n"+
			"spec wants.\n\n")
		for _, c := range rep.Unconfirmed {
			fmt.Fprintf(&b, "- %s%s (%s, %s)\n", where(c), c.Text, c.Level, c.ID)
		}
	}
	section := func(title string, ops []reportOp) {
		if len(ops) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n### %s\n\n", title)
		for _, op := range ops {
			fmt.Fprintf(&b, "- %s\n", opLabel(op))
		}
	}
	section("Operations added", rep.Added)
	section("Operations removed", rep.Removed)
	if len(rep.Changed) > 0 {
		fmt.Fprintf(&b, "\n### Operations changed\n\n")
		for _, op := range rep.Changed {
			fmt.Fprintf(&b, "- %s\n", opLabel(op.reportOp))
			if len(op.Changes) == 0 {
				fmt.Fprintf(&b, "  - no change that oasdiff classifies (descriptions, examples, ...)\n")
			}
			for _, c := range op.Changes {
				fmt.Fprintf(&b, "  - %s%s (%s)\n", breakingMark(c), c.Text, c.ID)
			}
		}
	}
	if len(rep.Other) > 0 {
		fmt.Fprintf(&b, "\n### Other changes\n\n")
		for _, c := range rep.Other {
			fmt.Fprintf(&b, "- %s%s%s (%s)\n", breakingMark(c), where(c), c.Text, c.ID)
		}
	}
	if len(rep.RuleNamed) > 0 || len(rep.Stale) > 0 {
		fmt.Fprintf(&b, "\n### Operation names to review\n\n")
		for _, op := range rep.RuleNamed {
			fmt.Fprintf(&b, "- `%s %s` (%s): not in %s; named %s by the rule — add a better name there\n",
				op.Method, op.Path, op.OperationID, nameTableFile, op.GoName)
		}
		for _, id := range rep.Stale {
			fmt.Fprintf(&b, "- %s lists %s, which the spec no longer has — remove it\n", nameTableFile, id)
		}
	}
	if len(rep.Notes) > 0 {
		fmt.Fprintf(&b, "\n### Generator notes\n\n")
		for _, n := range rep.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	if len(rep.GoAdded) > 0 || rep.goBreaks() > 0 {
		fmt.Fprintf(&b, "\n### Go API (packages api and api/raw)\n\n")
		if len(rep.GoRemoved) > 0 {
			fmt.Fprintf(&b, "- removed (breaks code that uses them): %s\n", codeList(rep.GoRemoved))
		}
		if len(rep.GoChanged) > 0 {
			fmt.Fprintf(&b, "- changed (breaks code that uses them):\n")
			for _, c := range rep.GoChanged {
				fmt.Fprintf(&b, "  - `%s`: %s → %s\n", c.ID, codeSpan(c.Old), codeSpan(c.New))
			}
		}
		if len(rep.GoAdded) > 0 {
			fmt.Fprintf(&b, "- added: %s\n", codeList(rep.GoAdded))
		}
	}
	b.WriteString("\n")
	return b.String()
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func opLabel(op reportOp) string {
	s := fmt.Sprintf("`%s %s`", op.Method, op.Path)
	if op.GoName != "" {
		s += " " + op.GoName
	}
	if op.OperationID != "" {
		s += " (" + op.OperationID + ")"
	}
	return s
}

func where(c reportChange) string {
	switch {
	case c.Path == "":
		return ""
	case c.GoName != "":
		return fmt.Sprintf("`%s %s` %s: ", c.Method, c.Path, c.GoName)
	default:
		return fmt.Sprintf("`%s %s`: ", c.Method, c.Path)
	}
}

func breakingMark(c reportChange) string {
	switch {
	case c.breaking() && c.Confirmed:
		return "BREAKING: "
	case c.breaking():
		return "breaking for oasdiff (Go API unchanged): "
	}
	return ""
}

// codeSpan quotes a type as Markdown code. A constant or variable without a
// declared type has "" (see exportedIdentifiers).
func codeSpan(typ string) string {
	if typ == "" {
		return "(no declared type)"
	}
	return "`" + typ + "`"
}

func codeList(ids []string) string {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = "`" + id + "`"
	}
	return strings.Join(quoted, ", ")
}

// changelogHeader starts a CHANGELOG.md that does not exist yet.
const changelogHeader = `# Changelog

Updates of the Partner API spec that podero-go is generated from, newest first.
` + "`make update-spec`" + ` adds an entry each time it takes a new spec.

`

// prependChangelog puts entry above the newest entry of CHANGELOG.md (the
// first "## " heading), below the file's title and introduction. The
// heading of a release in preparation ("## v0.2.0 (unreleased)") stays on
// top: the entry goes below its notes, as part of that release.
func prependChangelog(old []byte, entry string) []byte {
	if len(bytes.TrimSpace(old)) == 0 {
		return []byte(changelogHeader + entry)
	}
	i := 0
	if !bytes.HasPrefix(old, []byte("## ")) {
		if j := bytes.Index(old, []byte("\n## ")); j >= 0 {
			i = j + 1
		} else {
			i = len(old)
		}
	}
	if line, _, _ := bytes.Cut(old[i:], []byte("\n")); bytes.HasPrefix(line, []byte("## v")) &&
		bytes.HasSuffix(bytes.TrimRight(line, "\r"), []byte(" (unreleased)")) {
		if j := bytes.Index(old[i:], []byte("\n## ")); j >= 0 {
			i += j + 1
		} else {
			i = len(old)
		}
	}
	var b bytes.Buffer
	b.Write(old[:i])
	if i > 0 && !bytes.HasSuffix(old[:i], []byte("\n\n")) {
		if !bytes.HasSuffix(old[:i], []byte("\n")) {
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	b.WriteString(entry)
	b.Write(old[i:])
	return b.Bytes()
}
