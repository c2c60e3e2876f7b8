package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// repo makes a git repository in a temporary directory holding files (by
// path, with the mode git records) and returns its root.
func repo(t *testing.T, files map[string][]byte, modes map[string]os.FileMode) string {
	t.Helper()
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	git("init", "-q")
	git("config", "core.fileMode", "true")
	for name, data := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := modes[name]
		if mode == 0 {
			mode = 0o644
		}
		if err := os.WriteFile(path, data, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}
	git("add", "-A")
	return dir
}

// pe is the start of a Windows executable: "MZ", the offset of the PE
// header at 0x3c, and the header.
func pe() []byte {
	b := make([]byte, 0x80)
	copy(b, "MZ")
	binary.LittleEndian.PutUint32(b[0x3c:], 0x40)
	copy(b[0x40:], "PE\x00\x00")
	return b
}

// TestTrackedRefusesBuildOutputs: each kind of build output is named, with
// its path; text, allowed scripts and allowlisted large files pass.
func TestTrackedRefusesBuildOutputs(t *testing.T) {
	big := bytes.Repeat([]byte("x"), maxSize+1)
	dir := repo(t, map[string][]byte{
		"README.md":                   []byte("# ok\n"),
		"mz.txt":                      []byte("MZ is a text that starts like a PE file but is not one, and it is long enough to have a header offset......\n"),
		".ci/run":                     []byte("#!/usr/bin/env bash\necho ok\n"),
		"openapi.json":                big,
		"gen/testdata/specs/big.json": big,
		"podero-drift":                append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 100)...),
		"tool.exe":                    pe(),
		"darwin-bin":                  {0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1},
		"api.wasm":                    []byte("\x00asm\x01\x00\x00\x00"),
		"pkg.a":                       []byte("!<arch>\n__.PKGDEF"),
		"run.py":                      []byte("#!/usr/bin/env python3\nprint(1)\n"),
		"notes.txt":                   []byte("plain text with the executable bit\n"),
		"testdata/dump.json":          big,
		"internal/pinned/other.json":  big,
	}, map[string]os.FileMode{".ci/run": 0o755, "podero-drift": 0o755, "run.py": 0o755, "notes.txt": 0o755})
	problems, err := check(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"podero-drift":               "an ELF executable",
		"tool.exe":                   "a PE (Windows) executable",
		"darwin-bin":                 "a Mach-O executable",
		"api.wasm":                   "a WebAssembly module",
		"pkg.a":                      "an ar archive",
		"run.py":                     "executable (mode 755) but not a script",
		"notes.txt":                  "executable (mode 755) but not a script",
		"testdata/dump.json":         "over the 1048576-byte limit",
		"internal/pinned/other.json": "over the 1048576-byte limit",
	}
	for name, msg := range want {
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.HasPrefix(p, name+": ") && strings.Contains(p, msg) }) {
			t.Errorf("no problem says %q for %s; got:\n%s", msg, name, strings.Join(problems, "\n"))
		}
	}
	if len(problems) != len(want) {
		t.Errorf("%d problems, want %d (README.md, mz.txt, .ci/run and the allowlisted specs pass):\n%s", len(problems), len(want), strings.Join(problems, "\n"))
	}
}

// TestTrackedThisRepository: the repository itself passes, which make lint
// checks too; an untracked binary in the working tree is not its business.
func TestTrackedThisRepository(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		t.Skip("not in a git checkout")
	}
	problems, err := check(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Errorf("the repository tracks build outputs:\n%s", strings.Join(problems, "\n"))
	}
}

// TestTrackedReadsTheIndex: a file whose executable bit is only on disk
// (not in git's index) is not refused for it, and one deleted from the
// working tree is skipped.
func TestTrackedReadsTheIndex(t *testing.T) {
	dir := repo(t, map[string][]byte{"a.txt": []byte("text\n"), "gone.bin": []byte("\x7fELF")}, nil)
	if err := os.Chmod(filepath.Join(dir, "a.txt"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "gone.bin")); err != nil {
		t.Fatal(err)
	}
	problems, err := check(dir)
	if err != nil || len(problems) != 0 {
		t.Errorf("check = %q, %v; want no problem", problems, err)
	}
}
