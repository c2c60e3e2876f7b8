package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// pin records which spec the committed code was generated from. Generation
// refuses a spec whose hash is not the pinned one, so that a hand edit of
// openapi.json has to be re-pinned on purpose (`make pin-spec`).
type pin struct {
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	Source string `json:"source"`
	Note   string `json:"note,omitempty"`
}

func readPin(path string) (pin, error) {
	var p pin
	data, err := os.ReadFile(path)
	if err != nil {
		return p, fmt.Errorf("read spec pin: %w", err)
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return p, fmt.Errorf("read spec pin %s: %w", path, err)
	}
	if p.SHA256 == "" || p.File == "" {
		return p, fmt.Errorf("spec pin %s: \"file\" and \"sha256\" are required", path)
	}
	return p, nil
}

func (p pin) encode() []byte {
	data, _ := json.MarshalIndent(p, "", "  ") // a struct of strings always marshals
	return append(data, '\n')
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// checkPin fails unless data is the spec the pin names.
func checkPin(p pin, data []byte) error {
	if got := sha256Hex(data); got != p.SHA256 {
		return fmt.Errorf("%s does not match its pin: sha256 %s, pinned %s.\n"+
			"If you changed it on purpose, re-pin it with `make pin-spec` (or take a new one with `make update-spec`) and regenerate",
			p.File, got, p.SHA256)
	}
	return nil
}

// loadSpec parses and validates an OpenAPI document as the pipeline reads
// it (see prepareSpec). It refuses what is not one (an HTML error page,
// truncated JSON, YAML, an invalid document) with a message that says which.
func loadSpec(name string, data []byte) (*openapi3.T, error) {
	prepared, _ := prepareSpec(data)
	return validateSpec(name, prepared)
}

// validateSpec is loadSpec on a prepared document.
func validateSpec(name string, data []byte) (*openapi3.T, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%s is empty, not an OpenAPI document", name)
	}
	if ct := http.DetectContentType(trimmed); strings.HasPrefix(ct, "text/html") || trimmed[0] == '<' {
		return nil, fmt.Errorf("%s is an HTML page, not an OpenAPI document", name)
	}
	if !json.Valid(trimmed) {
		if trimmed[0] == '{' {
			var syn *json.SyntaxError
			err := json.Unmarshal(trimmed, new(any))
			if errors.As(err, &syn) {
				return nil, fmt.Errorf("%s is not valid JSON (truncated or corrupt?): %v at byte %d", name, err, syn.Offset)
			}
			return nil, fmt.Errorf("%s is not valid JSON (truncated or corrupt?): %v", name, err)
		}
		// kin-openapi also reads YAML, but the rest of the pipeline reads
		// the spec's JSON (prepareSpec, jsonOperations, normalizeSpec).
		return nil, fmt.Errorf("%s is not JSON (YAML?): gen reads only JSON, and openapi.json has to hold it. "+
			"Convert it (yq -o=json does) and take the JSON: put it in openapi.json and run `make pin-spec generate`, "+
			"or serve it on this machine and run `make update-spec SPEC_URL=http://127.0.0.1:PORT/openapi.json`", name)
	}
	doc, err := parseDoc(data)
	if err != nil {
		return nil, fmt.Errorf("%s cannot be read as an OpenAPI document: %w", name, err)
	}
	if doc.OpenAPI == "" {
		return nil, fmt.Errorf("%s has no \"openapi\" version field, so it is not an OpenAPI document", name)
	}
	if doc.Paths == nil || doc.Paths.Len() == 0 {
		return nil, fmt.Errorf("%s declares no paths", name)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("%s is not a valid OpenAPI %s document: %w\n"+
			"Every tool would read it wrong, so gen takes none of it. Ask its authors to fix it; meanwhile, fix a copy and take that: "+
			"serve it on this machine and run `make update-spec SPEC_URL=http://127.0.0.1:PORT/openapi.json`, "+
			"or put it in openapi.json and run `make pin-spec generate`", name, doc.OpenAPI, err)
	}
	return doc, nil
}

// jsonOperations is operations for a spec as JSON, before kin-openapi has
// read it: the same list, in the same order.
func jsonOperations(data []byte) ([]opName, error) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	var ops []opName
	for _, path := range slices.Sorted(maps.Keys(doc.Paths)) {
		item := doc.Paths[path]
		methods := map[string]string{}
		for key, raw := range item {
			if !isMethod(key) {
				continue
			}
			var op struct {
				OperationID string `json:"operationId"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				return nil, fmt.Errorf("%s %s: %w", strings.ToUpper(key), path, err)
			}
			methods[strings.ToUpper(key)] = op.OperationID
		}
		for _, m := range slices.Sorted(maps.Keys(methods)) {
			ops = append(ops, opName{OperationID: methods[m], Method: m, Path: path})
		}
	}
	return ops, nil
}

// parseDoc reads an OpenAPI document and resolves its references. A JSON
// document is decoded with encoding/json: kin-openapi's loader reads JSON
// as YAML, which takes most of the time of generating from a large spec.
func parseDoc(data []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	if trimmed := bytes.TrimSpace(data); len(trimmed) == 0 || trimmed[0] != '{' {
		return loader.LoadFromData(data)
	}
	doc := new(openapi3.T)
	if err := json.Unmarshal(data, doc); err != nil {
		return nil, err
	}
	if err := loader.ResolveRefsIn(doc, nil); err != nil {
		return nil, err
	}
	return doc, nil
}

// operations lists the spec's operations in a stable order (path, then
// method), and the operations by "METHOD /path" (see opName.key). An
// operation without an operationId, or with one another operation has too,
// is named by gen/operation_names.txt's "METHOD /path GoName" lines or the
// rule (see assignNames).
func operations(doc *openapi3.T) ([]opName, map[string]*openapi3.Operation, error) {
	var ops []opName
	byKey := map[string]*openapi3.Operation{}
	for _, path := range slices.Sorted(maps.Keys(doc.Paths.Map())) {
		methods := doc.Paths.Value(path).Operations()
		for _, m := range slices.Sorted(maps.Keys(methods)) {
			op := opName{OperationID: methods[m].OperationID, Method: m, Path: path}
			byKey[op.key()] = methods[m]
			ops = append(ops, op)
		}
	}
	return ops, byKey, nil
}
