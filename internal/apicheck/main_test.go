package main

import (
	"bytes"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/podero-go/podero/internal/goapi"
)

// scratch is a repository in a temporary directory: files by path.
type scratch struct {
	t   *testing.T
	dir string
}

func newScratch(t *testing.T, files map[string]string) *scratch {
	t.Helper()
	s := &scratch{t, t.TempDir()}
	s.write(files)
	return s
}

func (s *scratch) write(files map[string]string) {
	s.t.Helper()
	for name, content := range files {
		path := filepath.Join(s.dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			s.t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			s.t.Fatal(err)
		}
	}
}

// run runs apicheck on the scratch repository's packages api and oauth.
func (s *scratch) run(args ...string) (string, error) {
	var out bytes.Buffer
	err := run(append(append([]string{"-C", s.dir}, args...), "api", "oauth"), &out)
	return out.String(), err
}

const (
	changelogTitle = "# Changelog\n\nIntro.\n\n"
	unreleased010  = "## v0.1.0 (unreleased)\n\nThe first release.\n"
	apiV010        = "package api\n\n// Hello greets.\nfunc Hello(name string) string { return \"hello \" + name }\n\ntype Config struct{ BaseURL string }\n\n" +
		"type Kind string\n\nconst (\n\tKindEV Kind = \"ev\"\n\tKindHP Kind = \"hp\"\n)\n"
)

// wantErr fails t unless err says want.
func wantErr(t *testing.T, what string, out string, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("%s: err %v, want one saying %q\n%s", what, err, want, out)
	}
}

