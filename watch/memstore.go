package watch

import (
	"cmp"
	"context"
	"errors"
	"math"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/podero-go/podero/api"
)

// ackRetention is how long a store remembers the ID of an acknowledged
// event, so that the same ID committed again is ignored.
const ackRetention = 7 * 24 * time.Hour

// memStore is a Store in memory, with real leases, so that replicas in one
// process share it as they would a database. The file store is a memStore
// whose writes go to a journal first.
type memStore struct {
	mu sync.Mutex
	// journal, if set, is given every write as it is applied, and returns
	// the write's generation; events of a generation after durable are not
	// handed out (the file store writes generations to disk in groups).
	journal func(*journalRec) int64
	durable int64
	closed  bool

	users      map[api.UUID]*memUser
	order      []api.UUID                   // the users, in the order they were added
	owned      map[string]map[api.UUID]bool // each replica's users
	freeQ      []api.UUID                   // users freed (an entry is stale if one took it since)
	listingLog []listingEntry               // listing writes, by seq
	boostLog   []BoostRecord                // boosts added, by seq
	boosts     map[string]*BoostRecord
	events     map[string]*memEvent
	pending    []*memEvent          // not acknowledged, in the order stored
	replicas   map[string]time.Time // each replica's lease: until when it holds what it owns
	disc       lease                // the discovery lease (owner; until is the replica's)

	listingSeq, boostSeq, eventSeq int64
}

type listingEntry struct {
	seq  int64
	user api.UUID
}

type memUser struct {
	listing Listing
	state   []byte
	owner   string // the replica that holds it, while its lease runs
}

type lease struct {
	owner string
	until time.Time
}

func (l lease) free(now time.Time) bool { return l.owner == "" || !now.Before(l.until) }

type memEvent struct {
	ev       StoredEvent
	seq      int64
	gen      int64     // the journal generation of its commit
	acked    time.Time // zero: not acknowledged
	claim    lease
	next     time.Time // the next attempt is due
	attempts int
}

// NewMemoryStore returns a Store that keeps everything in memory: nothing
// survives the process, so a restarted watcher announces again what it
// announced before. For tests, and for replicas in one process (it has
// real leases).
func NewMemoryStore() Store { return newMemStore() }

func newMemStore() *memStore {
	return &memStore{users: map[api.UUID]*memUser{}, boosts: map[string]*BoostRecord{}, events: map[string]*memEvent{},
		replicas: map[string]time.Time{}, owned: map[string]map[api.UUID]bool{}, durable: math.MaxInt64}
}

var errClosed = errors.New("watch: the store is closed")

func (m *memStore) Claim(ctx context.Context, c Claim) (*Claimed, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errClosed
	}
	out := &Claimed{ListingSeq: m.listingSeq, BoostSeq: m.boostSeq}
	// A replica's lease covers every user it owns; one that lapsed frees
	// them all, the claimer's own included.
	until, known := m.replicas[c.Replica]
	out.Reset = !known || !c.Now.Before(until)
	live := 1
	for r, until := range m.replicas {
		switch {
		case r == c.Replica:
		case c.Now.Before(until):
			live++
		default:
			m.freeAll(r)
			if c.Now.Sub(until) > 24*time.Hour {
				delete(m.replicas, r)
			}
		}
	}
	if out.Reset {
		m.freeAll(c.Replica)
	}
	m.replicas[c.Replica] = c.Until
	mine := m.owned[c.Replica]
	if mine == nil {
		mine = map[api.UUID]bool{}
		m.owned[c.Replica] = mine
	}
	for _, id := range c.Release {
		if mine[id] {
			m.free(id)
			out.Lost = append(out.Lost, id)
		}
	}
	share := (len(m.users) + live - 1) / live
	if len(mine) > share { // beyond the share: give some up for the others
		var extra []api.UUID
		for id := range mine {
			extra = append(extra, id)
		}
		slices.SortFunc(extra, func(a, b api.UUID) int { return cmp.Compare(a.String(), b.String()) })
		for _, id := range extra[share:] {
			m.free(id)
			out.Lost = append(out.Lost, id)
		}
	}
	acquired := map[api.UUID]bool{}
	for len(mine) < share && len(m.freeQ) > 0 {
		id := m.freeQ[0]
		m.freeQ = m.freeQ[1:]
		if u := m.users[id]; u != nil && u.owner == "" {
			u.owner = c.Replica
			mine[id] = true
			acquired[id] = true
			if !out.Reset {
				out.Acquired = append(out.Acquired, m.record(id))
			}
		}
	}
	if out.Reset { // all it holds
		for _, id := range m.order {
			if mine[id] {
				acquired[id] = true
				out.Acquired = append(out.Acquired, m.record(id))
			}
		}
	}
	// What changed since the replica's last claim, of users it kept.
	seen := map[api.UUID]bool{}
	for i := sort.Search(len(m.listingLog), func(i int) bool { return m.listingLog[i].seq > c.ListingSeq }); i < len(m.listingLog); i++ {
		id := m.listingLog[i].user
		if mine[id] && !acquired[id] && !seen[id] {
			seen[id] = true
			out.Listings = append(out.Listings, m.users[id].listing)
		}
	}
	for i := sort.Search(len(m.boostLog), func(i int) bool { return m.boostLog[i].Seq > c.BoostSeq }); i < len(m.boostLog); i++ {
		b := m.boostLog[i]
		if m.boosts[b.ID] != nil && mine[b.User] && !acquired[b.User] {
			out.Boosts = append(out.Boosts, *m.boosts[b.ID])
		}
	}
	if m.disc.owner == c.Replica || m.disc.owner == "" || !c.Now.Before(m.replicas[m.disc.owner]) {
		m.disc.owner = c.Replica
		out.Discovery = true
	}
	return out, nil
}

