package watch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/podero-go/podero/api"
)

// Store keeps what watchers know, so that a restart, or another replica,
// carries on where one left off: the users and what was last seen of their
// devices (open episodes, wallbox ids, the schedule), the boosts being
// tracked, and the events not yet acknowledged. Two are provided: the
// one-file store of [OpenFile], for one process, and the Postgres store of
// module github.com/podero-go/podero/watch/pgstore, for several replicas.
// [NewMemoryStore] keeps it in memory only, for tests.
//
// A store does not interpret what it keeps: the watcher encodes it. What a
// store must guarantee:
//
//   - Commit is atomic: a user's state and the events it produced are
//     written together or not at all.
//   - Leases: a user is held by one replica at a time, until its lease
//     ends; Commit refuses (a *LeaseLostError) a state of a user the
//     replica does not hold, and the listings of a replica that does not
//     hold the discovery lease.
//   - An event is handed to one replica at a time (ClaimEvents), until
//     acknowledged (Ack) or released for a retry (Retry), or until the
//     claim expires; an event ID is stored once (a second Commit of the
//     same ID is ignored).
//
// Times are the watchers' clock's, passed in, not the store's: replicas'
// clocks must agree to within a small part of the lease.
type Store interface {
	// Claim renews the replica's lease until c.Until (one lease covers
	// every user it holds), takes users that are free or whose replica's
	// lease ended, up to its fair share (the users divided among the
	// replicas whose lease runs), gives up those beyond it, and takes or
	// renews the discovery lease if it is free. It returns what changed.
	// Its cost should follow what changed, not the number of users: each
	// replica claims every few seconds.
	Claim(ctx context.Context, c Claim) (*Claimed, error)
	// Listings returns every user's listing, for the replica that just took
	// the discovery lease.
	Listings(ctx context.Context) ([]Listing, error)
	// Commit writes a batch atomically: all of it, or (with an error)
	// nothing.
	Commit(ctx context.Context, b *Batch) error
	// ClaimEvents hands out up to c.Max events due for delivery (not
	// acknowledged, not claimed by a replica whose claim is running, next
	// attempt due), oldest first, claimed for the replica until c.Until.
	ClaimEvents(ctx context.Context, c EventClaim) ([]StoredEvent, error)
	// Ack acknowledges events: they are never handed out again.
	Ack(ctx context.Context, replica string, ids []string, now time.Time) error
	// Retry releases an event the replica claimed, to be handed out again
	// at at.
	Retry(ctx context.Context, replica, id string, at time.Time) error
	// Close releases the store's resources.
	Close() error
}

// Claim is a replica's claim of leases ([Store.Claim]).
type Claim struct {
	Replica    string
	Now, Until time.Time
	// ListingSeq and BoostSeq are the highest Seq of listings and boosts
	// the replica has seen: Claimed holds those changed since.
	ListingSeq, BoostSeq int64
	// Release are users the replica gives up before claiming (it lost track
	// of them): it may take them again, as Acquired.
	Release []api.UUID
}

// Claimed is what a replica holds after a Claim. Users leave a replica
// only by its own claims (beyond its share, or released) while its lease
// runs, and any of them when it lapses: so a claim says what changed since
// the replica's claim before, or, after a lapse, all it holds.
type Claimed struct {
	// Reset: the replica's lease had lapsed (or it never claimed): it holds
	// exactly Acquired, and must forget every other user.
	Reset bool
	// Acquired are the users it did not hold before the claim (with Reset:
	// all it holds), with what is stored of them.
	Acquired []UserRecord
	// Lost are the users it held before the claim and gave up in it.
	Lost []api.UUID
	// Listings are the listings of held users changed since the claim's
	// ListingSeq (beside Acquired's).
	Listings []Listing
	// Boosts are the boosts of held users added since the claim's BoostSeq
	// and not done (beside Acquired's).
	Boosts []BoostRecord
	// Discovery: the replica holds the discovery lease (it lists the users).
	Discovery bool
	// The highest Seq of listings and boosts in the store.
	ListingSeq, BoostSeq int64
}

// Listing is what the users list said of a user, as discovery saved it.
type Listing struct {
	User api.UUID
	Seq  int64 // assigned by the store on each write
	Data []byte
}

// UserRecord is what a store keeps of a user.
type UserRecord struct {
	Listing Listing
	// State is what the watcher last saw of the user's devices; nil before
	// any.
	State  []byte
	Boosts []BoostRecord // the user's tracked boosts, not done
}

// UserState is a user's state to write.
type UserState struct {
	User api.UUID
	Data []byte
}

// BoostRecord is a tracked boost.
type BoostRecord struct {
	ID   string
	User api.UUID
	Seq  int64 // assigned by the store
	Data []byte
}

// StoredEvent is an event as a store keeps it.
type StoredEvent struct {
	ID   string
	User api.UUID
	Data []byte
	// Attempts is how many times it was handed out before.
	Attempts int
}

// Batch is what Commit writes, all or nothing.
type Batch struct {
	Replica string
	Now     time.Time
	// States are users' states: the replica must hold each user.
	States []UserState
	// Listings are the users list's news (new users, changed listings):
	// the replica must hold the discovery lease. A listing of an unknown
	// user adds the user, free to be claimed.
	Listings []Listing
	// Boosts are boosts to track; Done are the IDs of boosts no longer
	// tracked.
	Boosts []BoostRecord
	Done   []string
	// Events are new events; one whose ID is stored already is ignored.
	Events []StoredEvent
}

// EventClaim is a replica's claim of events ([Store.ClaimEvents]).
type EventClaim struct {
	Replica    string
	Now, Until time.Time
	Max        int
}

// LeaseLostError is Commit's error when the replica no longer holds a
// user whose state the batch writes (or the discovery lease, for
// listings): another replica may hold it now. Nothing was written.
type LeaseLostError struct {
	Users     []api.UUID
	Discovery bool
}

func (e *LeaseLostError) Error() string {
	var parts []string
	if len(e.Users) > 0 {
		parts = append(parts, fmt.Sprintf("%d users (the first %s)", len(e.Users), e.Users[0]))
	}
	if e.Discovery {
		parts = append(parts, "the discovery lease")
	}
	return "watch: the replica's lease ended for " + strings.Join(parts, " and ") + ": nothing was written"
}
