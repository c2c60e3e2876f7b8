package main

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
)

// miniSpec is a django-ninja style document: a price zone enum repeated
// inline in a request and two responses, a status enum in one response, a
// nullable union of two actions, and a required nullable field.
const miniSpec = `{
  "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
  "paths": {
    "/things/{thing_id}": {
      "parameters": [{"name": "thing_id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}],
      "get": {"operationId": "get_thing", "responses": {"200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ThingOutput"}}}}}},
      "put": {"operationId": "put_thing",
        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ThingInput"}}}},
        "responses": {"200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OtherOutput"}}}}}}
    }
  },
  "components": {"schemas": {
    "ThingInput": {"type": "object", "properties": {
      "zone": {"anyOf": [{"type": "string", "enum": ["AT", "DE"]}, {"type": "null"}], "title": "Zone"},
      "note": {"anyOf": [{"type": "string"}, {"type": "null"}]}}},
    "ThingOutput": {"type": "object", "required": ["id", "error"], "properties": {
      "id": {"type": "string", "format": "uuid"},
      "error": {"anyOf": [{"type": "string"}, {"type": "null"}]},
      "zone": {"type": "string", "enum": ["AT", "DE"], "title": "Zone of the thing"},
      "state": {"type": "string", "enum": ["ok", "broken"]},
      "action": {"anyOf": [{"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]}, {"type": "null"}]}}},
    "OtherOutput": {"type": "object", "properties": {"home_zone": {"type": "string", "enum": ["AT", "DE"]},
      "state": {"type": "string", "enum": ["up", "down"]}}},
    "A": {"type": "object", "properties": {"code": {"type": "string", "enum": ["a"]}}},
    "B": {"type": "object", "properties": {"code": {"type": "string", "enum": ["b"]}}},
    "Error": {"type": "object", "properties": {"x": {"type": "string"}}}
  }}
}`

func normalizeMini(t *testing.T, table string) (*normalized, map[string]any) {
	t.Helper()
	goName := testGoName(t)
	tab, err := parseSchemaTable("names.txt", []byte(table))
	if err != nil {
		t.Fatal(err)
	}
	reserved := map[string]string{"Error": "package api declares by hand"}
	n, err := normalizeSpec([]byte(miniSpec), tab, map[string]string{"GET /things/{thing_id}": "GetThing", "PUT /things/{thing_id}": "PutThing"}, goName, reserved)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(n.Data, &doc); err != nil {
		t.Fatal(err)
	}
	return n, doc
}

func schemaOf(doc map[string]any, name string) map[string]any {
	s, _ := doc["components"].(map[string]any)["schemas"].(map[string]any)[name].(map[string]any)
	return s
}

func propOf(doc map[string]any, schema, prop string) map[string]any {
	p, _ := schemaOf(doc, schema)["properties"].(map[string]any)[prop].(map[string]any)
	return p
}

func TestNormalizeHoistsRepeatedEnums(t *testing.T) {
	n, doc := normalizeMini(t, "")
	// The zone, inline in three schemas, is one type named after the
	// property that most copies have: all three refer to it.
	zone := schemaOf(doc, "Zone")
	if zone == nil || len(zone["enum"].([]any)) != 2 {
		t.Fatalf("no hoisted Zone: %v", schemaOf(doc, "Zone"))
	}
	for _, at := range [][2]string{{"ThingOutput", "zone"}, {"OtherOutput", "home_zone"}} {
		if ref := propOf(doc, at[0], at[1])["$ref"]; ref != "#/components/schemas/Zone" {
			t.Errorf("%s.%s is %v, want a $ref to Zone", at[0], at[1], propOf(doc, at[0], at[1]))
		}
	}
	// In a request schema the null branch stays, around the reference.
	in := propOf(doc, "ThingInput", "zone")["anyOf"].([]any)
	if len(in) != 2 || in[0].(map[string]any)["$ref"] != "#/components/schemas/Zone" {
		t.Errorf("ThingInput.zone is %v", propOf(doc, "ThingInput", "zone"))
	}
	// An enum only one schema has is qualified by it: ThingOutput's state
	// is ThingState, OtherOutput's (other values) OtherState.
	for _, name := range []string{"ThingState", "OtherState"} {
		if schemaOf(doc, name) == nil {
			t.Errorf("no %s among %v", name, n.Hoisted)
		}
	}
	// The union of two actions, nullable, is one type; the codes of A and
	// B are enums of their own.
	if u := schemaOf(doc, "ThingAction"); u == nil || len(u["oneOf"].([]any)) != 2 {
		t.Errorf("the nullable union is not hoisted: %v", schemaOf(doc, "ThingAction"))
	}
	if ref := propOf(doc, "ThingOutput", "action")["$ref"]; ref != "#/components/schemas/ThingAction" {
		t.Errorf("ThingOutput.action is %v, want the union without null (a response schema)", propOf(doc, "ThingOutput", "action"))
	}
}

