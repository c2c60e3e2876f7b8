package main

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/oasdiff/oasdiff/checker"
)

// A small spec and a revision with one change of each kind the report must
// call breaking.
const (
	reportBase = `{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/things/{id}": {
      "get": {
        "operationId": "get_thing",
        "parameters": [{"in": "path", "name": "id", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}
      },
      "delete": {
        "operationId": "delete_thing",
        "parameters": [{"in": "path", "name": "id", "required": true, "schema": {"type": "string"}}],
        "responses": {"204": {"description": "gone"}}
      }
    }
  },
  "components": {"schemas": {"Thing": {
    "type": "object",
    "required": ["id", "count"],
    "properties": {"id": {"type": "string"}, "count": {"type": "integer"}, "note": {"type": "string"}}
  }}}
}`
	reportRevision = `{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/things/{id}": {
      "get": {
        "operationId": "get_thing",
        "parameters": [
          {"in": "path", "name": "id", "required": true, "schema": {"type": "string"}},
          {"in": "query", "name": "tenant", "required": true, "schema": {"type": "string"}}
        ],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}
      }
    }
  },
  "components": {"schemas": {"Thing": {
    "type": "object",
    "required": ["count"],
    "properties": {"count": {"type": "string"}}
  }}}
}`
)

func TestReportBreakingChanges(t *testing.T) {
	d, changes, err := specChanges([]byte(reportBase), []byte(reportRevision))
	if err != nil {
		t.Fatal(err)
	}
	if got := d.EndpointsDiff.Deleted; len(got) != 1 || got[0].Method != "DELETE" {
		t.Errorf("deleted endpoints = %v, want DELETE /things/{id}", got)
	}
	breaking := map[string]bool{}
	for _, c := range changes {
		if c.IsBreaking() {
			breaking[c.GetId()] = true
		}
	}
	for _, id := range []string{
		"api-removed-without-deprecation",    // removed operation
		"response-required-property-removed", // removed field
		"response-optional-property-removed", // removed field (raised by goBreaking)
		"response-property-type-changed",     // changed type
		"new-required-request-parameter",     // new required parameter
	} {
		if !breaking[id] {
			t.Errorf("%s is not reported as breaking; breaking: %v", id, breaking)
		}
	}
}

func TestIdentifierChanges(t *testing.T) {
	old := map[string][]byte{"a.gen.go": []byte(`package api
type Thing struct { ID string; Note *string; hidden int }
type Gone struct { X int }
type Client struct{}
func (c *Client) GetThing() {}
func (c *Client) DeleteThing() {}
func (c *Client) helper() {}
type ClientInterface interface { GetThing(); DeleteThing() }
type List[T any] []T
func (l List[T]) Len() int { return len(l) }
const SpecSHA256 = "x"
var Operations, internal = 1, 2
func NewClient() {}
`)}
	new := map[string][]byte{"a.gen.go": []byte(`package api
type Thing struct { ID string; Count int }
type Client struct{}
func (c *Client) GetThing() {}
func (c *Client) ListThings() {}
type ClientInterface interface { GetThing(); ListThings() }
type New struct { Y int }
func (n New) Do() {}
type List[T any] []T
func (l List[T]) Len() int { return len(l) }
const SpecSHA256 = "y"
var Operations = 1
func NewClient() {}
`)}
	added, removed, changed := identifierDiff(t, old, new)
	wantAdded := []string{"Client.ListThings", "ClientInterface.ListThings", "New", "Thing.Count"}
	wantRemoved := []string{"Client.DeleteThing", "ClientInterface.DeleteThing", "Gone", "Thing.Note"}
	if !slices.Equal(added, wantAdded) || !slices.Equal(removed, wantRemoved) || len(changed) != 0 {
		t.Errorf("added %v, removed %v, changed %v; want %v, %v and none", added, removed, changed, wantAdded, wantRemoved)
	}
}

