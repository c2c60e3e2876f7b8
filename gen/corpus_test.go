package main

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podero-go/podero/internal/specserver"
)

// The corpus (testdata/specs, see its README) is gen's test against
// documents it has not been written for: mutations of our spec in the idioms
// a new Podero spec may bring, and real django-ninja and FastAPI documents.
// Each document either generates a client, or is refused before anything is
// written with a message that names the schema or operation and what to do.
//
// Both run when PODERO_CORPUS is set (`make test-corpus`, see needCorpus).
// TestCorpus runs the pipeline in memory on every document and checks its
// refusals, notes and update report. TestCorpusBuild also writes each
// client into testdata/build/<name> and builds, vets and runs the generic
// conformance test (internal/conformance) on all of them with one go vet and
// one go test.

const corpusDir = "testdata/specs"

// corpusRefusals are the documents gen must refuse, with what the refusal
// must say.
var corpusRefusals = map[string][]string{
	"module_path_refused": {"GET /cues (operationId integrations_api_api_v2_cues_router)", "looks like a module path",
		`add a line "integrations_api_api_v2_cues_router GoName" to gen/operation_names.txt`},
}

// corpusNotes are notes the pipeline must give on a document.
var corpusNotes = map[string][]string{
	"frigate": {`the document's info.title is empty, which kin-openapi refuses`, "the rule gives 2 operations the name CameraSet: by their paths"},
	"prefect": {"schemas have keywords that are not JSON Schema's or OpenAPI's, which kin-openapi refuses: gen reads them as extensions (x-...): supported_environment_variables"},
	"airflow": {"security requirements name schemes the spec does not declare (Basic, GoogleOpenID, Kerberos)",
		"2 path parameters have a schema without a type: gen reads them as strings"},
	"collisions": {
		"would be PartnerClient.Raw, which api/client.go:", // and the line, which moves as client.go changes
		"declares by hand; named RawOp by the rule",
		"schemas EventID, EventId, event_id would all be the Go type EventID: EventID keeps it",
		"schema Error would be the Go type Error, which package api declares by hand (api/errors.go); named ErrorSchema",
		"schema ValidationError would be the Go type ValidationError, which package api declares by hand",
		"schema Config would be the Go type Config, which package api declares by hand (api/client.go)",
		"schema ListUsersResponse would be the Go type ListUsersResponse, which oapi-codegen derives from operation ListUsers",
		`would all be the Go field ID: "id" keeps it, and by the rule "ID" is ID2`,
		"would be ListUsersIter, a method the name ListUsers of GET /users (operationId list_users) gives already; named ListUsersIterOp by the rule",
	},
	"collision_op_names": {"named CreateThingWithBodyOp by the rule"},
	"webhooks":           {"the document declares webhooks (deviceChanged): their payloads are types"},
	"binary":             {"2 string fields of format \"binary\" (or contentMediaType application/octet-stream) inside JSON bodies are Go strings"},
	"nullable_union":     {`the union at Drawing.layers[] is named Highlight by the rule, over names as common (ByNameItem, LayersItem)`},
	"method_suffix":      {"the rule gives 3 operations the name RequestData: by their paths and methods, POST /request-data (operationId request_data_request_data_post) is RequestDataPost, PUT /request-data (operationId request_data_request_data_put) is RequestDataPut"},
	"handwritten_clash": { // the hand-written methods' lines are left out: they move as semantics_*.go change
		`schema ElectricVehicleOutput: property "kind" would be the Go field Kind, which api/semantics_actions.go:`,
		`declares by hand as a method of ElectricVehicleOutput; named KindField2 by the rule`,
		`schema ElectricVehicleOutput: property "healthy" (of schema DeviceBase, which it takes in by allOf) would be the Go field Healthy, which api/semantics_actions.go:`,
		`schema StatisticsOutput: property "err" would be the Go field Err, which api/semantics_inband.go:`,
		`declares by hand as a method of StatisticsOutput; named ErrField by the rule`,
		`POST /api/partners/v2.0/cues/{cue_id}/resolve: query parameter "format" would be the Go field Format of ResolveCueParams, which api/semantics_actions.go:`,
		`header parameter "String" would be the Go field String of ResolveCueParams`,
	},
	"problem_json":       {"declares 2 JSON media types (application/json, application/problem+json): Error.Payload decodes its body as the application/json one's"},
	"param_schema_clash": {"component parameter Cursor would be the Go type Cursor, which is the Go type of schema Cursor; named CursorParameter by the rule"},
	"decimal": {
		"6 decimal fields (anyOf [number, string with a pattern], pydantic's Decimal) are json.Number in Go",
		"schema PriceIn (#/components/schemas/PriceIn/properties/note) has a pattern Go's regexp cannot compile (invalid or unsupported Perl syntax: `(?!`)",
	},
}

