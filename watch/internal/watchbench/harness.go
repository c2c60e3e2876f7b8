// Package watchbench runs package watch against poderotest, the in-memory
// Podero, and measures it against the fake's ground truth: what the tests
// of watch (watch/internal/watchtest, watch/pgstore) check and what make
// bench-watch prints. It is internal: a service that imports watch never
// loads it, nor poderotest's dependencies.
//
// Everything runs in a testing/synctest bubble: the watcher, its client
// and the fake keep the bubble's clock, which moves on only when every
// goroutine waits, so a simulated day takes the CPU time its requests cost
// and its results do not depend on the machine's load.
package watchbench

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
	"github.com/podero-go/podero/watch"
)

// Fake is an in-process poderotest server and a client of it, on the
// bubble's clock (api.SystemClock, which testing/synctest makes fake).
type Fake struct {
	Srv    *poderotest.Server
	Client *api.PartnerClient
}

// NewFake starts a fake in the bubble; it closes when the test ends. The
// fake checks every new shape of its responses against the spec, and one
// in checkEvery of the rest (poderotest's own tests check every one).
func NewFake(t testing.TB, checkEvery int, mw ...api.Middleware) *Fake {
	t.Helper()
	srv := poderotest.NewInProcessServer()
	t.Cleanup(srv.Close)
	srv.SampleChecks(20, checkEvery)
	return &Fake{Srv: srv, Client: NewClient(t, srv, nil, mw...)}
}

