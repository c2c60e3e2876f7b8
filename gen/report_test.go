package main

import (
	"slices"
	"strings"
	"testing"
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
	oldIDs, err := exportedIdentifiers(old)
	if err != nil {
		t.Fatal(err)
	}
	newIDs, err := exportedIdentifiers(new)
	if err != nil {
		t.Fatal(err)
	}
	added, removed := identifierChanges(oldIDs, newIDs)
	wantAdded := []string{"Client.ListThings", "ClientInterface.ListThings", "New", "Thing.Count"}
	wantRemoved := []string{"Client.DeleteThing", "ClientInterface.DeleteThing", "Gone", "Thing.Note"}
	if !slices.Equal(added, wantAdded) || !slices.Equal(removed, wantRemoved) {
		t.Errorf("added %v, removed %v; want %v and %v", added, removed, wantAdded, wantRemoved)
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
		"- 0 operations added, 0 removed, 0 changed; 0 breaking changes.\n\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