// TestSnapshotCheck takes a package through what api-check sees: no
// snapshot, one, an addition, a breaking change, its announcement, a
// constant's value, a removed package.
func TestSnapshotCheck(t *testing.T) {
	s := newScratch(t, map[string]string{
		"CHANGELOG.md":    changelogTitle + unreleased010,
		"api/api.go":      apiV010,
		"api/api_test.go": "package api\n\nfunc TestOnly() {}\n", // tests are not API
	})
	out, err := s.run()
	wantErr(t, "no snapshot", out, err, "api.snapshot/ does not record: run make api-snapshot")
	if out, err = s.run("-write"); err != nil {
		t.Fatalf("write: %v\n%s", err, out)
	}
	if out, err = s.run(); err != nil || !strings.Contains(out, "ok: the API is the snapshot's") {
		t.Fatalf("after the snapshot: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(s.dir, "api.snapshot", "api.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Hello\tfunc\tfunc(string) string\n", "KindEV\tconst\tKind\t\"ev\"\n", "Config.BaseURL\tfield\tstring\n"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("api.snapshot/api.txt lacks %q:\n%s", want, data)
		}
	}
	if strings.Contains(string(data), "TestOnly") {
		t.Error("the snapshot has a test function")
	}

	// An addition is not in the snapshot: the check says to record it.
	s.write(map[string]string{"api/more.go": "package api\n\nfunc (c Config) URL() string { return c.BaseURL }\n"})
	out, err = s.run()
	wantErr(t, "an addition", out, err, "1 additions that api.snapshot/ does not record: run make api-snapshot")
	if !strings.Contains(out, "added: api: Config.URL") {
		t.Errorf("the output does not name the addition:\n%s", out)
	}
	if out, err = s.run("-write"); err != nil {
		t.Fatalf("write the addition: %v\n%s", err, out)
	}

	// Hello takes a context; Config.BaseURL is gone; KindHP's value
	// changed. The changelog says nothing: neither check nor write passes.
	broken := strings.Replace(strings.Replace(strings.Replace(apiV010,
		"func Hello(name string) string { return \"hello \" + name }", "func Hello(ctx context.Context, name string) string { return name }", 1),
		"type Config struct{ BaseURL string }", "type Config struct{ Endpoint string }", 1),
		"KindHP Kind = \"hp\"", "KindHP Kind = \"heat_pump\"", 1)
	broken = strings.Replace(broken, "package api\n", "package api\n\nimport \"context\"\n", 1)
	s.write(map[string]string{"api/api.go": broken, "api/more.go": "package api\n\nfunc (c Config) URL() string { return c.Endpoint }\n"})
	out, err = s.run()
	wantErr(t, "unannounced", out, err, "has no breaking-change note written since (it has 0, the snapshot recorded 0)")
	for _, want := range []string{
		"breaking: api: changed Hello: func func(string) string → func func(context.Context, string) string",
		"breaking: api: removed Config.BaseURL (field string)",
		`breaking: api: changed KindHP: const Kind = "hp" → const Kind = "heat_pump"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	out, err = s.run("-write")
	wantErr(t, "writing an unannounced break", out, err, "not writing the snapshot")

	// Announced under the unreleased heading: the check wants the snapshot
	// recorded, and -write records it.
	announced := changelogTitle + "## v0.1.0 (unreleased)\n\n### Breaking changes\n\n- Hello takes a context; Config.BaseURL is Config.Endpoint; KindHP is \"heat_pump\".\n\nThe first release.\n"
	s.write(map[string]string{"CHANGELOG.md": announced})
	out, err = s.run()
	wantErr(t, "announced", out, err, "breaking changes (announced in CHANGELOG.md) that api.snapshot/ does not record: run make api-snapshot")
	if out, err = s.run("-write"); err != nil {
		t.Fatalf("write the announced break: %v\n%s", err, out)
	}
	if out, err = s.run(); err != nil {
		t.Fatalf("after recording: %v\n%s", err, out)
	}

	// The same note does not announce the next break.
	s.write(map[string]string{"api/more.go": "package api\n"})
	out, err = s.run()
	wantErr(t, "an old note", out, err, "(it has 1, the snapshot recorded 1)")

	// After a release (a dated heading), a break needs a new minor version
	// before v1, with a note of its own.
	released := changelogTitle + "## v0.1.1 (unreleased)\n\n- BREAKING: Config.URL is gone.\n\n" + strings.Replace(announced[len(changelogTitle):], "(unreleased)", "(2027-01-15)", 1)
	s.write(map[string]string{"CHANGELOG.md": released})
	out, err = s.run()
	wantErr(t, "a patch release", out, err, `breaking changes after the release v0.1.0 need v0.2.0 or later: put a "## v0.2.0 (unreleased)" heading`)
	s.write(map[string]string{"CHANGELOG.md": strings.Replace(released, "v0.1.1", "v0.2.0", 1)})
	if out, err = s.run("-write"); err != nil {
		t.Fatalf("write in v0.2.0: %v\n%s", err, out)
	}

	// A package removed is breaking.
	if err := os.RemoveAll(filepath.Join(s.dir, "api")); err != nil {
		t.Fatal(err)
	}
	out, err = s.run()
	if err == nil || !strings.Contains(out, "breaking: api: package removed") {
		t.Fatalf("a package removed: err %v\n%s", err, out)
	}
}

// TestSnapshotRoundTrip: what -write records reads back as it was, raw
// strings with line breaks and iota constants included.
func TestSnapshotRoundTrip(t *testing.T) {
	api, err := goapi.Declarations(map[string][]byte{"a.go": []byte("package p\n\ntype S int\n\nconst (\n\tA S = iota\n\tB\n)\n\n" +
		"const Raw = `a\tb\nc`\n\nconst Q = \"q:x\"\n\nfunc F(s S) string { return \"\" }\n")})
	if err != nil {
		t.Fatal(err)
	}
	if api["B"].Value != "iota (iota 1)" {
		t.Errorf("B = %q, want iota's value", api["B"].Value)
	}
	dir := t.TempDir()
	if err := writeSnapshot(dir, map[string]packageAPI{"api/raw": api}, 7); err != nil {
		t.Fatal(err)
	}
	s, err := readSnapshot(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.notes != 7 || !maps.Equal(s.packages["api/raw"], api) {
		t.Errorf("read back %d notes and\n%v\nwant 7 and\n%v", s.notes, s.packages["api/raw"], api)
	}
	if _, err := os.Stat(filepath.Join(dir, "api.raw.txt")); err != nil {
		t.Error(err)
	}
}

// TestTheSnapshotIsCurrent is make api-check on this repository: the
// committed snapshot is the API.
func TestTheSnapshotIsCurrent(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"-C", "../.."}, &out); err != nil {
		t.Errorf("%v\n%s", err, out.String())
	}
}

func TestBreakingSteps(t *testing.T) {
	for _, tc := range []struct {
		base, v string
		ok      bool
	}{
		{"v0.1.0", "v0.2.0", true},
		{"v0.1.3", "v0.2.0", true},
		{"v0.1.0", "v0.1.1", false},
		{"v0.1.0", "v1.0.0", true},
		{"v0.1.0", "v0.1.0", false},
		{"v1.2.0", "v1.3.0", false},
		{"v1.2.0", "v2.0.0", true},
		{"v0.2.0-rc.1", "v0.2.0", true},
	} {
		if got := isBreakingStep(tc.base, tc.v); got != tc.ok {
			t.Errorf("isBreakingStep(%s, %s) = %v", tc.base, tc.v, got)
		}
	}
	for base, want := range map[string]string{"v0.1.3": "v0.2.0", "v1.4.0": "v2.0.0", "v0.2.0-rc.1": "v0.2.0"} {
		if got := nextBreakingVersion(base); got != want {
			t.Errorf("nextBreakingVersion(%s) = %s, want %s", base, got, want)
		}
	}
}

// TestDefaultPackagesArePublic: the packages checked by default are every
// package of the module a user can import (not internal, not a command).
func TestDefaultPackagesArePublic(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	cmd := exec.Command(goTool, "list", "-f", "{{.Name}} {{.ImportPath}} {{.Module.Path}}", "./...")
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var public []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || f[0] == "main" {
			continue
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(f[1], f[2]), "/")
		if rel == "internal" || strings.HasPrefix(rel, "internal/") || strings.Contains(rel, "/internal/") || strings.HasSuffix(rel, "/internal") {
			continue
		}
		public = append(public, rel)
	}
	slices.Sort(public)
	if want := slices.Sorted(slices.Values(defaultPackages)); !slices.Equal(public, want) {
		t.Errorf("the module's public packages are %q; apicheck checks %q by default", public, want)
	}
}

// TestBreakingNotes counts the notes of the entries, not of the
// changelog's introduction, which explains them.
func TestBreakingNotes(t *testing.T) {
	log := "# Changelog\n\nA note is a `### Breaking changes` section or a line with BREAKING.\n\n" +
		"## v0.2.0 (unreleased)\n\n### Breaking changes\n\n- X is gone.\n- BREAKING: Y changed.\n\n## v0.1.0 (2027-01-15)\n\n### breaking changes\n"
	if n := breakingNotes(log); n != 3 {
		t.Errorf("breakingNotes = %d, want 3", n)
	}
}