// free makes a user free to be taken. m.mu is held.
func (m *memStore) free(id api.UUID) {
	u := m.users[id]
	if u == nil || u.owner == "" {
		return
	}
	delete(m.owned[u.owner], id)
	u.owner = ""
	m.freeQ = append(m.freeQ, id)
}

// freeAll frees every user a replica owns. m.mu is held.
func (m *memStore) freeAll(replica string) {
	for id := range m.owned[replica] {
		m.free(id)
	}
	delete(m.owned, replica)
}

// record is what the store keeps of a user. m.mu is held.
func (m *memStore) record(id api.UUID) UserRecord {
	u := m.users[id]
	return UserRecord{Listing: u.listing, State: u.state, Boosts: m.boostsOf(id)}
}

// holds reports whether replica holds what owner owns, at now.
func (m *memStore) holds(replica, owner string, now time.Time) bool {
	return owner == replica && now.Before(m.replicas[replica])
}

func (m *memStore) boostsOf(user api.UUID) []BoostRecord {
	var out []BoostRecord
	for _, id := range sortedKeys(m.boosts) {
		if b := m.boosts[id]; b.User == user {
			out = append(out, *b)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (m *memStore) Listings(ctx context.Context) ([]Listing, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errClosed
	}
	out := make([]Listing, 0, len(m.users))
	for _, u := range m.users {
		out = append(out, u.listing)
	}
	slices.SortFunc(out, func(a, b Listing) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

func (m *memStore) Commit(ctx context.Context, b *Batch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errClosed
	}
	lost := &LeaseLostError{}
	for _, s := range b.States {
		if u := m.users[s.User]; u == nil || !m.holds(b.Replica, u.owner, b.Now) {
			lost.Users = append(lost.Users, s.User)
		}
	}
	if len(b.Listings) > 0 && !m.holds(b.Replica, m.disc.owner, b.Now) {
		lost.Discovery = true
	}
	if len(lost.Users) > 0 || lost.Discovery {
		return lost
	}
	rec := &batchRec{Now: b.Now, States: b.States, Done: b.Done}
	seq := m.listingSeq
	for _, l := range b.Listings {
		seq++
		l.Seq = seq
		rec.Listings = append(rec.Listings, l)
	}
	bseq := m.boostSeq
	for _, bo := range b.Boosts {
		bseq++
		bo.Seq = bseq
		rec.Boosts = append(rec.Boosts, bo)
	}
	for _, e := range b.Events {
		if m.events[e.ID] == nil {
			rec.Events = append(rec.Events, e)
		}
	}
	var gen int64
	if m.journal != nil {
		gen = m.journal(&journalRec{Batch: rec})
	}
	m.applyBatch(rec, gen)
	return nil
}

// applyBatch applies a batch whose sequence numbers are assigned, written
// in the journal generation gen.
func (m *memStore) applyBatch(b *batchRec, gen int64) {
	for _, s := range b.States {
		if u := m.users[s.User]; u != nil {
			u.state = s.Data
		}
	}
	for _, l := range b.Listings {
		u := m.users[l.User]
		if u == nil {
			u = &memUser{}
			m.users[l.User] = u
			m.order = append(m.order, l.User)
			m.freeQ = append(m.freeQ, l.User)
		}
		u.listing = l
		m.listingSeq = max(m.listingSeq, l.Seq)
		m.listingLog = append(m.listingLog, listingEntry{seq: l.Seq, user: l.User})
	}
	for _, bo := range b.Boosts {
		m.boosts[bo.ID] = &bo
		m.boostSeq = max(m.boostSeq, bo.Seq)
		m.boostLog = append(m.boostLog, bo)
	}
	for _, id := range b.Done {
		delete(m.boosts, id)
	}
	for _, e := range b.Events {
		if m.events[e.ID] != nil {
			continue
		}
		m.eventSeq++
		me := &memEvent{ev: e, seq: m.eventSeq, gen: gen}
		m.events[e.ID] = me
		m.pending = append(m.pending, me)
	}
}

func (m *memStore) ClaimEvents(ctx context.Context, c EventClaim) ([]StoredEvent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errClosed
	}
	var out []StoredEvent
	for _, e := range m.pending {
		if len(out) >= c.Max {
			break
		}
		if !e.acked.IsZero() || !e.claim.free(c.Now) || c.Now.Before(e.next) || e.gen > m.durable {
			continue
		}
		e.claim = lease{owner: c.Replica, until: c.Until}
		ev := e.ev
		ev.Attempts = e.attempts
		e.attempts++
		out = append(out, ev)
	}
	return out, nil
}

func (m *memStore) Ack(ctx context.Context, replica string, ids []string, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errClosed
	}
	if m.journal != nil {
		m.journal(&journalRec{Ack: &ackRec{IDs: ids, At: now}})
	}
	m.applyAck(ids, now)
	return nil
}

func (m *memStore) applyAck(ids []string, now time.Time) {
	for _, id := range ids {
		if e := m.events[id]; e != nil && e.acked.IsZero() {
			e.acked = now
		}
	}
	m.pending = slices.DeleteFunc(m.pending, func(e *memEvent) bool { return !e.acked.IsZero() })
}

func (m *memStore) Retry(ctx context.Context, replica, id string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errClosed
	}
	if e := m.events[id]; e != nil && e.claim.owner == replica {
		e.claim, e.next = lease{}, at
	}
	return nil
}

