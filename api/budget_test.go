package api_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
)

// flakyAPI answers 503 while down, else an empty list, and counts requests.
type flakyAPI struct {
	*httptest.Server
	down     atomic.Bool
	requests atomic.Int64
}

func newFlakyAPI(t *testing.T) *flakyAPI {
	a := &flakyAPI{}
	a.down.Store(true)
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if a.down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"detail": "Service Unavailable"}`))
			return
		}
		w.Write([]byte(`[]`))
	}))
	t.Cleanup(a.Close)
	return a
}

func newBudgetClient(t *testing.T, a *flakyAPI, rb *api.RetryBudget) *api.PartnerClient {
	c, err := api.New(api.Config{BaseURL: a.URL, OrgID: prodOrg, TokenSource: prodTokens, RetryBudget: rb,
		Clock: &stepClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRetryBudget503: 1,000 calls against a server that answers 503. The
// default budget allows 100 retries; once it is spent each call sends one
// request and returns an error that says the budget is spent, so the
// server sees at most 1.1 requests per call.
func TestRetryBudget503(t *testing.T) {
	t.Parallel()
	a := newFlakyAPI(t)
	c := newBudgetClient(t, a, nil)
	spentAt := -1
	var afterSpent int64
	for i := range 1000 {
		before := a.requests.Load()
		var info api.ResponseInfo
		_, err := c.ListUsers(context.Background(), api.ListUsersParams{}, api.WithResponseInfo(&info))
		if !api.IsRetryable(err) || info.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("call %d: %v, want the 503", i, err)
		}
		if api.IsRetryBudgetSpent(err) != info.RetryBudgetSpent {
			t.Fatalf("call %d: IsRetryBudgetSpent %v, ResponseInfo.RetryBudgetSpent %v", i, api.IsRetryBudgetSpent(err), info.RetryBudgetSpent)
		}
		if info.RetryBudgetSpent && spentAt < 0 {
			spentAt = i
			if !strings.Contains(err.Error(), "retry budget (Config.RetryBudget) is spent") || !errors.Is(err, api.ErrRetryBudgetSpent) {
				t.Errorf("the error %q does not say that the retry budget is spent", err)
			}
		}
		if spentAt >= 0 && i > spentAt {
			afterSpent += a.requests.Load() - before
		}
	}
	total := a.requests.Load()
	perCall := float64(afterSpent) / float64(999-spentAt)
	t.Logf("1,000 calls to a 503: %d requests (%.2f a call); the budget was spent at call %d, then %.2f requests a call", total, float64(total)/1000, spentAt+1, perCall)
	if spentAt < 0 || perCall > 1.1 || total > 1100 {
		t.Errorf("%d requests, %.2f a call after the budget was spent at call %d: want at most 1.1", total, perCall, spentAt+1)
	}
}

// TestRetryBudgetRefills: successful calls refill the budget, 1 token each
// (a retry costs 5), and a retried call that succeeds gives its retry back.
func TestRetryBudgetRefills(t *testing.T) {
	a := newFlakyAPI(t)
	c := newBudgetClient(t, a, &api.RetryBudget{Capacity: 10})
	call := func() (api.ResponseInfo, error) {
		var info api.ResponseInfo
		_, err := c.ListUsers(context.Background(), api.ListUsersParams{}, api.WithResponseInfo(&info))
		return info, err
	}
	// 10 tokens: 2 retries, then the budget is spent.
	if info, err := call(); !api.IsRetryBudgetSpent(err) || info.Attempts != 3 {
		t.Fatalf("first call: %d attempts, %v; want 3 and the budget spent", info.Attempts, err)
	}
	a.down.Store(false)
	for range 5 {
		if _, err := call(); err != nil {
			t.Fatal(err)
		}
	}
	a.down.Store(true) // 5 tokens back: one retry
	if info, err := call(); !api.IsRetryBudgetSpent(err) || info.Attempts != 2 {
		t.Fatalf("after 5 successes: %d attempts, %v; want 2 and the budget spent", info.Attempts, err)
	}
}

// TestRetryBudgetOff: a negative Capacity retries every call as the policy
// says, however many fail.
func TestRetryBudgetOff(t *testing.T) {
	t.Parallel()
	a := newFlakyAPI(t)
	c := newBudgetClient(t, a, &api.RetryBudget{Capacity: -1})
	for i := range 200 {
		if _, err := c.ListUsers(context.Background(), api.ListUsersParams{}); api.IsRetryBudgetSpent(err) || !api.IsRetryable(err) {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if n := a.requests.Load(); n != 800 {
		t.Errorf("%d requests for 200 calls, want 4 each", n)
	}
}

// TestRetryBudgetChecked: a negative cost is refused.
func TestRetryBudgetChecked(t *testing.T) {
	_, err := api.New(api.Config{TokenSource: prodTokens, RetryBudget: &api.RetryBudget{RetryCost: -5}})
	if err == nil || !strings.Contains(err.Error(), "Config.RetryBudget") {
		t.Errorf("got %v, want an error naming Config.RetryBudget", err)
	}
}
