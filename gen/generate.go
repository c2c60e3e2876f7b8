package main

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"errors"
	"fmt"
	"go/format"
	"go/parser"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"text/template"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oapi-codegen/oapi-codegen/v2/pkg/codegen"
	"gopkg.in/yaml.v3"
)

// Where things live, relative to the repository root.
const (
	pinFile        = "openapi.pin.json"
	nameTableFile  = "gen/operation_names.txt"
	apiDir         = "api"
	codegenConfig  = "api/oapi-codegen.yaml"
	operationsFile = "api/operations.gen.go"
	// pinnedCopy is the copy of the pinned spec that internal/pinned
	// embeds (see its doc).
	pinnedCopy = "internal/pinned/openapi.json"
)

// codegenFile is oapi-codegen's configuration file: its own options plus the
// output file name, as its command-line tool reads it.
type codegenFile struct {
	codegen.Configuration `yaml:",inline"`
	Output                string `yaml:"output"`
}

// result is one run of the pipeline.
type result struct {
	Pin   pin
	Doc   *openapi3.T
	Ops   []opName
	Stale []string          // name-table entries the spec no longer has
	Notes []string          // what a person may want to look at
	Files map[string][]byte // generated files by path relative to the root
	// Prepared is the spec as kin-openapi validated it and normalisation
	// read it (see prepareSpec): the pinned bytes, less what Go cannot use.
	Prepared []byte
	// Hoisted are the types normalisation made from inline enums and
	// unions, with the places they come from.
	Hoisted []hoistedType
	// OpTypes are the Go types each operation's request and responses use,
	// by its Go name, for the update report (see goArbiter).
	OpTypes map[string]opTypes
	// TypeNames maps a component schema's name in the spec to its Go type.
	TypeNames map[string]string
	// NoIterator says, by "METHOD /path", why an operation has no
	// iterator (see findPagers).
	NoIterator map[string]pageMiss

	ids *identifierCache // see identifiers
	// HandWritten are the hand-written files of package api the code was
	// generated beside.
	HandWritten map[string][]byte
	// Surface are the PartnerClient methods, for the front ends (cli.go).
	Surface []surfaceOp
}

// generate runs the pipeline on the pinned spec under root and returns the
// files it would write, without writing them.
func generate(root string) (*result, error) {
	p, err := readPin(filepath.Join(root, pinFile))
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(root, p.File))
	if err != nil {
		return nil, fmt.Errorf("read pinned spec: %w", err)
	}
	if err := checkPin(p, data); err != nil {
		return nil, err
	}
	res, err := generateFrom(root, p, data)
	if err != nil {
		return nil, err
	}
	return withFrontEnds(root, res)
}

// genMu serialises generation: oapi-codegen keeps its configuration (the
// name normaliser, the initialisms) in package state that Generate sets.
var genMu sync.Mutex

// genOptions are what a run of the pipeline may add to the repository's
// configuration.
type genOptions struct {
	// NameTables are further operation-name tables, read after
	// gen/operation_names.txt (a corpus document's own names).
	NameTables []string
	// NoCache generates even when resultCache has the result.
	NoCache bool
	// Name is how messages name the spec ("the spec from URL"); the pin's
	// file when empty.
	Name string
}

// generateFrom runs the pipeline on spec data that the caller has checked.
func generateFrom(root string, p pin, data []byte) (*result, error) {
	return generateWith(root, p, data, genOptions{})
}

// generateWith is generateFrom with options.
func generateWith(root string, p pin, data []byte, opts genOptions) (*result, error) {
	genMu.Lock()
	defer genMu.Unlock()
	if resultCache == nil || opts.NoCache {
		return generateLocked(root, p, data, opts)
	}
	key, err := inputsKey(root, p, data, opts)
	if err != nil {
		return nil, err
	}
	if res, ok := resultCache[key]; ok {
		hit := *res
		hit.Pin = p // its source and note are in nothing generated
		return &hit, nil
	}
	res, err := generateLocked(root, p, data, opts)
	if err == nil {
		resultCache[key] = res
	}
	return res, err
}

// validateNormalized makes generation validate the normalised copy of the
// spec too; gen's tests set it.
var validateNormalized bool

