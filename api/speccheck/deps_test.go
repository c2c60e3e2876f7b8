package speccheck_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestDependencies: kin-openapi is linked into a service only when it
// imports speccheck. Package api must not depend on it, nor on speccheck;
// poderotest (a test fake) and speccheck may.
func TestDependencies(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	const kin = "github.com/getkin/kin-openapi/openapi3"
	deps := func(pkg string) []string {
		t.Helper()
		out, err := exec.Command(goTool, "list", "-deps", pkg).Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, stderr)
		}
		return strings.Fields(string(out))
	}
	hasKin := func(list []string) bool {
		return slices.ContainsFunc(list, func(p string) bool { return strings.HasPrefix(p, "github.com/getkin/kin-openapi/") })
	}

	apiDeps := deps("github.com/podero-go/podero/api")
	if !slices.Contains(apiDeps, "github.com/podero-go/podero/api") {
		t.Fatalf("go list -deps ./api does not list ./api itself: %v", apiDeps)
	}
	if hasKin(apiDeps) {
		t.Errorf("package api depends on kin-openapi: a service that does not import speccheck would link it")
	}
	if slices.Contains(apiDeps, "github.com/podero-go/podero/api/speccheck") {
		t.Errorf("package api imports speccheck")
	}
	checkDeps := deps("github.com/podero-go/podero/api/speccheck")
	if !slices.Contains(checkDeps, kin) {
		t.Errorf("speccheck does not depend on %s: the test would prove nothing", kin)
	}
	for _, p := range []string{"github.com/podero-go/podero/internal/specserver", "github.com/getkin/kin-openapi/routers/gorillamux", "testing"} {
		if slices.Contains(checkDeps, p) {
			t.Errorf("speccheck depends on %s, which a service should not link", p)
		}
	}
}
