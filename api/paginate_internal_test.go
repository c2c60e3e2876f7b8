package api

import (
	"context"
	"math/rand/v2"
	"testing"
)

// The iterators' promise: every item that is in the list for the whole
// walk is yielded exactly once, and no item twice, or the walk ends with a
// ListChangedError. Random lists, page sizes and changes between pages
// (items inserted and removed anywhere), with a fixed seed.
func TestPaginateYieldsEveryLastingItemOnce(t *testing.T) {
	type item struct{ id int }
	key := func(it *item) (int, bool) { return it.id, true }
	rng := rand.New(rand.NewPCG(23, 5))
	c := &PartnerClient{t: &transport{}}
	var walks, changed, quietChanges int
	for range 2000 {
		n := rng.IntN(40)
		list := make([]item, n)
		for i := range list {
			list[i] = item{i}
		}
		nextID, removed, changes := n, map[int]bool{}, 0
		fetch := func(limit, offset int) ([]item, int, error) {
			page := append([]item(nil), list[min(offset, len(list)):min(offset+limit, len(list))]...)
			total := len(list)
			if rng.IntN(3) == 0 { // others write between this page and the next
				for range 1 + rng.IntN(3) {
					changes++
					if len(list) > 0 && rng.IntN(2) == 0 {
						i := rng.IntN(len(list))
						removed[list[i].id] = true
						list = append(list[:i], list[i+1:]...)
					} else {
						i := rng.IntN(len(list) + 1)
						list = append(list[:i], append([]item{{nextID}}, list[i:]...)...)
						nextID++
					}
				}
			}
			return page, total, nil
		}
		size := 1 + rng.IntN(8)
		seen := map[int]int{}
		var err error
		for it, e := range paginate(context.Background(), c, "ListThings", &size, nil, 10, key, fetch) {
			if e != nil {
				err = e
				break
			}
			seen[it.id]++
		}
		walks++
		if err != nil {
			if !IsListChanged(err) {
				t.Fatalf("a walk ended with %v, want a ListChangedError", err)
			}
			changed++
			continue
		}
		if changes > 0 {
			quietChanges++
		}
		for id := range n {
			if !removed[id] && seen[id] != 1 {
				t.Fatalf("item %d, in the list throughout, was yielded %d times (page size %d, %d changes)", id, seen[id], size, changes)
			}
		}
		for id, k := range seen {
			if k > 1 {
				t.Fatalf("item %d was yielded %d times", id, k)
			}
		}
	}
	// Not vacuous: walks that saw a change, and walks that went on
	// through changes that moved nothing they had to yield.
	if changed < walks/10 || quietChanges < walks/10 {
		t.Errorf("%d walks: %d ended with the change, %d went through changes", walks, changed, quietChanges)
	}
}