// specError is an error of the spec itself (not JSON, not OpenAPI,
// invalid), which names it: callers pass it on as it is.
type specError struct{ error }

func (e *specError) Unwrap() error { return e.error }

// resultCache, when not nil, keeps generateWith's results by the content of
// everything they are made from, so that generating the same inputs again
// (the pinned spec, in copy after copy of the repository) costs nothing.
// gen's tests set it; the command does not need it. Results must not be
// modified.
var resultCache map[[32]byte]*result

// inputsKey hashes what generation reads: the spec and its pin, the options'
// tables, and from root the oapi-codegen configuration, the name tables and
// the hand-written files of package api.
func inputsKey(root string, p pin, data []byte, opts genOptions) ([32]byte, error) {
	h := sha256.New()
	put := func(name string, b []byte) {
		fmt.Fprintf(h, "%s %d\n", name, len(b))
		h.Write(b)
	}
	put("pin", []byte(p.File+" "+p.SHA256))
	put("spec", data)
	paths := append([]string{filepath.Join(root, codegenConfig), filepath.Join(root, nameTableFile), filepath.Join(root, schemaNameTableFile)}, opts.NameTables...)
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return [32]byte{}, err
		}
		put(path[len(root):], b)
	}
	hw, err := handWrittenFiles(root)
	if err != nil {
		return [32]byte{}, err
	}
	for _, name := range slices.Sorted(maps.Keys(hw)) {
		put(name, hw[name])
	}
	var key [32]byte
	h.Sum(key[:0])
	return key, nil
}

