package rawlink_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/podero-go/podero/internal/rawlink"
)

type doer struct{ name string }

func (d doer) Do(*http.Request) (*http.Response, error) { return nil, nil }

type clientA struct{ base string }
type clientB struct{ base string }

// TestTransportByType: two client types registered in one binary (api and a
// corpus package, say) each get their own transport.
func TestTransportByType(t *testing.T) {
	rawlink.Register(func(c *clientA) (string, rawlink.Doer) { return c.base, doer{"a"} })
	rawlink.Register(func(c *clientB) (string, rawlink.Doer) { return c.base, doer{"b"} })
	if base, d := rawlink.Transport(&clientA{"http://a"}); base != "http://a" || d.(doer).name != "a" {
		t.Errorf("clientA: %q %v", base, d)
	}
	if base, d := rawlink.Transport(&clientB{"http://b"}); base != "http://b" || d.(doer).name != "b" {
		t.Errorf("clientB: %q %v", base, d)
	}
}

// TestTransportUnregistered names the type in its panic.
func TestTransportUnregistered(t *testing.T) {
	type other struct{}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "other") {
			t.Errorf("panic %v, want one naming the type", r)
		}
	}()
	rawlink.Transport(&other{})
}
