package httpguard

import (
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	for _, raw := range []string{
		"https://u:hunter2@h/", "https://hunter2@h/", "https:u:hunter2@h", "https://u:hunter2@h h/", "https://u:hunter2@h/%zz",
	} {
		if got := RedactURL(raw); strings.Contains(got, "hunter2") {
			t.Errorf("RedactURL(%q) = %q", raw, got)
		}
	}
	if got := RedactURL("https://h/p"); got != "https://h/p" {
		t.Errorf("RedactURL changed a URL without credentials: %q", got)
	}
}

func TestCheckURLErrorsHideCredentials(t *testing.T) {
	for _, raw := range []string{"https://u:hunter2@h/", "http://u:hunter2@example.com/", "https://u:hunter2@h h/"} {
		u, err := ParseURL(raw)
		if err == nil {
			err = CheckURL(u)
		}
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: err = %v", raw, err)
		}
	}
}
