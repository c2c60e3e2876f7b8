package raw

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

// The request builders go through stylePathParam: "..", "." and "" cannot
// take them to another route.
func TestRawClientPathParams(t *testing.T) {
	org := uuid.New()
	for _, ext := range []string{"..", "."} {
		req, err := NewGetUserByExternalIDRequest("https://app.podero.com", org, ext, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := "/api/partners/v2.0/org/" + org.String() + "/users/by-ext-id/" + strings.Repeat("%2E", len(ext))
		if got := req.URL.EscapedPath(); got != want {
			t.Errorf("by-ext-id/%s went to %s, want %s", ext, got, want)
		}
	}
	if _, err := NewGetUserByExternalIDRequest("https://app.podero.com", org, "", nil); err == nil || !strings.Contains(err.Error(), "external_id is empty") {
		t.Errorf("an empty external id: %v", err)
	}
}
