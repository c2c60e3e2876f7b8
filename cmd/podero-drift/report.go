package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/speccheck"
)

// report is what the survey found, ready to write as Markdown. It holds
// no value from a response and no id: operations, statuses, JSON pointers,
// kinds and JSON types.
type report struct {
	target    string
	when      time.Time
	s         settings
	requests  int
	answered  int
	stopped   string
	calls     []*opCalls
	summary   speccheck.Summary
	unreached []unreached
	writes    []string // the operations the survey never calls
}

type unreached struct{ name, why string }

func newReport(t *target, sv *surveyor, sum speccheck.Summary) *report {
	r := &report{target: t.name, when: sv.now, s: sv.s, requests: sv.sent, answered: sv.answered, stopped: sv.stopped,
		summary: sum}
	for _, name := range sv.order {
		r.calls = append(r.calls, sv.calls[name])
	}
	for _, info := range api.Operations {
		switch {
		case info.Method != http.MethodGet:
			r.writes = append(r.writes, info.Name)
		case sv.calls[info.Name] == nil:
			r.unreached = append(r.unreached, unreached{info.Name, whyUnreached(info.Name, sv)})
		}
	}
	slices.Sort(r.writes)
	slices.SortFunc(r.unreached, func(a, b unreached) int { return strings.Compare(a.name, b.name) })
	return r
}

// whyUnreached says why the survey did not call a GET operation.
func whyUnreached(name string, sv *surveyor) string {
	if sv.stopped != "" {
		return "the survey stopped early: " + sv.stopped
	}
	switch name {
	case "GetOnboardingSession", "GetWallboxClaimTokenStatus":
		return "needs an onboarding session's id, which only the POST that creates the session returns"
	case "GetUserByExternalID":
		return "no surveyed user has an external_user_id"
	case "GetBuilding":
		return "no surveyed device names a building (the API lists no buildings)"
	case "GetWallboxHEMSSession":
		return "no surveyed wallbox has a HEMS session in the window"
	}
	if sv.calls["ListUsers"] == nil || sv.calls["GetUser"] == nil {
		return "no user to survey"
	}
	for _, k := range []struct{ word, what string }{
		{"ElectricVehicle", "no electric vehicle among the surveyed devices"},
		{"HeatPump", "no heat pump among the surveyed devices"},
		{"Inverter", "no inverter among the surveyed devices"},
		{"Wallbox", "no wallbox among the surveyed devices (the API lists wallboxes only in a user's charging configuration)"},
	} {
		if strings.Contains(name, k.word) {
			return k.what
		}
	}
	return "not reached"
}

