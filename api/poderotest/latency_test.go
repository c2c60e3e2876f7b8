package poderotest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestCloseDuringLatency: Close ends the latency waits at once, and the
// requests that were waiting get no answer at all (a connection error),
// not an empty 200. Requests and TokenRequests both count them, unanswered.
func TestCloseDuringLatency(t *testing.T) {
	s := NewServer()
	waiting := make(chan struct{}, 2)
	s.mu.Lock()
	s.tokens["t"] = true
	s.onWait = func() { waiting <- struct{}{} }
	s.mu.Unlock()
	s.SetLatency(time.Hour)

	client := &http.Client{Transport: &http.Transport{}} // fresh connections: nothing to retry on
	defer client.CloseIdleConnections()
	type result struct {
		status int
		err    error
	}
	results := make(chan result, 2)
	send := func(req *http.Request) {
		resp, err := client.Do(req)
		if err != nil {
			results <- result{0, err}
			return
		}
		resp.Body.Close()
		results <- result{resp.StatusCode, nil}
	}
	api, _ := http.NewRequest(http.MethodGet, s.URL+apiPrefix+"org/"+s.OrgID.String()+"/users", nil)
	api.Header.Set("Authorization", "Bearer t")
	tok, _ := http.NewRequest(http.MethodPost, s.TokenURL, strings.NewReader(`{"grant_type":"client_credentials"}`))
	tok.SetBasicAuth(s.ClientID, s.ClientSecret)
	go send(api)
	go send(tok)
	<-waiting
	<-waiting

	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close blocked on requests waiting out their latency")
	}
	for range 2 {
		if r := <-results; r.err == nil {
			t.Errorf("a request waiting when the server closed got status %d, want a connection error", r.status)
		}
	}

	reqs := s.Requests()
	if len(reqs) != 2 {
		t.Fatalf("Requests() = %+v, want the two requests", reqs)
	}
	for _, r := range reqs {
		if r.Status != 0 {
			t.Errorf("%s %s: Status %d, want 0 (unanswered)", r.Method, r.Path, r.Status)
		}
		if isAPI := strings.HasPrefix(r.Path, apiPrefix); isAPI != (r.OperationID != "") {
			t.Errorf("%s %s: operation id %q; want the API call's, and none for the token request", r.Method, r.Path, r.OperationID)
		}
	}
	if n := s.TokenRequests(); n != 1 {
		t.Errorf("TokenRequests() = %d, want 1: the unanswered token request, as Requests lists it", n)
	}
}

// TestClientGivesUpDuringLatency: a request whose client gives up is
// recorded unanswered, and counted as a token request if it was one.
func TestClientGivesUpDuringLatency(t *testing.T) {
	s := NewServer()
	defer s.Close()
	waiting := make(chan struct{}, 1)
	s.mu.Lock()
	s.onWait = func() { waiting <- struct{}{} }
	s.mu.Unlock()
	s.SetLatency(time.Hour)

	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.TokenURL, strings.NewReader(`{"grant_type":"client_credentials"}`))
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-waiting
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want the cancellation", err)
	}
	// The server notices the client is gone on its own schedule; Close
	// waits for the handler.
	s.Close()
	if reqs, n := s.Requests(), s.TokenRequests(); len(reqs) != 1 || reqs[0].Status != 0 || n != 1 {
		t.Errorf("Requests() = %+v, TokenRequests() = %d; want one unanswered token request", reqs, n)
	}
}