// TestIdentifierTypeChanges: an identifier that stays but changes its type
// breaks code as a removed one does; one whose change breaks nobody (a
// renamed parameter, a new field, a new value) is not listed.
func TestIdentifierTypeChanges(t *testing.T) {
	old := map[string][]byte{"a.gen.go": []byte(`package api
import "github.com/oapi-codegen/nullable"
type UserOutput struct {
	FirstName nullable.Nullable[string] ` + "`json:\"first_name,omitempty\"`" + `
	LastName  nullable.Nullable[string]
	Email, Phone string
	Inline *struct{ A int }
	Base
}
type Base struct{}
type Role string
type Alias = string
type Editor func(ctx context.Context, req *http.Request) error
type Box[T any] struct{ V T }
type Getter interface { Get(id string) (string, error); Put(a, b string) }
func NewClient(server string, opts ...ClientOption) (*Client, error) { return nil, nil }
func (c *Client) GetUser(ctx context.Context, orgID string, userID string) (*http.Response, error) { return nil, nil }
const RoleAdmin Role = "admin"
const Version = "1"
var Operations = []OperationInfo{}
`)}
	new := map[string][]byte{"a.gen.go": []byte(`package api
import "github.com/oapi-codegen/nullable"
type UserOutput struct {
	FirstName *string ` + "`json:\"first_name\"`" + `
	LastName  nullable.Nullable[string]
	Email string
	Phone *string
	Inline *struct{ A int; B string }
	Added int
	*Base
}
type Base struct{ X int }
type Role int
type Alias = int
type Editor func(context.Context, *http.Request) error
type Box[T comparable] struct{ V T }
type Getter interface { Get(key string) (string, error); Put(a string, b int) }
func NewClient(url string, options ...ClientOption) (*Client, error) { return nil, nil }
func (c *Client) GetUser(ctx context.Context, organizationID, userID string, reqEditors ...RequestEditorFn) (*http.Response, error) { return nil, nil }
const RoleAdmin = "admin"
const Version = "2"
var Operations = map[string]OperationInfo{}
`)}
	added, removed, changed := identifierDiff(t, old, new)
	want := []goChange{
		{"Alias", "= string", "= int"},
		{"Box", "[any] struct{…}", "[comparable] struct{…}"}, // type parameters by position: a renamed one breaks nobody
		{"Client.GetUser", "func(context.Context, string, string) (*http.Response, error)", "func(context.Context, string, string, ...RequestEditorFn) (*http.Response, error)"},
		{"Getter.Put", "func(string, string)", "func(string, int)"},
		{"Operations", "[]OperationInfo", "map[string]OperationInfo"},
		{"Role", "string", "int"},
		{"RoleAdmin", "Role", "untyped string"},
		{"UserOutput.Base", "Base", "*Base"},
		{"UserOutput.FirstName", "nullable.Nullable[string]", "*string"},
		{"UserOutput.Inline", "*struct{A int}", "*struct{A int; B string}"},
		{"UserOutput.Phone", "string", "*string"},
	}
	if !slices.Equal(changed, want) {
		t.Errorf("changed:\n%v\nwant\n%v", changed, want)
	}
	if !slices.Equal(added, []string{"Base.X", "UserOutput.Added"}) || len(removed) != 0 {
		t.Errorf("added %v, removed %v; want Base.X and UserOutput.Added, none removed", added, removed)
	}
}

// TestGoBreakingOnlyRaises: goBreaking names rules that oasdiff has, and
// raises each (an entry that lowered an error would hide a break).
func TestGoBreakingOnlyRaises(t *testing.T) {
	defaults := map[string]checker.Level{}
	for _, r := range checker.GetAllRules() {
		defaults[r.Id] = r.Level
	}
	for id, level := range goBreaking {
		def, ok := defaults[id]
		switch {
		case !ok:
			t.Errorf("goBreaking names %s, which oasdiff does not have", id)
		case def >= level:
			t.Errorf("goBreaking sets %s to %s, but oasdiff's level is %s already", id, level, def)
		case !level.IsBreaking():
			t.Errorf("goBreaking sets %s to %s, which is not breaking", id, level)
		}
	}
}

