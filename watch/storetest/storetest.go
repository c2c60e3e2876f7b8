// Package storetest checks that a watch.Store keeps the promises package
// watch relies on: atomic commits, leases shared fairly among replicas and
// taken over when one lapses, fenced writes, events handed to one replica
// at a time until acknowledged, and IDs stored once. Run it from the
// tests of a store, as the file, memory and Postgres stores do.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/watch"
)

// Open returns an empty store for a test. Reopen, if not nil, closes a
// store and opens the same one again, for stores that persist.
type Open func(t *testing.T) watch.Store

// Run runs every check on stores that open returns.
func Run(t *testing.T, open Open) {
	t.Run("Commit", func(t *testing.T) { testCommit(t, open(t)) })
	t.Run("Leases", func(t *testing.T) { testLeases(t, open(t)) })
	t.Run("Fencing", func(t *testing.T) { testFencing(t, open(t)) })
	t.Run("Events", func(t *testing.T) { testEvents(t, open(t)) })
	t.Run("Boosts", func(t *testing.T) { testBoosts(t, open(t)) })
}

var t0 = time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)

// ID returns a UUID made from n, for tests.
func ID(n int) api.UUID {
	var id api.UUID
	id[15], id[14], id[13] = byte(n), byte(n>>8), byte(n>>16)
	id[6], id[8] = 0x40, 0x80
	return id
}

