package main

import (
	"net/http"
	"strings"
	"testing"
	"unicode"
)

// TestTableShowsNoControlCharacters: a table is for a terminal, and the
// answer is the server's: a tab, a carriage return, a terminal escape or a
// bidi control in a property's name or value is shown escaped, so that it
// neither shifts the columns nor drives the terminal (set its title,
// write the clipboard, overwrite the line).
func TestTableShowsNoControlCharacters(t *testing.T) {
	const id = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
	env := answering(t, http.StatusOK, `{"id":"`+id+`","name\tx":"a\tb\u001b]0;pwned\u0007\rc","r":"\u202edcba"}`)
	for _, args := range [][]string{{"electric-vehicles", "get", id, id}, {"call", "GetElectricVehicle", id, id}} {
		r := cli(t, nil, env, "", append(args, "-o", "table")...)
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if strings.ContainsFunc(r.stdout, func(c rune) bool { return c != '\n' && (unicode.IsControl(c) || unicode.Is(unicode.Bidi_Control, c)) }) {
			t.Errorf("the table has a control character: %q", r.stdout)
		}
		if n := strings.Count(r.stdout, "\n"); n != 3 || !strings.Contains(r.stdout, `name\tx`) || !strings.Contains(r.stdout, `a\tb\x1b]0;pwned\a\rc`) {
			t.Errorf("the table is not 3 lines with the escapes shown: %q", r.stdout)
		}
	}
}
