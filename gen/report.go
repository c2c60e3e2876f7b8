package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"
)

// report is what a spec update changes, for the people who review and
// release it. update-spec prints it and prepends it to CHANGELOG.md.
type report struct {
	Added, Removed []reportOp
	Changed        []changedOp
	Breaking       []reportChange
	Other          []reportChange // not tied to one operation (components, security, ...)
	RuleNamed      []opName       // operations the name table does not list
	Stale          []string       // name-table entries the spec no longer has
	Notes          []string       // the generator's notes on the new spec
	GoAdded        []string       // exported identifiers of package api
	GoRemoved      []string
}

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
}

func (c reportChange) breaking() bool { return c.Level.IsBreaking() }

// goBreaking raises oasdiff rules that it counts as harmless for HTTP
// clients, but that take a field, a response field or a type away from the
// generated Go code: code that reads it no longer compiles.
var goBreaking = map[string]checker.Level{
	checker.ResponseOptionalPropertyRemovedId:          checker.WARN,
	checker.ResponseOptionalWriteOnlyPropertyRemovedId: checker.WARN,
	checker.ResponseNonSuccessStatusRemovedId:          checker.WARN, // the JSON4xx field
	checker.APISchemasRemovedId:                        checker.WARN,
}

// specChanges compares two specs with oasdiff and runs all its checks, down
// to the informational ones.
func specChanges(oldData, newData []byte) (*diff.Diff, checker.Changes, error) {
	// A fresh loader per spec: a loader caches documents by path.
	base, err := load.NewSpecInfoFromData(openapi3.NewLoader(), oldData, "base")
	if err != nil {
		return nil, nil, fmt.Errorf("oasdiff: load the pinned spec: %w", err)
	}
	rev, err := load.NewSpecInfoFromData(openapi3.NewLoader(), newData, "revision")
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

// buildReport compares the pinned spec (oldData) and the code generated from
// it, on disk under root, with the new spec and res, generated from it.
func buildReport(root string, oldData, newData []byte, res *result) (*report, error) {
	d, changes, err := specChanges(oldData, newData)
	if err != nil {
		return nil, err
	}
	rep := &report{Stale: res.Stale, Notes: res.Notes}

	newOps := map[string]opName{}
	for _, op := range res.Ops {
		newOps[op.Method+" "+op.Path] = op
		if op.FromRule {
			rep.RuleNamed = append(rep.RuleNamed, op)
		}
	}
	// The Go names of removed operations are a nicety: if the old spec can
	// no longer be named with today's table, the report goes without them.
	oldOps := map[string]opName{}
	if ops, err := namedOperations(root, oldData); err == nil {
		for _, op := range ops {
			oldOps[op.Method+" "+op.Path] = op
		}
	}
	opOf := func(method, path string) reportOp {
		op, ok := newOps[method+" "+path]
		if !ok {
			op = oldOps[method+" "+path]
		}
		return reportOp{Method: method, Path: path, OperationID: op.OperationID, GoName: op.GoName}
	}

	modified := map[string]int{} // endpoint -> index in rep.Changed
	if ed := d.EndpointsDiff; ed != nil {
		for _, e := range sortedEndpoints(ed.Added) {
			rep.Added = append(rep.Added, opOf(e.Method, e.Path))
		}
		for _, e := range sortedEndpoints(ed.Deleted) {
			rep.Removed = append(rep.Removed, opOf(e.Method, e.Path))
		}
		for _, e := range ed.Modified.ToEndpoints() {
			modified[e.Method+" "+e.Path] = len(rep.Changed)
			rep.Changed = append(rep.Changed, changedOp{reportOp: opOf(e.Method, e.Path)})
		}
	}

	l := checker.NewDefaultLocalizer()
	for _, c := range changes {
		rc := reportChange{Method: c.GetOperation(), Path: c.GetPath(), Level: c.GetLevel(), ID: c.GetId(), Text: c.GetUncolorizedText(l)}
		if rc.Path != "" {
			rc.GoName = opOf(rc.Method, rc.Path).GoName
		}
		if rc.breaking() {
			rep.Breaking = append(rep.Breaking, rc)
		}
		if i, ok := modified[rc.Method+" "+rc.Path]; ok {
			rep.Changed[i].Changes = append(rep.Changed[i].Changes, rc)
		} else if rc.Path == "" || !isEndpointExistence(rc.ID) {
			// Added and removed operations have their own sections.
			rep.Other = append(rep.Other, rc)
		}
	}

	oldAPI, newAPI, err := apiSources(root, res.Files)
	if err != nil {
		return nil, err
	}
	oldIDs, err := exportedIdentifiers(oldAPI)
	if err != nil {
		return nil, fmt.Errorf("the generated code on disk: %w", err)
	}
	newIDs, err := exportedIdentifiers(newAPI)
	if err != nil {
		return nil, fmt.Errorf("the new generated code: %w", err)
	}
	rep.GoAdded, rep.GoRemoved = identifierChanges(oldIDs, newIDs)
	return rep, nil
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

// namedOperations names the operations of spec data with the name table
// under root, as generation does.
func namedOperations(root string, data []byte) ([]opName, error) {
	doc, err := loadSpec("the pinned spec", data)
	if err != nil {
		return nil, err
	}
	ops, _, err := operations(doc)
	if err != nil {
		return nil, err
	}
	table, err := loadNameTable(filepath.Join(root, nameTableFile))
	if err != nil {
		return nil, err
	}
	return assignNames(ops, table)
}

// apiSources returns the generated files of package api on disk, and the
// same set as it will be once generated (files written over them).
func apiSources(root string, generated map[string][]byte) (before, after map[string][]byte, err error) {
	paths, err := filepath.Glob(filepath.Join(root, apiDir, "*.gen.go"))
	if err != nil {
		return nil, nil, err
	}
	before, after = map[string][]byte{}, map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, err
		}
		name := apiDir + "/" + filepath.Base(p)
		before[name], after[name] = data, data
	}
	for name, data := range generated {
		after[name] = data
	}
	return before, after, nil
}

