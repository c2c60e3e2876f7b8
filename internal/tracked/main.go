// Command tracked fails when the repository tracks a build output: a file
// that is an executable program (ELF, Mach-O, PE, WebAssembly, an ar archive
// such as a Go .a), a file with the executable bit that is not a script of
// an allowed interpreter, or a file over 1 MB that the allowlist does not
// name. `make lint` runs it.
//
//	go run ./internal/tracked [-C dir]
//
// It reads `git ls-files` (the index's modes) and the working tree's
// contents. Issue 24: a 16 MB podero-drift binary sat at the root for weeks,
// 94% of every clone.
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// maxSize is the largest file the repository tracks without an allowlist
// entry.
const maxSize = 1 << 20

// largeAllowed are the files that may be larger than maxSize, as path.Match
// patterns relative to the root: the pinned spec and its embedded copy, and
// the corpus of specs gen is tested on. None is a build output.
var largeAllowed = []string{
	"openapi.json",
	"internal/pinned/openapi.json",
	"gen/testdata/specs/*.json",
}

// scriptInterpreters are the shebang lines an executable file may start
// with: the CI's shell scripts.
var scriptInterpreters = []string{
	"#!/usr/bin/env bash",
	"#!/bin/bash",
	"#!/bin/sh",
	"#!/usr/bin/env sh",
}

func main() {
	dir := flag.String("C", ".", "the repository's root")
	flag.Parse()
	problems, err := check(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tracked:", err)
		os.Exit(2)
	}
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "tracked:", p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "tracked: %d tracked file(s) look like build outputs: remove them (git rm --cached FILE) and add them to .gitignore; "+
			"a large file that belongs in the repository goes in largeAllowed (internal/tracked/main.go), a script gets an allowed shebang\n", len(problems))
		os.Exit(1)
	}
}

// check returns a line for every tracked file under root that looks like a
// build output.
func check(root string) ([]string, error) {
	cmd := exec.Command("git", "ls-files", "--stage", "-z")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files: %v: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	var problems []string
	for entry := range bytes.SplitSeq(out, []byte{0}) {
		if len(entry) == 0 {
			continue
		}
		// "<mode> <object> <stage>\t<path>"
		meta, name, ok := strings.Cut(string(entry), "\t")
		mode, _, _ := strings.Cut(meta, " ")
		if !ok || (mode != "100644" && mode != "100755") {
			continue // a symlink or a submodule: no content of its own
		}
		p, err := checkFile(root, name, mode == "100755")
		if err != nil {
			return nil, err
		}
		if p != "" {
			problems = append(problems, name+": "+p)
		}
	}
	return problems, nil
}

// checkFile says what is wrong with one tracked file, or "".
func checkFile(root, name string, executable bool) (string, error) {
	f, err := os.Open(filepath.Join(root, filepath.FromSlash(name)))
	if os.IsNotExist(err) {
		return "", nil // deleted in the working tree; git status shows it
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", err
	}
	head = head[:n]
	if kind := binaryKind(head, f); kind != "" {
		return kind + ", a build output", nil
	}
	if executable {
		line, _, _ := bytes.Cut(head, []byte{'\n'})
		if !allowedShebang(string(bytes.TrimRight(line, "\r \t"))) {
			return "executable (mode 755) but not a script: its first line is not one of " + strings.Join(scriptInterpreters, ", "), nil
		}
	}
	if st.Size() > maxSize && !largeOK(name) {
		return fmt.Sprintf("%d bytes, over the %d-byte limit for tracked files", st.Size(), maxSize), nil
	}
	return "", nil
}

func allowedShebang(line string) bool {
	for _, s := range scriptInterpreters {
		if line == s {
			return true
		}
	}
	return false
}

func largeOK(name string) bool {
	for _, pat := range largeAllowed {
		if ok, _ := path.Match(pat, name); ok {
			return true
		}
	}
	return false
}

// binaryKind names the executable or object format head starts with ("an
// ELF executable"), or returns "". A PE file is "MZ" with a PE header where the DOS header's
// e_lfanew says, which f is read for, so that a text starting "MZ" passes.
func binaryKind(head []byte, f io.ReaderAt) string {
	switch {
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		return "an ELF executable"
	case bytes.HasPrefix(head, []byte("\x00asm")):
		return "a WebAssembly module"
	case bytes.HasPrefix(head, []byte("!<arch>\n")):
		return "an ar archive (a Go or C library)"
	case len(head) >= 4:
		switch binary.BigEndian.Uint32(head) {
		case 0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe, 0xbebafeca:
			return "a Mach-O executable"
		}
	}
	if len(head) >= 0x40 && bytes.HasPrefix(head, []byte("MZ")) {
		var sig [4]byte
		off := int64(binary.LittleEndian.Uint32(head[0x3c:]))
		if _, err := f.ReadAt(sig[:], off); err == nil && string(sig[:]) == "PE\x00\x00" {
			return "a PE (Windows) executable"
		}
	}
	return ""
}
