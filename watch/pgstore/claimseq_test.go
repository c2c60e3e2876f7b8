package pgstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/podero-go/podero/watch"
	"github.com/podero-go/podero/watch/storetest"
)

// TestClaimSeesEveryBoost: boosts committed (by any replica) while the
// holder of their user claims reach the holder, at that claim or the
// next. A claim read the news (boosts, listings) first and the store's
// sequence numbers after, each in a snapshot of its own, so a boost
// committed in between was skipped: the holder never tracked it.
func TestClaimSeesEveryBoost(t *testing.T) {
	pool := newPool(t)
	s := open(t, pool)
	ctx := context.Background()
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	storetest.AddUsers(t, s, 1, 1, t0)
	user := storetest.ID(1)
	cl, err := s.Claim(ctx, watch.Claim{Replica: "a", Now: t0, Until: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(cl.Acquired) != 1 {
		t.Fatalf("a took %d users, want 1", len(cl.Acquired))
	}
	seq := cl.BoostSeq
	const n = 400
	var wg sync.WaitGroup
	var werr error
	wg.Go(func() {
		for i := range n {
			b := &watch.Batch{Replica: "b", Now: t0, Boosts: []watch.BoostRecord{{ID: fmt.Sprint("boost-", i), User: user, Data: []byte(`{}`)}}}
			if err := s.Commit(ctx, b); err != nil {
				werr = err
				return
			}
		}
	})
	seen := map[string]bool{}
	claimOnce := func() {
		cl, err := s.Claim(ctx, watch.Claim{Replica: "a", Now: t0, Until: t0.Add(time.Hour), BoostSeq: seq})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range cl.Boosts {
			seen[b.ID] = true
		}
		seq = max(seq, cl.BoostSeq)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for loop := true; loop; {
		select {
		case <-done:
			loop = false
		default:
			claimOnce()
		}
	}
	if werr != nil {
		t.Fatal(werr)
	}
	claimOnce()
	if len(seen) != n {
		t.Errorf("the holder saw %d boosts of %d committed", len(seen), n)
	}
}
