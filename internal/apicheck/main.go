// Command apicheck compares the exported Go API of the SDK's public packages
// with the snapshot committed in api.snapshot/, as Go keeps its own API in
// api/*.txt: `make api-check` runs it (CI runs `make check`, which calls it),
// and `make api-snapshot` (-write) records the API after a deliberate change.
// No release tag is needed: the snapshot is the API the repository last
// agreed on.
//
//	go run ./internal/apicheck [-C dir] [-write] [package dir ...]
//
// The packages default to api, api/raw, oauth, api/poderotest,
// api/speccheck, watch and watch/storetest.
//
// Breaking is what can stop a user's code from compiling, or change what it
// means: an exported identifier removed, or one whose kind, type, signature
// or constant value changed, a method added to an exported interface, or a
// package removed. Additions are not; but an identifier missing from the
// snapshot fails the check too ("run make api-snapshot"), so that every
// change to the API is seen in review.
//
// A breaking change must be announced in CHANGELOG.md, by a note written
// since the snapshot: the snapshot records how many breaking-change notes
// (a "### Breaking changes" heading or a line with BREAKING, as make
// update-spec writes them) CHANGELOG.md had, and a breaking change needs
// more. When a release heading is dated ("## v0.1.0 (2027-01-15)": a
// release), the newest heading must also be a breaking step from it: a new
// minor version before v1 (v0.1.x to v0.2.0), a new major version after.
// -write refuses to record a breaking change that is not announced so.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// defaultPackages are the directories of the packages users import.
var defaultPackages = []string{"api", "api/raw", "oauth", "api/poderotest", "api/speccheck", "watch", "watch/storetest"}

// snapshotDir is where the snapshot lives, relative to the root.
const snapshotDir = "api.snapshot"

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "apicheck:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("apicheck", flag.ContinueOnError)
	dir := fs.String("C", ".", "the repository's root")
	write := fs.Bool("write", false, "record the current API in the snapshot (make api-snapshot)")
	changelog := fs.String("changelog", "CHANGELOG.md", "the changelog, relative to -C")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pkgs := fs.Args()
	if len(pkgs) == 0 {
		pkgs = defaultPackages
	}
	snapDir := filepath.Join(*dir, snapshotDir)
	snap, err := readSnapshot(snapDir)
	if err != nil {
		return err
	}
	log, err := os.ReadFile(filepath.Join(*dir, *changelog))
	if err != nil {
		return err
	}
	notes := breakingNotes(string(log))

	cur := map[string]packageAPI{}
	var added, broken []string
	nAdded := 0
	for _, pkg := range pkgs {
		api, ok, err := exportedAPI(filepath.Join(*dir, filepath.FromSlash(pkg)))
		if err != nil {
			return fmt.Errorf("%s: %w", pkg, err)
		}
		if ok {
			cur[pkg] = api
		}
		old, had := snap.packages[pkg]
		d := comparePackage(old, had, api, ok)
		if d.absent {
			continue
		}
		fmt.Fprintf(stdout, "apicheck: %s: %s\n", pkg, d.summary())
		nAdded += d.addedCount
		if d.isNew {
			added = append(added, pkg+": the package") // its identifiers are in the summary's count
		} else {
			for _, id := range d.added {
				added = append(added, pkg+": "+id)
			}
		}
		for _, line := range d.breaking() {
			broken = append(broken, pkg+": "+line)
		}
	}

	var announce error
	if len(broken) > 0 {
		announce = announced(string(log), notes, snap.notes, *changelog)
	}
	if *write {
		if announce != nil {
			for _, b := range broken {
				fmt.Fprintf(stdout, "  %s\n", b)
			}
			return fmt.Errorf("not writing the snapshot: %w", announce)
		}
		if err := writeSnapshot(snapDir, cur, notes); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "apicheck: wrote %s: %d packages, %d additions, %d breaking changes\n", snapshotDir, len(cur), nAdded, len(broken))
		return nil
	}
	if len(added) == 0 && len(broken) == 0 {
		if snap.missing {
			return fmt.Errorf("%s/ has no snapshot: run make api-snapshot", snapshotDir)
		}
		fmt.Fprintf(stdout, "apicheck: ok: the API is the snapshot's\n")
		return nil
	}
	for _, b := range broken {
		fmt.Fprintf(stdout, "  breaking: %s\n", b)
	}
	for _, a := range added {
		fmt.Fprintf(stdout, "  added: %s\n", a)
	}
	if announce != nil {
		return announce
	}
	what := fmt.Sprintf("%d additions", nAdded)
	if len(broken) > 0 {
		what = fmt.Sprintf("%s and %d breaking changes (announced in %s)", what, len(broken), *changelog)
	}
	return fmt.Errorf("the API has %s that %s/ does not record: run make api-snapshot, and commit the snapshot with the change", what, snapshotDir)
}

// announced says why the breaking changes are not announced in the
// changelog, or returns nil: it needs a breaking-change note written since
// the snapshot (more notes than the snapshot recorded), and after a release
// a new version that may break it.
func announced(log string, notes, recorded int, changelog string) error {
	if notes <= recorded {
		return fmt.Errorf("breaking changes since the snapshot, and %s has no breaking-change note written since "+
			"(it has %d, the snapshot recorded %d): say what breaks and what to do instead under a \"### Breaking changes\" "+
			"heading (or on a line with BREAKING) in the notes of the newest release heading, then run make api-snapshot",
			changelog, notes, recorded)
	}
	release, ok := lastRelease(log)
	if !ok {
		return nil // nothing released: no version to step from
	}
	next := nextBreakingVersion(release)
	if v, ok := newestRelease(log); !ok || !isBreakingStep(release, v) {
		return fmt.Errorf("breaking changes after the release %s need %s or later: put a \"## %s (unreleased)\" heading above "+
			"their notes in %s and set api.Version to %q (the newest heading is %s)", release, next, next, changelog, next[1:], v)
	}
	return nil
}

// comparePackage compares a package's API in the snapshot (had: there was
// one) with its current API (has: there is one).
func comparePackage(old packageAPI, had bool, cur packageAPI, has bool) apiDiff {
	switch {
	case !had && !has:
		return apiDiff{absent: true}
	case had && !has:
		return apiDiff{gone: true}
	case !had:
		d := diffAPI(nil, cur)
		d.isNew = true
		return d
	}
	return diffAPI(old, cur)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// fileName is the snapshot file of a package directory: api/raw is
// api.raw.txt.
func fileName(pkg string) string { return strings.ReplaceAll(pkg, "/", ".") + ".txt" }