type corpusDoc struct {
	Name  string // the file name without .json
	Path  string
	Names string // the document's own operation-name table, if any
	Data  []byte
}

func corpusDocs(t testing.TB) []corpusDoc {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(corpusDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no corpus documents")
	}
	var only *regexp.Regexp // PODERO_CORPUS_ONLY: the documents whose names match, for a targeted run
	if re := os.Getenv("PODERO_CORPUS_ONLY"); re != "" {
		if only, err = regexp.Compile(re); err != nil {
			t.Fatalf("PODERO_CORPUS_ONLY: %v", err)
		}
	}
	var docs []corpusDoc
	for _, path := range paths {
		if only != nil && !only.MatchString(strings.TrimSuffix(filepath.Base(path), ".json")) {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		d := corpusDoc{Name: strings.TrimSuffix(filepath.Base(path), ".json"), Path: path, Data: data}
		if names := strings.TrimSuffix(path, ".json") + ".names.txt"; fileExists(names) {
			d.Names = names
		}
		docs = append(docs, d)
	}
	for name := range corpusRefusals {
		if only != nil && !only.MatchString(name) {
			continue
		}
		if !slices.ContainsFunc(docs, func(d corpusDoc) bool { return d.Name == name }) {
			t.Errorf("corpusRefusals lists %s, which %s does not have", name, corpusDir)
		}
	}
	return docs
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// generateCorpusDoc runs the pipeline on one document as update-spec would
// take it into this repository, once per test binary: TestCorpus and
// TestCorpusBuild check the same result.
func generateCorpusDoc(d corpusDoc) (*result, error) {
	v, _ := corpusResults.LoadOrStore(d.Path, &corpusResult{})
	r := v.(*corpusResult)
	r.once.Do(func() {
		var opts genOptions
		if d.Names != "" {
			opts.NameTables = []string{d.Names}
		}
		r.res, r.err = generateWith("..", pin{File: "openapi.json", SHA256: sha256Hex(d.Data), Source: d.Path}, d.Data, opts)
	})
	return r.res, r.err
}

type corpusResult struct {
	once sync.Once
	res  *result
	err  error
}

var corpusResults sync.Map // document path -> *corpusResult

// needCorpus skips t unless PODERO_CORPUS is set (make test-corpus, which
// CI runs beside make test): the corpus is gen's test against documents it
// was not written for, and it would double the time of gen's tests in the
// everyday loop. Run it when you change gen.
func needCorpus(t *testing.T) {
	t.Helper()
	if os.Getenv("PODERO_CORPUS") == "" {
		t.Skip("set PODERO_CORPUS=1 (make test-corpus) to run the corpus")
	}
}

var (
	pinnedOnce sync.Once
	pinnedRes  *result
	pinnedErr  error
)

// pinnedResult is the pipeline's result for the pinned spec, generated once
// per test binary.
func pinnedResult(t testing.TB) *result {
	t.Helper()
	pinnedOnce.Do(func() { pinnedRes, pinnedErr = generate("..") })
	if pinnedErr != nil {
		t.Fatal(pinnedErr)
	}
	return pinnedRes
}

// TestCorpus: every document generates Go that is formatted and declares
// no identifier twice, or is refused as corpusRefusals says; the spec
// server's samples of its schemas conform to them; and the update report
// from our spec to it calls nothing breaking that the Go API diff does not
// confirm.
func TestCorpus(t *testing.T) {
	needCorpus(t)
	pinned := pinnedResult(t)
	for _, d := range corpusDocs(t) {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel() // generation takes turns (genMu); the reports need not
			res, err := generateCorpusDoc(d)
			if want, refused := corpusRefusals[d.Name]; refused {
				if err == nil {
					t.Fatalf("generated a client; want a refusal saying %q", want)
				}
				for _, w := range want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("the refusal does not say %q:\n%v", w, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for name, src := range res.Files {
				if !strings.HasSuffix(name, ".go") {
					continue
				}
				if formatted, err := format.Source(src); err != nil || !bytes.Equal(formatted, src) {
					t.Errorf("%s is not gofmt-formatted (%v)", name, err)
				}
			}
			for _, n := range res.Notes {
				t.Logf("note: %s", n)
			}
			for _, want := range corpusNotes[d.Name] {
				if !slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, want) }) {
					t.Errorf("no note says %q", want)
				}
			}
			// The spec server's samples of every schema conform to it, as
			// the server that the conformance test runs against serves the
			// document (a false failure there would hide a real one).
			doc, err := specserver.LoadDoc(res.Prepared)
			if err != nil {
				t.Fatal(err)
			}
			for _, problem := range specserver.SamplesConform(doc) {
				t.Errorf("the spec server's sample: %s", problem)
			}
			rep, err := buildReport(pinnedSpecBytes(t), pinned, d.Data, res)
			if err != nil {
				t.Fatal(err)
			}
			if os.Getenv("PODERO_CORPUS_REPORT") != "" {
				t.Logf("the update report from our spec:\n%s", changelogEntry("today", d.Path, pinned.Pin, pin{File: "openapi.json", SHA256: sha256Hex(d.Data)}, rep))
			}
			for _, c := range rep.Breaking {
				if !c.Confirmed {
					t.Errorf("the report calls %s%s (%s) breaking, which the Go API diff does not confirm", where(c), c.Text, c.ID)
				}
			}
		})
	}
}

