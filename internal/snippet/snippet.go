// Package snippet shortens server-sent text for error messages.
package snippet

import (
	"strings"
	"unicode/utf8"
)

// Of returns the start of b as one line of valid UTF-8 (runs of white space
// folded, invalid bytes as "?"), at most n bytes long plus "…" when cut,
// never cutting a rune in half.
func Of(b []byte, n int) string {
	if len(b) > 4*n {
		b = b[:4*n] // enough to fill n bytes after folding; bounds the work on a large body
	}
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "?")), " ")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
