package main

import (
	"bufio"
	"bytes"
	"fmt"
	"go/token"
	"os"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// nameTable maps a spec operationId to the Go name written for it by a person.
type nameTable map[string]string

// loadNameTable reads gen/operation_names.txt: "operationId GoName" a line,
// with blank lines and #-comments ignored.
func loadNameTable(path string) (nameTable, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read name table: %w", err)
	}
	return parseNameTable(path, data)
}

func parseNameTable(path string, data []byte) (nameTable, error) {
	table := nameTable{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return nil, fmt.Errorf("%s:%d: want \"operationId GoName\", got %q", path, n, line)
		}
		id, name := fields[0], fields[1]
		if !token.IsIdentifier(name) || !token.IsExported(name) {
			return nil, fmt.Errorf("%s:%d: %q is not an exported Go identifier", path, n, name)
		}
		if prev, ok := table[id]; ok {
			return nil, fmt.Errorf("%s:%d: operationId %q is listed twice (as %s and %s)", path, n, id, prev, name)
		}
		table[id] = name
	}
	return table, sc.Err()
}

// opName is the Go name chosen for one operation.
type opName struct {
	OperationID string
	Method      string
	Path        string
	GoName      string
	FromRule    bool // not in the name table: named by ruleName
}

// assignNames names every operation: from the table where it lists the
// operationId, by ruleName otherwise, and then through goName, the name
// normaliser oapi-codegen applies to operation ids, so that the name gen
// uses everywhere is the one oapi-codegen writes. Two operations with one Go
// name are an error, since the generated code would not compile (or worse,
// would shadow).
func assignNames(ops []opName, table nameTable, goName func(string) string) ([]opName, error) {
	byName := map[string]string{}
	var errs []string
	out := make([]opName, len(ops))
	for i, op := range ops {
		name, ok := table[op.OperationID]
		if !ok {
			var err error
			name, err = ruleName(op.OperationID)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s %s: %v", op.Method, op.Path, err))
				continue
			}
			op.FromRule = true
		}
		if goName != nil {
			name = goName(name)
		}
		op.GoName = name
		key := strings.ToLower(name) // names that differ only in case collide in file-insensitive tooling and in oapi-codegen's normaliser
		if other, dup := byName[key]; dup {
			errs = append(errs, fmt.Sprintf("Go name %s is given to both %s and %s: add distinct names for them to gen/operation_names.txt", name, other, op.OperationID))
			continue
		}
		byName[key] = op.OperationID
		out[i] = op
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return nil, fmt.Errorf("naming operations:\n  %s", strings.Join(errs, "\n  "))
	}
	return out, nil
}

// staleEntries lists table entries whose operationId is not in the spec.
func staleEntries(ops []opName, table nameTable) []string {
	seen := map[string]bool{}
	for _, op := range ops {
		seen[op.OperationID] = true
	}
	var stale []string
	for id := range table {
		if !seen[id] {
			stale = append(stale, id)
		}
	}
	sort.Strings(stale)
	return stale
}

// djangoPrefix is how every operationId of Podero's django-ninja app starts.
var djangoPrefix = []string{"integrations", "api", "api", "v2"}

// verbs are leading words of a django-ninja view name that make a good Go
// verb; "retrieve" reads better as "Get".
var verbs = map[string]string{
	"get": "get", "retrieve": "get", "list": "list", "create": "create",
	"update": "update", "delete": "delete", "put": "update", "patch": "update",
	"trigger": "trigger", "cancel": "cancel", "disarm": "disarm", "mint": "create",
	"resolve": "resolve", "report": "report",
}

// initialisms are written in capitals, as Go style wants.
var initialisms = map[string]string{"id": "ID", "url": "URL", "api": "API", "hems": "HEMS", "ev": "EV", "uuid": "UUID", "http": "HTTP", "json": "JSON"}

// ruleName derives a Go name from an operationId the table does not know.
//
// For Podero's django-ninja ids ("integrations_api_api_v2_<module>_router_<view>")
// it drops the constant prefix and the "organizations"/"users" scope words,
// puts the view's verb first and then the module and the rest of the view:
// "..._users_wallboxes_router_list_hems_sessions_endpoint" gives
// "ListWallboxesHEMSSessions". Any other id is split into words at
// punctuation and case changes and camel-cased. The result is always an
// exported Go identifier, or an error when the id has no letters or digits.
func ruleName(operationID string) (string, error) {
	words := splitWords(operationID)
	if len(words) == 0 {
		return "", fmt.Errorf("operationId %q has no letters or digits to build a Go name from", operationID)
	}
	if hasPrefix(words, djangoPrefix) {
		words = djangoWords(words[len(djangoPrefix):])
	}
	var b strings.Builder
	for _, w := range collapseRepeats(words) {
		if up, ok := initialisms[w]; ok {
			b.WriteString(up)
			continue
		}
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	name := b.String()
	if name[0] >= '0' && name[0] <= '9' {
		name = "Op" + name // identifiers cannot start with a digit
	}
	if !token.IsIdentifier(name) || !token.IsExported(name) {
		// Unreachable by construction (ASCII letters and digits only), kept
		// so that a future change to splitWords cannot emit broken code.
		return "", fmt.Errorf("operationId %q gives %q, which is not an exported Go identifier", operationID, name)
	}
	return name, nil
}

func djangoWords(words []string) []string {
	router := -1
	for i, w := range words {
		if w == "router" {
			router = i
		}
	}
	if router < 0 {
		return words
	}
	module, view := words[:router], words[router+1:]
	for len(module) > 1 && (module[0] == "organizations" || module[0] == "users") {
		module = module[1:]
	}
	if n := len(view); n > 1 && view[n-1] == "endpoint" {
		view = view[:n-1]
	}
	var out []string
	if len(view) > 0 {
		if v, ok := verbs[view[0]]; ok {
			out = append(out, v)
			view = view[1:]
		}
	}
	out = append(out, module...)
	out = append(out, view...)
	if len(out) == 0 {
		return words
	}
	return out
}

// collapseRepeats drops a run of words that repeats the run just before it
// ("charge policy charge policy get" -> "charge policy get").
func collapseRepeats(words []string) []string {
	out := append([]string(nil), words...)
	for n := len(out) / 2; n >= 1; n-- {
		for i := 0; i+2*n <= len(out); {
			if slices.Equal(out[i:i+n], out[i+n:i+2*n]) {
				out = append(out[:i+n], out[i+2*n:]...)
				continue
			}
			i++
		}
	}
	return out
}

// splitWords lower-cases id and splits it at every character that is not an
// ASCII letter or digit and at lower-to-upper case changes ("getHTTPThing"
// gives get, http, thing).
func splitWords(id string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	runes := []rune(id)
	for i, r := range runes {
		if r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			flush()
			continue
		}
		if unicode.IsUpper(r) && len(cur) > 0 {
			prev := cur[len(cur)-1]
			nextLower := i+1 < len(runes) && runes[i+1] <= unicode.MaxASCII && unicode.IsLower(runes[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

func hasPrefix(words, prefix []string) bool {
	return len(words) > len(prefix) && slices.Equal(words[:len(prefix)], prefix)
}
