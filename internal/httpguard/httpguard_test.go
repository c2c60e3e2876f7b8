package httpguard

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestSameOrigin(t *testing.T) {
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/x", http.StatusFound) // same host name, another port
		case "/here":
			http.Redirect(w, r, "/done", http.StatusFound)
		case "/done":
			w.Write([]byte(r.Header.Get("Authorization")))
		}
	}))
	defer srv.Close()

	user := &http.Client{}
	c := SameOrigin(user, "requests carry a token")
	if user.CheckRedirect != nil {
		t.Fatal("the caller's client was modified")
	}
	req, _ := http.NewRequest("GET", srv.URL+"/away", nil)
	req.Header.Set("Authorization", "Bearer secret")
	_, err := c.Do(req)
	var redirectErr *RedirectError
	if !errors.As(err, &redirectErr) || !strings.Contains(err.Error(), "refusing redirect") || !strings.Contains(err.Error(), "requests carry a token") {
		t.Fatalf("cross-port redirect: got %v", err)
	}
	if elsewhere.Load() != 0 {
		t.Fatal("the other server was contacted")
	}

	req, _ = http.NewRequest("GET", srv.URL+"/here", nil)
	req.Header.Set("Authorization", "Bearer secret")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("same-origin redirect: %v", err)
	}
	resp.Body.Close()
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "127.0.0.1": true, "127.8.9.10": true, "::1": true,
		"example.com": false, "10.0.0.1": false, "192.168.1.1": false, "::": false, "": false, "localhost.example.com": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}
