package main

import (
	"bufio"
	"bytes"
	"fmt"
	"go/token"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// nameTable maps a spec operationId to the Go name written for it by a person.
type nameTable map[string]string

// loadNameTable reads gen/operation_names.txt: "operationId GoName" a line,
// or "METHOD /path GoName" for an operation without an operationId (or one
// whose id another operation shares), with blank lines and #-comments
// ignored.
func loadNameTable(path string) (nameTable, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read name table: %w", err)
	}
	return parseNameTable(path, data)
}

func parseNameTable(path string, data []byte) (nameTable, error) {
	entries, err := readTable(path, data, `"operationId GoName" or "METHOD /path GoName"`, func(keys []string) (string, bool) {
		switch {
		case len(keys) == 1:
			return keys[0], true
		case len(keys) == 2 && isMethod(strings.ToLower(keys[0])) && strings.HasPrefix(keys[1], "/"):
			return routeKey(keys[0], keys[1]), true
		}
		return "", false
	})
	if err != nil {
		return nil, err
	}
	table := nameTable{}
	for _, e := range entries {
		if prev, ok := table[e.key]; ok {
			return nil, fmt.Errorf("%s:%d: operationId %q is listed twice (as %s and %s)", path, e.line, e.key, prev, e.name)
		}
		table[e.key] = e.name
	}
	return table, nil
}

// tableEntry is one line of a name table: what it names, the Go name it
// gives, and where it is.
type tableEntry struct {
	key, name string
	line      int
}

// readTable reads a table of "key GoName" lines, with blank lines and
// #-comments ignored, as gen/operation_names.txt and gen/schema_names.txt
// are. key makes a line's key of the words before its Go name, or refuses
// them (want says what a line should look like).
func readTable(path string, data []byte, want string, key func(words []string) (string, bool)) ([]tableEntry, error) {
	var entries []tableEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		k, ok := "", len(fields) >= 2
		if ok {
			k, ok = key(fields[:len(fields)-1])
		}
		if !ok {
			return nil, fmt.Errorf("%s:%d: want %s, got %q", path, n, want, line)
		}
		name := fields[len(fields)-1]
		if !token.IsIdentifier(name) || !token.IsExported(name) {
			return nil, fmt.Errorf("%s:%d: %q is not an exported Go identifier", path, n, name)
		}
		entries = append(entries, tableEntry{key: k, name: name, line: n})
	}
	return entries, sc.Err()
}

// opName is the Go name chosen for one operation.
type opName struct {
	OperationID string // "" when the spec gives none
	Method      string
	Path        string
	GoName      string
	FromRule    bool // not in the name table: named by ruleName
}

// key is how the name table and the pipeline know an operation whatever its
// operationId: "METHOD /path".
func (op opName) key() string { return routeKey(op.Method, op.Path) }

// routeKey is "METHOD /path", as name tables, messages and the tables of
// operations by route spell an operation.
func routeKey(method, path string) string { return strings.ToUpper(method) + " " + path }

// label names an operation in messages.
func (op opName) label() string {
	if op.OperationID == "" {
		return op.key() + " (no operationId)"
	}
	return fmt.Sprintf("%s (operationId %s)", op.key(), op.OperationID)
}

