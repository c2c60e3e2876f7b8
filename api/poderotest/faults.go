package poderotest

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/podero-go/podero/internal/specserver"
)

// failure is what FailNext set up.
type failure struct {
	left       int
	status     int
	retryAfter time.Duration
}

// FailNext answers the next n API requests with status and the body
// {"detail": "<status text>"}, before checking their token or content, as a
// proxy or rate limiter in front of Podero would. Token requests are not
// affected. A 429, and any status when retryAfter > 0, carries a
// Retry-After header of retryAfter in whole seconds (rounded up; 0 when
// retryAfter is 0). A call replaces the failures left from the previous one;
// n = 0 cancels them.
func (s *Server) FailNext(n, status int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = failure{left: n, status: status, retryAfter: retryAfter}
}

// FailNextOp answers the next n requests for one operation with status and
// the body {"detail": "<status text>"}, before checking their token or
// content, as FailNext does for every operation; requests for other
// operations are unaffected. operation is the spec's operationId or the
// SDK's Go name for it, as for [Server.Tamper]; FailNextOp panics if it is
// unknown, or if n > 0 and status is not an HTTP status (100 to 999). A 429
// carries Retry-After: 0. A call replaces the failures left for that
// operation; n = 0 cancels them, whatever status is (FailNextOp(op, 0, 0)).
// A request that both FailNextOp and FailNext would fail counts against
// FailNextOp only.
func (s *Server) FailNextOp(operation string, n, status int) {
	id := s.operationID("FailNextOp", operation)
	if n > 0 && (status < 100 || status > 999) {
		panic(fmt.Sprintf("poderotest: FailNextOp(%q, %d, %d): not an HTTP status", operation, n, status))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n <= 0 {
		delete(s.failOp, id)
		return
	}
	s.failOp[id] = failure{left: n, status: status}
}

// SetLatency delays the answer to every later request, token requests
// included, by d. The wait ends early when the client gives up (the
// request's context ends) or the server closes, so a test with a deadline
// does not hang; the request is then not answered at all: the connection is
// dropped, and [Request.Status] is 0. d = 0 removes the delay.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// wait sleeps for the latency; it returns false if the client went away or
// the server closed meanwhile.
func (s *Server) wait(ctx context.Context) bool {
	s.mu.Lock()
	d, hook := s.latency, s.onWait
	s.mu.Unlock()
	if d <= 0 {
		return true
	}
	if hook != nil {
		hook()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-s.closed:
	}
	return false
}

// injectFailure answers r with the next failure FailNextOp set up for its
// operation, or else FailNext, if any.
func (s *Server) injectFailure(w http.ResponseWriter, r *http.Request) bool {
	// Routing scans the spec's paths, and the Handler routes the request
	// again: only route here when a FailNextOp failure is pending, and
	// outside the lock.
	opID, routed := "", false
	s.mu.Lock()
	if len(s.failOp) > 0 {
		s.mu.Unlock()
		opID, routed = s.operationOf(r, false), true
		s.mu.Lock()
	}
	f := s.takeFailure(opID)
	s.mu.Unlock()
	if f.left <= 0 {
		return false
	}
	if f.retryAfter > 0 || f.status == http.StatusTooManyRequests {
		secs := int(math.Ceil(f.retryAfter.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	specserver.WriteJSON(w, f.status, map[string]any{"detail": http.StatusText(f.status)})

	if !routed {
		opID = s.operationOf(r, false)
	}
	s.record(s.recorded(r, f.status, opID))
	return true
}

// takeFailure counts one request against the failures pending for the
// operation opID ("" for none), or else FailNext's, and returns the failure
// it is to get (left <= 0: none). s.mu must be held.
func (s *Server) takeFailure(opID string) failure {
	if f, ok := s.failOp[opID]; ok { // never for "": FailNextOp names a known operation
		if f.left > 1 {
			s.failOp[opID] = failure{left: f.left - 1, status: f.status}
		} else {
			delete(s.failOp, opID)
		}
		return f
	}
	f := s.fail
	if f.left > 0 {
		s.fail.left--
	}
	return f
}

// DropNextAnswers carries out the next n requests for one operation, then
// drops their connections without answering: the request went through,
// but the client sees a failure that says nothing of it (a connection
// reset, or a timeout), as when a response is lost on its way back. Code
// that sends a POST again after such a failure (a boost, say) meets the
// state the first one left. operation is named as for [Server.FailNextOp];
// n = 0 cancels. It applies after FailNext, FailNextOp, fault windows and
// the rate limit: a request they fail is not carried out, nor dropped.
func (s *Server) DropNextAnswers(operation string, n int) {
	id := s.operationID("DropNextAnswers", operation)
	s.mu.Lock()
	defer s.mu.Unlock()
	if n <= 0 {
		delete(s.drop, id)
		return
	}
	s.drop[id] = n
}

// takeDrop counts a request of the operation opID against DropNextAnswers
// and reports whether its answer is to be dropped.
func (s *Server) takeDrop(opID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.drop[opID]
	if n <= 0 {
		return false
	}
	if n == 1 {
		delete(s.drop, opID)
	} else {
		s.drop[opID] = n - 1
	}
	return true
}

// discard is a ResponseWriter that keeps nothing: the answer of a request
// whose connection is dropped.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}
