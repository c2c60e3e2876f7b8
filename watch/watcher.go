package watch

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/podero-go/podero/api"
)

// Watcher watches a fleet: see the package documentation.
type Watcher struct {
	c    *api.PartnerClient
	o    Options
	opts [laneCount][]api.CallOption // the call options of each lane

	mu      sync.Mutex // guards everything below
	running bool
	users   map[api.UUID]*userRT
	lanes   [laneCount]jobHeap
	// changes counts what may make another job due; the dispatcher sleeps
	// only if nothing changed since it looked.
	changes  int64
	wake     *waker // wakes the dispatcher
	wakeSend *waker // wakes the delivery loop
	claimNow *waker // asks the claim loop for a claim
	// The store's sequence numbers seen, the lease, and discovery.
	listingSeq, boostSeq int64
	leaseUntil           time.Time
	release              []api.UUID           // users to give up at the next claim
	discovery            *job                 // nil unless this replica lists the users
	listings             map[api.UUID]listing // every user's, while discovering
	nextSend             time.Time            // the pace: when the next request may go
	rate                 float64              // the pace now: Options.Rate, less after 429s
	cut                  time.Time            // when a 429 last cut the rate
	lagging              string               // the open Lagging event's ID
	stats                Stats
	// baselining: Options.Baseline, and the store had no users when this
	// replica took up discovery; ends when its first listing is written.
	baselining bool
	// For the gauges of Stats: the intervals between two reads of a unit
	// over the last minute, and the attempts of the last ten minutes.
	sweepSum time.Duration
	sweepN   int
	samples  []sample
}

// userRT is a user this replica holds.
type userRT struct {
	id api.UUID
	// busy: a job of the user runs (or a checkpoint writes it): no other
	// starts, so reads of one user's devices never overlap.
	busy    bool
	dropped bool            // no longer held: a running job's results are discarded
	jobs    map[string]*job // by unit key or boost ID
	retryAt map[string]time.Time
	boosts  map[string]*boostDoc

	listing listing // the latest listing (guarded by mu)
	// need is the requests a second the user's units and boosts need
	// (guarded by mu; see checkLagging).
	need float64

	// Guarded by busy (the job or checkpoint that set it) once held:
	applied listing // the listing the doc's units follow
	doc     userDoc
	dirty   bool // doc changed since written
}

// lane orders the jobs that are due: boosts first, then reads that may
// show attention (new and changed users, retries, open episodes), then
// the regular reads, then discovery.
type lane int

const (
	laneBoost lane = iota
	laneAttention
	laneState
	laneDiscovery
	laneCount
)

type job struct {
	due  time.Time
	lane lane
	user *userRT // nil for discovery
	key  string  // unit key, boost ID, or relistKey
	what jobKind
	// index is the job's place in its lane's heap; -1 when not queued.
	index int
}

type jobKind uint8

const (
	jobRead      jobKind = iota // read a unit
	jobBoost                    // poll a tracked boost
	jobRelist                   // apply a new listing to the user's units (no request)
	jobDiscovery                // list the users
)

// relistKey is the key of a user's relist job.
const relistKey = "relist"

type jobHeap []*job

func (h jobHeap) Len() int           { return len(h) }
func (h jobHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h jobHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *jobHeap) Push(x any) {
	j := x.(*job)
	j.index = len(*h)
	*h = append(*h, j)
}
func (h *jobHeap) Pop() any {
	old := *h
	j := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	j.index = -1
	return j
}

// New returns a watcher of the organization of client c.
func New(c *api.PartnerClient, o Options) (*Watcher, error) {
	if c == nil {
		return nil, errors.New("watch: New needs a *api.PartnerClient")
	}
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	w := &Watcher{c: c, o: o, users: map[api.UUID]*userRT{}, rate: o.Rate,
		wake: newWaker(), wakeSend: newWaker(), claimNow: newWaker()}
	mw := api.WithMiddleware(w.metrics())
	// The watcher paces itself and cuts its rate on 429s (metrics): the
	// pace a client without a RateLimit learns from a 429 is not for its
	// calls, which waited twice for one signal under both (the storm
	// scenario's boost p99 went from 4.3 s to 11.7 s).
	for l := range w.opts {
		w.opts[l] = []api.CallOption{api.WithPriority(lanePriority[l]), api.WithoutAdaptivePace(), mw}
	}
	return w, nil
}