// assignNames names every operation: from the table where it lists the
// operation ("METHOD /path" first, then the operationId), by ruleName
// otherwise, and then through goName, the name normaliser oapi-codegen
// applies to operation ids, so that the name gen uses everywhere is the one
// oapi-codegen writes (with its initialisms: IP, DB, HTML, ...). Two
// operations with one Go name are an error, since the generated code would
// not compile (or worse, would shadow).
//
// taken are the methods package api declares by hand on PartnerClient (by
// file): an operation the table does not name that would be one of them
// gets "Op" added, with a note.
func assignNames(ops []opName, table nameTable, goName func(string) string, taken map[string]string) ([]opName, []string, error) {
	byName := map[string]opName{}
	var errs, notes []string
	out := make([]opName, len(ops))
	for i, op := range ops {
		name, ok := table[op.key()]
		if !ok && op.OperationID != "" {
			name, ok = table[op.OperationID]
		}
		if !ok {
			var err error
			name, err = ruleName(op.OperationID, op.Method, op.Path)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s: %v", op.label(), err))
				continue
			}
			op.FromRule = true
		}
		if goName != nil {
			name = goName(name)
		}
		if file, clash := taken[name]; clash {
			if !op.FromRule {
				errs = append(errs, fmt.Sprintf("%s: %s names it %s, which %s declares by hand as a method of %s: choose another name",
					op.label(), nameTableFile, name, file, partnerClient))
				continue
			}
			was := name
			for taken[name] != "" {
				name += "Op"
			}
			notes = append(notes, fmt.Sprintf("%s would be %s.%s, which %s declares by hand; named %s by the rule (give it a name in %s)",
				op.label(), partnerClient, was, file, name, nameTableFile))
		}
		op.GoName = name
		out[i] = op
	}
	notes = append(notes, disambiguate(out, goName)...)
	for _, op := range out {
		if op.GoName == "" {
			continue // its error is listed
		}
		key := strings.ToLower(op.GoName) // names that differ only in case collide in file-insensitive tooling and in oapi-codegen's normaliser
		if other, dup := byName[key]; dup {
			errs = append(errs, fmt.Sprintf("Go name %s is given to both %s and %s: give them distinct names in %s (\"operationId GoName\", or \"METHOD /path GoName\")",
				op.GoName, other.label(), op.label(), nameTableFile))
			continue
		}
		byName[key] = op
	}
	if len(errs) == 0 {
		notes = append(notes, avoidDerivedNames(out, byName, &errs)...)
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return nil, nil, fmt.Errorf("naming operations:\n  %s", strings.Join(errs, "\n  "))
	}
	return out, notes, nil
}

// disambiguate renames, in place, rule-named operations that got one name
// (FastAPI's ids of one function that serves two routes give it to both):
// each gets the words of its path after those the group's paths share
// (CameraSet and CameraSetBySubCommand for .../set/{feature} and
// .../set/{feature}/{sub_command}), and its method when that leaves two
// alike (RequestDataPost and RequestDataPut for POST and PUT
// /request-data).
func disambiguate(ops []opName, goName func(string) string) []string {
	groups := map[string][]int{}
	for i, op := range ops {
		if op.GoName != "" && op.FromRule {
			groups[strings.ToLower(op.GoName)] = append(groups[strings.ToLower(op.GoName)], i)
		}
	}
	var notes []string
	for _, key := range slices.Sorted(maps.Keys(groups)) {
		idx := groups[key]
		if len(idx) < 2 {
			continue
		}
		words := make([][]string, len(idx))
		for j, i := range idx {
			words[j] = pathWords(ops[i].Method, ops[i].Path)[1:]
		}
		common := 0
		for common < len(words[0]) && !slices.ContainsFunc(words, func(w []string) bool { return common >= len(w) || w[common] != words[0][common] }) {
			common++
		}
		// Operations of one path (FastAPI's ids of one function on POST and
		// PUT) keep their method, which is what tells them apart.
		rest := map[string]int{}
		for j := range idx {
			rest[strings.Join(words[j][common:], " ")]++
		}
		how := "paths"
		var renamed []string
		was := ops[idx[0]].GoName
		for j, i := range idx {
			name := was
			suffix := words[j][common:]
			if rest[strings.Join(suffix, " ")] > 1 {
				suffix = append(slices.Clone(suffix), strings.ToLower(ops[i].Method))
				how = "paths and methods"
			}
			for _, w := range suffix {
				name += strings.ToUpper(w[:1]) + w[1:]
			}
			if goName != nil {
				name = goName(name)
			}
			ops[i].GoName = name
			renamed = append(renamed, fmt.Sprintf("%s is %s", ops[i].label(), name))
		}
		notes = append(notes, fmt.Sprintf("the rule gives %d operations the name %s: by their %s, %s (give them names in %s)",
			len(idx), was, how, strings.Join(renamed, ", "), nameTableFile))
	}
	return notes
}