func (r *report) write(w io.Writer) error {
	var b strings.Builder
	r.header(&b)
	r.operations(&b)
	r.mismatchTable(&b)
	r.undeclared(&b)
	r.notReached(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

func (r *report) header(b *strings.Builder) {
	fmt.Fprintf(b, "# Podero drift report\n\n")
	fmt.Fprintf(b, "- **Target:** %s\n", r.target)
	fmt.Fprintf(b, "- **Spec:** the pinned openapi.json, SHA-256 `%s`\n", shortSHA(api.SpecSHA256))
	fmt.Fprintf(b, "- **When:** %s; window: the last %d days\n", r.when.Format(time.RFC3339), r.s.days)
	pause := "no pause"
	if r.s.pause > 0 {
		pause = r.s.pause.String() + " apart"
	}
	fmt.Fprintf(b, "- **Requests:** %d of a budget of %d, all GET (besides the token request), one at a time, %s\n", r.requests, r.s.budget, pause)
	fmt.Fprintf(b, "- **Checked:** %d responses against the spec; %d distinct mismatches\n", r.summary.Checked, len(r.summary.Mismatches))
	if n := r.summary.UndeclaredError; n > 0 {
		fmt.Fprintf(b, "- **Not checked:** %d error responses whose status the spec does not declare (not drift: it declares almost no errors)\n", n)
	}
	if n := r.summary.TooLarge + r.summary.UnknownPath; n > 0 {
		fmt.Fprintf(b, "- **Not checked:** %d responses over the checker's body limit, %d of paths the spec does not have\n", r.summary.TooLarge, r.summary.UnknownPath)
	}
	if r.stopped != "" {
		fmt.Fprintf(b, "- **Stopped early:** %s\n", r.stopped)
	}
	if r.summary.Dropped > 0 || r.summary.Failed > 0 {
		fmt.Fprintf(b, "- **Lost:** %d responses dropped by a full queue, %d the checker failed on\n", r.summary.Dropped, r.summary.Failed)
	}
	b.WriteString("\nThe report shows no value from a response and no id: operations, statuses, JSON pointers (RFC 6901, with\n" +
		"every array index as `*`), what the spec declares there and the JSON types found.\n")
}

func (r *report) operations(b *strings.Builder) {
	fmt.Fprintf(b, "\n## Operations called (%d)\n\n", len(r.calls))
	b.WriteString("| Operation | Requests | Statuses |\n| --- | ---: | --- |\n")
	for _, c := range r.calls {
		var parts []string
		for _, st := range slices.Sorted(maps.Keys(c.statuses)) {
			parts = append(parts, count(fmt.Sprintf("%d %s", st, http.StatusText(st)), c.statuses[st]))
		}
		for _, why := range slices.Sorted(maps.Keys(c.failures)) {
			parts = append(parts, count(why, c.failures[why]))
		}
		fmt.Fprintf(b, "| %s | %d | %s |\n", c.name, c.requests, cell(strings.Join(parts, ", ")))
	}
}

// count is "what" or "what ×n".
func count(what string, n int) string {
	if n == 1 {
		return what
	}
	return fmt.Sprintf("%s ×%d", what, n)
}

func (r *report) mismatchTable(b *strings.Builder) {
	fmt.Fprintf(b, "\n## Mismatches (%d)\n\n", len(r.summary.Mismatches))
	if len(r.summary.Mismatches) == 0 {
		b.WriteString("Every response checked conforms to the pinned spec.\n")
		return
	}
	b.WriteString("Each distinct mismatch once, with the number of responses it was seen in.\n\n")
	b.WriteString("| Operation | Status | Pointer | Kind | Schema | The spec declares | Found | Responses |\n" +
		"| --- | --- | --- | --- | --- | --- | --- | ---: |\n")
	for _, t := range r.summary.Mismatches {
		pointer := "(the response)"
		if t.Pointer != "" {
			pointer = "`" + t.Pointer + "`"
		}
		found := t.Got
		if types := t.Types(); len(types) > 0 {
			found = strings.Join(types, " or ")
		}
		fmt.Fprintf(b, "| %s | %d | %s | %s | %s | %s | %s | %d |\n",
			t.Operation, t.Status, cell(pointer), t.Kind, t.Schema, cell(t.Expected), cell(found), t.Responses)
	}
}

// property is an undeclared property of a schema, over every operation it
// was seen in.
type property struct {
	schema, name     string
	operations       []string
	types, itemTypes []string
	responses        int64
}

func (r *report) properties() []*property {
	var props []*property
	byKey := map[[2]string]*property{}
	for _, t := range r.summary.Mismatches {
		if t.Kind != speccheck.UndeclaredProperty {
			continue
		}
		schema := t.Schema
		if schema == "" {
			schema = "the response of " + t.Operation
		}
		k := [2]string{schema, lastSegment(t.Pointer)}
		p := byKey[k]
		if p == nil {
			p = &property{schema: k[0], name: k[1]}
			byKey[k] = p
			props = append(props, p)
		}
		if !slices.Contains(p.operations, t.Operation) {
			p.operations = append(p.operations, t.Operation)
		}
		p.types = union(p.types, t.Types())
		p.itemTypes = union(p.itemTypes, t.ItemTypes())
		p.responses += t.Responses
	}
	slices.SortFunc(props, func(a, b *property) int {
		return strings.Compare(a.schema+"\x00"+a.name, b.schema+"\x00"+b.name)
	})
	return props
}

func (r *report) undeclared(b *strings.Builder) {
	props := r.properties()
	if len(props) == 0 {
		return
	}
	fmt.Fprintf(b, "\n## Undeclared properties (%d)\n\n", len(props))
	b.WriteString("| Schema | Property | JSON types seen | Operations |\n| --- | --- | --- | --- |\n")
	for _, p := range props {
		types := strings.Join(p.types, " or ")
		if len(p.itemTypes) > 0 {
			types += " (items: " + strings.Join(p.itemTypes, " or ") + ")"
		}
		fmt.Fprintf(b, "| %s | `%s` | %s | %s |\n", cell(p.schema), cell(p.name), types, strings.Join(p.operations, ", "))
	}
	suggestion := map[string]any{}
	for _, p := range props {
		if strings.HasPrefix(p.schema, "the response of ") {
			continue
		}
		s, _ := suggestion[p.schema].(map[string]any)
		if s == nil {
			s = map[string]any{"properties": map[string]any{}}
			suggestion[p.schema] = s
		}
		s["properties"].(map[string]any)[p.name] = suggestSchema(p)
	}
	if len(suggestion) == 0 {
		return
	}
	text, err := json.MarshalIndent(suggestion, "", "  ")
	if err != nil {
		return
	}
	b.WriteString("\n### Suggested schema — a suggestion, not an edit\n\n")
	b.WriteString("Drawn from the JSON types seen, in the style of the spec's other properties (django-ninja: a title, and\n" +
		"`anyOf` with `null` for a property seen null). It has not been applied. Check it against Podero's\n" +
		"documentation before merging it into `components.schemas` of openapi.json, and leave out what is not meant to\n" +
		"be in the API.\n\n")
	b.WriteString("```json\n" + string(text) + "\n```\n")
}

// suggestSchema is a JSON Schema that allows what was seen of p.
func suggestSchema(p *property) map[string]any {
	s := typesSchema(p.types, p.itemTypes)
	s["title"] = title(p.name)
	return s
}

// typesSchema allows the given JSON types: one type, or anyOf them, null
// last as django-ninja writes an Optional.
func typesSchema(types, itemTypes []string) map[string]any {
	nullable := slices.Contains(types, "null")
	var rest []string
	for _, t := range types {
		switch {
		case t == "null":
		case t == "integer" && slices.Contains(types, "number"):
		default:
			rest = append(rest, t)
		}
	}
	one := func(t string) map[string]any {
		s := map[string]any{"type": t}
		switch t {
		case "array":
			if len(itemTypes) > 0 {
				s["items"] = typesSchema(itemTypes, nil)
			} else {
				s["items"] = map[string]any{}
			}
		case "object":
			s["additionalProperties"] = true // its properties were not recorded
		}
		return s
	}
	var alts []any
	for _, t := range rest {
		alts = append(alts, one(t))
	}
	if nullable {
		alts = append(alts, map[string]any{"type": "null"})
	}
	switch len(alts) {
	case 0:
		return map[string]any{}
	case 1:
		return alts[0].(map[string]any)
	}
	return map[string]any{"anyOf": alts}
}

func (r *report) notReached(b *strings.Builder) {
	fmt.Fprintf(b, "\n## Not reached (%d)\n\n", len(r.unreached))
	if len(r.unreached) > 0 {
		b.WriteString("| Operation | Why |\n| --- | --- |\n")
		for _, u := range r.unreached {
			fmt.Fprintf(b, "| %s | %s |\n", u.name, cell(u.why))
		}
	} else {
		b.WriteString("Every GET operation was called.\n")
	}
	fmt.Fprintf(b, "\nNot called on purpose: the %d operations that write (POST, PUT, PATCH, DELETE), since the survey changes nothing: %s.\n",
		len(r.writes), strings.Join(r.writes, ", "))
}

// cell makes text safe in a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// lastSegment is the unescaped last segment of a JSON pointer.
func lastSegment(pointer string) string {
	seg := pointer[strings.LastIndexByte(pointer, '/')+1:]
	return strings.NewReplacer("~1", "/", "~0", "~").Replace(seg)
}

// title is a property's title as pydantic writes it: "tariff_eur_kwh" is
// "Tariff Eur Kwh".
func title(name string) string {
	words := strings.Fields(strings.ReplaceAll(name, "_", " "))
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

func union(a, b []string) []string {
	for _, x := range b {
		if !slices.Contains(a, x) {
			a = append(a, x)
		}
	}
	slices.Sort(a)
	return a
}