// Handler handles an event. Returning nil acknowledges it: it is not
// delivered again. An error (or a panic) hands it out again later, with
// backoff, without holding up other events.
type Handler func(ctx context.Context, ev Event) error

// Run watches the fleet and calls h with every event until ctx ends, then
// returns ctx's error. It returns at once, writing nothing more than the
// acknowledgements of the events whose handler returns nil meanwhile (so
// that a deploy does not deliver them again), and ending the context is as
// safe as a crash: the store has every event not yet acknowledged, with
// the state that produced it. A Watcher runs once at a time.
func (w *Watcher) Run(ctx context.Context, h Handler) error {
	if h == nil {
		return errors.New("watch: Run needs a handler")
	}
	w.mu.Lock()
	if w.running {
		w.mu.Unlock()
		return errors.New("watch: the Watcher is running already")
	}
	w.running = true
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.running = false
		w.users, w.lanes, w.discovery = map[api.UUID]*userRT{}, [laneCount]jobHeap{}, nil
		w.mu.Unlock()
	}()
	if err := w.claim(ctx); err != nil {
		return err
	}
	var wg sync.WaitGroup
	wg.Go(func() { w.claimLoop(ctx) })
	wg.Go(func() { w.dispatch(ctx) })
	wg.Go(func() { w.deliver(ctx, h) })
	wg.Go(func() { w.checkpointLoop(ctx) })
	wg.Go(func() { w.monitor(ctx) })
	wg.Wait()
	return ctx.Err()
}

func (w *Watcher) now() time.Time { return w.o.Clock.Now() }

// waker wakes a loop that sleeps (Watcher.sleep): a signal while it does
// not sleep is kept for its next sleep, which then returns at once.
type waker struct {
	mu      sync.Mutex
	pending bool
	cancel  context.CancelFunc // the sleep in progress
}

func newWaker() *waker { return &waker{} }

// signal wakes the loop, if it is not awake already.
func signal(k *waker) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cancel != nil {
		k.cancel()
		k.cancel = nil
		return
	}
	k.pending = true
}

