package api

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
)

// RetryBudget bounds the retries of a client and its ForOrg children, as
// the AWS SDK's retry quota does: each retry takes tokens from a bucket,
// and each call that succeeds puts some back. While the server fails most
// calls the bucket empties, and then a call that would be retried returns
// its error at once ([IsRetryBudgetSpent] reports it, and its message says
// so): the client no longer multiplies the load of a server that is
// already failing by 1 + MaxRetries. While most calls succeed, retries
// are never denied.
//
// A nil [Config.RetryBudget] is the default budget, the AWS SDK's: 500
// tokens, 5 a retry, 10 a retry after a timeout or a connection failure,
// and 1 back for a call that succeeds at once. So a client may retry 100
// times in a row, then only as often as one call in five succeeds (a
// retried call that succeeds gives back its last retry's cost). A
// negative Capacity turns the budget off. The token source's own retries
// (see oauth.TokenSource) do not draw from it, nor does the one
// re-authentication after a 401.
type RetryBudget struct {
	// Capacity is the number of tokens of a full bucket, the state it
	// starts in: [DefaultRetryBudgetCapacity] when 0, no budget when
	// negative.
	Capacity int
	// RetryCost is what a retry takes: 5 when 0.
	RetryCost int
	// TimeoutCost is what a retry after a failure without a response
	// takes (a timeout, a connection refused or reset): 10 when 0.
	TimeoutCost int
	// Refill is what a call that succeeds at its first attempt gives
	// back: 1 when 0.
	Refill int
}

// Defaults of [RetryBudget].
const (
	DefaultRetryBudgetCapacity = 500
	DefaultRetryCost           = 5
	DefaultRetryTimeoutCost    = 10
	DefaultRetryRefill         = 1
)

// ErrRetryBudgetSpent is the cause (see errors.Is) of a call that was not
// retried because the client's [RetryBudget] was spent.
var ErrRetryBudgetSpent = errors.New("the client's retry budget is spent")

// IsRetryBudgetSpent reports whether err is the error of a call that would
// have been retried but for the client's [RetryBudget].
func IsRetryBudgetSpent(err error) bool { return errors.Is(err, ErrRetryBudgetSpent) }

// budgetSpent wraps a call's cause (nil for an error status) so that it
// also matches ErrRetryBudgetSpent.
type budgetSpent struct{ err error }

func (b *budgetSpent) Error() string {
	if b.err == nil {
		return ErrRetryBudgetSpent.Error()
	}
	return b.err.Error()
}

func (b *budgetSpent) Unwrap() []error {
	if b.err == nil {
		return []error{ErrRetryBudgetSpent}
	}
	return []error{b.err, ErrRetryBudgetSpent}
}

// budget is a client's RetryBudget at work; a nil *budget allows every
// retry.
type budget struct {
	tokens                              atomic.Int64
	capacity, cost, timeoutCost, refill int64
}

func newBudget(rb *RetryBudget) (*budget, error) {
	if rb == nil {
		rb = &RetryBudget{}
	}
	if rb.Capacity < 0 {
		return nil, nil
	}
	if rb.RetryCost < 0 || rb.TimeoutCost < 0 || rb.Refill < 0 {
		return nil, fmt.Errorf("podero: Config.RetryBudget has a negative cost or refill (%+v); 0 takes the default", *rb)
	}
	b := &budget{
		capacity:    int64(cmp.Or(rb.Capacity, DefaultRetryBudgetCapacity)),
		cost:        int64(cmp.Or(rb.RetryCost, DefaultRetryCost)),
		timeoutCost: int64(cmp.Or(rb.TimeoutCost, DefaultRetryTimeoutCost)),
		refill:      int64(cmp.Or(rb.Refill, DefaultRetryRefill)),
	}
	b.tokens.Store(b.capacity)
	return b, nil
}

// take takes the cost of a retry, after a failure without a response when
// noResponse, and returns it; 0 when the bucket cannot pay it (then the
// retry is denied).
func (b *budget) take(noResponse bool) int64 {
	if b == nil {
		return -1 // no budget: allowed, and nothing to give back
	}
	cost := b.cost
	if noResponse {
		cost = b.timeoutCost
	}
	for {
		n := b.tokens.Load()
		if n < cost {
			return 0
		}
		if b.tokens.CompareAndSwap(n, n-cost) {
			return cost
		}
	}
}

// succeeded puts tokens back after a call that succeeded: the cost of its
// last retry, or Refill if it was not retried (lastCost 0).
func (b *budget) succeeded(lastCost int64) {
	if b == nil {
		return
	}
	add := b.refill
	if lastCost > 0 {
		add = lastCost
	}
	for {
		n := b.tokens.Load()
		if n >= b.capacity {
			return
		}
		if b.tokens.CompareAndSwap(n, min(n+add, b.capacity)) {
			return
		}
	}
}

// retryAllowed takes a retry of x from the budget, or, when it is spent,
// says so in e and the log and returns false. noResponse: e is a failure
// without a response.
func (t *transport) retryAllowed(ctx context.Context, x *exchange, e *Error, noResponse bool, ps *paceState) bool {
	cost := t.budget.take(noResponse)
	if cost != 0 {
		ps.retryCost = max(cost, 0)
		return true
	}
	ps.budgetSpent = true
	e.Err = &budgetSpent{err: e.Err}
	e.Message = strings.TrimSuffix("not retried, the client's retry budget (Config.RetryBudget) is spent: "+e.Message, ": ")
	if t.logger != nil {
		t.logger.LogAttrs(ctx, slog.LevelWarn, "podero retry denied: the retry budget is spent", slog.String("operation", x.op.name),
			slog.String("method", x.req.Method), slog.String("path", x.path()), slog.Int("status", e.StatusCode))
	}
	return false
}
