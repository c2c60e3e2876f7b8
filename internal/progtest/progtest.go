// Package progtest lets a command's tests run the command as a process of
// its own without a go build: the test binary is the program when its first
// argument says so. On an empty build cache, a go build inside the race
// run of make test compiled the whole dependency graph again, without the
// race detector.
package progtest

import (
	"os"
	"os/exec"
	"testing"
)

// asProgram, as the first argument of a test binary, makes it the program.
const asProgram = "-progtest.main"

// Main is a TestMain: it runs main, as the program, when the binary was
// started by Command, and the tests otherwise.
func Main(m *testing.M, main func()) {
	if len(os.Args) > 1 && os.Args[1] == asProgram {
		os.Args = append(os.Args[:1], os.Args[2:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Command is the program of a package whose TestMain is Main, with args, as
// an *exec.Cmd: this test binary, started as the program.
func Command(t testing.TB, args ...string) *exec.Cmd {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Skipf("this test binary's path: %v", err)
	}
	return exec.Command(bin, append([]string{asProgram}, args...)...)
}
