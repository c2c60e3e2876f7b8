package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The operation the update tests add to the spec, and the name the rule
// gives it (the name table does not list it).
const (
	widgetsPath = "/api/partners/v2.0/org/{org_id}/users/{user_id}/widgets"
	widgetsID   = "integrations_api_api_v2_organizations_users_widgets_router_list_widgets"
)

// moduleCopy copies the working tree into a temporary directory for update
// tests to change: the files git tracks or would track (or, without git,
// every file), minus gen's Go code, which runs in-process and is not part of
// what update-spec builds or writes.
func moduleCopy(t *testing.T) string {
	t.Helper()
	return copyTree(t, func(string) bool { return true })
}

// specCopy is moduleCopy of what update-spec reads and writes, for the tests
// that do not build: the spec, its pin and CHANGELOG.md, gen's tables, and
// package api's configuration and files (with the generated ones, since
// update-spec replaces them). It is a fifth of the tree.
func specCopy(t *testing.T) string {
	t.Helper()
	return copyTree(t, func(f string) bool {
		switch dir := filepath.Dir(f); {
		case dir == ".":
			return f == "openapi.json" || f == pinFile || f == changelogFile || f == "go.mod"
		case dir == "gen":
			return strings.HasSuffix(f, ".txt")
		case dir == apiDir:
			return !strings.HasSuffix(f, "_test.go") || filepath.ToSlash(f) == gettersTestFile
		}
		return filepath.ToSlash(f) == pinnedCopy
	})
}

var (
	treeOnce  sync.Once
	treeFiles map[string][]byte // the working tree, read once
	treeErr   error
)

func copyTree(t *testing.T, keep func(string) bool) string {
	t.Helper()
	treeOnce.Do(func() { treeFiles, treeErr = readTree() })
	if treeErr != nil {
		t.Fatal(treeErr)
	}
	dst := t.TempDir()
	for f, data := range treeFiles {
		if !keep(f) {
			continue
		}
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// readTree reads the files moduleCopy copies.
func readTree() (map[string][]byte, error) {
	src, err := filepath.Abs("..")
	if err != nil {
		return nil, err
	}
	var files []string
	if out, err := exec.Command("git", "-C", src, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output(); err == nil {
		for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
			files = append(files, filepath.FromSlash(f))
		}
	} else {
		err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				if d != nil && d.Name() == ".git" {
					return filepath.SkipDir
				}
				return err
			}
			rel, err := filepath.Rel(src, path)
			files = append(files, rel)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	tree := map[string][]byte{}
	for _, f := range files {
		if filepath.Dir(f) == "gen" && strings.HasSuffix(f, ".go") || strings.HasPrefix(filepath.ToSlash(f), "gen/testdata/") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, f))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the working tree
		}
		if err != nil {
			return nil, err
		}
		tree[f] = data
	}
	return tree, nil
}

