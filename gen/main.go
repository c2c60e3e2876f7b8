// Command gen is podero-go's code-generation pipeline. It checks the pinned
// openapi.json against its hash, validates it with kin-openapi, gives every
// operation a Go name (gen/operation_names.txt, or a rule for operations the
// table does not know), and runs oapi-codegen with api/oapi-codegen.yaml.
//
//	go run -C gen . generate          # write api/*.gen.go from the pinned spec
//	go run -C gen . generate -check   # fail if the committed files are stale
//	go run -C gen . pin               # re-pin openapi.json after a deliberate edit
//	go run -C gen . update-spec       # take the live spec: pin, report, regenerate, build
//
// (make generate, check-generate, pin-spec and update-spec run these.) gen
// is a module of its own, so that the SDK's go.mod does not require the
// libraries it links; it finds the repository by openapi.pin.json. Only
// update-spec touches the network.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
)

func main() {
	tuneGC()
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// tuneGC lets the heap grow to four times what is live before a
// collection, instead of twice: gen is a short batch run that allocates a
// lot (parsed specs, generated source), and a spec of 630 operations spends
// a third less time collecting garbage, for a few hundred MB more at peak.
// GOGC, when set, still wins.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(300)
	}
}

const usage = `usage: gen <command> [flags]

commands:
  generate [-check]   generate api/*.gen.go from the pinned openapi.json
  pin [-source URL]   record openapi.json's hash in openapi.pin.json
  update-spec [-url URL] [-timeout D] [-max-size N] [-no-build] [-keep-broken] [-dry-run]
                      download the spec, report what changed, pin it, regenerate
                      and build (default URL ` + defaultSpecURL + `)`

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("gen "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", "", "repository root (default: the nearest directory with "+pinFile+")")
	switch args[0] {
	case "generate":
		check := fs.Bool("check", false, "do not write; fail if any generated file differs from what is on disk")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		dir, err := findRoot(*root)
		if err != nil {
			return err
		}
		if *check {
			return checkGenerated(dir, stdout)
		}
		return writeGenerated(dir, stdout, stderr)
	case "pin":
		source := fs.String("source", "", "where the spec came from (default: keep the recorded source)")
		note := fs.String("note", "", "a note on the spec's provenance (default: keep the recorded note)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		dir, err := findRoot(*root)
		if err != nil {
			return err
		}
		return repin(dir, *source, *note, stdout)
	case "update-spec":
		o := updateOptions{Build: goBuild}
		fs.StringVar(&o.URL, "url", defaultSpecURL, "where to download the spec (https, or http to a loopback address)")
		fs.DurationVar(&o.Timeout, "timeout", defaultTimeout, "time limit for the download")
		fs.Int64Var(&o.MaxBytes, "max-size", defaultMaxSpecSize, "refuse a spec larger than this many bytes")
		noBuild := fs.Bool("no-build", false, "do not run go build and go vet after writing")
		fs.BoolVar(&o.KeepBroken, "keep-broken", false, "keep the new files when the build fails (it breaks hand-written code, say), for you to mend")
		fs.BoolVar(&o.DryRun, "dry-run", false, "download, check and report, but write nothing")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *noBuild {
			o.Build = nil
		}
		dir, err := findRoot(*root)
		if err != nil {
			return err
		}
		o.Root = dir
		// An interrupt cancels the download or the build (which then puts
		// the old files back) instead of killing gen halfway through a write.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		return updateSpec(ctx, o, stdout)
	default:
		return fmt.Errorf("unknown command %q\n%s", args[0], usage)
	}
}

// findRoot returns dir, or the nearest directory at or above the working
// directory that holds the pin file: the repository's root (gen is a module
// of its own in gen/, and go:generate runs it from api/).
func findRoot(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, pinFile)); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no %s at or above %s: run gen inside the repository or pass -root", pinFile, wd)
		}
	}
}

func writeGenerated(root string, stdout, stderr io.Writer) error {
	res, err := generate(root)
	if err != nil {
		return err
	}
	for _, note := range res.Notes {
		fmt.Fprintf(stderr, "gen: note: %s\n", note)
	}
	for _, id := range res.Stale {
		fmt.Fprintf(stderr, "gen: note: %s lists %s, which the spec no longer has\n", nameTableFile, id)
	}
	for _, op := range res.Ops {
		if op.FromRule {
			fmt.Fprintf(stderr, "gen: note: %s %s (%s) is not in %s; named %s by the rule\n", op.Method, op.Path, op.OperationID, nameTableFile, op.GoName)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(res.Files)) {
		path := filepath.Join(root, name)
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, res.Files[name]) {
			continue // leave the file and its mtime alone
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, res.Files[name], 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "gen: wrote %s\n", name)
	}
	fmt.Fprintf(stdout, "gen: %d operations from %s (sha256 %.12s)\n", len(res.Ops), res.Pin.File, res.Pin.SHA256)
	return nil
}

// checkGenerated regenerates into memory and compares with the files on
// disk; any difference means someone edited generated code or changed the
// spec without regenerating.
func checkGenerated(root string, stdout io.Writer) error {
	res, err := generate(root)
	if err != nil {
		return err
	}
	var stale []string
	for _, name := range slices.Sorted(maps.Keys(res.Files)) {
		old, err := os.ReadFile(filepath.Join(root, name))
		switch {
		case errors.Is(err, os.ErrNotExist):
			stale = append(stale, name+" (missing)")
		case err != nil:
			return err
		case !bytes.Equal(old, res.Files[name]):
			stale = append(stale, fmt.Sprintf("%s (differs from line %d)", name, firstDiffLine(old, res.Files[name])))
		}
	}
	if len(stale) > 0 {
		msg := "generated code is not what the pinned spec gives:\n"
		for _, s := range stale {
			msg += "  " + s + "\n"
		}
		return errors.New(msg + "run `make generate` and commit the result; never edit *.gen.go by hand")
	}
	fmt.Fprintf(stdout, "gen: generated code is up to date with %s (sha256 %.12s)\n", res.Pin.File, res.Pin.SHA256)
	return nil
}

func firstDiffLine(a, b []byte) int {
	line := 1
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return line
		}
		if a[i] == '\n' {
			line++
		}
	}
	return line
}

// repin records the current spec's hash after checking that it is a valid
// document, for a deliberate hand edit of openapi.json.
func repin(root, source, note string, stdout io.Writer) error {
	path := filepath.Join(root, pinFile)
	p, err := readPin(path)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(filepath.Join(root, p.File))
	if err != nil {
		return err
	}
	if _, err := loadSpec(p.File, data); err != nil {
		return err
	}
	if source != "" {
		p.Source = withoutQuery(source) // a signed URL's query is a secret
	}
	if note != "" {
		p.Note = note
	}
	p.SHA256 = sha256Hex(data)
	if err := os.WriteFile(path, p.encode(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "gen: pinned %s at sha256 %s\n", p.File, p.SHA256)
	return nil
}