// buildDir is where TestCorpusBuild writes the clients, inside this module
// so that one go command builds them all with the module's dependencies.
const buildDir = "testdata/build"

// TestCorpusBuild writes a client for every document gen accepts and runs
// gofmt (in memory), go vet (which builds them and their tests) and the
// generic conformance test on all of them, in one go vet and one go test.
// It runs when PODERO_CORPUS is set: `make test-corpus`.
func TestCorpusBuild(t *testing.T) {
	needCorpus(t)
	start := time.Now()
	if err := os.RemoveAll(buildDir); err != nil {
		t.Fatal(err)
	}
	runtime, err := runtimeFiles("..")
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []string
	for _, d := range corpusDocs(t) {
		if _, refused := corpusRefusals[d.Name]; refused {
			continue
		}
		res, err := generateCorpusDoc(d)
		if err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
		pkg := goPackageName(d.Name)
		dir := filepath.Join(buildDir, pkg)
		for name, data := range runtime {
			writeFile(t, dir, name, data)
		}
		for name, data := range res.Files {
			switch {
			case name == pinnedCopy:
				continue
			case strings.HasPrefix(name, apiDir+"/"):
				writeFile(t, dir, strings.TrimPrefix(name, apiDir+"/"), data)
			default:
				t.Fatalf("%s: gen writes %s, outside %s/", d.Name, name, apiDir)
			}
		}
		writeFile(t, dir, "openapi.json", res.Prepared)
		writeFile(t, dir, "zero_test.go", []byte(zeroHelper))
		pkgs = append(pkgs, pkg)
	}
	writeFile(t, buildDir, "all/corpus_test.go", corpusTestSource(pkgs))
	t.Logf("generated %d packages in %v", len(pkgs), time.Since(start).Round(time.Millisecond))

	var paths []string
	for _, p := range append(pkgs, "all") {
		paths = append(paths, "./"+filepath.ToSlash(filepath.Join("gen", buildDir, p)))
	}
	for _, args := range [][]string{append([]string{"vet"}, paths...), {"test", "-count=1", "./gen/" + buildDir + "/all"}} {
		start := time.Now()
		cmd := exec.Command("go", args...)
		cmd.Dir = ".."
		out, err := cmd.CombinedOutput()
		t.Logf("go %s: %v\n%s", args[0], time.Since(start).Round(time.Millisecond), out)
		if err != nil {
			t.Fatalf("go %s: %v", args[0], err)
		}
	}
}