// derivedMethods are the methods oapi-codegen and gen name after an
// operation X besides X itself: XWithBody, XWithResponse, ... and XIter.
var derivedMethods = []string{"WithBody", "WithResponse", "WithBodyWithResponse", "WithFormdataBody",
	"WithFormdataBodyWithResponse", "WithTextBody", "WithTextBodyWithResponse", "Iter"}

// avoidDerivedNames renames, in place, a rule-named operation whose name is
// a method another operation's name gives (create_thing_with_body beside
// create_thing, whose client has CreateThingWithBody): it gets "Op" added.
// A table name that does is an error.
func avoidDerivedNames(ops []opName, byName map[string]opName, errs *[]string) []string {
	derived := map[string]opName{}
	for _, op := range ops {
		for _, suffix := range derivedMethods {
			derived[strings.ToLower(op.GoName+suffix)] = op
		}
	}
	var notes []string
	for i, op := range ops {
		other, clash := derived[strings.ToLower(op.GoName)]
		if !clash {
			continue
		}
		if !op.FromRule {
			*errs = append(*errs, fmt.Sprintf("%s: %s names it %s, a method that the name %s of %s gives already: choose another name",
				op.label(), nameTableFile, op.GoName, other.GoName, other.label()))
			continue
		}
		name := op.GoName
		for derived[strings.ToLower(name)].GoName != "" || byName[strings.ToLower(name)].GoName != "" {
			name += "Op"
		}
		notes = append(notes, fmt.Sprintf("%s would be %s, a method the name %s of %s gives already; named %s by the rule (give it a name in %s)",
			op.label(), op.GoName, other.GoName, other.label(), name, nameTableFile))
		delete(byName, strings.ToLower(op.GoName))
		ops[i].GoName = name
		byName[strings.ToLower(name)] = ops[i]
	}
	return notes
}

