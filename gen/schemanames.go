package main

import (
	"fmt"
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
		return parseSchemaTable(path, nil)
	}
	if err != nil {
		return schemaTable{}, fmt.Errorf("read schema name table: %w", err)
	}
	return parseSchemaTable(path, data)
}

func parseSchemaTable(path string, data []byte) (schemaTable, error) {
	t := schemaTable{Components: map[string]string{}, Inline: map[string]string{}, lines: map[string]int{}, path: path}
	entries, err := readTable(path, data, `"SpecName GoName" or "Schema.property GoName"`, func(keys []string) (string, bool) {
		return keys[0], len(keys) == 1
	})
	if err != nil {
		return t, err
	}
	names := map[string]string{} // Go name -> key, to refuse one name for two entries
	for _, e := range entries {
		if _, dup := t.lines[e.key]; dup {
			return t, fmt.Errorf("%s:%d: %s is listed twice (first on line %d)", path, e.line, e.key, t.lines[e.key])
		}
		if other, dup := names[e.name]; dup {
			return t, fmt.Errorf("%s:%d: Go name %s is given to both %s and %s", path, e.line, e.name, other, e.key)
		}
		names[e.name] = e.key
		t.lines[e.key] = e.line
		if strings.Contains(e.key, ".") {
			t.Inline[e.key] = e.name
		} else {
			t.Components[e.key] = e.name
		}
	}
	return t, nil
}
