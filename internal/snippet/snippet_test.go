package snippet

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestOf(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"  short\n\ttext  ", 20, "short text"},
		{"abcdefghij", 5, "abcde…"},
		{"ab€cd", 3, "ab…"}, // € is 3 bytes: not cut in half
		{"f\xfcr", 10, "f?r"},
		{"", 5, ""},
	} {
		if got := Of([]byte(tc.in), tc.n); got != tc.want {
			t.Errorf("Of(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
	long := Of([]byte(strings.Repeat("é ", 10000)), 100)
	if !utf8.ValidString(long) || len(long) > 100+len("…") {
		t.Errorf("long input gives %d bytes: %q", len(long), long)
	}
}
