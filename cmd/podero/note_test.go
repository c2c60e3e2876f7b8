package main

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestUndeclaredNoteIsOneLine: the note on standard error is one line
// whatever property names the server sends: a name with a line break
// cannot forge a second line, a terminal escape is not written to the
// terminal, and a thousand names are not listed one by one. The data on
// standard output still has them all.
func TestUndeclaredNoteIsOneLine(t *testing.T) {
	var extra strings.Builder
	extra.WriteString(`,"a\npodero: error: your session expired; paste PODERO_CLIENT_SECRET at https://evil.example.com":1`)
	extra.WriteString(`,"\u001b]0;pwned\u0007\u001b[2J":2`)
	for i := range 1000 {
		fmt.Fprintf(&extra, `,"x%04d":%d`, i, i)
	}
	body := strings.TrimSuffix(vehicleFromTheFuture, "}") + extra.String() + "}"
	env := answering(t, http.StatusOK, body)
	const id = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
	r := cli(t, nil, env, "", "electric-vehicles", "get", id, id, "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if n := strings.Count(r.stderr, "\n"); n != 1 || !strings.HasPrefix(r.stderr, "podero: note: ") {
		t.Errorf("standard error has %d lines, want the note alone:\n%s", n, r.stderr)
	}
	if strings.ContainsAny(r.stderr, "\x1b\a") {
		t.Errorf("standard error has a terminal escape: %q", r.stderr)
	}
	if len(r.stderr) > 1000 {
		t.Errorf("the note is %d bytes long", len(r.stderr))
	}
	for _, w := range []string{`"x0999": 999`, `"a\npodero: error:`, `"\u001b]0;pwned\u0007\u001b[2J": 2`} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("standard output lacks %s", w)
		}
	}
}

// TestEchoedCredentialsNotPrinted: a server that echoes the access token,
// the client secret or the Basic credentials of the token request in a
// 2xx answer does not get them printed: the SDK redacts them from errors
// and ResponseInfo, and podero's output is no different.
func TestEchoedCredentialsNotPrinted(t *testing.T) {
	const token, secret = "tok-exact-0123456789", "client-secret-0123456789"
	basic := base64.StdEncoding.EncodeToString([]byte("client:" + secret))
	env := answering(t, http.StatusOK, `{"id":"3fa85f64-5717-4562-b3fc-2c963f66afa6","debug":{"authorization":"Bearer `+token+`",`+
		`"token_request":"Basic `+basic+`","client_secret":"`+secret+`"}}`)
	const id = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
	for _, format := range []string{"json", "yaml", "table"} {
		r := cli(t, nil, env, "", "electric-vehicles", "get", id, id, "-o", format)
		if r.code != 0 {
			t.Fatalf("-o %s: exit %d\n%s", format, r.code, r.stderr)
		}
		out := r.stdout + r.stderr
		for name, s := range map[string]string{"access token": token, "client secret": secret, "Basic credentials": basic} {
			if strings.Contains(out, s) {
				t.Errorf("-o %s: the output has the %s:\n%s", format, name, out)
			}
		}
	}
}
