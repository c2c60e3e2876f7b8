package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/podero-go/podero/internal/goapi"
)

// packageAPI is a package's exported identifiers by name.
type packageAPI = map[string]goapi.Decl

// A snapshot is the API recorded in api.snapshot/: a file per package
// (api.raw.txt for api/raw), one identifier a line, tab-separated: name,
// kind, type and, for a constant, its value; and notesFile, the number of
// breaking-change notes CHANGELOG.md had when it was written.
type snapshot struct {
	packages map[string]packageAPI // by directory, "api/raw"
	notes    int
	missing  bool // no snapshot at all
}

const notesFile = "breaking-notes"

const header = `# The exported API of %s, one identifier a line, tab-separated: name, kind,
# type and, for a constant, its value (as the source writes it). Written by
# make api-snapshot, checked by make api-check (internal/apicheck): do not edit.
`

const notesHeader = `# The number of breaking-change notes (a "### Breaking changes" heading or a
# line with BREAKING) CHANGELOG.md had when make api-snapshot wrote the
# snapshot: a breaking change to the API needs a note written since.
`

func readSnapshot(dir string) (snapshot, error) {
	s := snapshot{packages: map[string]packageAPI{}}
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		s.missing = true
		return s, nil
	}
	if err != nil {
		return s, err
	}
	for _, e := range entries {
		name := e.Name()
		if name == notesFile {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				return s, err
			}
			if s.notes, err = strconv.Atoi(strings.TrimSpace(stripComments(string(data)))); err != nil {
				return s, fmt.Errorf("%s: %w", filepath.Join(dir, name), err)
			}
			continue
		}
		pkg, ok := strings.CutSuffix(name, ".txt")
		if !ok {
			continue
		}
		api, err := readPackage(filepath.Join(dir, name))
		if err != nil {
			return s, err
		}
		s.packages[strings.ReplaceAll(pkg, ".", "/")] = api
	}
	return s, nil
}

func readPackage(path string) (packageAPI, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	api := packageAPI{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.SplitN(line, "\t", 4)
		if len(f) < 3 {
			return nil, fmt.Errorf("%s:%d: want name, kind and type separated by tabs: %q (make api-snapshot writes the file)", path, n, line)
		}
		d := goapi.Decl{Kind: f[1], Type: f[2]}
		if len(f) == 4 {
			if d.Value, err = decodeValue(f[3]); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, n, err)
			}
		}
		api[f[0]] = d
	}
	return api, sc.Err()
}

// writeSnapshot replaces the snapshot in dir with the packages' APIs.
func writeSnapshot(dir string, pkgs map[string]packageAPI, notes int) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, pkg := range sortedKeys(pkgs) {
		var b strings.Builder
		fmt.Fprintf(&b, header, "github.com/podero-go/podero/"+pkg)
		api := pkgs[pkg]
		for _, id := range sortedKeys(api) {
			d := api[id]
			fmt.Fprintf(&b, "%s\t%s\t%s", id, d.Kind, d.Type)
			if d.Value != "" {
				b.WriteString("\t" + encodeValue(d.Value))
			}
			b.WriteByte('\n')
		}
		if err := os.WriteFile(filepath.Join(dir, fileName(pkg)), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, notesFile), fmt.Appendf(nil, "%s%d\n", notesHeader, notes), 0o644)
}

// A value with a tab or a line break (a raw string) is quoted, to keep one
// identifier a line.
func encodeValue(v string) string {
	if strings.ContainsAny(v, "\t\n\r") || strings.HasPrefix(v, "q:") {
		return "q:" + strconv.Quote(v)
	}
	return v
}

func decodeValue(v string) (string, error) {
	if q, ok := strings.CutPrefix(v, "q:"); ok {
		return strconv.Unquote(q)
	}
	return v, nil
}

func stripComments(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		if !strings.HasPrefix(line, "#") {
			b.WriteString(line)
		}
	}
	return b.String()
}
