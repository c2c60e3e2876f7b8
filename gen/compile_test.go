package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// declarationErrors type-checks package api as a pipeline result would
// write it (the generated files beside the hand-written ones: all of them
// with semantics, else the runtime alone, as the corpus builds it) and
// returns what the compiler would say about its own declarations: an
// identifier that is not declared (an import the code lacks), one declared
// twice, a field and a method of one name. It is a compiler's verdict on the
// defects of naming and imports that the pipeline can make, in a fraction of
// the time of a build: imports are empty packages, so nothing is read from
// disk, and what depends on them is not checked (TestCorpusBuild and
// TestUpdateSpecBuilds build for real).
func declarationErrors(t *testing.T, res *result, semantics bool) []string {
	t.Helper()
	files := map[string][]byte{}
	if semantics {
		maps.Copy(files, res.HandWritten)
	} else {
		runtime, err := runtimeFiles("..")
		if err != nil {
			t.Fatal(err)
		}
		for name, data := range runtime {
			files[apiDir+"/"+name] = data
		}
	}
	for name, data := range res.Files {
		if strings.HasPrefix(name, apiDir+"/") && strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			files[name] = data
		}
	}
	fset := token.NewFileSet()
	var parsed []*ast.File
	for _, name := range slices.Sorted(maps.Keys(files)) {
		f, err := parser.ParseFile(fset, name, files[name], parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
	}
	var errs []string
	conf := types.Config{
		Importer: emptyImporter{},
		Error: func(err error) {
			if msg := err.(types.Error).Msg; declarationError.MatchString(msg) {
				errs = append(errs, err.Error())
			}
		},
	}
	conf.Check("github.com/podero-go/podero/api", fset, parsed, nil) // the errors are in errs
	return errs
}

// declarationError matches the compiler's messages that do not depend on
// what an import declares: a bare identifier that is undefined (an
// import's members are all undefined here, and are qualified), one
// declared twice, a field and a method with one name.
var declarationError = regexp.MustCompile(`^undefined: [\pL_][\pL\pN_]*$|redeclared|already declared|field and method with the same name|duplicate (field|method)`)

// emptyImporter gives every import as an empty, complete package.
type emptyImporter struct{}

func (emptyImporter) Import(path string) (*types.Package, error) {
	p := types.NewPackage(path, importName(path))
	p.MarkComplete()
	return p, nil
}

// corpusDocResult generates a corpus document as TestCorpus does.
func corpusDocResult(t *testing.T, name string) *result {
	t.Helper()
	path := corpusDir + "/" + name + ".json"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := corpusDoc{Name: name, Path: path, Data: data}
	if names := strings.TrimSuffix(path, ".json") + ".names.txt"; fileExists(names) {
		d.Names = names
	}
	res, err := generateCorpusDoc(d)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestPinnedCodeDeclaresWhatItUses: the check itself, on the committed
// code: it finds nothing there.
func TestPinnedCodeDeclaresWhatItUses(t *testing.T) {
	if errs := declarationErrors(t, pinnedResult(t), true); len(errs) > 0 {
		t.Errorf("the generated code would not compile:\n%s", strings.Join(errs, "\n"))
	}
}

// TestInlineResponseTypesAreImported: an operation whose 2xx body is an
// inline object with uuid, date and date-time fields (a django-ninja dict
// response) gets a PartnerClient method whose decoder names
// openapi_types, which client.gen.go must import (inline_uuid in the
// corpus).
func TestInlineResponseTypesAreImported(t *testing.T) {
	if errs := declarationErrors(t, corpusDocResult(t, "inline_uuid"), false); len(errs) > 0 {
		t.Errorf("the generated code would not compile:\n%s", strings.Join(errs, "\n"))
	}
}

// TestProblemJSONErrorsAreDecoded: error bodies of any JSON media type
// (application/problem+json, with parameters, a vendor's +json) are
// decoded into Error.Payload: errors.gen.go has a case for each, into the
// field oapi-codegen declares for the media type; a status that declares
// two JSON types decodes application/json's and says so (problem_json in
// the corpus, whose build runs the conformance test's RunErrors on them).
func TestProblemJSONErrorsAreDecoded(t *testing.T) {
	res := corpusDocResult(t, "problem_json")
	code := string(res.Files[errorsFile])
	for _, want := range []string{
		"case operation == \"TriggerBoost\" && status == 409:\n\t\tvar r TriggerBoostResponse\n\t\treturn decodePayload(&r.ApplicationProblemJSON409, body)",
		"case operation == \"TriggerBoost\" && status == 422:\n\t\tvar r TriggerBoostResponse\n\t\treturn decodePayload(&r.JSON422, body)",
		"case operation == \"TriggerBoost\" && status/100 == 4:\n\t\tvar r TriggerBoostResponse\n\t\treturn decodePayload(&r.ApplicationProblemJSONCharsetUTF84XX, body)",
		"case operation == \"TriggerBoost\" && status >= 400:\n\t\tvar r TriggerBoostResponse\n\t\treturn decodePayload(&r.ApplicationVndPoderoErrorJSONDefault, body)",
	} {
		if !strings.Contains(code, want) {
			t.Errorf("%s lacks\n%s\n%s", errorsFile, want, code)
		}
	}
	if errs := declarationErrors(t, res, false); len(errs) > 0 {
		t.Errorf("the generated code would not compile:\n%s", strings.Join(errs, "\n"))
	}
	want := "the 422 error of TriggerBoost (POST /api/partners/v2.0/org/{org_id}/users/{user_id}/electric-vehicles/{ev_id}/boost) declares 2 JSON media types (application/json, application/problem+json): Error.Payload decodes its body as the application/json one's"
	if !slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, want) }) {
		t.Errorf("no note says %q", want)
	}
}

