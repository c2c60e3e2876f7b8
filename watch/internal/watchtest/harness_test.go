package watchtest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/api/poderotest"
	"github.com/podero-go/podero/watch"
)

// fake is an in-process poderotest server and a client of it, on the
// bubble's clock (api.SystemClock, which testing/synctest makes fake).
type fake struct {
	srv    *poderotest.Server
	client *api.PartnerClient
}

func newFake(t testing.TB) *fake {
	t.Helper()
	srv := poderotest.NewInProcessServer()
	t.Cleanup(func() {
		srv.Close()
	})
	// A simulation answers thousands of reads: check every new shape of
	// response against the spec, and a sample of the rest (poderotest's
	// own tests check every response).
	srv.SampleChecks(20, 500)
	cfg := srv.Config()
	cfg.Clock = nil // the system clock: the bubble's
	c, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &fake{srv: srv, client: c}
}

// recorder is a handler that keeps what it is given.
type recorder struct {
	mu     sync.Mutex
	events []delivered
	count  map[string]int // successes by event ID
	fail   func(watch.Event) error
}

type delivered struct {
	ev watch.Event
	at time.Time // when the handler got it
}

func newRecorder() *recorder { return &recorder{count: map[string]int{}} }

func (r *recorder) handle(ctx context.Context, ev watch.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(ev); err != nil {
			return err
		}
	}
	r.count[ev.EventID()]++
	r.events = append(r.events, delivered{ev: ev, at: time.Now()})
	return nil
}

func (r *recorder) snapshot() ([]delivered, map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	count := make(map[string]int, len(r.count))
	for k, v := range r.count {
		count[k] = v
	}
	return append([]delivered(nil), r.events...), count
}

// duplicates counts the event IDs the handler acknowledged more than once.
func duplicates(count map[string]int) int {
	n := 0
	for _, c := range count {
		n += c - 1
	}
	return n
}

// run runs a watcher until d has passed on the bubble's clock.
func run(t testing.TB, w *watch.Watcher, r *recorder, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := w.Run(ctx, r.handle); err != context.DeadlineExceeded {
		t.Fatalf("Run: %v", err)
	}
}

// episode is an attention episode of the ground truth.
type episode struct {
	device     api.UUID
	cue        string
	start, end time.Time // end: zero while it lasts
}

// episodes reads the attention episodes off the fake's ground truth; those
// open at until end there.
func episodes(changes []poderotest.Change, until time.Time) []*episode {
	var out []*episode
	open := map[api.UUID]*episode{}
	for _, c := range changes {
		switch c.Type {
		case poderotest.AttentionStarted:
			e := &episode{device: c.DeviceID, cue: c.CueID, start: c.At}
			open[c.DeviceID] = e
			out = append(out, e)
		case poderotest.AttentionEnded, poderotest.DeviceGone:
			if e := open[c.DeviceID]; e != nil {
				e.end = c.At
				delete(open, c.DeviceID)
			}
		}
	}
	for _, e := range open {
		e.end = until
	}
	return out
}

// matchAttention finds, for each episode, the NeedsAttention that reported
// it: by cue id, or for an episode without one, the device's first seen
// within the episode. It returns when each was delivered (zero: never).
func matchAttention(eps []*episode, events []delivered) map[*episode]time.Time {
	out := map[*episode]time.Time{}
	for _, d := range events {
		na, ok := d.ev.(watch.NeedsAttention)
		if !ok {
			continue
		}
		for _, e := range eps {
			if e.device != na.Device.ID || !out[e].IsZero() {
				continue
			}
			if e.cue != "" && na.CueID.String() == e.cue ||
				e.cue == "" && na.CueID == (api.UUID{}) && !na.At.Before(e.start) && !na.At.After(e.end) {
				out[e] = d.at
				break
			}
		}
	}
	return out
}

// dumpDevice logs what the fake's ground truth and the events say of a
// device, to see why a test failed.
func dumpDevice(t testing.TB, f *fake, events []delivered, dev api.UUID, start time.Time) {
	t.Helper()
	for _, c := range f.srv.Changes() {
		if c.DeviceID == dev && c.Type != poderotest.StateUpdated {
			t.Logf("  truth %v: %v %s %s", c.At.Sub(start), c.Type, c.CueID, c.State)
		}
	}
	for _, d := range events {
		if strings.Contains(fmt.Sprintf("%+v", d.ev), dev.String()) {
			t.Logf("  event %v: %s", d.at.Sub(start), d.ev.EventID())
		}
	}
}

// attention is how the watcher did on the ground truth's attention
// episodes that began in [from, until): those that lasted the freshness
// target (detectable), those of them never delivered (missed, listed in
// missedEps), the shorter ones delivered or not, and the delays from an
// episode's start to its delivery.
type attention struct {
	detectable, missed, short, shortSeen int
	delays                               []time.Duration
	missedEps                            []*episode
}

func analyzeAttention(changes []poderotest.Change, events []delivered, freshness time.Duration, from, until time.Time) attention {
	eps := episodes(changes, until)
	seen := matchAttention(eps, events)
	var a attention
	for _, e := range eps {
		if e.start.Before(from) || !e.start.Before(until) {
			continue
		}
		at, ok := seen[e]
		if e.end.Sub(e.start) < freshness {
			a.short++
			if ok {
				a.shortSeen++
				a.delays = append(a.delays, at.Sub(e.start))
			}
			continue
		}
		a.detectable++
		if !ok {
			a.missed++
			a.missedEps = append(a.missedEps, e)
			continue
		}
		a.delays = append(a.delays, at.Sub(e.start))
	}
	slices.Sort(a.delays)
	return a
}

// percentile of sorted durations; 0 for none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}

// checkAttention fails t for missed episodes and late deliveries.
func checkAttention(t testing.TB, f *fake, events []delivered, freshness time.Duration, from, until time.Time) attention {
	t.Helper()
	a := analyzeAttention(f.srv.Changes(), events, freshness, from, until)
	for _, e := range a.missedEps {
		t.Errorf("an episode of %s (cue %q) from %v to %v was never delivered", e.device, e.cue, e.start.Sub(from), e.end.Sub(from))
		dumpDevice(t, f, events, e.device, from)
	}
	if p99 := percentile(a.delays, 0.99); p99 > freshness+time.Minute {
		t.Errorf("attention p99 %v, more than the freshness target %v and a minute", p99, freshness)
	}
	return a
}

// eventTypes counts delivered events by type.
func eventTypes(events []delivered) map[string]int {
	out := map[string]int{}
	for _, d := range events {
		out[strings.TrimPrefix(fmt.Sprintf("%T", d.ev), "watch.")]++
	}
	return out
}
