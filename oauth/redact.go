package oauth

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"slices"
	"strings"
)

// redactor returns a Replacer that removes the client secret and the
// password (if any) from text a token endpoint sent back, in every form in
// which the endpoint or a proxy may echo them: as they were sent (the Basic
// credentials of either encoding, in either base64 alphabet, padded or not;
// the form-encoded password) and as a server may print what it decoded:
// raw, or URL-, path-, JSON- or HTML-escaped.
func redactor(clientID, secret, password string) *strings.Replacer {
	var forms []string
	for _, s := range []string{secret, password} {
		if s == "" {
			continue
		}
		forms = append(forms, s, url.QueryEscape(s), url.PathEscape(s), html.EscapeString(s))
		for _, escapeHTML := range []bool{true, false} {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(escapeHTML)
			enc.Encode(s) // cannot fail for a string
			forms = append(forms, strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(b.String()), `"`), `"`))
		}
	}
	// The JSON flow sends id:secret; the form flows escape both first, as
	// x/oauth2 does (RFC 6749 section 2.3.1).
	for _, creds := range []string{clientID + ":" + secret, url.QueryEscape(clientID) + ":" + url.QueryEscape(secret)} {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			forms = append(forms, enc.EncodeToString([]byte(creds)))
		}
	}
	// A Replacer tries its pairs in order at each position: longest first,
	// so that a padded form is removed whole, not as its unpadded prefix.
	slices.SortFunc(forms, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	forms = slices.Compact(forms)
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, "[redacted]")
	}
	return strings.NewReplacer(pairs...)
}
