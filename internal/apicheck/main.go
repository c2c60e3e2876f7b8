// Command apicheck compares the exported Go API of the SDK's public packages
// with the last release tag and fails on a breaking change that CHANGELOG.md
// does not announce. `make api-check` runs it; CI runs `make test`, which
// calls it.
//
//	go run ./internal/apicheck [-C dir] [-base tag] [package dir ...]
//
// The packages default to api, oauth, api/poderotest and api/speccheck. The
// base is the newest tag v* that HEAD contains; with none, there is nothing
// to compare and the check passes.
//
// Breaking is what can stop a user's code from compiling: an exported
// identifier removed, or one whose type, signature or kind changed, a
// method added to an exported interface, or a package removed. Additions
// are not. The comparison is of declarations, not of type-checked
// packages: a change inside a type of another package is not seen.
//
// A breaking change is announced when the CHANGELOG.md entries above the
// base tag's release heading (for v0.1.0, the first "## v0.1.0" line; the
// top entry when there is no such heading) contain a "### Breaking changes"
// heading or a line with "BREAKING". It also needs a new release heading
// among those entries whose version is a breaking step from the base: a new
// minor version before v1 (v0.1.x to v0.2.0), a new major version after.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// defaultPackages are the directories of the packages users import.
var defaultPackages = []string{"api", "api/raw", "oauth", "api/poderotest", "api/speccheck"}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "apicheck:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("apicheck", flag.ContinueOnError)
	dir := fs.String("C", ".", "the repository's root")
	base := fs.String("base", "", "the release tag to compare with (default: the newest tag v* that HEAD contains)")
	changelog := fs.String("changelog", "CHANGELOG.md", "the changelog, relative to -C")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pkgs := fs.Args()
	if len(pkgs) == 0 {
		pkgs = defaultPackages
	}

	tag := *base
	if tag == "" {
		var err error
		if tag, err = lastReleaseTag(*dir); err != nil {
			return err
		}
		if tag == "" {
			fmt.Fprintln(stdout, "apicheck: no release tag (v*) yet, so no API to compare with; passing")
			if out, err := git(*dir, "rev-parse", "--is-shallow-repository"); err == nil && strings.TrimSpace(string(out)) == "true" {
				fmt.Fprintln(stdout, "apicheck: this is a shallow clone, which may lack the tags: fetch them (git fetch --unshallow --tags) for the check to compare")
			}
			return nil
		}
	}
	old, err := checkout(*dir, tag)
	if err != nil {
		return err
	}
	defer os.RemoveAll(old)

	breaking := 0
	for _, pkg := range pkgs {
		d, err := comparePackage(old, *dir, pkg)
		if err != nil {
			return err
		}
		if d.absent {
			fmt.Fprintf(stdout, "apicheck: %s: %s\n", pkg, d.summary())
			continue
		}
		fmt.Fprintf(stdout, "apicheck: %s since %s: %s\n", pkg, tag, d.summary())
		for _, line := range d.breaking() {
			fmt.Fprintf(stdout, "  %s\n", line)
			breaking++
		}
	}
	if breaking == 0 {
		fmt.Fprintf(stdout, "apicheck: ok: no breaking change since %s\n", tag)
		return nil
	}

	log, err := os.ReadFile(filepath.Join(*dir, *changelog))
	if err != nil {
		return err
	}
	unreleased, found := entriesSince(string(log), tag)
	where := fmt.Sprintf("the entries above %q", "## "+tag)
	if !found {
		where = "the top entry"
	}
	if !announcesBreaking(unreleased) {
		return fmt.Errorf("%s since %s, and %s of %s do not announce them: "+
			"say what breaks under a \"### Breaking changes\" heading (or on a line with BREAKING)",
			count(breaking), tag, where, *changelog)
	}
	next := nextBreakingVersion(tag)
	if v, ok := newestRelease(unreleased); !ok || !isBreakingStep(tag, v) {
		have := "none"
		if ok {
			have = v
		}
		return fmt.Errorf("%s since %s need %s or later: put a \"## %s (unreleased)\" heading above them in %s "+
			"and set api.Version to %q (the newest release heading above %s is %s)",
			count(breaking), tag, next, next, *changelog, next[1:], tag, have)
	}
	fmt.Fprintf(stdout, "apicheck: ok: %s since %s, announced in %s\n", count(breaking), tag, *changelog)
	return nil
}

func count(n int) string {
	if n == 1 {
		return "1 breaking change"
	}
	return fmt.Sprintf("%d breaking changes", n)
}
