package httpguard

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// RedactURL returns raw fit to print: a URL with userinfo shows it as
// "xxxxx" (the user name may be a credential as well as the password), and a
// string that does not parse as a URL but holds an "@" (a malformed URL's
// userinfo, say) is replaced whole.
func RedactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		cp := *u
		cp.User = url.User("xxxxx")
		return cp.String()
	}
	if strings.Contains(raw, "@") {
		// Parsed without userinfo (an opaque "https:u:pw@h") or not parsed.
		return "[a URL with credentials]"
	}
	return raw
}

// ParseURL parses raw without echoing it in the error, as url.Parse's
// error does: a malformed URL may hold credentials in its userinfo.
func ParseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("is not a valid URL: %w", err)
	}
	return u, nil
}

// CheckURL accepts an absolute URL that credentials may be sent to:
// https, or plain http to a loopback host (see IsLoopback), without
// userinfo. Its error reads after the name of the setting ("Config.BaseURL
// " + err.Error()).
func CheckURL(u *url.URL) error {
	if u.User != nil {
		return errors.New("must not contain credentials; use ClientID and ClientSecret")
	}
	if u.Host == "" {
		return fmt.Errorf("%q has no host", u.String())
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q uses plain http; https is required except for loopback hosts", u.String())
	}
	return fmt.Errorf("%q must use https", u.String())
}
