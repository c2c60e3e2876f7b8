package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestDeepAnswerIsNotAmplified: an answer nested thousands deep (which the
// SDK decodes: its limit is 10,000) prints about as long as it is, in
// -o json and yaml, not indented once per level: indentation made an
// 18 KB body of arrays 9,000 deep 162 MB of JSON, all of it in memory, and
// this 5 KB one 2.6 MB. What is printed is still the body.
func TestDeepAnswerIsNotAmplified(t *testing.T) {
	const id = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
	body := `{"id":"` + id + `","deep":` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) +
		`,"deeper":` + strings.Repeat(`{"a":`, 500) + "1" + strings.Repeat("}", 500) + `}`
	env := answering(t, http.StatusOK, body)
	for _, format := range []string{"json", "yaml"} {
		r := cli(t, nil, env, "", "electric-vehicles", "get", id, id, "-o", format)
		if r.code != 0 {
			t.Fatalf("-o %s: exit %d\n%.500s", format, r.code, r.stderr)
		}
		if len(r.stdout) > 4*len(body) {
			t.Errorf("-o %s: a body of %d bytes printed %d bytes", format, len(body), len(r.stdout))
		}
		if format == "json" {
			var compact bytes.Buffer
			if err := json.Compact(&compact, []byte(r.stdout)); err != nil || compact.String() != body {
				t.Errorf("-o json: not the body as sent (%v)", err)
			}
		}
	}
	// A shallow answer is still indented.
	r := cli(t, nil, answering(t, http.StatusOK, `{"id":"`+id+`","x":{"y":[1]}}`), "", "electric-vehicles", "get", id, id, "-o", "json")
	if want := "{\n  \"id\": \"" + id + "\",\n  \"x\": {\n    \"y\": [\n      1\n    ]\n  }\n}\n"; r.stdout != want {
		t.Errorf("-o json of a shallow answer:\n%s\nwant\n%s", r.stdout, want)
	}
}