func (m *memStore) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}

// The journal's records: the writes of a file store, and its snapshot.

type journalRec struct {
	Snapshot *snapshotRec `json:"snapshot,omitempty"`
	Batch    *batchRec    `json:"batch,omitempty"`
	Ack      *ackRec      `json:"ack,omitempty"`
}

type batchRec struct {
	Now      time.Time     `json:"now"`
	States   []UserState   `json:"states,omitempty"`
	Listings []Listing     `json:"listings,omitempty"`
	Boosts   []BoostRecord `json:"boosts,omitempty"`
	Done     []string      `json:"done,omitempty"`
	Events   []StoredEvent `json:"events,omitempty"`
}

type ackRec struct {
	IDs []string  `json:"ids"`
	At  time.Time `json:"at"`
}

type snapshotRec struct {
	Users      []snapUser    `json:"users"`
	Boosts     []BoostRecord `json:"boosts,omitempty"`
	Events     []snapEvent   `json:"events,omitempty"`
	ListingSeq int64         `json:"listing_seq"`
	BoostSeq   int64         `json:"boost_seq"`
}

type snapUser struct {
	Listing Listing `json:"listing"`
	State   []byte  `json:"state,omitempty"`
}

type snapEvent struct {
	Event StoredEvent `json:"event"`
	Acked time.Time   `json:"acked,omitzero"`
}

// snapshot is what the store holds, as one record; acknowledged events
// older than ackRetention before now are left out. m.mu must be held.
func (m *memStore) snapshot(now time.Time) *snapshotRec {
	s := &snapshotRec{ListingSeq: m.listingSeq, BoostSeq: m.boostSeq}
	for _, u := range m.users {
		s.Users = append(s.Users, snapUser{Listing: u.listing, State: u.state})
	}
	slices.SortFunc(s.Users, func(a, b snapUser) int { return cmp.Compare(a.Listing.Seq, b.Listing.Seq) })
	for _, id := range sortedKeys(m.boosts) {
		s.Boosts = append(s.Boosts, *m.boosts[id])
	}
	var evs []*memEvent
	for _, e := range m.events {
		if e.acked.IsZero() || now.Sub(e.acked) < ackRetention {
			evs = append(evs, e)
		}
	}
	slices.SortFunc(evs, func(a, b *memEvent) int { return cmp.Compare(a.seq, b.seq) })
	for _, e := range evs {
		s.Events = append(s.Events, snapEvent{Event: e.ev, Acked: e.acked})
	}
	return s
}

// restore replaces what the store holds with a snapshot.
func (m *memStore) restore(s *snapshotRec) {
	m.users, m.boosts, m.events, m.pending, m.order = map[api.UUID]*memUser{}, map[string]*BoostRecord{}, map[string]*memEvent{}, nil, nil
	m.listingSeq, m.boostSeq = s.ListingSeq, s.BoostSeq
	for _, u := range s.Users {
		m.users[u.Listing.User] = &memUser{listing: u.Listing, state: u.State}
		m.order = append(m.order, u.Listing.User)
		m.listingLog = append(m.listingLog, listingEntry{seq: u.Listing.Seq, user: u.Listing.User})
	}
	m.freeQ = slices.Clone(m.order)
	slices.SortFunc(m.listingLog, func(a, b listingEntry) int { return cmp.Compare(a.seq, b.seq) })
	for _, b := range s.Boosts {
		m.boosts[b.ID] = &b
		m.boostLog = append(m.boostLog, b)
	}
	slices.SortFunc(m.boostLog, func(a, b BoostRecord) int { return cmp.Compare(a.Seq, b.Seq) })
	for _, e := range s.Events {
		m.eventSeq++
		me := &memEvent{ev: e.Event, seq: m.eventSeq, acked: e.Acked}
		m.events[e.Event.ID] = me
		if e.Acked.IsZero() {
			m.pending = append(m.pending, me)
		}
	}
}
