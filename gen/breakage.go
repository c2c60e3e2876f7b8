package main

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// When the new spec's code does not build, update-spec says where and what:
// the compiler's errors, parsed into the file, the line, and the identifier
// that went away or changed, split into hand-written code (which the
// maintainer mends, see -keep-broken) and generated code (a bug of gen).

// breakage is one compiler error.
type breakage struct {
	File  string // as the compiler prints it, relative to the root
	Line  int
	Ident string // the identifier that is undefined or changed, "" when the message names none
	Msg   string // the compiler's message
}

// generated reports whether the error is in generated code.
func (b breakage) generated() bool {
	return strings.HasSuffix(b.File, ".gen.go") || strings.HasSuffix(b.File, ".gen_test.go")
}

func (b breakage) String() string {
	what := b.Msg
	if b.Ident != "" {
		what = b.Ident + ": " + b.Msg
	}
	return fmt.Sprintf("%s:%d: %s", b.File, b.Line, what)
}

var (
	compilerError = regexp.MustCompile(`^(?:vet: )?(\S+\.go):(\d+)(?::\d+)?: (.+)$`)
	// What the messages that matter name, by the compiler's wording.
	identPatterns = []struct {
		re  *regexp.Regexp
		fmt func(m []string) string
	}{
		{regexp.MustCompile(`^\S+ undefined \(type \*?(?:\w+\.)?(\w+) has no field or method (\w+)`), func(m []string) string { return m[1] + "." + m[2] }},
		{regexp.MustCompile(`^undefined: (?:\w+\.)?(\w+)`), func(m []string) string { return m[1] }},
		{regexp.MustCompile(`^unknown field (\w+) in struct literal of type \*?(?:\w+\.)?(\w+)`), func(m []string) string { return m[2] + "." + m[1] }},
		{regexp.MustCompile(`^(?:not enough|too many) arguments in call to (?:\w+\.)?(\w+(?:\.\w+)?)`), func(m []string) string { return m[1] }},
		{regexp.MustCompile(`^(?:\w+\.)?(\w+) \(.*\) is not a type`), func(m []string) string { return m[1] }},
	}
)

// parseBuildErrors picks the compiler's errors out of go build and go vet
// output, once each (vet compiles a package with its tests and repeats
// them), in order.
func parseBuildErrors(out string) []breakage {
	var bs []breakage
	seen := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		m := compilerError.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		b := breakage{File: strings.TrimPrefix(m[1], "./"), Line: n, Msg: m[3]}
		for _, p := range identPatterns {
			if im := p.re.FindStringSubmatch(b.Msg); im != nil {
				b.Ident = p.fmt(im)
				break
			}
		}
		if key := b.String(); !seen[key] {
			seen[key] = true
			bs = append(bs, b)
		}
	}
	return bs
}

// describeBreakage says what a failed build means and how to go on.
func describeBreakage(out string, keep bool) string {
	bs := parseBuildErrors(out)
	var hand, gen []breakage
	for _, b := range bs {
		if b.generated() {
			gen = append(gen, b)
		} else {
			hand = append(hand, b)
		}
	}
	var s strings.Builder
	if len(hand) > 0 {
		files := map[string]bool{}
		var idents []string
		for _, b := range hand {
			files[b.File] = true
			if b.Ident != "" && !slices.Contains(idents, b.Ident) {
				idents = append(idents, b.Ident)
			}
		}
		fmt.Fprintf(&s, "\nThe new spec breaks hand-written code in %s", strings.Join(slices.Sorted(maps.Keys(files)), ", "))
		if len(idents) > 0 {
			fmt.Fprintf(&s, ", which uses %s", strings.Join(idents, ", "))
		}
		s.WriteString(":\n")
		for _, b := range hand {
			fmt.Fprintf(&s, "  %s\n", b)
		}
	}
	if len(gen) > 0 {
		s.WriteString("\nThe generated code itself does not build, which is a bug in gen (report it with the spec):\n")
		for _, b := range gen {
			fmt.Fprintf(&s, "  %s\n", b)
		}
	}
	if len(bs) == 0 {
		return s.String()
	}
	if keep {
		s.WriteString("\nThe new files are kept, as -keep-broken asks: mend the places above (the CHANGELOG entry lists what changed), " +
			"then run `make test`; `git checkout -- . && git clean -fd api internal` goes back.\n")
	} else {
		s.WriteString("\nTo take the spec anyway and mend the code by hand: `make update-spec KEEP_BROKEN=1` " +
			"(gen update-spec -keep-broken) writes the new spec, code, pin and CHANGELOG entry, and leaves the build broken for you to fix.\n")
	}
	return s.String()
}