// sleep waits for d, or until k (if not nil) is signalled, or ctx ends.
// It starts no goroutine: a signal cancels the sleep's context.
func (w *Watcher) sleep(ctx context.Context, d time.Duration, k *waker) {
	if d <= 0 {
		return
	}
	if k == nil {
		_ = w.o.Clock.Sleep(ctx, d)
		return
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	k.mu.Lock()
	if k.pending {
		k.pending = false
		k.mu.Unlock()
		return
	}
	k.cancel = cancel
	k.mu.Unlock()
	_ = w.o.Clock.Sleep(sctx, d)
	k.mu.Lock()
	k.cancel = nil
	k.mu.Unlock()
}

// --- Leases ---------------------------------------------------------------

// claimEvery is how often the claim loop renews the lease and picks up
// what other replicas wrote (users to take, listings, boosts to track):
// three times a lease. A replica's own news (a boost it tracks, users its
// discovery added) wakes it at once; another's wait for its claim, up to
// 10 s with the default lease, as a boost does before it settles.
func (w *Watcher) claimEvery() time.Duration { return w.o.LeasePeriod / 3 }

func (w *Watcher) claimLoop(ctx context.Context) {
	for ctx.Err() == nil {
		w.sleep(ctx, w.claimEvery(), w.claimNow)
		if ctx.Err() != nil {
			return
		}
		if err := w.claim(ctx); err != nil && ctx.Err() == nil {
			w.o.Logger.Warn("watch: claim the leases", "err", err)
		}
	}
}

// claim renews the leases and takes in what the store says: users taken
// and lost, listings changed, boosts to track, the discovery lease.
func (w *Watcher) claim(ctx context.Context) error {
	now := w.now()
	until := now.Add(w.o.LeasePeriod)
	w.mu.Lock()
	c := Claim{Replica: w.o.Replica, Now: now, Until: until, ListingSeq: w.listingSeq, BoostSeq: w.boostSeq, Release: w.release}
	w.release = nil
	w.mu.Unlock()
	cl, err := w.o.Store.Claim(ctx, c)
	if err != nil {
		w.mu.Lock()
		w.release = append(w.release, c.Release...)
		w.mu.Unlock()
		return err
	}
	w.mu.Lock()
	w.leaseUntil = until
	w.listingSeq, w.boostSeq = max(w.listingSeq, cl.ListingSeq), max(w.boostSeq, cl.BoostSeq)
	if cl.Reset { // the lease had lapsed: only Acquired is held, afresh
		for _, u := range w.users {
			w.dropLocked(u)
		}
	}
	for _, id := range cl.Lost {
		if u := w.users[id]; u != nil {
			w.dropLocked(u)
		}
	}
	for _, rec := range cl.Acquired {
		w.acquireLocked(rec, now)
	}
	for _, l := range cl.Listings {
		if u := w.users[l.User]; u != nil {
			u.listing = decodeListing(l.Data)
			w.scheduleLocked(u, relistKey, jobRelist, laneAttention, now)
		}
	}
	for _, b := range cl.Boosts {
		if u := w.users[b.User]; u != nil {
			w.addBoostLocked(u, b, now)
		}
	}
	loadDiscovery := false
	switch {
	case cl.Discovery && w.discovery == nil:
		w.discovery = &job{what: jobDiscovery, lane: laneDiscovery, due: now, index: -1}
		loadDiscovery = true
	case !cl.Discovery && w.discovery != nil:
		if w.discovery.index >= 0 {
			heap.Remove(&w.lanes[laneDiscovery], w.discovery.index)
		}
		w.discovery, w.listings = nil, nil
	}
	w.changes++
	w.mu.Unlock()
	if loadDiscovery {
		ls, err := w.o.Store.Listings(ctx)
		if err != nil {
			w.mu.Lock()
			w.discovery = nil // taken again at the next claim
			w.mu.Unlock()
			return err
		}
		all := make(map[api.UUID]listing, len(ls))
		for _, l := range ls {
			all[l.User] = decodeListing(l.Data)
		}
		w.mu.Lock()
		if w.discovery != nil {
			w.listings = all
			w.baselining = w.o.Baseline && len(all) == 0
			heap.Push(&w.lanes[laneDiscovery], w.discovery)
		}
		w.mu.Unlock()
	}
	signal(w.wake)
	return nil
}

func decodeListing(data []byte) listing {
	var l listing
	_ = json.Unmarshal(data, &l) // our own encoding; a bad one reads as empty
	return l
}

// acquireLocked takes in a user the replica now holds. w.mu is held.
func (w *Watcher) acquireLocked(rec UserRecord, now time.Time) {
	id := rec.Listing.User
	if old := w.users[id]; old != nil {
		w.dropLocked(old)
	}
	u := &userRT{id: id, jobs: map[string]*job{}, retryAt: map[string]time.Time{}, boosts: map[string]*boostDoc{}}
	u.listing = decodeListing(rec.Listing.Data)
	u.applied = u.listing
	if rec.State != nil {
		if err := json.Unmarshal(rec.State, &u.doc); err != nil {
			w.o.Logger.Warn("watch: a stored user state does not decode; starting it afresh", "user", id, "err", err)
			u.doc = userDoc{}
		}
	}
	w.users[id] = u
	// A baselined user first taken with no state: the first reads of its
	// units record its devices silently.
	u.doc.Baseline = u.doc.Baseline || (rec.State == nil && u.listing.Baseline)
	if u.listing.Gone {
		w.scheduleLocked(u, relistKey, jobRelist, laneAttention, now)
	} else {
		u.doc.units(u.listing)
		if u.doc.settleBaseline() {
			u.dirty = true
		}
		w.scheduleUnitsLocked(u, now)
	}
	for _, b := range rec.Boosts {
		w.addBoostLocked(u, b, now)
	}
}

// dropLocked forgets a user the replica no longer holds. w.mu is held.
func (w *Watcher) dropLocked(u *userRT) {
	u.dropped = true
	for _, j := range u.jobs {
		if j.index >= 0 {
			heap.Remove(&w.lanes[j.lane], j.index)
		}
	}
	u.jobs = map[string]*job{}
	delete(w.users, u.id)
}

// jitter spreads d by up to a tenth either way.
func jitter(d time.Duration) time.Duration {
	return d + time.Duration((rand.Float64()-0.5)*0.2*float64(d))
}

var _ = fmt.Sprint
