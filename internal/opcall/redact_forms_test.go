package opcall

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// showOne runs Show on {"v": value} and returns what it made of the value:
// a string's text, a number's digits.
func showOne(t *testing.T, value any, secrets []string) string {
	t.Helper()
	body, err := json.Marshal(map[string]any{"v": value})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Show(body, secrets)
	if err != nil {
		t.Fatalf("Show(%s): %v", body, err)
	}
	var got map[string]any
	d := json.NewDecoder(strings.NewReader(string(out)))
	d.UseNumber()
	if err := d.Decode(&got); err != nil {
		t.Fatalf("Show's output %s: %v", out, err)
	}
	return fmt.Sprint(got["v"])
}

// TestShowRedactsEchoedSecretInEveryForm: a request's secret that the
// server echoes escaped otherwise than Go's url.QueryEscape and
// url.PathEscape write it (lowercase hex, Python's quote that keeps "/"),
// in base64, inside a string that is JSON itself (\/ and \u00XX), or as a
// number, is not shown.
func TestShowRedactsEchoedSecretInEveryForm(t *testing.T) {
	const secret = "cue+secret/Hx4=Lq9:Wz2" // a signed token may have + / = :
	b := []byte(secret)
	for name, echo := range map[string]any{
		"as sent":                   "see " + secret,
		"lowercase percent-escapes": "https://x.example.com/r?s=cue%2bsecret%2fHx4%3dLq9%3aWz2",
		"python quote, / kept":      "https://x.example.com/r?s=cue%2Bsecret/Hx4%3DLq9%3AWz2",
		"base64":                    base64.StdEncoding.EncodeToString(b),
		"base64url, unpadded":       base64.RawURLEncoding.EncodeToString(b),
		"JSON inside a string, \\/": `{"s":"cue+secret\/Hx4=Lq9:Wz2"}`,
		"JSON inside a string, \\u": `{"s":"cue\u002bsecret\u002fHx4\u003dLq9\u003aWz2"}`,
	} {
		got := showOne(t, echo, []string{secret})
		if !strings.Contains(got, "[redacted]") {
			t.Errorf("%s: Show printed %s", name, got)
		}
	}
	const digits = "8675309123456" // a claim token of digits, echoed as a number
	if got := showOne(t, json.Number(digits), []string{digits}); strings.Contains(got, digits) {
		t.Errorf("a numeric secret echoed as a number: Show printed %s", got)
	}
}

// TestShowRedactsURLSecretsWhateverTheParameterName: a URL's credential is
// not shown when its parameter is not spelled exactly "secret" or "token":
// access_token in a fragment, a prefixed or capitalized name, a signature,
// a password in the userinfo.
func TestShowRedactsURLSecretsWhateverTheParameterName(t *testing.T) {
	const v = "Sx9Kq2Lm7Pw4"
	for _, link := range []string{
		"https://x.example.com/cb#access_token=" + v + "&token_type=Bearer",
		"https://x.example.com/r?cue_secret=" + v,
		"https://x.example.com/r?a=1&client_secret=" + v,
		"https://x.example.com/r?Secret=" + v,
		"https://x.example.com/r?X-Amz-Signature=" + v,
		"https://user:" + v + "@x.example.com/r",
	} {
		if got := showOne(t, link, nil); strings.Contains(got, v) {
			t.Errorf("%s: Show printed %s", link, got)
		}
	}
	// Not a credential: left as it is.
	for _, s := range []string{"https://x.example.com/r?page=2&sort=name", "no secret=here", "token_type=Bearer"} {
		if got := showOne(t, s, nil); got != s {
			t.Errorf("%s: Show printed %s", s, got)
		}
	}
}