// exportedIdentifiers lists the exported API of Go files: top-level names
// ("ListUsersResponse"), and methods, struct fields and interface methods of
// exported types ("Client.ListUsers", "UserOutput.Email").
func exportedIdentifiers(files map[string][]byte) (map[string]bool, error) {
	ids := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range sortedKeys(files) {
		f, err := parser.ParseFile(fset, name, files[name], parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, decl := range f.Decls {
			switch decl := decl.(type) {
			case *ast.FuncDecl:
				if !decl.Name.IsExported() {
					continue
				}
				if decl.Recv == nil {
					ids[decl.Name.Name] = true
				} else if recv := receiverName(decl.Recv.List[0].Type); token.IsExported(recv) {
					ids[recv+"."+decl.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, spec := range decl.Specs {
					switch spec := spec.(type) {
					case *ast.TypeSpec:
						if spec.Name.IsExported() {
							ids[spec.Name.Name] = true
							addMembers(ids, spec.Name.Name, spec.Type)
						}
					case *ast.ValueSpec:
						for _, n := range spec.Names {
							if n.IsExported() {
								ids[n.Name] = true
							}
						}
					}
				}
			}
		}
	}
	return ids, nil
}

// addMembers adds the exported named fields of a struct type, or the
// methods of an interface type.
func addMembers(ids map[string]bool, typeName string, expr ast.Expr) {
	var fields *ast.FieldList
	switch t := expr.(type) {
	case *ast.StructType:
		fields = t.Fields
	case *ast.InterfaceType:
		fields = t.Methods
	default:
		return
	}
	for _, f := range fields.List {
		for _, n := range f.Names {
			if n.IsExported() {
				ids[typeName+"."+n.Name] = true
			}
		}
	}
}

func receiverName(expr ast.Expr) string {
	switch t := expr.(type) {
	case *ast.StarExpr:
		return receiverName(t.X)
	case *ast.IndexExpr:
		return receiverName(t.X)
	case *ast.IndexListExpr:
		return receiverName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return ""
}

// identifierChanges lists the identifiers only in newIDs and only in
// oldIDs. A member ("T.M") is listed only when its type T is on both sides:
// a new or removed type speaks for its members.
func identifierChanges(oldIDs, newIDs map[string]bool) (added, removed []string) {
	onlyIn := func(a, b map[string]bool) []string {
		var out []string
		for id := range a {
			if b[id] {
				continue
			}
			if typ, _, ok := strings.Cut(id, "."); ok && !b[typ] {
				continue
			}
			out = append(out, id)
		}
		sort.Strings(out)
		return out
	}
	return onlyIn(newIDs, oldIDs), onlyIn(oldIDs, newIDs)
}

// changelogEntry renders the report as a Markdown CHANGELOG.md section. date
// is its only non-reproducible part.
func changelogEntry(date, source string, oldPin, newPin pin, rep *report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s: spec update\n\n", date)
	fmt.Fprintf(&b, "- Source: %s\n", source)
	fmt.Fprintf(&b, "- %s sha256: `%.12s` → `%.12s`\n", newPin.File, oldPin.SHA256, newPin.SHA256)
	fmt.Fprintf(&b, "- %s, %s, %s; %s.\n",
		count(len(rep.Added), "operation added", "operations added"),
		count(len(rep.Removed), "removed", "removed"),
		count(len(rep.Changed), "changed", "changed"),
		count(len(rep.Breaking), "breaking change", "breaking changes"))

	if len(rep.Breaking) > 0 {
		fmt.Fprintf(&b, "\n### Breaking changes\n\n")
		for _, c := range rep.Breaking {
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
	if len(rep.GoAdded) > 0 || len(rep.GoRemoved) > 0 {
		fmt.Fprintf(&b, "\n### Go API (package api)\n\n")
		if len(rep.GoRemoved) > 0 {
			fmt.Fprintf(&b, "- removed (breaks code that uses them): %s\n", codeList(rep.GoRemoved))
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
	if c.breaking() {
		return "BREAKING: "
	}
	return ""
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
// first "## " heading), below the file's title and introduction.
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
