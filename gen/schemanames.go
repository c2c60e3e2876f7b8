package main

import (
	"bufio"
	"bytes"
	"fmt"
	"go/token"
	"os"
	"strings"
)

// schemaNameTableFile is the reviewable table of Go names for schemas, beside
// the operation name table.
const schemaNameTableFile = "gen/schema_names.txt"

// schemaTable is gen/schema_names.txt: Go names a person chose for schemas
// whose spec names are generic or clumsy.
type schemaTable struct {
	// Components maps a component schema's spec name to its Go name.
	Components map[string]string
	// Inline maps a place where an inline enum or union appears ("Schema.property",
	// "Schema.property[]" for the items of an array property,
	// "Operation.parameter" by the operation's Go name) to the Go name of the
	// type that gen hoists it into. Every identical copy gets that name.
	Inline map[string]string
	// lines remembers where each entry is, for messages.
	lines map[string]int
	path  string
}

func loadSchemaTable(path string) (schemaTable, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return schemaTable{Components: map[string]string{}, Inline: map[string]string{}, lines: map[string]int{}, path: path}, nil
	}
	if err != nil {
		return schemaTable{}, fmt.Errorf("read schema name table: %w", err)
	}
	return parseSchemaTable(path, data)
}

func parseSchemaTable(path string, data []byte) (schemaTable, error) {
	t := schemaTable{Components: map[string]string{}, Inline: map[string]string{}, lines: map[string]int{}, path: path}
	names := map[string]string{} // Go name -> key, to refuse one name for two entries
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return t, fmt.Errorf("%s:%d: want \"SpecName GoName\" or \"Schema.property GoName\", got %q", path, n, line)
		}
		key, name := fields[0], fields[1]
		if !token.IsIdentifier(name) || !token.IsExported(name) {
			return t, fmt.Errorf("%s:%d: %q is not an exported Go identifier", path, n, name)
		}
		if _, dup := t.lines[key]; dup {
			return t, fmt.Errorf("%s:%d: %s is listed twice (first on line %d)", path, n, key, t.lines[key])
		}
		if other, dup := names[name]; dup {
			return t, fmt.Errorf("%s:%d: Go name %s is given to both %s and %s", path, n, name, other, key)
		}
		names[name] = key
		t.lines[key] = n
		if strings.Contains(key, ".") {
			t.Inline[key] = name
		} else {
			t.Components[key] = name
		}
	}
	return t, sc.Err()
}
