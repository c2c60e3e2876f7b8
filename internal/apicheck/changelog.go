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

// entriesSince returns the changelog's entries above the release heading of
// tag, from the first "## " heading on. When there is no such heading,
// found is false and it returns the top entry.
func entriesSince(log, tag string) (entries string, found bool) {
	lines := strings.SplitAfter(log, "\n")
	start := -1
	for i, line := range lines {
		line = strings.TrimRight(line, "\r\n")
		if !strings.HasPrefix(line, "## ") {
			continue
		}
		if m := releaseHeading.FindStringSubmatch(line); m != nil && m[1] == tag {
			if start < 0 {
				return "", true
			}
			return strings.Join(lines[start:i], ""), true
		}
		if start < 0 {
			start = i
		}
	}
	if start < 0 {
		return "", false
	}
	// The top entry: up to the next heading of its level.
	end := len(lines)
	for i := start + 1; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "## ") {
			end = i
			break
		}
	}
	return strings.Join(lines[start:end], ""), false
}

// announcesBreaking reports whether entries say that something breaks: a
// "### Breaking changes" heading (update-spec writes one) or a line with
// BREAKING.
func announcesBreaking(entries string) bool {
	for line := range strings.Lines(entries) {
		if strings.HasPrefix(strings.ToLower(line), "### breaking changes") || strings.Contains(line, "BREAKING") {
			return true
		}
	}
	return false
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