// TestCookieParametersAreSentByPartnerClient: a PartnerClient method adds
// every cookie parameter of its operation (a required csrftoken, an
// optional one when set) to its request, as oapi-codegen's client does;
// they were left out, and the server answered 422 (cookie_params in the
// corpus, whose conformance test checks the requests against the spec;
// api's TestCookieParametersAreSent checks the runtime).
func TestCookieParametersAreSentByPartnerClient(t *testing.T) {
	res := corpusDocResult(t, "cookie_params")
	code := string(res.Files[clientFile])
	for _, want := range []string{
		"if err := addCookieParam(&opDataRequestData, &rq, \"csrftoken\", params.Csrftoken); err != nil {",
		"if params.ConsentVersion != nil {\n\t\tif err := addCookieParam(&opDataRequestData, &rq, \"consent_version\", *params.ConsentVersion); err != nil {",
		"if err := addCookieParam(&opSessionEndSession, &rq, \"sessionid\", params.Sessionid); err != nil {",
	} {
		if !strings.Contains(code, want) {
			t.Errorf("%s lacks\n%s", clientFile, want)
		}
	}
}

// handWrittenClashSpec is our spec with what a live spec may well bring:
// properties named like the methods semantics_*.go declares by hand on the
// types they belong to (ElectricVehicleOutput.Kind and .PendingActions,
// StatisticsOutput.Err) and a query parameter named like one of
// ResolveCueParams (Format).
func handWrittenClashSpec(t *testing.T) []byte {
	t.Helper()
	doc := pinnedSpecTree(t)
	ev := specObj(t, doc, "components", "schemas", "ElectricVehicleOutput", "properties")
	ev["kind"] = map[string]any{"type": "string", "title": "Kind"}
	ev["pending_actions"] = map[string]any{"type": "integer"}
	specObj(t, doc, "components", "schemas", "StatisticsOutput", "properties")["err"] = map[string]any{"type": "string"}
	resolve := specObj(t, doc, "paths", "/api/partners/v2.0/cues/{cue_id}/resolve", "post")
	resolve["parameters"] = append(resolve["parameters"].([]any), map[string]any{"in": "query", "name": "format", "schema": map[string]any{"type": "string"}})
	return encodeSpecTree(t, doc)
}

// TestHandWrittenMembersAreReserved: a generated field named like a method
// package api declares by hand on its type (a kind property on a device
// output, beside (*ElectricVehicleOutput).Kind in semantics_actions.go)
// would not compile (a field and a method with the same name); gen names
// the field by a rule instead (KindField), with a note that says where the
// method is. The same for a parameter's field in a params struct. And a
// method declared by hand with the name of a generated getter (GetData on
// StatisticsOutput, in a file added for the test) takes the getter's place:
// gen leaves the getter out, with a note.
func TestHandWrittenMembersAreReserved(t *testing.T) {
	t.Parallel() // generation takes turns (genMu)
	root := specCopy(t)
	writeFile(t, root, "api/stats.go", []byte("package api\n\n// GetData is the data, by hand.\nfunc (o *StatisticsOutput) GetData() []StatisticsData { return nil }\n"))
	data := handWrittenClashSpec(t)
	res, err := generateWith(root, pin{File: "openapi.json", SHA256: sha256Hex(data)}, data, genOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(res.Files[gettersFile], []byte("func (v *StatisticsOutput) GetData()")) {
		t.Errorf("%s still declares StatisticsOutput.GetData", gettersFile)
	}
	if errs := declarationErrors(t, res, true); len(errs) > 0 {
		t.Errorf("the generated code would not compile:\n%s", strings.Join(errs, "\n"))
	}
	code := string(res.Files["api/podero.gen.go"])
	for _, want := range []string{"KindField *string `json:\"kind,omitempty\"`", "PendingActionsField *int `json:\"pending_actions,omitempty\"`",
		"ErrField *string `json:\"err,omitempty\"`", "FormatField *string `form:\"format,omitempty\" json:\"format,omitempty\"`"} {
		if !strings.Contains(strings.Join(strings.Fields(code), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("api/podero.gen.go lacks %s", want)
		}
	}
	for _, want := range []string{
		"schema ElectricVehicleOutput: property \"kind\" would be the Go field Kind, which " + declaredAt(t, "api/semantics_actions.go", "func (v *ElectricVehicleOutput) Kind()") +
			" declares by hand as a method of ElectricVehicleOutput; named KindField by the rule",
		"schema StatisticsOutput: property \"err\" would be the Go field Err, which api/semantics_inband.go:",
		"POST /api/partners/v2.0/cues/{cue_id}/resolve: query parameter \"format\" would be the Go field Format of ResolveCueParams, which api/semantics_actions.go:",
		"StatisticsOutput.Data has no getter: StatisticsOutput already has a GetData, which api/stats.go:4 declares by hand",
	} {
		if !slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, want) }) {
			t.Errorf("no note says %q", want)
		}
	}
}

// declaredAt is "file:line" of the first line of a file of the repository
// that starts with decl.
func declaredAt(t *testing.T, file, decl string) string {
	t.Helper()
	data, err := os.ReadFile("../" + file)
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, decl) {
			return fmt.Sprintf("%s:%d", file, i+1)
		}
	}
	t.Fatalf("%s has no line %q", file, decl)
	return ""
}