// treeHashes returns the SHA-256 of every file under root, by path.
func treeHashes(t *testing.T, root string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		rel, _ := filepath.Rel(root, path)
		sums[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

func assertTreeUnchanged(t *testing.T, before, after map[string]string) {
	t.Helper()
	for path, sum := range before {
		switch got, ok := after[path]; {
		case !ok:
			t.Errorf("%s was removed", path)
		case got != sum:
			t.Errorf("%s was changed", path)
		}
	}
	for path := range after {
		if _, ok := before[path]; !ok {
			t.Errorf("%s was created", path)
		}
	}
}

// serveSpec serves body as JSON on a loopback test server and counts the
// requests.
func serveSpec(t *testing.T, status int, contentType string, body []byte) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// pinnedSpecTree is the repository's openapi.json as a JSON tree to edit.
func pinnedSpecTree(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(pinnedSpecBytes(t), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func encodeSpecTree(t *testing.T, doc map[string]any) []byte {
	t.Helper()
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// specObj walks doc by keys to a JSON object.
func specObj(t *testing.T, doc map[string]any, keys ...string) map[string]any {
	t.Helper()
	m := doc
	for _, k := range keys {
		next, ok := m[k].(map[string]any)
		if !ok {
			t.Fatalf("spec has no object at %v", keys)
		}
		m = next
	}
	return m
}

// widgetsSpec is the pinned spec with one operation added (GET .../widgets,
// a copy of GET user that answers a list) and one optional response field
// removed (UserOutput.first_name).
func widgetsSpec(t *testing.T) []byte {
	t.Helper()
	doc := addWidgets(t, pinnedSpecTree(t))
	user := specObj(t, doc, "components", "schemas", "UserOutput")
	props := specObj(t, user, "properties")
	if _, ok := props["first_name"]; !ok {
		t.Fatal("UserOutput has no first_name to remove")
	}
	delete(props, "first_name")
	return encodeSpecTree(t, doc)
}

// addWidgets adds GET .../widgets to doc.
func addWidgets(t *testing.T, doc map[string]any) map[string]any {
	t.Helper()
	paths := specObj(t, doc, "paths")
	getUser, err := json.Marshal(specObj(t, paths, "/api/partners/v2.0/org/{org_id}/users/{user_id}", "get"))
	if err != nil {
		t.Fatal(err)
	}
	var op map[string]any
	if err := json.Unmarshal(getUser, &op); err != nil {
		t.Fatal(err)
	}
	op["operationId"] = widgetsID
	op["summary"] = "List a user's widgets"
	specObj(t, op, "responses", "200", "content", "application/json")["schema"] = map[string]any{
		"type": "array", "items": map[string]any{"$ref": "#/components/schemas/UserOutput"},
	}
	paths[widgetsPath] = map[string]any{"get": op}
	return doc
}

var updateTestDate = func() time.Time { return time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC) }

func updateOpts(root, url string) updateOptions {
	return updateOptions{Root: root, URL: url, Timeout: 30 * time.Second, MaxBytes: defaultMaxSpecSize, Now: updateTestDate}
}

func failIfBuilt(t *testing.T) func(context.Context, string) error {
	return func(context.Context, string) error {
		t.Error("the build ran, but the update should have stopped before writing")
		return nil
	}
}

// TestUpdateSpecNewOperationAndRemovedField takes a spec with one operation
// more and one response field less, then takes it again (nothing to do).
// The build is a stub: hand-written code may well use the removed field (a
// real update would then be rolled back); TestUpdateSpecBuilds runs the
// real one.
func TestUpdateSpecNewOperationAndRemovedField(t *testing.T) {
	t.Parallel() // generation takes turns (genMu)
	root := specCopy(t)
	spec := widgetsSpec(t)
	srv, _ := serveSpec(t, http.StatusOK, "application/json", spec)
	url := srv.URL + "/api/partners/v2.0/openapi.json"

	var out bytes.Buffer
	o := updateOpts(root, url)
	built := 0
	o.Build = func(context.Context, string) error { built++; return nil }
	if err := updateSpec(context.Background(), o, &out); err != nil {
		t.Fatalf("update: %v\n%s", err, out.String())
	}
	if built != 1 {
		t.Errorf("the build ran %d times, want once", built)
	}
	report := out.String()
	t.Logf("update-spec output:\n%s", report)

	// The spec is replaced and pinned, with its source.
	if got, err := os.ReadFile(filepath.Join(root, "openapi.json")); err != nil || !bytes.Equal(got, spec) {
		t.Errorf("openapi.json is not the downloaded spec (err %v)", err)
	}
	p, err := readPin(filepath.Join(root, pinFile))
	if err != nil {
		t.Fatal(err)
	}
	if p.SHA256 != sha256Hex(spec) || p.Source != url || p.Note != "Fetched from "+url+"." {
		t.Errorf("pin = %+v; want sha256 %s, source and note naming %s", p, sha256Hex(spec), url)
	}

	// The client is regenerated: the new operation is there, the removed
	// field is gone, and the committed code is what the new pin gives.
	code, err := os.ReadFile(filepath.Join(root, "api", "podero.gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"func (c *ClientWithResponses) ListWidgetsWithResponse(", "type ListWidgetsResponse struct", "Podero operationId: " + widgetsID} {
		if !bytes.Contains(code, []byte(want)) {
			t.Errorf("api/podero.gen.go lacks %q", want)
		}
	}
	ids, err := exportedIdentifiers(map[string][]byte{"podero.gen.go": code})
	if err != nil {
		t.Fatal(err)
	}
	_, hasFirst := ids["UserOutput.FirstName"]
	_, hasLast := ids["UserOutput.LastName"]
	if hasFirst || !hasLast {
		t.Errorf("UserOutput.FirstName should be gone and UserOutput.LastName still there")
	}
	if ops, err := os.ReadFile(filepath.Join(root, operationsFile)); err != nil || !bytes.Contains(ops, []byte(`const SpecSHA256 = "`+sha256Hex(spec)+`"`)) {
		t.Errorf("%s does not carry the new hash (err %v)", operationsFile, err)
	}
	if err := checkGenerated(root, &bytes.Buffer{}); err != nil {
		t.Errorf("after the update, generate -check fails: %v", err)
	}

	// The report names the addition and the rule-made name, and flags the
	// removed field as breaking, in both the spec and the Go API.
	for _, want := range []string{
		"1 operation added, 0 removed,",
		"### Operations added\n\n- `GET " + widgetsPath + "` ListWidgets (" + widgetsID + ")",
		"### Breaking changes\n",
		"- `GET /api/partners/v2.0/org/{org_id}/users/{user_id}` GetUser: removed the optional property `first_name` from the response with the `200` status (warning, response-optional-property-removed)",
		"- `GET " + widgetsPath + "` (" + widgetsID + "): not in gen/operation_names.txt; named ListWidgets by the rule — add a better name there",
		"- removed (breaks code that uses them): `UserOutput.FirstName`, `UserOutput.GetFirstName`\n",
		"`ClientWithResponses.ListWidgetsWithResponse`",
		"`PartnerClient.ListWidgets`",
		"`ListWidgetsResponse`",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q", want)
		}
	}

	// CHANGELOG.md has the dated entry under its title.
	log, err := os.ReadFile(filepath.Join(root, changelogFile))
	if err != nil {
		t.Fatal(err)
	}
	oldPin, err := readPin(filepath.Join("..", pinFile))
	if err != nil {
		t.Fatal(err)
	}
	entry := "## 2026-01-02: spec update\n\n- Source: " + url + "\n- openapi.json sha256: `" + oldPin.SHA256[:12] + "` → `" + sha256Hex(spec)[:12] + "`\n"
	if !strings.HasPrefix(string(log), "# Changelog\n") || !strings.Contains(string(log), entry) {
		t.Errorf("CHANGELOG.md lacks the entry %q:\n%s", entry, log)
	}

	// The same spec again: nothing to do, nothing written.
	before := treeHashes(t, root)
	out.Reset()
	o.Build = failIfBuilt(t)
	if err := updateSpec(context.Background(), o, &out); err != nil {
		t.Fatal(err)
	}
	if want := "spec unchanged: sha256 " + sha256Hex(spec); !strings.Contains(out.String(), want) {
		t.Errorf("second update says %q; want it to contain %q", out.String(), want)
	}
	assertTreeUnchanged(t, before, treeHashes(t, root))
}

// TestUpdateSpecReportsGoTypeChanges: a request field that stops being
// nullable changes its Go type from nullable.Nullable[string] to *string
// (and its getter's stays string), which breaks code that calls
// .FirstName.Set(). oasdiff counts the change as harmless for HTTP clients;
// the report must call it breaking and show the type change in its Go API
// section.
func TestUpdateSpecReportsGoTypeChanges(t *testing.T) {
	t.Parallel() // generation takes turns (genMu)
	root := specCopy(t)
	doc := pinnedSpecTree(t)
	props := specObj(t, doc, "components", "schemas", "UserUpdateInput", "properties")
	if _, ok := specObj(t, props, "first_name")["anyOf"]; !ok {
		t.Fatal("UserUpdateInput.first_name is not an anyOf with null")
	}
	props["first_name"] = map[string]any{"type": "string", "title": "First Name"}
	srv, _ := serveSpec(t, http.StatusOK, "application/json", encodeSpecTree(t, doc))
	o := updateOpts(root, srv.URL)
	o.DryRun, o.Build = true, failIfBuilt(t)
	var out bytes.Buffer
	if err := updateSpec(context.Background(), o, &out); err != nil {
		t.Fatalf("update: %v\n%s", err, out.String())
	}
	report := out.String()
	t.Logf("update-spec output:\n%s", report)
	for _, want := range []string{
		", 1 breaking Go API change.\n",
		"### Breaking changes\n",
		"- Go API: 1 identifier changed, 0 removed; see Go API below\n",
		"  - BREAKING: ",
		"### Go API (package api)\n\n- changed (breaks code that uses them):\n" +
			"  - `UserUpdateInput.FirstName`: `nullable.Nullable[string]` → `*string`\n",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(report, "removed (breaks code") || strings.Contains(report, "- added:") {
		t.Error("the report lists Go identifiers as added or removed; only one changed")
	}
}

// TestUpdateSpecIgnoresGeneratedFilesOnDisk: the Go API section compares
// code generated from the pinned spec with code generated from the new one,
// so a stale or hand-edited generated file does not show up in it.
func TestUpdateSpecIgnoresGeneratedFilesOnDisk(t *testing.T) {
	t.Parallel() // generation takes turns (genMu)
	root := specCopy(t)
	path := filepath.Join(root, filepath.FromSlash(errorsFile))
	code, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	code = append(code, "\n// StrayHelper was added by hand.\nfunc StrayHelper() {}\n"...)
	if err := os.WriteFile(path, code, 0o644); err != nil {
		t.Fatal(err)
	}
	srv, _ := serveSpec(t, http.StatusOK, "application/json", widgetsSpec(t))
	o := updateOpts(root, srv.URL)
	o.DryRun, o.Build = true, failIfBuilt(t)
	var out bytes.Buffer
	if err := updateSpec(context.Background(), o, &out); err != nil {
		t.Fatalf("update: %v\n%s", err, out.String())
	}
	report := out.String()
	if strings.Contains(report, "StrayHelper") {
		t.Errorf("the report shows the hand-added StrayHelper:\n%s", report)
	}
	for _, want := range []string{"- removed (breaks code that uses them): `UserOutput.FirstName`, `UserOutput.GetFirstName`\n", "`ListWidgetsResponse`"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}

// TestUpdateSpecRecordsURLWithoutQuery: a signed URL is downloaded whole,
// but its query and fragment are neither printed nor recorded.
func TestUpdateSpecRecordsURLWithoutQuery(t *testing.T) {
	t.Parallel() // generation takes turns (genMu)
	root := specCopy(t)
	spec := widgetsSpec(t)
	var gotQuery atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotQuery.Store(r.URL.RawQuery)
		w.Write(spec)
	}))
	defer srv.Close()
	const query = "token=s3cr3t&X-Amz-Signature=5ign"
	o := updateOpts(root, srv.URL+"/openapi.json?"+query+"#fr4gment")
	o.Build = func(context.Context, string) error { return nil }
	var out bytes.Buffer
	if err := updateSpec(context.Background(), o, &out); err != nil {
		t.Fatalf("update: %v\n%s", err, out.String())
	}
	if got, _ := gotQuery.Load().(string); got != query {
		t.Errorf("the server got query %q, want %q", got, query)
	}
	want := srv.URL + "/openapi.json"
	if p, err := readPin(filepath.Join(root, pinFile)); err != nil || p.Source != want || p.Note != "Fetched from "+want+"." {
		t.Errorf("pin = %+v (err %v); want source %s", p, err, want)
	}
	if !strings.Contains(out.String(), "gen: downloading "+want+" (the URL's query and fragment are not shown, and not recorded in openapi.pin.json or CHANGELOG.md)\n") {
		t.Errorf("output does not say that the query is left out:\n%s", out.String())
	}
	log, err := os.ReadFile(filepath.Join(root, changelogFile))
	if err != nil || !strings.Contains(string(log), "- Source: "+want+"\n") {
		t.Errorf("CHANGELOG.md lacks the source %s (err %v)", want, err)
	}
	for name, text := range map[string]string{"output": out.String(), "CHANGELOG.md": string(log), pinFile: string(readFile(t, root, pinFile))} {
		for _, secret := range []string{"s3cr3t", "5ign", "fr4gment"} {
			if strings.Contains(text, secret) {
				t.Errorf("%s shows %q", name, secret)
			}
		}
	}
}

// TestUpdateSpecErrorsHideURLQuery: errors name the URL without its query,
// whether the request, a redirect or the URL itself fails.
func TestUpdateSpecErrorsHideURLQuery(t *testing.T) {
	t.Parallel()
	redirect := httptest.NewServer(http.RedirectHandler("http://podero.example/openapi.json?X-Amz-Signature=secret", http.StatusFound))
	t.Cleanup(redirect.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	pinned := pinnedSpecBytes(t)
	for _, tc := range []struct {
		name, url, want string
		status          int
		body            []byte
		maxBytes        int64
	}{
		{name: "server error", status: 500, body: []byte("nope"), want: "/openapi.json failed with HTTP status 500"},
		{name: "too large", status: 200, body: pinned, maxBytes: 1000, want: "/openapi.json is larger than 1000 bytes"},
		{name: "not a spec", status: 200, body: []byte("<html></html>"), want: "the spec from http://127.0.0.1:"},
		{name: "redirect", url: redirect.URL + "/?token=secret", want: "redirected to http://podero.example/openapi.json: refusing plain http://"},
		{name: "refused connection", url: closed.URL + "/openapi.json?token=secret", want: `download failed: Get "` + closed.URL + `/openapi.json": `},
		{name: "plain http", url: "http://podero.example/openapi.json?token=secret", want: "refusing plain http:// to podero.example"},
		{name: "credentials", url: "https://user:secret@podero.example/openapi.json?token=secret", want: "spec URL https://user:xxxxx@podero.example/openapi.json carries credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := specCopy(t)
			url := tc.url
			if url == "" {
				srv, _ := serveSpec(t, tc.status, "application/json", tc.body)
				url = srv.URL + "/openapi.json?token=secret#secret"
			}
			o := updateOpts(root, url)
			o.Build = failIfBuilt(t)
			if tc.maxBytes > 0 {
				o.MaxBytes = tc.maxBytes
			}
			var out bytes.Buffer
			err := updateSpec(context.Background(), o, &out)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v; want it to contain %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q shows the URL's secret", err)
			}
			if strings.Contains(out.String(), "secret") {
				t.Errorf("output %q shows the URL's secret", out.String())
			}
		})
	}
}

func readFile(t *testing.T, root, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestUpdateSpecBuilds takes a spec with one operation more through the
// real build (go build ./... and go vet ./api/... in a copy of the working
// tree, so it fails if the working tree does not build). It builds twice,
// half of gen's tests' time, so it runs with the corpus (make test-corpus).
//
// First it takes a spec that breaks hand-written code (BuildingOutput loses
// name, whose getter examples/quickstart calls): the real build fails, the
// files are restored, and the error says which file and identifier break
// and how to take the spec anyway (KEEP_BROKEN). With -keep-broken the same
// failure keeps the new files. The spec that builds has properties named
// like hand-written methods of their types (a kind on a device output).
func TestUpdateSpecBuilds(t *testing.T) {
	if os.Getenv("PODERO_CORPUS") == "" {
		t.Skip("set PODERO_CORPUS=1 (make test-corpus) to run go build and go vet in a copy of the repository")
	}
	t.Parallel()
	root := moduleCopy(t)
	breaking := pinnedSpecTree(t)
	delete(specObj(t, breaking, "components", "schemas", "BuildingOutput", "properties"), "name")
	srvBreak, _ := serveSpec(t, http.StatusOK, "application/json", encodeSpecTree(t, breaking))
	before := treeHashes(t, root)
	o := updateOpts(root, srvBreak.URL)
	o.Build = goBuild
	err := updateSpec(context.Background(), o, &bytes.Buffer{})
	if err == nil {
		t.Fatal("a spec that breaks examples/quickstart built")
	}
	for _, want := range []string{
		"the build failed with the new spec, so the previous files are restored",
		"The new spec breaks hand-written code in examples/quickstart/journey.go, which uses BuildingOutput.GetName:\n",
		"  examples/quickstart/journey.go:161: BuildingOutput.GetName: ",
		"`make update-spec KEEP_BROKEN=1` (gen update-spec -keep-broken)",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}
	assertTreeUnchanged(t, before, treeHashes(t, root))
	// -keep-broken: the same failure (without building again) keeps the files.
	buildErr := errors.New(err.Error()[strings.Index(err.Error(), "go build"):])
	o.KeepBroken = true
	o.Build = func(context.Context, string) error { return buildErr }
	var out bytes.Buffer
	err = updateSpec(context.Background(), o, &out)
	if err == nil || !strings.Contains(err.Error(), "The new files are kept, as -keep-broken asks") || !strings.Contains(out.String(), "kept the new files") {
		t.Errorf("-keep-broken: %v\n%s", err, out.String())
	}
	if p, err := readPin(filepath.Join(root, pinFile)); err != nil || p.SHA256 != sha256Hex(encodeSpecTree(t, breaking)) {
		t.Errorf("-keep-broken did not pin the new spec: %+v, %v", p, err)
	}
	if code := readFile(t, root, "api/podero.gen.go"); bytes.Contains(code, []byte("BuildingOutput struct {\n\t// Name")) {
		t.Error("-keep-broken did not write the new code")
	}

	// The spec that builds also has properties named like methods that
	// semantics_*.go declares by hand on their types (see
	// handWrittenClashSpec): a live spec may well bring a kind.
	var grown map[string]any
	if err := json.Unmarshal(handWrittenClashSpec(t), &grown); err != nil {
		t.Fatal(err)
	}
	spec := encodeSpecTree(t, addWidgets(t, grown))
	srv, _ := serveSpec(t, http.StatusOK, "application/json", spec)
	o = updateOpts(root, srv.URL)
	o.Build = goBuild
	out.Reset()
	if err := updateSpec(context.Background(), o, &out); err != nil {
		t.Fatalf("update: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "gen: building: go build ./... && go vet ./api/...") {
		t.Errorf("output does not mention the build:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "named KindField by the rule") {
		t.Errorf("the report does not say how the kind property is named:\n%s", out.String())
	}
	if code, err := os.ReadFile(filepath.Join(root, "api", "podero.gen.go")); err != nil || !bytes.Contains(code, []byte("ListWidgetsWithResponse")) {
		t.Errorf("api/podero.gen.go lacks ListWidgetsWithResponse (err %v)", err)
	}
	if p, err := readPin(filepath.Join(root, pinFile)); err != nil || p.SHA256 != sha256Hex(spec) {
		t.Errorf("pin = %+v (err %v), want sha256 %s", p, err, sha256Hex(spec))
	}
}

// TestUpdateSpecUnchanged serves the pinned spec: nothing is written, not
// even CHANGELOG.md, and the report says so. The download identifies itself.
func TestUpdateSpecUnchanged(t *testing.T) {
	t.Parallel()
	root := specCopy(t)
	data, err := os.ReadFile(filepath.Join(root, "openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ua atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua.Store(r.UserAgent())
		w.Write(data)
	}))
	defer srv.Close()
	before := treeHashes(t, root)
	var out bytes.Buffer
	o := updateOpts(root, srv.URL)
	o.Build = failIfBuilt(t)
	if err := updateSpec(context.Background(), o, &out); err != nil {
		t.Fatal(err)
	}
	if want := "gen: spec unchanged: sha256 " + sha256Hex(data); !strings.Contains(out.String(), want) {
		t.Errorf("output %q lacks %q", out.String(), want)
	}
	assertTreeUnchanged(t, before, treeHashes(t, root))
	if got, _ := ua.Load().(string); got != userAgent {
		t.Errorf("User-Agent = %q, want %q", got, userAgent)
	}
}

// TestUpdateSpecRefusesBadSpecs: every failure leaves the repository
// byte-identical and says what was wrong.
func TestUpdateSpecRefusesBadSpecs(t *testing.T) {
	t.Parallel()
	pinned := pinnedSpecBytes(t)
	invalid := pinnedSpecTree(t)
	delete(specObj(t, invalid, "info"), "version")
	badRef := pinnedSpecTree(t)
	specObj(t, badRef, "components", "schemas", "UserOutput", "properties")["email"] = map[string]any{"$ref": "#/components/schemas/NoSuchSchema"}
	badName := pinnedSpecTree(t)
	specObj(t, badName, "paths")[widgetsPath] = map[string]any{"get": map[string]any{
		"operationId": "___", "responses": map[string]any{"200": map[string]any{"description": "OK"}},
		"parameters": []any{
			map[string]any{"in": "path", "name": "org_id", "required": true, "schema": map[string]any{"type": "string"}},
			map[string]any{"in": "path", "name": "user_id", "required": true, "schema": map[string]any{"type": "string"}},
		},
	}}

	redirect := httptest.NewServer(http.RedirectHandler("http://podero.example/openapi.json", http.StatusFound))
	t.Cleanup(redirect.Close) // after the parallel subtests, unlike defer

	for _, tc := range []struct {
		name        string
		status      int
		contentType string
		body        []byte
		url         string // instead of a server with the above
		maxBytes    int64
		want        string
	}{
		{name: "server error", status: 500, contentType: "text/plain", body: []byte("upstream\nexploded"),
			want: "failed with HTTP status 500 Internal Server Error: upstream exploded\nnothing was written"},
		{name: "not found", status: 404, contentType: "application/json", body: []byte(`{"detail":"Not Found"}`),
			want: "failed with HTTP status 404 Not Found"},
		{name: "HTML", status: 200, contentType: "text/html", body: []byte("<!DOCTYPE html>\n<html><body>Log in</body></html>"),
			want: "is an HTML page, not an OpenAPI document"},
		{name: "truncated", status: 200, contentType: "application/json", body: pinned[:len(pinned)/2],
			want: "is not valid JSON (truncated or corrupt?)"},
		{name: "empty", status: 200, contentType: "application/json", body: nil,
			want: "is empty, not an OpenAPI document"},
		{name: "invalid", status: 200, contentType: "application/json", body: encodeSpecTree(t, invalid),
			want: "is not a valid OpenAPI 3.1.0 document"},
		{name: "dangling ref", status: 200, contentType: "application/json", body: encodeSpecTree(t, badRef),
			want: "cannot be read as an OpenAPI document"},
		{name: "YAML", status: 200, contentType: "application/yaml", body: []byte(yamlSpec),
			want: "is not JSON (YAML?): gen reads only JSON"},
		{name: "unnameable operation", status: 200, contentType: "application/json", body: encodeSpecTree(t, badName),
			want: "generating the client from the spec from http://127.0.0.1"},
		{name: "too large", status: 200, contentType: "application/json", body: pinned, maxBytes: 1000,
			want: "is larger than 1000 bytes (see -max-size)"},
		{name: "redirect to plain http", url: redirect.URL,
			want: "redirected to http://podero.example/openapi.json: refusing plain http:// to podero.example"},
		{name: "plain http", url: "http://podero.example/openapi.json",
			want: "refusing plain http:// to podero.example: use https"},
		{name: "credentials", url: "https://user:secret@podero.example/openapi.json",
			want: "carries credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := specCopy(t)
			url := tc.url
			if url == "" {
				srv, _ := serveSpec(t, tc.status, tc.contentType, tc.body)
				url = srv.URL + "/openapi.json"
			}
			before := treeHashes(t, root)
			o := updateOpts(root, url)
			o.Build = failIfBuilt(t)
			if tc.maxBytes > 0 {
				o.MaxBytes = tc.maxBytes
			}
			var out bytes.Buffer
			err := updateSpec(context.Background(), o, &out)
			t.Logf("error: %v", err)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v; want it to contain %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q shows the password", err)
			}
			assertTreeUnchanged(t, before, treeHashes(t, root))
		})
	}
}

// TestUpdateSpecRestoresAfterFailedBuild: a build that fails after the
// writes puts every file back as it was.
func TestUpdateSpecRestoresAfterFailedBuild(t *testing.T) {
	t.Parallel() // generation takes turns (genMu)
	root := specCopy(t)
	os.Chmod(filepath.Join(root, "openapi.json"), 0o444) // as in a checkout with a read-only spec
	before := treeHashes(t, root)
	srv, _ := serveSpec(t, http.StatusOK, "application/json", widgetsSpec(t))
	o := updateOpts(root, srv.URL)
	var built bool
	o.Build = func(ctx context.Context, dir string) error {
		built = true
		// The build sees the new files.
		if code, err := os.ReadFile(filepath.Join(dir, "api", "podero.gen.go")); err != nil || !bytes.Contains(code, []byte("ListWidgetsWithResponse")) {
			t.Errorf("the build ran before the new code was written (err %v)", err)
		}
		return errors.New("go build ./...: exit status 1\napi/podero.gen.go:1: imagine a compile error")
	}
	var out bytes.Buffer
	err := updateSpec(context.Background(), o, &out)
	if !built {
		t.Fatalf("the build did not run: %v", err)
	}
	if err == nil || !strings.Contains(err.Error(), "the build failed with the new spec, so the previous files are restored") ||
		!strings.Contains(err.Error(), "imagine a compile error") {
		t.Errorf("error = %v; want it to say the build failed, why, and that the files are restored", err)
	}
	assertTreeUnchanged(t, before, treeHashes(t, root))
	if info, err := os.Stat(filepath.Join(root, "openapi.json")); err != nil || info.Mode().Perm() != 0o444 {
		t.Errorf("openapi.json mode after the restore: %v (err %v), want -r--r--r--", info.Mode(), err)
	}
}

// TestUpdateSpecDryRun reports but writes nothing.
func TestUpdateSpecDryRun(t *testing.T) {
	t.Parallel() // generation takes turns (genMu)
	root := specCopy(t)
	before := treeHashes(t, root)
	srv, _ := serveSpec(t, http.StatusOK, "application/json", widgetsSpec(t))
	o := updateOpts(root, srv.URL)
	o.DryRun, o.Build = true, failIfBuilt(t)
	var out bytes.Buffer
	if err := updateSpec(context.Background(), o, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"### Operations added", "ListWidgets", "gen: dry run: nothing written"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry run output lacks %q", want)
		}
	}
	assertTreeUnchanged(t, before, treeHashes(t, root))
}

// TestUpdateSpecCommand runs the subcommand's flags through run.
func TestUpdateSpecCommand(t *testing.T) {
	t.Parallel()
	root := specCopy(t)
	before := treeHashes(t, root)
	var stdout, stderr bytes.Buffer
	err := run([]string{"update-spec", "-root", root, "-url", "http://10.0.0.1/openapi.json", "-timeout", "1s", "-max-size", "100", "-no-build", "-dry-run"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "refusing plain http:// to 10.0.0.1") {
		t.Errorf("err = %v; want plain http to 10.0.0.1 refused", err)
	}
	if err := run([]string{"update-spec", "-bogus"}, &stdout, &stderr); err == nil {
		t.Error("an unknown flag was accepted")
	}
	assertTreeUnchanged(t, before, treeHashes(t, root))
}

func TestCheckSpecURL(t *testing.T) {
	for _, ok := range []string{
		"https://app.podero.com/api/partners/v2.0/openapi.json",
		"HTTPS://app.podero.com/openapi.json",
		"http://127.0.0.1:8080/openapi.json",
		"http://127.9.8.7/openapi.json",
		"http://[::1]:8080/openapi.json",
		"http://localhost/openapi.json",
		"http://LOCALHOST:1234/openapi.json",
	} {
		if _, err := checkSpecURL(ok); err != nil {
			t.Errorf("checkSpecURL(%q) = %v, want ok", ok, err)
		}
	}
	for bad, want := range map[string]string{
		"http://app.podero.com/openapi.json":        "refusing plain http:// to app.podero.com: use https",
		"http://10.0.0.1/openapi.json":              "refusing plain http://",
		"http://localhost.example.com/openapi.json": "refusing plain http://",
		"http://[::2]/openapi.json":                 "refusing plain http://",
		"http://128.0.0.1/openapi.json":             "refusing plain http://",
		"ftp://127.0.0.1/openapi.json":              `scheme "ftp" is not supported`,
		"file:///tmp/openapi.json":                  "has no host",
		"openapi.json":                              "has no host",
		"https://u:p@app.podero.com/openapi.json":   "carries credentials",
		"://nope": "missing protocol scheme",
		// The query may hold a token or signature: no error shows it.
		"http://10.0.0.1/openapi.json?token=secret":            "refusing plain http:// to 10.0.0.1",
		"ftp://127.0.0.1/openapi.json?token=secret":            `spec URL "ftp://127.0.0.1/openapi.json": scheme "ftp" is not supported`,
		"/openapi.json?token=secret":                           `spec URL "/openapi.json" has no host`,
		"https://u:p@app.podero.com/openapi.json?token=secret": "spec URL https://u:xxxxx@app.podero.com/openapi.json carries credentials",
		"https://app.podero.com/%zz?token=secret":              `spec URL "https://app.podero.com/%zz": invalid URL escape "%zz"`,
	} {
		_, err := checkSpecURL(bad)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("checkSpecURL(%q) = %v, want an error containing %q", bad, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("checkSpecURL(%q) = %v, which shows the query", bad, err)
		}
	}
	// A signed URL is fine to download from.
	if _, err := checkSpecURL("https://app.podero.com/openapi.json?X-Amz-Signature=abc"); err != nil {
		t.Errorf("a URL with a query was refused: %v", err)
	}
	for in, want := range map[string]string{
		"https://app.podero.com/openapi.json?token=secret#frag": "https://app.podero.com/openapi.json",
		"https://app.podero.com/openapi.json?":                  "https://app.podero.com/openapi.json",
		"http://127.0.0.1:8080/a%20b/openapi.json":              "http://127.0.0.1:8080/a%20b/openapi.json",
	} {
		u, err := checkSpecURL(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := publicURL(u); got != want {
			t.Errorf("publicURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestUpdateSpecNeedsMatchingPin: the report compares against the pinned
// spec, so an openapi.json that does not match its pin stops the update.
func TestUpdateSpecNeedsMatchingPin(t *testing.T) {
	t.Parallel()
	root := specCopy(t)
	if err := os.WriteFile(filepath.Join(root, "openapi.json"), append(pinnedSpecBytes(t), '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	before := treeHashes(t, root)
	srv, hits := serveSpec(t, http.StatusOK, "application/json", widgetsSpec(t))
	o := updateOpts(root, srv.URL)
	o.Build = failIfBuilt(t)
	err := updateSpec(context.Background(), o, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "openapi.json does not match its pin") {
		t.Errorf("err = %v; want a pin mismatch", err)
	}
	if hits.Load() != 0 {
		t.Error("the spec was downloaded before the pin was checked")
	}
	assertTreeUnchanged(t, before, treeHashes(t, root))
}

func pinnedSpecBytes(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile("../openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	return data
}
