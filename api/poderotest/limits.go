package poderotest

import (
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/podero-go/podero/internal/specserver"
)

// What a fleet's client meets besides the API: a rate limit, windows of
// time in which requests fail, and a count of reads that overlap.

// SetRateLimit limits each access token to perSecond API requests a second
// on the fake's clock, with bursts of up to burst, as a token bucket: a
// request beyond it is answered 429 {"detail": "..."} with a Retry-After
// that is true: the whole seconds until the token's bucket has a request
// again (which another request with the token may take first). Podero
// documents no limit; this is a stand-in to test a client's pace against.
// Token requests are not limited. perSecond <= 0 removes the limit.
func (s *Server) SetRateLimit(perSecond float64, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rate, s.burst = perSecond, max(burst, 1)
}

type bucket struct {
	tokens float64
	at     time.Time
}

// FaultWindow makes the fake fail API requests from Start to End on its
// clock, as a proxy or an overloaded Podero would: Share of them (0 or 1:
// all), chosen at random, are answered Status with {"detail": "..."}. A
// 429 carries a Retry-After of RetryAfter, or, when it is zero, the whole
// seconds to End: true, as the window ends then.
//
// With PerSecond > 0 the window is a storm of 429s of another kind: the
// rate limit ([Server.SetRateLimit]) drops to PerSecond requests a second
// per token, with no burst, and a request beyond it gets 429 with a true
// Retry-After (Status, Share and RetryAfter are not used).
type FaultWindow struct {
	Start, End time.Time
	Status     int
	Share      float64
	RetryAfter time.Duration
	PerSecond  float64
}

// AddFaultWindow adds a window of failures ([FaultWindow]). Windows may
// overlap; the first added that applies answers.
func (s *Server) AddFaultWindow(w FaultWindow) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w.Share <= 0 || w.Share > 1 {
		w.Share = 1
	}
	s.windows = append(s.windows, w)
	if s.faultRand == nil {
		s.faultRand = rand.New(rand.NewPCG(uint64(len(s.windows)), 0xfa17))
	}
}

// limit answers r with a fault window's failure or the rate limit's 429,
// and returns true, or returns false to let it through. It is for API
// requests, after FailNext's failures.
func (s *Server) limit(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	now := s.now()
	status, retryAfter := 0, time.Duration(-1)
	rate, burst := s.rate, s.burst
	for _, win := range s.windows {
		if now.Before(win.Start) || !now.Before(win.End) {
			continue
		}
		if win.PerSecond > 0 {
			rate, burst = win.PerSecond, 1
			break
		}
		if win.Share < 1 && s.faultRand.Float64() >= win.Share {
			break
		}
		status = win.Status
		if status == http.StatusTooManyRequests {
			retryAfter = win.RetryAfter
			if retryAfter == 0 {
				retryAfter = win.End.Sub(now)
			}
		}
		break
	}
	if status == 0 && rate > 0 {
		token, _ := specserver.BearerToken(r)
		b := s.buckets[token]
		if b == nil {
			b = &bucket{tokens: float64(burst), at: now}
			s.buckets[token] = b
		}
		b.tokens = math.Min(float64(burst), b.tokens+now.Sub(b.at).Seconds()*rate)
		b.at = now
		if b.tokens >= 1 {
			b.tokens--
		} else {
			status = http.StatusTooManyRequests
			retryAfter = time.Duration((1 - b.tokens) / rate * float64(time.Second))
			s.limited++
		}
	}
	s.mu.Unlock()
	if status == 0 {
		return false
	}
	if retryAfter >= 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retryAfter.Seconds()))))
	}
	specserver.WriteJSON(w, status, map[string]any{"detail": http.StatusText(status)})
	s.record(s.recorded(r, status, s.operationOf(r, false)))
	return true
}

// RateLimited returns how many requests the rate limit answered 429.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limited
}

// ConcurrentReads returns how many API reads (GET) of a device began while
// another read of the same device was still being answered: a read of a
// device, of anything under it, or a list that includes it. A client that
// shares a fleet among workers or replicas should keep it at 0.
func (s *Server) ConcurrentReads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.overlaps
}

// startRead counts r as a read of the devices it reads, and returns the
// function that ends it.
func (s *Server) startRead(r *http.Request) func() {
	if r.Method != http.MethodGet {
		return func() {}
	}
	// /api/partners/v2.0/org/{org}/users/{user}/{segment}[/{id}/...]
	segs := strings.Split(strings.TrimPrefix(r.URL.Path, apiPrefix), "/")
	if len(segs) < 5 || segs[0] != "org" || segs[2] != "users" {
		return func() {}
	}
	k := kindBy(func(k *kind) bool { return k.isDevice && k.segment == segs[4] })
	if k == nil {
		return func() {}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	if len(segs) > 5 && segs[5] != "" {
		ids = []string{canonicalID(segs[5])}
	} else {
		for _, rec := range s.owned[canonicalID(segs[3])] {
			if rec.kind == k {
				ids = append(ids, rec.id())
			}
		}
	}
	overlap := false
	for _, id := range ids {
		s.reading[id]++
		overlap = overlap || s.reading[id] > 1
	}
	if overlap {
		s.overlaps++
	}
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, id := range ids {
			if s.reading[id]--; s.reading[id] == 0 {
				delete(s.reading, id)
			}
		}
	}
}

// Answered is an API or token request the fake answered, as
// [Server.Observe] sees it.
type Answered struct {
	At          time.Time // on the fake's clock
	Method      string
	Path        string
	OperationID string // "" for token requests and unknown paths
	Status      int
}

// Observe makes the fake call f with every request it answers, after
// answering, outside its lock: a simulation counts requests this way
// without keeping them all ([Server.RecordRequests]). f must be safe for
// concurrent use. nil stops it.
func (s *Server) Observe(f func(Answered)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.observe = f
}

// RecordRequests says whether the fake keeps every request it receives for
// [Server.Requests] (the default). A simulation of a large fleet turns it
// off: each kept request holds its headers and body.
func (s *Server) RecordRequests(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noRecord = !on
}