// TestReportNullabilityIsBreaking: a response property that stops being
// nullable narrows its list of types, which oasdiff counts as harmless but
// changes the Go field from nullable.Nullable[string] to *string.
func TestReportNullabilityIsBreaking(t *testing.T) {
	nullable := strings.Replace(reportBase, `"note": {"type": "string"}`, `"note": {"anyOf": [{"type": "string"}, {"type": "null"}]}`, 1)
	if nullable == reportBase {
		t.Fatal("reportBase has no note property to edit")
	}
	for _, tc := range []struct{ name, old, new, id string }{
		{"not nullable", nullable, reportBase, checker.ResponsePropertyListOfTypesNarrowedId},
	} {
		_, changes, err := specChanges([]byte(tc.old), []byte(tc.new))
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		found := false
		for _, c := range changes {
			ids = append(ids, fmt.Sprintf("%s (%s)", c.GetId(), c.GetLevel()))
			if c.GetId() == tc.id {
				found = true
				if !c.IsBreaking() {
					t.Errorf("%s: %s is not breaking", tc.name, tc.id)
				}
			}
		}
		if !found {
			t.Errorf("%s: no %s among %v", tc.name, tc.id, ids)
		}
	}
}

func TestChangelogEntryGoAPI(t *testing.T) {
	oldPin := pin{File: "openapi.json", SHA256: strings.Repeat("a", 64)}
	newPin := pin{File: "openapi.json", SHA256: strings.Repeat("b", 64)}
	rep := &report{
		GoAdded:   []string{"ListWidgets"},
		GoRemoved: []string{"Gone"},
		GoChanged: []goChange{
			{ID: "UserOutput.FirstName", Old: "nullable.Nullable[string]", New: "*string"},
			{ID: "Version", Old: "", New: "string"},
		},
	}
	got := changelogEntry("2026-01-02", "https://example.com/openapi.json", oldPin, newPin, rep)
	want := "## 2026-01-02: spec update\n\n" +
		"- Source: https://example.com/openapi.json\n" +
		"- openapi.json sha256: `aaaaaaaaaaaa` → `bbbbbbbbbbbb`\n" +
		"- 0 operations added, 0 removed, 0 changed; 0 breaking spec changes, 3 breaking Go API changes.\n\n" +
		"### Breaking changes\n\n" +
		"- Go API: 2 identifiers changed, 1 removed; see Go API below\n\n" +
		"### Go API (packages api and api/raw)\n\n" +
		"- removed (breaks code that uses them): `Gone`\n" +
		"- changed (breaks code that uses them):\n" +
		"  - `UserOutput.FirstName`: `nullable.Nullable[string]` → `*string`\n" +
		"  - `Version`: (no declared type) → `string`\n" +
		"- added: `ListWidgets`\n\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestPrependChangelog(t *testing.T) {
	entry := "## 2026-01-02: spec update\n\n- x\n\n"
	for _, tc := range []struct{ name, old, want string }{
		{"missing", "", changelogHeader + entry},
		{"title only", "# Changelog\n\nIntro.\n", "# Changelog\n\nIntro.\n\n" + entry},
		{"title without newline", "# Changelog", "# Changelog\n\n" + entry},
		{"entries", "# Changelog\n\nIntro.\n\n## 2025-12-01: spec update\n\n- y\n",
			"# Changelog\n\nIntro.\n\n" + entry + "## 2025-12-01: spec update\n\n- y\n"},
		{"no title", "## v0.1.0\n\n- first\n", entry + "## v0.1.0\n\n- first\n"},
		{"unreleased", "# Changelog\n\n## v0.2.0 (unreleased)\n\nNotes.\n\n## 2025-12-01: spec update\n\n- y\n\n## v0.1.0 (2025-11-01)\n",
			"# Changelog\n\n## v0.2.0 (unreleased)\n\nNotes.\n\n" + entry + "## 2025-12-01: spec update\n\n- y\n\n## v0.1.0 (2025-11-01)\n"},
		{"unreleased, nothing below", "## v0.2.0 (unreleased)\n\nNotes.", "## v0.2.0 (unreleased)\n\nNotes.\n\n" + entry},
		{"released", "# Changelog\n\n## v0.2.0 (2026-01-01)\n\nNotes.\n", "# Changelog\n\n" + entry + "## v0.2.0 (2026-01-01)\n\nNotes.\n"},
	} {
		if got := string(prependChangelog([]byte(tc.old), entry)); got != tc.want {
			t.Errorf("%s: got\n%q\nwant\n%q", tc.name, got, tc.want)
		}
	}
}

