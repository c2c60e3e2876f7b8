package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeFile(t *testing.T, root, name string, data []byte) {
	t.Helper()
	path := filepath.Join(root, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func runGen(root string, args ...string) (string, error) {
	var out bytes.Buffer
	err := run(append(args, "-root", root), &out, io.Discard)
	return out.String(), err
}

// TestCommittedCodeIsCurrent is check-generate inside go test: the committed
// files are exactly what the pinned spec gives.
func TestCommittedCodeIsCurrent(t *testing.T) {
	t.Parallel() // generation takes turns (genMu)
	if _, err := runGen("..", "generate", "-check"); err != nil {
		t.Fatal(err)
	}
}

func TestGenerateIsReproducible(t *testing.T) {
	t.Parallel() // generation takes turns (genMu)
	root := specCopy(t)
	p, err := readPin(filepath.Join(root, pinFile))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, p.File))
	if err != nil {
		t.Fatal(err)
	}
	first, err := generateWith(root, p, data, genOptions{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	second, err := generateWith(root, p, data, genOptions{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Files) != 10 {
		t.Fatalf("generated %d files, want 10", len(first.Files))
	}
	for name, data := range first.Files {
		if !bytes.Equal(data, second.Files[name]) {
			t.Errorf("%s differs between two runs", name)
		}
		if name != pinnedCopy && !bytes.Contains(data[:200], []byte("DO NOT EDIT")) {
			t.Errorf("%s has no generated-code header", name)
		}
	}
	// Written to disk, the second run changes nothing.
	if _, err := runGen(root, "generate"); err != nil {
		t.Fatal(err)
	}
	out, err := runGen(root, "generate")
	if err != nil || strings.Contains(out, "wrote") {
		t.Errorf("second generate: %q, %v", out, err)
	}
}

func TestCheckGenerateCatchesDrift(t *testing.T) {
	t.Parallel() // generation takes turns (genMu)
	t.Run("edited generated file", func(t *testing.T) {
		root := specCopy(t)
		path := filepath.Join(root, "api/podero.gen.go")
		data, _ := os.ReadFile(path)
		writeFile(t, root, "api/podero.gen.go", bytes.Replace(data, []byte("JSON200"), []byte("JSON2OO"), 1))
		_, err := runGen(root, "generate", "-check")
		if err == nil || !strings.Contains(err.Error(), "api/podero.gen.go (differs from line") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("missing generated file", func(t *testing.T) {
		root := specCopy(t)
		os.Remove(filepath.Join(root, operationsFile))
		_, err := runGen(root, "generate", "-check")
		if err == nil || !strings.Contains(err.Error(), operationsFile+" (missing)") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("spec edited without re-pinning", func(t *testing.T) {
		root := specCopy(t)
		editSpec(t, root)
		for _, args := range [][]string{{"generate", "-check"}, {"generate"}} {
			_, err := runGen(root, args...)
			if err == nil || !strings.Contains(err.Error(), "openapi.json does not match its pin") || !strings.Contains(err.Error(), "make pin-spec") {
				t.Fatalf("%v: got %v", args, err)
			}
		}
	})
	t.Run("spec re-pinned without regenerating", func(t *testing.T) {
		root := specCopy(t)
		editSpec(t, root)
		if _, err := runGen(root, "pin", "-source", "https://example.com/spec.json?sig=abc123"); err != nil {
			t.Fatal(err)
		}
		if p, _ := readPin(filepath.Join(root, pinFile)); p.Source != "https://example.com/spec.json" {
			t.Errorf("pinned source %q, want it without the query", p.Source)
		}
		_, err := runGen(root, "generate", "-check")
		if err == nil || !strings.Contains(err.Error(), "make generate") {
			t.Fatalf("got %v", err)
		}
		// Regenerating settles it, and the edit reaches the godoc.
		if _, err := runGen(root, "generate"); err != nil {
			t.Fatal(err)
		}
		if _, err := runGen(root, "generate", "-check"); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(filepath.Join(root, "api/podero.gen.go"))
		if !bytes.Contains(data, []byte("List users in the organisation, edited")) {
			t.Error("the regenerated client does not have the edited summary")
		}
	})
}

func editSpec(t *testing.T, root string) {
	t.Helper()
	path := filepath.Join(root, "openapi.json")
	data, _ := os.ReadFile(path)
	edited := bytes.Replace(data, []byte(`"summary": "List users in the organization"`), []byte(`"summary": "List users in the organisation, edited"`), 1)
	if bytes.Equal(edited, data) {
		t.Fatal("the edit did not apply")
	}
	writeFile(t, root, "openapi.json", edited)
}

func TestGenerateRefusesBadSpecs(t *testing.T) {
	for _, tc := range []struct{ name, spec, want string }{
		{"empty", "", "empty"},
		{"html", "<!doctype html><html><body>502 Bad Gateway</body></html>", "HTML page"},
		{"truncated", `{"openapi": "3.1.0", "info": {"title": "x", "vers`, "not valid JSON"},
		{"not openapi", `{"hello": "world"}`, "openapi"},
		{"invalid", `{"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Missing"}}}}}}}}}`, "Missing"},
		// A valid OpenAPI document, but YAML, which kin-openapi reads and
		// the rest of the pipeline does not.
		{"yaml", yamlSpec, "openapi.json is not JSON (YAML?): gen reads only JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := specCopy(t)
			writeFile(t, root, "openapi.json", []byte(tc.spec))
			if _, err := runGen(root, "pin"); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("pin: got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

const yamlSpec = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      operationId: x\n      responses: {'200': {description: OK}}\n"

// TestGenerateRefusesYAML: generation says the spec is not JSON, not what
// the first JSON reader makes of it.
func TestGenerateRefusesYAML(t *testing.T) {
	t.Parallel() // generation takes turns (genMu)
	_, err := generateWith("..", pin{File: "openapi.json"}, []byte(yamlSpec), genOptions{NoCache: true})
	if want := "openapi.json is not JSON (YAML?)"; err == nil || !strings.Contains(err.Error(), want) || !errors.As(err, new(*specError)) {
		t.Errorf("error = %v; want a spec error with %q", err, want)
	}
}

// BenchmarkGenerate is the whole pipeline on the pinned spec: pin check,
// validation, naming, oapi-codegen and the extra files.
func BenchmarkGenerate(b *testing.B) {
	b.ReportAllocs()
	p, err := readPin("../" + pinFile)
	if err != nil {
		b.Fatal(err)
	}
	data := pinnedSpecBytes(b)
	for b.Loop() {
		if _, err := generateWith("..", p, data, genOptions{NoCache: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPaginationPageTypes: an iterator sets its params' limit and offset,
// both *int (optional parameters) or both int (required ones). With one of
// each it would not compile, so the pipeline leaves it out and says why.
func TestPaginationPageTypes(t *testing.T) {
	t.Parallel() // generation takes turns (genMu)
	const sessions = "/api/partners/v2.0/org/{org_id}/users/{user_id}/electric-vehicles/{electric_vehicle_id}/sessions"
	for _, tc := range []struct {
		name     string
		required []string
		want     []string // in the iterator's source; none: no iterator
		note     string
	}{
		{name: "limit required", required: []string{"limit"},
			note: "ListElectricVehicleSessions has limit/offset and {total, items} but no iterator: its limit and offset are not both int or both *int"},
		{name: "both required", required: []string{"limit", "offset"}, want: []string{
			"\treturn paginate(ctx, c, \"ListElectricVehicleSessions\", &params.Limit, &params.Offset, 200, func(limit, offset int) ([]SessionItem, int, error) {\n" +
				"\t\tp := params\n" +
				"\t\tp.Limit, p.Offset = limit, offset\n" +
				"\t\tpage, err := c.ListElectricVehicleSessions(ctx, userID, electricVehicleID, p, opts...)\n",
			// The params struct has them as int, as the iterator takes them.
			"Limit int `form:\"limit\" json:\"limit\"`", "Offset int `form:\"offset\" json:\"offset\"`",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc := pinnedSpecTree(t)
			op := specObj(t, doc, "paths", sessions, "get")
			for _, p := range op["parameters"].([]any) {
				if p := p.(map[string]any); slices.Contains(tc.required, p["name"].(string)) {
					p["required"] = true
				}
			}
			res, err := generateFrom("..", pin{File: "openapi.json"}, encodeSpecTree(t, doc))
			if err != nil {
				t.Fatal(err)
			}
			pages := string(res.Files[paginationFile])
			code := pages + string(res.Files["api/podero.gen.go"])
			if !strings.Contains(pages, "ListWallboxHEMSSessionsIter") {
				t.Error("the other iterator is gone")
			}
			if tc.want == nil && strings.Contains(pages, "ListElectricVehicleSessionsIter") {
				t.Error("the iterator was generated")
			}
			for _, want := range tc.want {
				if !strings.Contains(code, want) {
					t.Errorf("the generated code lacks %q:\n%s", want, pages)
				}
			}
			var notes []string
			for _, n := range res.Notes {
				if strings.Contains(n, "iterator") {
					notes = append(notes, n)
				}
			}
			if tc.note == "" && len(notes) > 0 || tc.note != "" && (len(notes) != 1 || !strings.Contains(notes[0], tc.note)) {
				t.Errorf("notes %q; want one with %q", notes, tc.note)
			}
		})
	}
}

func TestMain(m *testing.M) {
	// The tests generate from the pinned spec in copy after copy of the
	// repository; one generation per set of inputs is enough.
	resultCache = map[[32]byte]*result{}
	validateNormalized = true
	tuneGC()
	os.Exit(m.Run())
}

// TestReportSaysWhyAnIteratorIsGone: a paginated list that loses its offset
// parameter, and one whose limit becomes required (its Go type no longer
// fits), lose their iterators; the update report's notes say so and why,
// beside the Go API diff's removed ...Iter methods.
func TestReportSaysWhyAnIteratorIsGone(t *testing.T) {
	t.Parallel() // generation takes turns (genMu)
	doc := pinnedSpecTree(t)
	paths := doc["paths"].(map[string]any)
	sessions := paths["/api/partners/v2.0/org/{org_id}/users/{user_id}/electric-vehicles/{electric_vehicle_id}/sessions"].(map[string]any)["get"].(map[string]any)
	var keep []any
	for _, p := range sessions["parameters"].([]any) {
		if p.(map[string]any)["name"] != "offset" {
			keep = append(keep, p)
		}
	}
	sessions["parameters"] = keep
	hems := paths["/api/partners/v2.0/org/{org_id}/users/{user_id}/wallboxes/{wallbox_id}/hems-sessions"].(map[string]any)["get"].(map[string]any)
	for _, p := range hems["parameters"].([]any) {
		if p := p.(map[string]any); p["name"] == "limit" {
			p["required"] = true
		}
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
	entry := changelogEntry("today", "x", pin{}, pin{}, rep)
	for _, want := range []string{
		"- PartnerClient.ListElectricVehicleSessionsIter is gone (GET /api/partners/v2.0/org/{org_id}/users/{user_id}/electric-vehicles/{electric_vehicle_id}/sessions): it no longer pages: it lacks an integer query parameter offset",
		"- PartnerClient.ListWallboxHEMSSessionsIter is gone (GET /api/partners/v2.0/org/{org_id}/users/{user_id}/wallboxes/{wallbox_id}/hems-sessions): ListWallboxHEMSSessions has limit/offset and {total, items} but no iterator: its limit and offset are not both int or both *int",
		"`PartnerClient.ListElectricVehicleSessionsIter`", "`PartnerClient.ListWallboxHEMSSessionsIter`",
	} {
		if !strings.Contains(entry, want) {
			t.Errorf("the report lacks %q:\n%s", want, entry)
		}
	}
}

// TestReportSaysIteratorIsRenamed: an iterator gone with its operation's
// old name is there under the new one, and the notes say so.
func TestReportSaysIteratorIsRenamed(t *testing.T) {
	t.Parallel() // generation takes turns (genMu)
	doc := pinnedSpecTree(t)
	specObj(t, doc, "paths", "/api/partners/v2.0/org/{org_id}/users/{user_id}/electric-vehicles/{electric_vehicle_id}/sessions", "get")["operationId"] = "list_charging_sessions"
	data := encodeSpecTree(t, doc)
	res, err := generateFrom("..", pin{File: "openapi.json", SHA256: sha256Hex(data)}, data)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := buildReport(pinnedSpecBytes(t), pinnedResult(t), data, res)
	if err != nil {
		t.Fatal(err)
	}
	want := "PartnerClient.ListElectricVehicleSessionsIter is gone (GET /api/partners/v2.0/org/{org_id}/users/{user_id}/electric-vehicles/{electric_vehicle_id}/sessions): " +
		"the operation is named ListChargingSessions now, and its iterator PartnerClient.ListChargingSessionsIter"
	if !slices.Contains(rep.Notes, want) {
		t.Errorf("the notes lack %q: %q", want, rep.Notes)
	}
}