// generateLocked is generateWith, with genMu held.
func generateLocked(root string, p pin, data []byte, opts genOptions) (*result, error) {
	prepared, prepNotes := prepareSpec(data)
	// kin-openapi validates the spec while the pipeline names and
	// normalises it from its JSON, on another core; an invalid spec's
	// error is the one returned, whatever else fails before the two meet
	// (before oapi-codegen runs).
	name := opts.Name
	if name == "" {
		name = p.File
	}
	validation := make(chan error, 1)
	go func() {
		_, err := validateSpec(name, prepared)
		if err != nil {
			err = &specError{err}
		}
		validation <- err
	}()
	valid := sync.OnceValue(func() error { return <-validation })
	fail := func(err error) (*result, error) {
		if verr := valid(); verr != nil {
			return nil, verr
		}
		return nil, err
	}
	ops, err := jsonOperations(prepared)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", p.File, err))
	}
	cfg, err := readCodegenConfig(filepath.Join(root, codegenConfig))
	if err != nil {
		return fail(err)
	}
	goName, err := primeNames(cfg.Configuration)
	if err != nil {
		return fail(err)
	}
	table, err := loadNameTable(filepath.Join(root, nameTableFile))
	if err != nil {
		return fail(err)
	}
	for _, path := range opts.NameTables {
		extra, err := loadNameTable(path)
		if err != nil {
			return fail(err)
		}
		for id, name := range extra {
			table[id] = name
		}
	}
	handWritten, err := handWrittenFiles(root)
	if err != nil {
		return fail(err)
	}
	hwFset, parsed, err := parseHandWritten(handWritten)
	if err != nil {
		return fail(err)
	}
	members := handWrittenMembers(hwFset, parsed)
	methods := handWrittenMethods(members)
	named, nameNotes, err := assignNames(ops, table, goName, methods)
	if err != nil {
		return fail(err)
	}
	prepNotes = append(prepNotes, nameNotes...)
	schemaNames, err := loadSchemaTable(filepath.Join(root, schemaNameTableFile))
	if err != nil {
		return fail(err)
	}
	reserved := reservedNames(parsed, named)
	opNames := map[string]string{} // "METHOD /path" -> Go name
	for _, op := range named {
		opNames[op.key()] = op.GoName
	}
	norm, err := normalizeSpecWith(data, schemaNames, opNames, goName, reserved, members)
	if err != nil {
		return fail(err)
	}
	// oapi-codegen generates from the normalised copy (see normalize.go).
	// It is valid when the spec is, unless normalisation has a bug, which
	// gen's tests look for (validateNormalized); the command skips the
	// second validation, a tenth of the time of a large spec.
	gdoc, err := parseDoc(norm.Data)
	if err == nil && validateNormalized {
		_, err = validateSpec(p.File+" (normalised for oapi-codegen)", norm.Data)
	}
	if err != nil {
		return fail(fmt.Errorf("%s (normalised for oapi-codegen): %w", p.File, err))
	}
	_, byKey, err := operations(gdoc)
	if err != nil {
		return fail(err)
	}
	// oapi-codegen names methods and types after the operationId, so the
	// django-ninja ids are swapped for the Go names before it sees the
	// document. The original id stays in the godoc for traceability.
	for _, op := range named {
		o := byKey[op.key()]
		o.OperationID = op.GoName
		note := "Podero operationId: " + op.OperationID + "."
		if op.OperationID == "" {
			note = "The spec gives no operationId."
		}
		// The reconstructed spec says how each operation was sourced; a
		// caller should know when an endpoint is inferred, not observed.
		if ev, ok := o.Extensions["x-podero-evidence"].(string); ok && ev != "" {
			note += "\nSpec evidence (x-podero-evidence): " + ev + "."
		}
		if o.Description == "" {
			o.Description = note
		} else {
			o.Description = strings.TrimRight(o.Description, "\n") + "\n\n" + note
		}
	}

	if err := valid(); err != nil {
		return nil, err
	}
	version := oapiCodegenVersion()
	cfg.NoVCSVersionOverride = &version
	if cfg.OutputOptions.UserTemplates == nil {
		cfg.OutputOptions.UserTemplates = map[string]string{}
	}
	cfg.OutputOptions.UserTemplates["imports.tmpl"] = importsTemplate
	cfg.OutputOptions.SkipFmt = true // pruneImports does goimports' work, faster
	code, err := codegen.Generate(gdoc, cfg.Configuration)
	if err != nil {
		return nil, fmt.Errorf("oapi-codegen: %w", err)
	}
	src, err := pruneImports(cfg.Output, []byte(safePathParams(code)))
	if err != nil {
		return nil, err
	}
	code = string(src)
	// The code is parsed as it is written, pruned and formatted, so that
	// positions (checkDeclarations' messages) are the written file's; and
	// beside the hand-written files, which checkDeclarations reads too.
	oapiFile := filepath.ToSlash(filepath.Join(apiDir, cfg.Output))
	fset := hwFset
	file, err := parser.ParseFile(fset, oapiFile, src, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("parse oapi-codegen output: %w", err)
	}
	doc := gdoc
	opsCode, err := operationsSource(cfg.PackageName, p, named)
	if err != nil {
		return nil, err
	}
	g, err := parseGenerated(fset, file)
	if err != nil {
		return nil, err
	}
	dg := newDecoderGen(doc, g, goName, reserved)
	surface, err := buildSurface(doc, named, g, dg)
	if err != nil {
		return nil, err
	}
	pagers, notes, noIterator := findPagers(doc, surface, g, methods)
	getters, getterNotes := buildGetters(doc, g, goName, members)
	declared, errorNotes := findDeclaredErrors(named, doc, g, goName)
	notes = append(append(append(append(prepNotes, norm.Notes...), notes...), getterNotes...), errorNotes...)
	extras := map[string]any{"Package": cfg.PackageName, "Pin": p, "Pagers": pagers,
		"Errors": declared}
	pagesCode, err := renderGo(paginationFile, paginationTemplate, extras)
	if err != nil {
		return nil, err
	}
	errorsCode, err := renderGo(errorsFile, errorsTemplate, extras)
	if err != nil {
		return nil, err
	}
	clientCode, err := clientSource(cfg.PackageName, p, surface)
	if err != nil {
		return nil, err
	}
	decodeCode, err := goFile(decodeFile, cfg.PackageName, p, dg.source(),
		"encoding/json", "time", "github.com/go-faster/jx", "github.com/oapi-codegen/nullable",
		"openapi_types github.com/oapi-codegen/runtime/types")
	if err != nil {
		return nil, err
	}
	indexCode, err := docIndexSource(cfg.PackageName, p, doc, surface)
	if err != nil {
		return nil, err
	}
	gettersCode, err := gettersSource(cfg.PackageName, p, getters)
	if err != nil {
		return nil, err
	}
	gettersTest, err := gettersTestSource(cfg.PackageName, p, getters)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{
		oapiFile:        []byte(code),
		operationsFile:  opsCode,
		paginationFile:  pagesCode,
		errorsFile:      errorsCode,
		clientFile:      clientCode,
		decodeFile:      decodeCode,
		gettersFile:     gettersCode,
		gettersTestFile: gettersTest,
		docIndexFile:    indexCode,
		pinnedCopy:      data,
	}
	parsed[oapiFile] = file
	if err := checkDeclarations(withFiles(files, handWritten), fset, parsed); err != nil {
		return nil, err
	}
	return &result{
		Pin:         p,
		Doc:         doc,
		Ops:         named,
		Stale:       staleEntries(ops, table),
		Notes:       notes,
		NoIterator:  noIterator,
		HandWritten: handWritten,
		Prepared:    prepared,
		OpTypes:     operationTypes(doc, named, goName),
		Hoisted:     norm.Hoisted,
		TypeNames:   norm.TypeNames,
		ids:         new(identifierCache),
		Files:       files,
		Surface:     surface,
	}, nil
}