// runtimeFiles are the hand-written files of package api that the
// generated code needs beside it, by name: all but its go:generate line and
// Podero's own semantics (semantics_*.go: waiters, dashboard helpers, cues,
// trading), which are written against Podero's operations and models.
func runtimeFiles(root string) (map[string][]byte, error) {
	hw, err := handWrittenFiles(root)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for path, data := range hw {
		if name := filepath.Base(path); name != "generate.go" && !strings.HasPrefix(name, "semantics_") {
			out[name] = data
		}
	}
	return out, nil
}

func goPackageName(doc string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(doc))
}

// zeroHelper is the helper the generated getters test calls, which package
// api declares in a hand-written test file.
const zeroHelper = `package api

import (
	"reflect"
	"testing"
)

func wantZero(t *testing.T, getter string, v any) {
	t.Helper()
	if rv := reflect.ValueOf(v); rv.IsValid() && !rv.IsZero() {
		t.Errorf("(nil).%s() = %v, want the zero value", getter, v)
	}
}
`

// corpusTestSource is the one test package that runs the conformance test
// on every corpus client, so that one test binary is linked for all.
func corpusTestSource(pkgs []string) []byte {
	var b strings.Builder
	b.WriteString("// Code generated by gen's TestCorpusBuild; DO NOT EDIT.\n\npackage all_test\n\nimport (\n\t\"context\"\n\t\"net/http\"\n\t\"os\"\n\t\"testing\"\n\n\t\"github.com/google/uuid\"\n\t\"golang.org/x/oauth2\"\n\n")
	for _, p := range pkgs {
		fmt.Fprintf(&b, "\tc_%s \"github.com/podero-go/podero/gen/testdata/build/%s\"\n", p, p)
	}
	b.WriteString("\t\"github.com/podero-go/podero/internal/conformance\"\n\t\"github.com/podero-go/podero/internal/specserver\"\n)\n\n")
	b.WriteString(`func spec(t *testing.T, pkg string) conformance.Package {
	data, err := os.ReadFile("../" + pkg + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := specserver.LoadDoc(data)
	if err != nil {
		t.Fatal(err)
	}
	return conformance.Package{Doc: doc}
}

func tokens(token string) oauth2.TokenSource {
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token})
}

func bearer(token string) func(context.Context, *http.Request) error {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
}
`)
	for _, p := range pkgs {
		fmt.Fprintf(&b, `
func Test_%[1]s(t *testing.T) {
	p := spec(t, %[1]q)
	p.Operations = conformance.Operations(c_%[1]s.Operations)
	p.NewRaw = func(server, token string) (any, error) {
		return c_%[1]s.NewClientWithResponses(server, c_%[1]s.WithRequestEditorFn(bearer(token)))
	}
	p.NewPartner = func(server string, org uuid.UUID, token string) (any, error) {
		return c_%[1]s.New(c_%[1]s.Config{BaseURL: server, OrgID: org, TokenSource: tokens(token)})
	}
	p.ResponseInfo = func() (any, func() (int, int)) {
		var info c_%[1]s.ResponseInfo
		return c_%[1]s.WithResponseInfo(&info), func() (int, int) { return info.StatusCode, info.Attempts }
	}
	p.Paginated = c_%[1]s.Paginated
	conformance.Run(t, p)
}
`, p)
	}
	src, err := format.Source([]byte(b.String()))
	if err != nil {
		panic(fmt.Sprintf("corpus test: %v\n%s", err, b.String()))
	}
	return src
}
