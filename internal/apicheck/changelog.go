package main

import (
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/mod/semver"
)

// releaseHeading is a release's heading in CHANGELOG.md: "## v0.2.0",
// "## v0.2.0 (2027-01-15)" or "## v0.2.0 (unreleased)".
var releaseHeading = regexp.MustCompile(`^## (v[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?)(?:\s.*)?$`)

// breakingNotes counts the breaking-change notes of a changelog's entries
// (from its first "## " heading on, not its introduction): "### Breaking
// changes" headings and lines with BREAKING.
func breakingNotes(log string) int {
	n, entries := 0, false
	for line := range strings.Lines(log) {
		entries = entries || strings.HasPrefix(line, "## ")
		if entries && (strings.HasPrefix(strings.ToLower(line), "### breaking changes") || strings.Contains(line, "BREAKING")) {
			n++
		}
	}
	return n
}

// datedHeading is a release that happened: "## v0.1.0 (2027-01-15)".
var datedHeading = regexp.MustCompile(`^## (v[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?) \([0-9]{4}-[0-9]{2}-[0-9]{2}\)`)

// lastRelease is the version of the newest dated release heading in log.
func lastRelease(log string) (string, bool) {
	for line := range strings.Lines(log) {
		if m := datedHeading.FindStringSubmatch(strings.TrimRight(line, "\r\n")); m != nil {
			return m[1], true
		}
	}
	return "", false
}

// newestRelease is the version of the first release heading in log.
func newestRelease(log string) (string, bool) {
	for line := range strings.Lines(log) {
		if m := releaseHeading.FindStringSubmatch(strings.TrimRight(line, "\r\n")); m != nil {
			return m[1], true
		}
	}
	return "", false
}

// isBreakingStep reports whether v may break what base offered: before v1
// a new minor version, from v1 on a new major one. After a pre-release,
// any later version may.
func isBreakingStep(base, v string) bool {
	switch {
	case semver.Compare(v, base) <= 0:
		return false
	case semver.Prerelease(base) != "":
		return true
	case semver.Major(base) == "v0":
		return semver.Compare(semver.MajorMinor(v), semver.MajorMinor(base)) > 0
	}
	return semver.Compare(semver.Major(v), semver.Major(base)) > 0
}

// nextBreakingVersion is the lowest version that may break what base offered.
func nextBreakingVersion(base string) string {
	var major, minor int
	fmt.Sscanf(semver.MajorMinor(base), "v%d.%d", &major, &minor)
	if semver.Prerelease(base) != "" {
		return strings.SplitN(semver.Canonical(base), "-", 2)[0]
	}
	if major == 0 {
		return fmt.Sprintf("v0.%d.0", minor+1)
	}
	return fmt.Sprintf("v%d.0.0", major+1)
}