// safePathParams points the path parameters of oapi-codegen's request
// builders at stylePathParam (api/request.go), which refuses an empty value
// and encodes "." and "..", so that no value takes a request of the raw
// client to another route. The call is the same but for its name.
func safePathParams(code string) string {
	lines := strings.SplitAfter(code, "\n")
	for i, l := range lines {
		if strings.Contains(l, "runtime.ParamLocationPath") {
			lines[i] = strings.Replace(l, "runtime.StyleParamWithOptions(", "stylePathParam(", 1)
		}
	}
	return strings.Join(lines, "")
}

// importsTemplate replaces oapi-codegen's file header, which would name this
// module's (devel) version instead of the generator, and its package doc,
// which api/doc.go writes.
//
//go:embed templates/imports.tmpl
var importsTemplate string

// oapiCodegenVersion is the oapi-codegen version gen is built with, from
// go.mod by way of the build info.
func oapiCodegenVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			if dep.Path == "github.com/oapi-codegen/oapi-codegen/v2" {
				return dep.Version
			}
		}
	}
	return "(unknown version)"
}

func readCodegenConfig(path string) (codegenFile, error) {
	var cfg codegenFile
	data, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("read oapi-codegen config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return cfg, fmt.Errorf("oapi-codegen config %s: %w", path, err)
	}
	if cfg.Output == "" || filepath.Base(cfg.Output) != cfg.Output || !strings.HasSuffix(cfg.Output, ".gen.go") {
		return cfg, fmt.Errorf("oapi-codegen config %s: output must be a file name in %s/ ending in .gen.go, got %q", path, apiDir, cfg.Output)
	}
	cfg.Configuration = cfg.Configuration.UpdateDefaults()
	if err := cfg.Configuration.Validate(); err != nil {
		return cfg, fmt.Errorf("oapi-codegen config %s: %w", path, err)
	}
	return cfg, nil
}

var operationsTemplate = template.Must(template.New("ops").Parse(`// Code generated by github.com/podero-go/podero/gen from {{.Pin.File}}; DO NOT EDIT.

package {{.Package}}

// SpecSHA256 is the SHA-256 of the pinned {{.Pin.File}} this package was
// generated from.
const SpecSHA256 = "{{.Pin.SHA256}}"

// OperationInfo describes one operation of the Partner API.
type OperationInfo struct {
	// Name is the Go name: the generated client has Name and
	// NameWithResponse methods, NameResponse types, and so on.
	Name string
	// Method is the HTTP method, in capitals.
	Method string
	// Path is the path template, as in the spec.
	Path string
	// OperationID is the spec's operationId.
	OperationID string
}

// Operations lists every operation of the pinned spec, by path and method.
var Operations = []OperationInfo{
{{- range .Ops}}
	{Name: "{{.GoName}}", Method: "{{.Method}}", Path: "{{.Path}}", OperationID: "{{.OperationID}}"},
{{- end}}
}
`))

func operationsSource(pkg string, p pin, ops []opName) ([]byte, error) {
	var buf bytes.Buffer
	if err := operationsTemplate.Execute(&buf, map[string]any{"Package": pkg, "Pin": p, "Ops": ops}); err != nil {
		return nil, err
	}
	src, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("format %s: %w", operationsFile, err)
	}
	return src, nil
}
