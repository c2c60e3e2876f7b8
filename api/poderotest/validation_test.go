package poderotest_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/podero-go/podero/api/poderotest"
)

// TestUnprocessable: a request that does not conform gets django-ninja's
// 422 with a detail item naming where and why.
func TestUnprocessable(t *testing.T) {
	srv := poderotest.New(t)
	tok := token(t, srv)
	status, _, user := raw(t, http.MethodPost, path(srv, "/users"), tok, `{"role":"user","email":"a@example.com"}`)
	if status != 200 {
		t.Fatalf("create user: %d %v", status, user)
	}
	sessions := path(srv, "/users/"+user["id"].(string)+"/electric-vehicles/3fa85f64-5717-4562-b3fc-2c963f66afa6/sessions")

	for _, tc := range []struct {
		name, method, url, body string
		loc                     []string
		msg                     string // a part of the message
	}{
		{"missing field", http.MethodPost, path(srv, "/users"), `{"role":"user"}`, []string{"body", "email"}, "required"},
		{"value not in enum", http.MethodPost, path(srv, "/users"), `{"role":"owner","email":"a@example.com"}`, []string{"body", "role"}, "one of"},
		{"wrong type", http.MethodPut, path(srv, "/users/"+user["id"].(string)), `{"latitude":"north"}`, []string{"body", "latitude"}, ""},
		{"too long", http.MethodPost, path(srv, "/users/"+user["id"].(string)+"/buildings"), `{"name":"` + strings.Repeat("x", 101) + `"}`, []string{"body", "name"}, "100"},
		{"not JSON", http.MethodPost, path(srv, "/users"), `{"role":`, []string{"body"}, ""},
		{"query out of range", http.MethodGet, sessions + "?from=2026-01-01&to=2026-01-31&limit=500", "", []string{"query", "limit"}, "200"},
		{"missing query", http.MethodGet, sessions + "?from=2026-01-01", "", []string{"query", "to"}, "required"},
		{"malformed path id", http.MethodGet, path(srv, "/users/42"), "", []string{"path", "user_id"}, "UUID"},
	} {
		status, _, body := raw(t, tc.method, tc.url, tok, tc.body)
		if status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422; %v", tc.name, status, body)
			continue
		}
		items, _ := body["detail"].([]any)
		if !slices.ContainsFunc(items, func(it any) bool { return names(it, tc.loc, tc.msg) }) {
			t.Errorf("%s: no detail item with loc %v and msg containing %q: %v", tc.name, tc.loc, tc.msg, body)
		}
	}
}

// names reports whether a 422 detail item has the loc, a msg containing
// msg, and a type.
func names(item any, loc []string, msg string) bool {
	m, _ := item.(map[string]any)
	l, _ := m["loc"].([]any)
	got := make([]string, len(l))
	for i, e := range l {
		got[i], _ = e.(string)
	}
	text, _ := m["msg"].(string)
	typ, _ := m["type"].(string)
	return slices.Equal(got, loc) && text != "" && strings.Contains(text, msg) && typ != ""
}