func TestNormalizeTableNamesAndCollisions(t *testing.T) {
	n, doc := normalizeMini(t, "ThingOutput Thing\nOtherOutput.home_zone PriceZone\nThingOutput.action Action\n")
	if schemaOf(doc, "Thing") == nil || schemaOf(doc, "ThingOutput") != nil {
		t.Error("the component rename did not apply")
	}
	if schemaOf(doc, "PriceZone") == nil || schemaOf(doc, "Zone") != nil {
		t.Error("the table's name for the zone, given at one copy, did not name them all")
	}
	// A schema named like a hand-written identifier is renamed, with a note.
	if schemaOf(doc, "ErrorSchema") == nil || !strings.Contains(strings.Join(n.Notes, "\n"), "schema Error would be the Go type Error") {
		t.Errorf("Error was not renamed: notes %v", n.Notes)
	}

	for _, tc := range []struct{ table, want string }{
		{"ThingOutput.zone Zone1\nOtherOutput.home_zone Zone2\n", "given two names"},
		{"ThingOutput.zone A\n", "which is the Go type of schema A"},
		{"ThingOutput OtherOutput\n", "already has a schema OtherOutput"},
	} {
		goName := testGoName(t)
		tab, err := parseSchemaTable("names.txt", []byte(tc.table))
		if err != nil {
			t.Fatal(err)
		}
		_, err = normalizeSpec([]byte(miniSpec), tab, nil, goName, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("table %q: %v, want an error saying %q", tc.table, err, tc.want)
		}
	}
	if _, err := parseSchemaTable("names.txt", []byte("A X\nB X\n")); err == nil || !strings.Contains(err.Error(), "given to both") {
		t.Errorf("one Go name for two schemas: %v", err)
	}
}

func TestNormalizeResponsePointers(t *testing.T) {
	_, doc := normalizeMini(t, "")
	out := schemaOf(doc, "ThingOutput")
	// The required nullable field is no longer required (so that it is a
	// pointer), and x-podero-required keeps the spec's list.
	if req, _ := out["required"].([]any); len(req) != 1 || req[0] != "id" {
		t.Errorf("ThingOutput.required = %v, want [id]", out["required"])
	}
	if ext, _ := out[requiredExt].([]any); len(ext) != 2 {
		t.Errorf("%s = %v, want [id error]", requiredExt, out[requiredExt])
	}
	if p := propOf(doc, "ThingOutput", "error"); p["type"] != "string" || p["anyOf"] != nil {
		t.Errorf("ThingOutput.error is %v, want a plain string", p)
	}
	// The request schema keeps its null branches.
	if p := propOf(doc, "ThingInput", "note"); p["anyOf"] == nil {
		t.Errorf("ThingInput.note lost its null branch: %v", p)
	}
	// Path-level parameters moved into the operations.
	paths := doc["paths"].(map[string]any)["/things/{thing_id}"].(map[string]any)
	if paths["parameters"] != nil || len(paths["get"].(map[string]any)["parameters"].([]any)) != 1 {
		t.Errorf("path parameters not pushed down: %v", paths)
	}
}

// TestNormalizedMiniGenerates: the normalised document generates Go with
// one Zone type, pointers in the response and Nullable in the request.
func TestNormalizedMiniGenerates(t *testing.T) {
	n, _ := normalizeMini(t, "")
	doc, err := loadSpec("mini", n.Data)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := readCodegenConfig("../" + codegenConfig)
	if err != nil {
		t.Fatal(err)
	}
	code, err := codegen.Generate(doc, cfg.Configuration)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"type Zone string", "ZoneAT Zone = \"AT\"", "Zone  *Zone", "Error  *string",
		"Zone nullable.Nullable[Zone]", "type ThingAction struct", "Action *ThingAction"} {
		if !strings.Contains(strings.Join(strings.Fields(code), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("the generated code lacks %q", want)
		}
	}
	if strings.Contains(code, "ThingOutputZone") || strings.Contains(code, "OtherOutputHomeZone") {
		t.Error("the code still has per-property zone types")
	}
}

// TestEnumConstantsAreStable: every enum constant carries its type's name
// (always-prefix-enum-values), so a new enum with a value an old one has
// (on) renames no constant: the Go API diff only adds.
func TestEnumConstantsAreStable(t *testing.T) {
	t.Parallel() // generation takes turns (genMu)
	spec := func(props, schemas string) []byte {
		return []byte(`{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
  "paths": {"/things": {"get": {"operationId": "list_things",
    "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}}},
  "components": {"schemas": {` + schemas + `
    "Power": {"type": "string", "enum": ["on", "off"]},
    "Thing": {"type": "object", "properties": {"power": {"$ref": "#/components/schemas/Power"},` + props + `
      "mode": {"type": "string", "enum": ["on", "eco"]}}}}}}`)
	}
	oldData := spec("", "")
	newData := spec(`"relay": {"type": "string", "enum": ["on", "standby"]}, "light": {"$ref": "#/components/schemas/Light"},`,
		`"Light": {"type": "string", "enum": ["on", "dim"]},`)
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
	if len(rep.GoRemoved)+len(rep.GoChanged) > 0 {
		t.Errorf("a new enum with a value others have removed %v and changed %v", rep.GoRemoved, rep.GoChanged)
	}
	for _, want := range []string{"LightOn", "ThingRelayOn"} {
		if !slices.Contains(rep.GoAdded, want) {
			t.Errorf("%s is not among the added identifiers %v", want, rep.GoAdded)
		}
	}
	ids, err := oldRes.identifiers()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"PowerOn", "PowerOff", "ThingModeOn", "ThingModeEco"} {
		if _, ok := ids[c]; !ok {
			t.Errorf("the old code has no constant %s", c)
		}
	}
}