func TestChangelogEntryOmitsEmptySections(t *testing.T) {
	oldPin := pin{File: "openapi.json", SHA256: strings.Repeat("a", 64)}
	newPin := pin{File: "openapi.json", SHA256: strings.Repeat("b", 64)}
	got := changelogEntry("2026-01-02", "https://example.com/openapi.json", oldPin, newPin, &report{})
	want := "## 2026-01-02: spec update\n\n" +
		"- Source: https://example.com/openapi.json\n" +
		"- openapi.json sha256: `aaaaaaaaaaaa` → `bbbbbbbbbbbb`\n" +
		"- 0 operations added, 0 removed, 0 changed; 0 breaking spec changes, 0 breaking Go API changes.\n\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// identifierDiff compares the exported identifiers of two sets of files.
func identifierDiff(t *testing.T, old, new map[string][]byte) (added, removed []string, changed []goChange) {
	t.Helper()
	oldIDs, err := exportedIdentifiers(old)
	if err != nil {
		t.Fatal(err)
	}
	newIDs, err := exportedIdentifiers(new)
	if err != nil {
		t.Fatal(err)
	}
	return identifierChanges(oldIDs, newIDs)
}

// TestReportIgnoresEquivalentRewrites: the pinned spec with every nullable
// property spelled `type: [X, "null"]`, every plain $ref property wrapped in
// an allOf, and the path parameters moved to the path items is the same
// API. The report must find no change, and the Go API diff none either.
func TestReportIgnoresEquivalentRewrites(t *testing.T) {
	t.Parallel() // generation takes turns (genMu)
	doc := pinnedSpecTree(t)
	rewrites := map[string]int{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if props, ok := x["properties"].(map[string]any); ok {
				for name, p := range props {
					p, _ := p.(map[string]any)
					if alts, ok := p["anyOf"].([]any); ok && len(alts) == 2 {
						first, _ := alts[0].(map[string]any)
						second, _ := alts[1].(map[string]any)
						if typ, ok := first["type"].(string); ok && second["type"] == "null" && first["$ref"] == nil {
							q := map[string]any{}
							for k, v := range first {
								q[k] = v
							}
							for k, v := range p {
								if k != "anyOf" {
									q[k] = v
								}
							}
							q["type"] = []any{typ, "null"}
							props[name] = q
							rewrites["type list"]++
							continue
						}
					}
					if ref, ok := p["$ref"]; ok && len(p) == 1 {
						props[name] = map[string]any{"allOf": []any{map[string]any{"$ref": ref}}}
						rewrites["allOf"]++
					}
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(doc["components"])
	// A path parameter that every operation of a path declares alike moves
	// to the path item.
	for _, item := range doc["paths"].(map[string]any) {
		item := item.(map[string]any)
		var shared []any
		for i, method := range slices.Sorted(maps.Keys(item)) {
			params, _ := item[method].(map[string]any)["parameters"].([]any)
			for _, p := range params {
				if p.(map[string]any)["in"] == "path" && i == 0 {
					shared = append(shared, p)
				}
			}
		}
		shared = slices.DeleteFunc(shared, func(p any) bool {
			for _, op := range item {
				params, _ := op.(map[string]any)["parameters"].([]any)
				if !slices.ContainsFunc(params, func(q any) bool { return reflect.DeepEqual(p, q) }) {
					return true
				}
			}
			return false
		})
		for _, op := range item {
			op := op.(map[string]any)
			params, _ := op["parameters"].([]any)
			params = slices.DeleteFunc(params, func(q any) bool {
				return slices.ContainsFunc(shared, func(p any) bool { return reflect.DeepEqual(p, q) })
			})
			if len(params) == 0 {
				delete(op, "parameters")
			} else {
				op["parameters"] = params
			}
		}
		if len(shared) > 0 {
			item["parameters"] = shared
			rewrites["path parameters"] += len(shared)
		}
	}
	if rewrites["type list"] < 50 || rewrites["allOf"] < 20 || rewrites["path parameters"] < 30 {
		t.Fatalf("too few rewrites to mean anything: %v", rewrites)
	}
	data := encodeSpecTree(t, doc)
	res, err := generateFrom("..", pin{File: "openapi.json", SHA256: sha256Hex(data)}, data)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := buildReport(pinnedSpecBytes(t), pinnedResult(t), data, res)
	if err != nil {
		t.Fatal(err)
	}
	entry := changelogEntry("today", "rewritten", pin{}, pin{}, rep)
	if len(rep.Changed)+len(rep.Added)+len(rep.Removed)+len(rep.Other)+len(rep.Breaking)+len(rep.Unconfirmed) > 0 ||
		len(rep.GoAdded)+len(rep.GoRemoved)+len(rep.GoChanged) > 0 {
		t.Errorf("the rewritten spec (%v) is reported as changed:\n%s", rewrites, entry)
	}
}

// TestReportGoArbiter: oasdiff calls a new required query parameter
// breaking, but for an operation that has a params struct already it only
// adds a field, which breaks no Go code: the report lists it apart, not
// among the breaking changes. A removed response field is breaking, and
// the Go API diff confirms it (the field of the operation's type is gone).
func TestReportGoArbiter(t *testing.T) {
	t.Parallel() // generation takes turns (genMu)
	spec := func(extraParam, note string) []byte {
		return []byte(`{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
  "paths": {"/things": {"get": {"operationId": "list_things",
    "parameters": [{"in": "query", "name": "limit", "required": false, "schema": {"type": "integer"}}` + extraParam + `],
    "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}}},
  "components": {"schemas": {"Thing": {"type": "object", "properties": {"id": {"type": "string"}` + note + `}}}}}`)
	}
	oldData := spec("", `, "note": {"type": "string"}`)
	newData := spec(`, {"in": "query", "name": "tenant", "required": true, "schema": {"type": "string"}}`, "")
	oldRes, err := generateFrom("..", pin{File: "openapi.json", SHA256: sha256Hex(oldData)}, oldData)
	if err != nil {
		t.Fatal(err)
	}
	newRes, err := generateFrom("..", pin{File: "openapi.json", SHA256: sha256Hex(newData)}, newData)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := buildReport(oldData, oldRes, newData, newRes)
	if err != nil {
		t.Fatal(err)
	}
	entry := changelogEntry("today", "x", pin{}, pin{}, rep)
	ids := func(cs []reportChange) (out []string) {
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	if got := ids(rep.Unconfirmed); !slices.Equal(got, []string{"new-required-request-parameter"}) {
		t.Errorf("unconfirmed = %v, want the new required parameter:\n%s", got, entry)
	}
	if got := ids(rep.Breaking); !slices.Equal(got, []string{"response-optional-property-removed"}) {
		t.Errorf("breaking = %v, want the removed field:\n%s", got, entry)
	}
	for _, want := range []string{
		"### Breaking for oasdiff, not for the Go API\n",
		"- `GET /things` ListThings: added the new required `query` request parameter `tenant` (error, new-required-request-parameter)\n",
		"  - breaking for oasdiff (Go API unchanged): added the new required `query` request parameter `tenant` (new-required-request-parameter)\n",
		"  - BREAKING: removed the optional property `note`",
	} {
		if !strings.Contains(entry, want) {
			t.Errorf("the report lacks %q:\n%s", want, entry)
		}
	}
}
