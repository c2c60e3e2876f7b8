package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// scratchRepo is a git repository in a temporary directory, with git's
// global and system configuration (hooks, signing) left out.
type scratchRepo struct {
	t   *testing.T
	dir string
}

func newScratchRepo(t *testing.T) *scratchRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	r := &scratchRepo{t, t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *scratchRepo) git(args ...string) {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", r.dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// commit writes the files (path: content) and commits them.
func (r *scratchRepo) commit(msg string, files map[string]string) {
	r.t.Helper()
	for name, content := range files {
		path := filepath.Join(r.dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	r.git("add", "-A")
	r.git("commit", "-q", "-m", msg)
}

// check runs apicheck on the repository's packages api and oauth.
func (r *scratchRepo) check() (string, error) {
	var out bytes.Buffer
	err := run([]string{"-C", r.dir, "api", "oauth"}, &out)
	return out.String(), err
}

const (
	changelogTitle = "# Changelog\n\nIntro.\n\n"
	releaseV010    = "## v0.1.0 (2026-12-01)\n\nThe first release.\n"
	apiV010        = "package api\n\n// Hello greets.\nfunc Hello(name string) string { return \"hello \" + name }\n\ntype Config struct{ BaseURL string }\n"
)

func TestRunAgainstTheLastTag(t *testing.T) {
	r := newScratchRepo(t)
	r.commit("v0.1.0", map[string]string{
		"CHANGELOG.md":    changelogTitle + releaseV010,
		"api/api.go":      apiV010,
		"api/api_test.go": "package api\n\nfunc TestOnly() {}\n", // tests are not API
	})

	out, err := r.check()
	if err != nil || !strings.Contains(out, "no release tag (v*) yet") {
		t.Fatalf("without a tag: %v\n%s", err, out)
	}

	r.git("tag", "v0.1.0")
	r.git("tag", "not-a-release")
	r.commit("additions only", map[string]string{
		"api/api.go":  apiV010 + "\n// Bye says goodbye.\nfunc Bye(name string) string { return \"bye \" + name }\n",
		"api/more.go": "package api\n\nfunc (c Config) URL() string { return c.BaseURL }\n",
	})
	out, err = r.check()
	if err != nil || !strings.Contains(out, "api since v0.1.0: 2 added, 0 removed, 0 changed") ||
		!strings.Contains(out, "oauth: not a package, then or now") || !strings.Contains(out, "ok: no breaking change since v0.1.0") {
		t.Fatalf("additions: %v\n%s", err, out)
	}

	// Hello takes a context now; Config.BaseURL is gone. Nothing says so.
	// (Bye is gone too, but it came after v0.1.0.)
	breaking := "package api\n\nimport \"context\"\n\nfunc Hello(ctx context.Context, name string) string { return name }\n\ntype Config struct{ Endpoint string }\n"
	r.commit("break the API", map[string]string{
		"api/api.go":   breaking,
		"CHANGELOG.md": changelogTitle + "## 2026-12-02: spec update\n\n- 0 operations added.\n\n" + releaseV010,
	})
	out, err = r.check()
	if err == nil || !strings.Contains(err.Error(), "breaking changes since v0.1.0, and the entries above \"## v0.1.0\" of CHANGELOG.md do not announce them") {
		t.Fatalf("unannounced: err %v\n%s", err, out)
	}
	for _, want := range []string{
		"changed Hello: func func(string) string → func func(context.Context, string) string",
		"removed Config.BaseURL (field string)",
		"api since v0.1.0: 2 added, 1 removed, 1 changed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}

	// Announced, but still under v0.1.0: before v1, that needs v0.2.0.
	announced := "## 2026-12-02: spec update\n\n### Breaking changes\n\n- Hello takes a context; Config.BaseURL is gone.\n\n"
	r.commit("announce", map[string]string{"CHANGELOG.md": changelogTitle + announced + releaseV010})
	if out, err = r.check(); err == nil || !strings.Contains(err.Error(), `need v0.2.0 or later: put a "## v0.2.0 (unreleased)" heading above them`) {
		t.Fatalf("announced without a new minor version: err %v\n%s", err, out)
	}

	// A patch release does not do either.
	r.commit("v0.1.1", map[string]string{"CHANGELOG.md": changelogTitle + "## v0.1.1 (unreleased)\n\n" + announced + releaseV010})
	if out, err = r.check(); err == nil || !strings.Contains(err.Error(), "the newest release heading above v0.1.0 is v0.1.1") {
		t.Fatalf("a patch release: err %v\n%s", err, out)
	}

	r.commit("v0.2.0", map[string]string{"CHANGELOG.md": changelogTitle + "## v0.2.0 (unreleased)\n\n" + announced + releaseV010})
	if out, err = r.check(); err != nil || !strings.Contains(out, "ok: 2 breaking changes since v0.1.0, announced") {
		t.Fatalf("announced in v0.2.0: err %v\n%s", err, out)
	}

	// A BREAKING line is an announcement too; with no heading for the tag,
	// only the top entry counts.
	r.commit("no heading for the tag", map[string]string{"CHANGELOG.md": changelogTitle +
		"## v0.2.0 (unreleased)\n\n- BREAKING: Hello takes a context.\n\n## Older\n\n### Breaking changes\n"})
	if out, err = r.check(); err != nil {
		t.Fatalf("a BREAKING line: err %v\n%s", err, out)
	}
	r.commit("announced below the top entry", map[string]string{"CHANGELOG.md": changelogTitle +
		"## v0.2.0 (unreleased)\n\n- Hello.\n\n## Older\n\n### Breaking changes\n"})
	if out, err = r.check(); err == nil || !strings.Contains(err.Error(), "and the top entry of CHANGELOG.md do not announce them") {
		t.Fatalf("an announcement below the top entry: err %v\n%s", err, out)
	}

	// The package is removed: breaking.
	r.git("tag", "v0.2.0")
	if err := os.RemoveAll(filepath.Join(r.dir, "api")); err != nil {
		t.Fatal(err)
	}
	if out, err = r.check(); err == nil || !strings.Contains(out, "api since v0.2.0: package removed") {
		t.Fatalf("a package removed: err %v\n%s", err, out)
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