// staleEntries lists table entries whose operationId is not in the spec.
func staleEntries(ops []opName, table nameTable) []string {
	seen := map[string]bool{}
	for _, op := range ops {
		seen[op.OperationID] = true
		seen[op.key()] = true
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

// verbs are leading words of a django-ninja view name that make a good Go
// verb; "retrieve" reads better as "Get".
var verbs = map[string]string{
	"get": "get", "retrieve": "get", "list": "list", "create": "create",
	"update": "update", "delete": "delete", "put": "update", "patch": "update",
	"trigger": "trigger", "cancel": "cancel", "disarm": "disarm", "mint": "create",
	"resolve": "resolve", "report": "report",
}

// moduleMarkers end the module part of a django-ninja operationId, which is
// the view's module path and its function name joined by "_"
// ("integrations.api.api_v2.cues.router" + "resolve_cue").
var moduleMarkers = map[string]bool{"router": true, "routers": true, "views": true}

// ruleName derives a Go name from an operation the table does not name.
// The result goes through oapi-codegen's normaliser after (see assignNames),
// which writes the initialisms.
//
//   - A django-ninja id (the view's module path, then its function) is cut
//     at the last "router", "routers" or "views" word that has words after
//     it: the function's verb comes first, then the module's words after
//     its last version or "api" word (and after the "organizations"/"users"
//     scope words of Podero's modules), then the rest of the function:
//     "integrations_api_api_v2_organizations_users_wallboxes_hems_sessions_router_list_hems_sessions_endpoint"
//     and "partners_api_v3_wallboxes_hems_sessions_router_list_hems_sessions_endpoint"
//     both give "ListWallboxesHEMSSessions".
//   - A FastAPI id (the function's name, the path with every non-word
//     character as "_", and the method) loses the path and the method:
//     "read_item_items__item_id__get" for GET /items/{item_id} gives
//     "ReadItem".
//   - An operation without an id is named by its method and path:
//     GET /users/{user_id}/items gives "GetUsersByUserIDItems".
//   - Any other id is split into words at punctuation and case changes and
//     camel-cased.
//
// A name that still looks like a module path (a "router" or "views" word,
// "api" with a version after it) is an error that asks for a line in
// gen/operation_names.txt, as is an id without letters or digits. Otherwise
// the result is an exported Go identifier.
func ruleName(operationID, method, path string) (string, error) {
	var words []string
	switch {
	case operationID == "":
		words = pathWords(method, path)
	default:
		words = splitWords(stripFastAPIPath(operationID, method, path))
	}
	if len(words) == 0 {
		return "", fmt.Errorf("operationId %q has no letters or digits to build a Go name from; add a line \"%s GoName\" to %s",
			operationID, operationID, nameTableFile)
	}
	words = djangoWords(words)
	words = collapseRepeats(words)
	var b strings.Builder
	for _, w := range words {
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
	if why := modulePath(words); why != "" {
		key := operationID
		if key == "" {
			key = routeKey(method, path)
		}
		return "", fmt.Errorf("the rule names operationId %q %s, which still looks like a module path (%s): add a line \"%s GoName\" to %s",
			operationID, name, why, key, nameTableFile)
	}
	return name, nil
}

// stripFastAPIPath drops the path and method that FastAPI's default
// operationId appends to the function name (generate_unique_id: the name,
// the path with every non-word character as "_", "_" and the method).
func stripFastAPIPath(id, method, path string) string {
	var suffix strings.Builder
	for _, r := range path {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			suffix.WriteRune(r)
		} else {
			suffix.WriteByte('_')
		}
	}
	suffix.WriteString("_" + strings.ToLower(method))
	if rest, ok := strings.CutSuffix(id, suffix.String()); ok && strings.Trim(rest, "_") != "" {
		return rest
	}
	return id
}

// pathWords names an operation by its method and path.
func pathWords(method, path string) []string {
	words := []string{strings.ToLower(method)}
	for _, seg := range strings.Split(path, "/") {
		if p, ok := strings.CutPrefix(seg, "{"); ok {
			words = append(words, "by")
			words = append(words, splitWords(strings.TrimSuffix(p, "}"))...)
			continue
		}
		words = append(words, splitWords(seg)...)
	}
	if len(words) == 1 {
		return nil
	}
	return words
}

// isVersion reports whether a word is an API version: v1, v2, ...
func isVersion(w string) bool {
	if len(w) < 2 || w[0] != 'v' {
		return false
	}
	for _, r := range w[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func djangoWords(words []string) []string {
	marker := -1
	for i, w := range words {
		if moduleMarkers[w] && i+1 < len(words) {
			marker = i
		}
	}
	if marker < 0 {
		return words
	}
	module, view := words[:marker], words[marker+1:]
	// The package path before the resource: up to the last version or
	// "api" word (and the digits of a version: v2_0).
	for i := len(module) - 1; i >= 0; i-- {
		if isVersion(module[i]) || module[i] == "api" || module[i] == "apis" {
			module = module[i+1:]
			for len(module) > 0 && strings.Trim(module[0], "0123456789") == "" {
				module = module[1:]
			}
			break
		}
	}
	for len(module) > 1 && (module[0] == "organizations" || module[0] == "users") {
		module = module[1:]
	}
	if n := len(view); n > 1 && (view[n-1] == "endpoint" || view[n-1] == "view") {
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

// modulePath says why words still look like a module path, or "".
func modulePath(words []string) string {
	for i, w := range words {
		switch {
		case moduleMarkers[w]:
			return fmt.Sprintf("%q", w)
		case (w == "api" || w == "apis") && i+1 < len(words) && (isVersion(words[i+1]) || words[i+1] == "api"):
			return fmt.Sprintf("%q %q", w, words[i+1])
		}
	}
	return ""
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