// NewClient returns a client of srv on the bubble's clock, with the pace
// rl (if not nil) and the middleware mw.
func NewClient(t testing.TB, srv *poderotest.Server, rl *api.RateLimit, mw ...api.Middleware) *api.PartnerClient {
	t.Helper()
	cfg := srv.Config()
	cfg.Clock = nil // the system clock: the bubble's
	cfg.RateLimit = rl
	cfg.Middleware = mw
	c, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Recorder is a handler that keeps what it is given.
type Recorder struct {
	mu     sync.Mutex
	events []Delivered
	count  map[string]int // successes by event ID
	// Fail, if set, is asked before each event is recorded: an error is
	// the handler's.
	Fail func(watch.Event) error
}

// Delivered is an event the handler acknowledged, and when.
type Delivered struct {
	Ev watch.Event
	At time.Time
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{count: map[string]int{}} }

// Handle is the handler.
func (r *Recorder) Handle(ctx context.Context, ev watch.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Fail != nil {
		if err := r.Fail(ev); err != nil {
			return err
		}
	}
	r.count[ev.EventID()]++
	r.events = append(r.events, Delivered{Ev: ev, At: time.Now()})
	return nil
}

// Snapshot returns the events delivered, and how often each ID was.
func (r *Recorder) Snapshot() ([]Delivered, map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	count := make(map[string]int, len(r.count))
	for k, v := range r.count {
		count[k] = v
	}
	return append([]Delivered(nil), r.events...), count
}

// Duplicates counts second (and later) acknowledgements of an event ID.
func Duplicates(count map[string]int) int {
	n := 0
	for _, c := range count {
		n += c - 1
	}
	return n
}

// Types counts delivered events by type.
func Types(events []Delivered) map[string]int {
	out := map[string]int{}
	for _, d := range events {
		out[strings.TrimPrefix(fmt.Sprintf("%T", d.Ev), "watch.")]++
	}
	return out
}

// Run runs a watcher until d has passed on the bubble's clock, and fails t
// unless it returns for that reason.
func Run(t testing.TB, w *watch.Watcher, r *Recorder, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := w.Run(ctx, r.Handle); err != context.DeadlineExceeded {
		t.Fatalf("Run: %v", err)
	}
}

// Episode is an attention episode of the ground truth.
type Episode struct {
	Device     api.UUID
	Cue        string
	Start, End time.Time // End is until for one still open
	// Gap is how long the device did not need attention before it (0:
	// since it was added, or another episode with a cue ended as it
	// began, which a poller tells apart by the cue).
	Gap time.Duration
}

// Episodes reads the attention episodes off the fake's ground truth.
func Episodes(changes []poderotest.Change, until time.Time) []*Episode {
	var out []*Episode
	open := map[api.UUID]*Episode{}
	last := map[api.UUID]*Episode{} // the device's episode before
	for _, c := range changes {
		switch c.Type {
		case poderotest.AttentionStarted:
			e := &Episode{Device: c.DeviceID, Cue: c.CueID, Start: c.At}
			if prev := last[c.DeviceID]; prev != nil && prev.Cue == "" && e.Cue == "" {
				e.Gap = c.At.Sub(prev.End)
			}
			open[c.DeviceID], last[c.DeviceID] = e, e
			out = append(out, e)
		case poderotest.AttentionEnded, poderotest.DeviceGone:
			if e := open[c.DeviceID]; e != nil {
				e.End = c.At
				delete(open, c.DeviceID)
			}
		}
	}
	for _, e := range open {
		e.End = until
	}
	return out
}

// matchAttention finds, for each episode, the NeedsAttention that reported
// it: by cue id, or for an episode without one, the device's first seen
// within the episode. It returns when each was delivered.
func matchAttention(eps []*Episode, events []Delivered) map[*Episode]time.Time {
	byDevice := map[api.UUID][]*Episode{}
	for _, e := range eps {
		byDevice[e.Device] = append(byDevice[e.Device], e)
	}
	out := map[*Episode]time.Time{}
	for _, d := range events {
		na, ok := d.Ev.(watch.NeedsAttention)
		if !ok {
			continue
		}
		for _, e := range byDevice[na.Device.ID] {
			if _, done := out[e]; done {
				continue
			}
			if e.Cue != "" && na.CueID.String() == e.Cue ||
				e.Cue == "" && na.CueID == (api.UUID{}) && !na.At.Before(e.Start) && !na.At.After(e.End) {
				out[e] = d.At
				break
			}
		}
	}
	return out
}

// Attention is how the watcher did on the attention episodes that began in
// [from, until): those that lasted the freshness target (Detectable), of
// them those never delivered (Missed), the others (Short, of which
// ShortSeen were delivered), and the delays from an episode's start to its
// delivery, sorted. An episode without a cue that began less than the
// target after the device's last one without a cue ended is not
// detectable: to a poller, the two are one.
type Attention struct {
	Detectable, Missed, Short, ShortSeen int
	Delays                               []time.Duration
	MissedEps                            []*Episode
	Skipped, SkippedSeen                 int                        // the episodes skip left out, and those of them delivered
	Seen                                 map[*Episode]time.Duration // the delay of each detectable episode delivered
}

// AnalyzeAttention measures the attention episodes of the ground truth
// that began in [from, until), against the events delivered. skip, if not
// nil, leaves out episodes no poller can be held to see (that ended in an
// outage, or within a throttle below the watcher's need), counted apart.
func AnalyzeAttention(changes []poderotest.Change, events []Delivered, freshness time.Duration, from, until time.Time, skip func(*Episode) bool) Attention {
	eps := Episodes(changes, until)
	seen := matchAttention(eps, events)
	a := Attention{Seen: map[*Episode]time.Duration{}}
	for _, e := range eps {
		if e.Start.Before(from) || !e.Start.Before(until) {
			continue
		}
		at, ok := seen[e]
		if skip != nil && skip(e) {
			a.Skipped++
			if ok {
				a.SkippedSeen++
			}
			continue
		}
		if e.End.Sub(e.Start) < freshness || e.Gap > 0 && e.Gap < freshness {
			a.Short++
			if ok {
				a.ShortSeen++
			}
			continue
		}
		a.Detectable++
		if !ok {
			a.Missed++
			a.MissedEps = append(a.MissedEps, e)
			continue
		}
		a.Delays = append(a.Delays, at.Sub(e.Start))
		a.Seen[e] = at.Sub(e.Start)
	}
	slices.Sort(a.Delays)
	return a
}

// Percentile of sorted durations; 0 for none.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}

// DumpDevice logs what the ground truth and the events say of a device,
// to see why a check failed.
func DumpDevice(t testing.TB, f *Fake, events []Delivered, dev api.UUID, start time.Time) {
	t.Helper()
	for _, c := range f.Srv.Changes() {
		if c.DeviceID == dev && c.Type != poderotest.StateUpdated {
			t.Logf("  truth %v: %v %s %s", c.At.Sub(start), c.Type, c.CueID, c.State)
		}
	}
	for _, d := range events {
		if strings.Contains(fmt.Sprintf("%+v", d.Ev), dev.String()) {
			t.Logf("  event %v: %s", d.At.Sub(start), d.Ev.EventID())
		}
	}
}

// runBubble runs f in a synctest bubble.
func runBubble(t *testing.T, f func(t *testing.T)) { synctest.Test(t, f) }