// TestReportNotesHoistedRenames: an inline enum that one schema has is
// named after it (ThingState); a second schema with the same enum makes it
// the shared State, a rename the Go API diff calls breaking. The report's
// notes say which line of gen/schema_names.txt keeps the old name.
func TestReportNotesHoistedRenames(t *testing.T) {
	t.Parallel() // generation takes turns (genMu)
	spec := func(other string) []byte {
		return []byte(`{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
  "paths": {"/things": {"get": {"operationId": "list_things",
    "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ThingOutput"}}}}}}}},
  "components": {"schemas": {` + other + `
    "ThingOutput": {"type": "object", "properties": {"state": {"type": "string", "enum": ["ok", "broken"]}}}}}}`)
	}
	oldData := spec("")
	newData := spec(`"OtherOutput": {"type": "object", "properties": {"state": {"type": "string", "enum": ["ok", "broken"]}}},`)
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
	want := `the enum at ThingOutput.state was ThingState and is State now (named by the rule from all its places): to keep the old name, add the line "ThingOutput.state ThingState" to gen/schema_names.txt`
	if !slices.Contains(rep.Notes, want) || !slices.Contains(rep.GoRemoved, "ThingStateOk") {
		t.Errorf("notes %q, removed %v", rep.Notes, rep.GoRemoved)
	}
}

// TestNormalizeRenamesComponentsNamedLikeSchemas: a component parameter
// (or response, or request body) whose Go type a schema has already, and
// that is not merely that schema, gets the suffix oapi-codegen's own
// collision rule uses, with its references; one that is a $ref to the
// schema of its name stays, since it is the same type (param_schema_clash
// in the corpus). oapi-codegen would refuse the document and ask for an
// x-go-name, which a gen user can only add by editing the upstream spec.
func TestNormalizeRenamesComponentsNamedLikeSchemas(t *testing.T) {
	spec := `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
  "paths": {"/events/{event_id}": {
    "parameters": [{"$ref": "#/components/parameters/EventID"}],
    "get": {"operationId": "get_event", "parameters": [{"$ref": "#/components/parameters/Cursor"}],
      "responses": {"200": {"$ref": "#/components/responses/Event"}, "404": {"$ref": "#/components/responses/Config"}}}}},
  "components": {
    "parameters": {
      "EventID": {"in": "path", "name": "event_id", "required": true, "schema": {"$ref": "#/components/schemas/EventID"}},
      "Cursor": {"in": "query", "name": "cursor", "schema": {"type": "string"}}},
    "responses": {
      "Event": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}},
      "Config": {"description": "", "content": {"application/json": {"schema": {"type": "object"}}}}},
    "schemas": {
      "EventID": {"type": "string", "format": "uuid"},
      "Cursor": {"type": "object", "properties": {"after": {"type": "string"}}},
      "Event": {"type": "object", "properties": {"id": {"$ref": "#/components/schemas/EventID"}}}}}}`
	n, err := normalizeSpec([]byte(spec), schemaTable{}, map[string]string{"GET /events/{event_id}": "GetEvent"}, testGoName(t),
		map[string]string{"Config": "package api declares by hand (api/client.go)"})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(n.Data, &doc); err != nil {
		t.Fatal(err)
	}
	components := doc["components"].(map[string]any)
	params, responses := components["parameters"].(map[string]any), components["responses"].(map[string]any)
	for section, want := range map[string][]string{
		"parameters": {"CursorParameter", "EventID"},
		"responses":  {"ConfigResponse", "Event"},
	} {
		if got := slices.Sorted(maps.Keys(components[section].(map[string]any))); !slices.Equal(got, want) {
			t.Errorf("components.%s: %q, want %q", section, got, want)
		}
	}
	if params["CursorParameter"] == nil || responses["ConfigResponse"] == nil {
		t.Fatal("the renamed components are gone")
	}
	text := string(n.Data)
	for _, want := range []string{`"$ref":"#/components/parameters/CursorParameter"`, `"$ref":"#/components/responses/ConfigResponse"`, `"$ref":"#/components/parameters/EventID"`} {
		if !strings.Contains(text, want) {
			t.Errorf("the document lacks %s", want)
		}
	}
	for _, want := range []string{
		"component parameter Cursor would be the Go type Cursor, which is the Go type of schema Cursor; named CursorParameter by the rule",
		"component response Config would be the Go type Config, which package api declares by hand (api/client.go); named ConfigResponse by the rule",
	} {
		if !slices.ContainsFunc(n.Notes, func(note string) bool { return strings.Contains(note, want) }) {
			t.Errorf("no note says %q: %q", want, n.Notes)
		}
	}
}
