package pgstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/podero-go/podero/watch"
	"github.com/podero-go/podero/watch/storetest"
)

// TestSweptReplicaIsReset: a replica whose users another replica freed, by
// that one's clock, learns it at its next claim, whatever its own clock
// reads. Replica a claims at t0 until t0+30s; b, whose clock reads t0+40s
// (a's lease is over by it), frees a's users and takes them. a's next
// claim, stamped t0+20s (a slow database, or a clock behind b's), must be
// a Reset, and its writes of those users must be refused: else a and b
// read the same users until a has something to write.
func TestSweptReplicaIsReset(t *testing.T) {
	pool := newPool(t)
	s := open(t, pool)
	ctx := context.Background()
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	storetest.AddUsers(t, s, 1, 2, t0)
	a, err := s.Claim(ctx, watch.Claim{Replica: "a", Now: t0, Until: t0.Add(30 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Acquired) != 2 {
		t.Fatalf("a took %d users, want 2", len(a.Acquired))
	}
	b, err := s.Claim(ctx, watch.Claim{Replica: "b", Now: t0.Add(40 * time.Second), Until: t0.Add(70 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Acquired) == 0 {
		t.Fatalf("b took none of a's users after a's lease ended")
	}
	// Before its next claim, a writes a user it believes it holds.
	w := &watch.Batch{Replica: "a", Now: t0.Add(20 * time.Second), States: []watch.UserState{{User: b.Acquired[0].Listing.User, Data: []byte(`{"x":1}`)}}}
	var lost *watch.LeaseLostError
	if err := s.Commit(ctx, w); !errors.As(err, &lost) {
		t.Errorf("a's write of a user b took: %v, want a *watch.LeaseLostError", err)
	}
	a, err = s.Claim(ctx, watch.Claim{Replica: "a", Now: t0.Add(20 * time.Second), Until: t0.Add(50 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Reset {
		t.Errorf("a's claim after b took its users: not a Reset (a still believes it holds them)")
	}
	for _, r := range a.Acquired {
		for _, br := range b.Acquired {
			if r.Listing.User == br.Listing.User {
				t.Errorf("user %v held by a and b at once", r.Listing.User)
			}
		}
	}
}