// AddUsers adds n users (listings of discovery) with ids ID(from) on,
// through a replica that takes the discovery lease a second before now,
// for a millisecond, so that it is gone by now.
func AddUsers(t *testing.T, s watch.Store, from, n int, now time.Time) {
	t.Helper()
	ctx := context.Background()
	now = now.Add(-time.Second)
	cl, err := s.Claim(ctx, watch.Claim{Replica: "discovery", Now: now, Until: now.Add(time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	if !cl.Discovery {
		t.Fatal("a replica alone did not get the discovery lease")
	}
	b := &watch.Batch{Replica: "discovery", Now: now}
	for i := range n {
		b.Listings = append(b.Listings, watch.Listing{User: ID(from + i), Data: []byte(`{"counts":{"ev":1}}`)})
	}
	if err := s.Commit(ctx, b); err != nil {
		t.Fatal(err)
	}
}

func claim(t *testing.T, s watch.Store, replica string, now time.Time, lease time.Duration) *watch.Claimed {
	t.Helper()
	cl, err := s.Claim(context.Background(), watch.Claim{Replica: replica, Now: now, Until: now.Add(lease)})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// testCommit: a batch's states, listings and events are written together;
// Listings returns them; an acquired user comes with its state.
func testCommit(t *testing.T, s watch.Store) {
	ctx := context.Background()
	AddUsers(t, s, 1, 3, t0)
	ls, err := s.Listings(ctx)
	if err != nil || len(ls) != 3 {
		t.Fatalf("Listings: %d, %v", len(ls), err)
	}
	cl := claim(t, s, "a", t0, time.Minute)
	if !cl.Reset || len(cl.Acquired) != 3 {
		t.Fatalf("a new replica alone: reset %v, %d users acquired, want all 3", cl.Reset, len(cl.Acquired))
	}
	b := &watch.Batch{Replica: "a", Now: t0, States: []watch.UserState{{User: ID(1), Data: []byte(`{"x":1}`)}},
		Events: []watch.StoredEvent{{ID: "e1", User: ID(1), Data: []byte(`{"n":1}`)}}}
	if err := s.Commit(ctx, b); err != nil {
		t.Fatal(err)
	}
	// Another replica takes the users when a's lease lapses, with the state.
	later := t0.Add(2 * time.Minute)
	cl = claim(t, s, "b", later, time.Minute)
	var got []byte
	for _, r := range cl.Acquired {
		if r.Listing.User == ID(1) {
			got = r.State
		}
	}
	if string(got) != `{"x":1}` {
		t.Errorf("the state acquired: %q", got)
	}
	evs, err := s.ClaimEvents(ctx, watch.EventClaim{Replica: "b", Now: later, Until: later.Add(time.Minute), Max: 10})
	if err != nil || len(evs) != 1 || evs[0].ID != "e1" || string(evs[0].Data) != `{"n":1}` || evs[0].User != ID(1) {
		t.Fatalf("events: %+v, %v", evs, err)
	}
}

// holder follows what a replica holds through its claims, as a watcher
// does.
type holder struct {
	name                 string
	held                 map[api.UUID]bool
	listingSeq, boostSeq int64
}

func (h *holder) claim(t *testing.T, s watch.Store, now time.Time, lease time.Duration, release ...api.UUID) *watch.Claimed {
	t.Helper()
	cl, err := s.Claim(context.Background(), watch.Claim{Replica: h.name, Now: now, Until: now.Add(lease), Release: release,
		ListingSeq: h.listingSeq, BoostSeq: h.boostSeq})
	if err != nil {
		t.Fatal(err)
	}
	h.listingSeq, h.boostSeq = cl.ListingSeq, cl.BoostSeq
	if cl.Reset || h.held == nil {
		h.held = map[api.UUID]bool{}
	}
	for _, id := range cl.Lost {
		if !h.held[id] {
			t.Fatalf("%s lost %s, which it did not hold", h.name, id)
		}
		delete(h.held, id)
	}
	for _, r := range cl.Acquired {
		if h.held[r.Listing.User] && !cl.Reset {
			t.Fatalf("%s acquired %s, which it held", h.name, r.Listing.User)
		}
		h.held[r.Listing.User] = true
	}
	return cl
}

// testLeases: replicas share the users fairly; one whose lease lapses
// loses them to the others at their next claim, and is told to start
// afresh when it comes back; Release gives users up; a claim that changes
// nothing says nothing.
func testLeases(t *testing.T, s watch.Store) {
	AddUsers(t, s, 1, 30, t0)
	const lease = 30 * time.Second
	a, b, c := &holder{name: "a"}, &holder{name: "b"}, &holder{name: "c"}
	now := t0
	for range 3 { // a few rounds: each replica sees the others live
		a.claim(t, s, now, lease)
		b.claim(t, s, now, lease)
		c.claim(t, s, now, lease)
		now = now.Add(10 * time.Second)
	}
	if len(a.held)+len(b.held)+len(c.held) != 30 || len(a.held) != 10 || len(b.held) != 10 || len(c.held) != 10 {
		t.Fatalf("three replicas hold %d, %d and %d of 30 users, want 10 each", len(a.held), len(b.held), len(c.held))
	}
	for id := range a.held {
		if b.held[id] || c.held[id] {
			t.Fatalf("user %s held by two replicas", id)
		}
	}
	if cl := a.claim(t, s, now, lease); cl.Reset || len(cl.Acquired)+len(cl.Lost)+len(cl.Listings)+len(cl.Boosts) != 0 {
		t.Fatalf("a claim that changes nothing: %+v", cl)
	}
	// c dies. Within one lease its users go to a and b.
	deadline := now.Add(lease)
	for now.Before(deadline.Add(20 * time.Second)) {
		a.claim(t, s, now, lease)
		b.claim(t, s, now, lease)
		now = now.Add(10 * time.Second)
	}
	if len(a.held)+len(b.held) != 30 || len(a.held) != 15 {
		t.Fatalf("after c died, a and b hold %d and %d of 30 users, want 15 each", len(a.held), len(b.held))
	}
	for id := range a.held {
		if b.held[id] {
			t.Fatalf("user %s held by two replicas", id)
		}
	}
	// c comes back: it starts afresh, and the others give it its share.
	if cl := c.claim(t, s, now, lease); !cl.Reset {
		t.Fatal("a replica whose lease lapsed was not told to start afresh")
	}
	for range 3 {
		a.claim(t, s, now, lease)
		b.claim(t, s, now, lease)
		c.claim(t, s, now, lease)
		now = now.Add(10 * time.Second)
	}
	if len(a.held)+len(b.held)+len(c.held) != 30 || len(c.held) != 10 {
		t.Fatalf("c back: %d, %d and %d of 30 users", len(a.held), len(b.held), len(c.held))
	}
	// Release: a gives up a user, and takes it again (or another).
	var one api.UUID
	for id := range a.held {
		one = id
		break
	}
	before := len(a.held)
	a.claim(t, s, now, lease, one)
	if len(a.held) != before {
		t.Errorf("a released %s and holds %d users, not %d", one, len(a.held), before)
	}
}

// testFencing: a replica cannot write the state of a user it does not
// hold, nor listings without the discovery lease; nothing of the batch is
// written.
func testFencing(t *testing.T, s watch.Store) {
	ctx := context.Background()
	AddUsers(t, s, 1, 2, t0)
	claim(t, s, "a", t0, 30*time.Second)
	later := t0.Add(time.Minute) // a's lease lapsed
	if err := s.Commit(ctx, &watch.Batch{Replica: "a", Now: later, States: []watch.UserState{{User: ID(1), Data: []byte(`{}`)}}}); err == nil {
		t.Fatal("a write after the lease lapsed, before anyone took the user, was taken")
	}
	claim(t, s, "b", later, 30*time.Second)
	err := s.Commit(ctx, &watch.Batch{Replica: "a", Now: later, States: []watch.UserState{{User: ID(1), Data: []byte(`{}`)}},
		Events: []watch.StoredEvent{{ID: "stale-write", User: ID(1), Data: []byte(`{}`)}}})
	var lost *watch.LeaseLostError
	if !errors.As(err, &lost) || len(lost.Users) != 1 || lost.Users[0] != ID(1) {
		t.Fatalf("a write of a user another replica holds: %v, want a *LeaseLostError naming it", err)
	}
	evs, _ := s.ClaimEvents(ctx, watch.EventClaim{Replica: "b", Now: later, Until: later.Add(time.Minute), Max: 10})
	if len(evs) != 0 {
		t.Errorf("a refused batch wrote its events: %+v", evs)
	}
	err = s.Commit(ctx, &watch.Batch{Replica: "a", Now: later, Listings: []watch.Listing{{User: ID(9), Data: []byte(`{}`)}}})
	if !errors.As(err, &lost) || !lost.Discovery {
		t.Fatalf("listings without the discovery lease: %v, want a *LeaseLostError", err)
	}
}

// testEvents: an event is handed to one replica at a time, again after its
// claim lapses or after Retry (not before its time), never after Ack; an
// ID is stored once.
func testEvents(t *testing.T, s watch.Store) {
	ctx := context.Background()
	b := &watch.Batch{Replica: "a", Now: t0}
	for i := range 5 {
		b.Events = append(b.Events, watch.StoredEvent{ID: fmt.Sprint("e", i), Data: []byte(`{}`)})
	}
	if err := s.Commit(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, &watch.Batch{Replica: "a", Now: t0, Events: b.Events[:1]}); err != nil {
		t.Fatal(err)
	}
	ids := func(evs []watch.StoredEvent) []string {
		var out []string
		for _, e := range evs {
			out = append(out, e.ID)
		}
		return out
	}
	get := func(replica string, now time.Time, max int) []watch.StoredEvent {
		t.Helper()
		evs, err := s.ClaimEvents(ctx, watch.EventClaim{Replica: replica, Now: now, Until: now.Add(time.Minute), Max: max})
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	a := get("a", t0, 3)
	if got := ids(a); !slices.Equal(got, []string{"e0", "e1", "e2"}) {
		t.Fatalf("a claimed %v, want the 3 oldest", got)
	}
	bb := get("b", t0, 10)
	if got := ids(bb); !slices.Equal(got, []string{"e3", "e4"}) {
		t.Fatalf("b claimed %v, want the 2 others (e0 stored once)", got)
	}
	if err := s.Ack(ctx, "a", []string{"e0", "e1"}, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.Retry(ctx, "a", "e2", t0.Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := ids(get("c", t0.Add(10*time.Second), 10)); len(got) != 0 {
		t.Fatalf("c claimed %v before the retry was due and the claims lapsed", got)
	}
	c := get("c", t0.Add(30*time.Second), 10)
	if got := ids(c); !slices.Equal(got, []string{"e2"}) || c[0].Attempts != 1 {
		t.Fatalf("c claimed %v (attempts %d) when e2's retry came due, want e2 once tried", got, c[0].Attempts)
	}
	// b's claim lapses: its events are handed out again.
	if got := ids(get("c", t0.Add(2*time.Minute), 10)); !slices.Equal(got, []string{"e2", "e3", "e4"}) {
		t.Fatalf("after the claims lapsed, c claimed %v", got)
	}
	if err := s.Ack(ctx, "c", []string{"e2", "e3", "e4"}, t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := ids(get("a", t0.Add(time.Hour), 10)); len(got) != 0 {
		t.Fatalf("acknowledged events handed out again: %v", got)
	}
	if err := s.Commit(ctx, &watch.Batch{Replica: "a", Now: t0.Add(time.Hour), Events: b.Events[:2]}); err != nil {
		t.Fatal(err)
	}
	if got := ids(get("a", t0.Add(time.Hour), 10)); len(got) != 0 {
		t.Fatalf("acknowledged IDs stored again and handed out: %v", got)
	}
}

// testBoosts: a boost is given to the replica that holds its user, with
// the user when acquired or as news at a later claim, until done.
func testBoosts(t *testing.T, s watch.Store) {
	ctx := context.Background()
	AddUsers(t, s, 1, 1, t0)
	cl := claim(t, s, "a", t0, time.Minute)
	if err := s.Commit(ctx, &watch.Batch{Replica: "other", Now: t0,
		Boosts: []watch.BoostRecord{{ID: "b1", User: ID(1), Data: []byte(`{"k":1}`)}}}); err != nil {
		t.Fatal(err)
	}
	cl2, err := s.Claim(ctx, watch.Claim{Replica: "a", Now: t0, Until: t0.Add(time.Minute), BoostSeq: cl.BoostSeq})
	if err != nil {
		t.Fatal(err)
	}
	if len(cl2.Boosts) != 1 || cl2.Boosts[0].ID != "b1" || string(cl2.Boosts[0].Data) != `{"k":1}` {
		t.Fatalf("the boost as news: %+v", cl2.Boosts)
	}
	cl3 := claim(t, s, "b", t0.Add(2*time.Minute), time.Minute)
	if len(cl3.Acquired) != 1 || len(cl3.Acquired[0].Boosts) != 1 {
		t.Fatalf("the boost with the user acquired: %+v", cl3.Acquired)
	}
	if err := s.Commit(ctx, &watch.Batch{Replica: "b", Now: t0.Add(2 * time.Minute), Done: []string{"b1"}}); err != nil {
		t.Fatal(err)
	}
	cl4 := claim(t, s, "c", t0.Add(5*time.Minute), time.Minute)
	if len(cl4.Acquired) != 1 || len(cl4.Acquired[0].Boosts) != 0 {
		t.Fatalf("a done boost is still handed out: %+v", cl4.Acquired)
	}
}
