package specserver

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"

	"github.com/podero-go/podero/internal/specformat"
)

// patternSample makes a string that matches a schema's pattern (as JSON
// Schema reads one: found anywhere in the string, unless anchored) within
// [minLen, maxLen] runes (maxLen < 0: unbounded): prefer, when it matches
// already (a format's sample), else one generated from the pattern's
// syntax tree, with each repetition taken as few times as it allows, then
// more until the string is long enough. It reports false for a pattern Go
// cannot compile (a lookahead) or one it cannot satisfy within the bounds
// in a few tries; the generated strings are short, as the repetitions are
// bounded.
func patternSample(pattern, prefer string, minLen, maxLen int) (string, bool) {
	pattern = specformat.GoPattern(pattern)
	re, err := regexp.Compile(pattern)
	if err != nil {
		return "", false
	}
	fits := func(s string) bool {
		n := utf8.RuneCountInString(s)
		return n >= minLen && (maxLen < 0 || n <= maxLen) && re.MatchString(s)
	}
	if fits(prefer) {
		return prefer, true
	}
	tree, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", false
	}
	tree = tree.Simplify()
	for extra := 0; extra <= 64; extra = max(1, extra*2) {
		var b strings.Builder
		if !generate(&b, tree, extra) {
			return "", false
		}
		if s := b.String(); fits(s) {
			return s, true
		} else if maxLen >= 0 && utf8.RuneCountInString(s) > maxLen {
			return "", false // more repetitions only make it longer
		}
	}
	return "", false
}

// maxRepeat bounds a repetition's count, so that {0,100000} stays short.
const maxRepeat = 64

// generate writes a string that re matches: each repetition taken at its
// minimum plus extra (within its maximum), the first alternative of each
// choice, a plain character of each class. It reports false for a regexp
// that matches nothing.
func generate(b *strings.Builder, re *syntax.Regexp, extra int) bool {
	switch re.Op {
	case syntax.OpNoMatch:
		return false
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		r, ok := classRune(re.Rune)
		if !ok {
			return false
		}
		b.WriteRune(r)
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte('a')
	case syntax.OpCapture:
		return generate(b, re.Sub[0], extra)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := 0, -1
		switch re.Op {
		case syntax.OpPlus:
			lo = 1
		case syntax.OpQuest:
			hi = 1
		case syntax.OpRepeat:
			lo, hi = re.Min, re.Max
		}
		n := min(lo+extra, maxRepeat)
		if hi >= 0 {
			n = min(n, hi)
		}
		n = max(n, lo)
		for range n {
			if !generate(b, re.Sub[0], extra) {
				return false
			}
		}
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !generate(b, sub, extra) {
				return false
			}
		}
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			var alt strings.Builder
			if generate(&alt, sub, extra) {
				b.WriteString(alt.String())
				return true
			}
		}
		return false
	}
	// OpEmptyMatch and the assertions (^, $, \A, \z, \b, \B) add nothing.
	return true
}

// classRune picks a character of a class (pairs of ranges, lo-hi): a letter
// or a digit when it has one, else its first printable ASCII character,
// else its first character.
func classRune(ranges []rune) (rune, bool) {
	if len(ranges) == 0 {
		return 0, false
	}
	in := func(r rune) bool {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= r && r <= ranges[i+1] {
				return true
			}
		}
		return false
	}
	for _, r := range "aA0x_-." {
		if in(r) {
			return r, true
		}
	}
	for r := rune('!'); r <= '~'; r++ {
		if in(r) {
			return r, true
		}
	}
	return ranges[0], true
}
