package main

import (
	"os"
	"testing"

	"github.com/podero-go/podero/api"
)

// TestVersionIsTheNewestRelease: api.Version, sent in the User-Agent, is the
// version of CHANGELOG.md's newest release heading.
func TestVersionIsTheNewestRelease(t *testing.T) {
	log, err := os.ReadFile("../../CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	v, ok := newestRelease(string(log))
	if !ok {
		t.Fatal(`CHANGELOG.md has no release heading ("## v0.1.0 (unreleased)" or "## v0.1.0 (2026-12-01)")`)
	}
	if v != "v"+api.Version {
		t.Errorf("CHANGELOG.md's newest release is %s, api.Version is %q: change one of them", v, api.Version)
	}
}
