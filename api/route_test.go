package api

import "testing"

// TestLookupRootAndBasePath: the raw client's requests are named by their
// own operation when the spec has a root route "/" and the base URL has a
// path (gen's corpus: frigate, served under /api). The root route had one
// empty segment, which matched every one-segment path as a parameter: every
// request was the root operation, which sends no token.
func TestLookupRootAndBasePath(t *testing.T) {
	ops := []*operation{
		{name: "IsHealthy", method: "GET", path: "/", auth: false},
		{name: "ByID", method: "GET", path: "/{id}", auth: true},
		{name: "GetAudioLabels", method: "GET", path: "/audio_labels", auth: true},
		{name: "GetCase", method: "GET", path: "/cases/{case_id}", auth: true},
	}
	table := routesOf(ops)
	for _, tc := range []struct{ base, path, want string }{
		{"", "/", "IsHealthy"},
		{"", "/audio_labels", "GetAudioLabels"},
		{"", "/x", "ByID"},
		{"", "/cases/7", "GetCase"},
		{"/api", "/api", "IsHealthy"},
		{"/api", "/api/", "IsHealthy"},
		{"/api", "/api/audio_labels", "GetAudioLabels"},
		{"/api", "/api/x", "ByID"},
		{"/api", "/api/cases/7", "GetCase"},
		{"/api", "/apix/audio_labels", "GetAudioLabels"}, // not the base: matched at the end
		{"", "/proxy/audio_labels", "GetAudioLabels"},
	} {
		if got := lookupIn(table, "GET", trimBase(tc.path, tc.base)).name; got != tc.want {
			t.Errorf("base %q, GET %s: %q, want %q", tc.base, tc.path, got, tc.want)
		}
	}
	for u, want := range map[string]string{"https://h": "", "https://h/": "/", "http://127.0.0.1:80/api": "/api", "https://h/a/b": "/a/b"} {
		if got := urlPath(u); got != want {
			t.Errorf("urlPath(%q) = %q, want %q", u, got, want)
		}
	}
}
