package api

import (
	"context"
	"errors"
	"fmt"
	"iter"
)

// ListChangedError is the error a generated ...Iter method yields when the
// list changed under it between two pages, which offset paging cannot
// walk exactly: items may have been skipped or yielded twice. It is
// recognised by [IsListChanged]; [Collect] walks the list again.
type ListChangedError struct {
	// Operation is the list's operation (ListElectricVehicleSessions).
	Operation string
	// Offset is that of the page that showed the change.
	Offset int
	// Reason says what showed it: the total changed, the last item seen
	// moved (items before it came or went), or a page came back empty
	// before the total.
	Reason string
}

func (e *ListChangedError) Error() string {
	return fmt.Sprintf("podero: %s: the list changed between pages (%s, at offset %d): items may be missing or repeated; walk it again",
		e.Operation, e.Reason, e.Offset)
}

// IsListChanged reports whether err is a [ListChangedError]: a walk of a
// paginated list that saw the list change, whose items must not be taken
// for the list's (a sum, a count); walk it again, or use [Collect].
func IsListChanged(err error) bool {
	var e *ListChangedError
	return errors.As(err, &e)
}

// Collect walks the list that walk returns (a generated ...Iter method's
// sequence) to its end and returns its items. When the list changes while
// it is walked ([IsListChanged]), it throws away what it has and walks it
// again from the start, up to restarts times, so that the items it
// returns come from one walk that saw no change; otherwise it returns the
// last walk's error. Any other error ends it at once.
//
//	sessions, err := api.Collect(func() iter.Seq2[*api.SessionItem, error] {
//		return client.ListElectricVehicleSessionsIter(ctx, userID, evID, params)
//	}, 3)
func Collect[T any](walk func() iter.Seq2[*T, error], restarts int) ([]*T, error) {
	for n := 0; ; n++ {
		var items []*T
		var err error
		for item, e := range walk() {
			if e != nil {
				err = e
				break
			}
			items = append(items, item)
		}
		if err == nil {
			return items, nil
		}
		if !IsListChanged(err) || n >= restarts {
			return nil, err
		}
	}
}

// paginate is the engine of the generated ...Iter methods of c: it asks
// fetch for a page at a time and yields its items, until it has yielded
// total items (counted from the start offset), fetch fails (the error is
// yielded once, then it stops) or the caller stops. The items it yields
// point into the page, which is not reused. Each page is an Event for the
// client's middleware, in ctx, of the operation op.
//
// Offset paging shifts when the list changes between pages: items before
// the next offset that come or go move others across it, to be skipped or
// yielded twice. So each page after the first is asked from one item
// earlier, the last one yielded (its anchor, found by key), and must start
// with it; and its total must be the first page's. A page that does not
// (or comes back empty before the total) ends the walk with a
// [ListChangedError], before any of its items is yielded. Then every item
// that was in the list for the whole walk is yielded exactly once, or the
// walk fails; items added or removed meanwhile may or may not be. The
// anchor costs one item a page: a page asks for the page size plus one,
// at most maxLimit. Items without an id (key nil, or an item whose id is
// null) get no anchor, only the total's check.
func paginate[T any, K comparable](ctx context.Context, c *PartnerClient, op string, limit, offset *int, maxLimit int, key func(*T) (K, bool), fetch func(limit, offset int) ([]T, int, error)) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		size, next := maxLimit, 0
		if limit != nil && *limit > 0 && *limit < maxLimit {
			size = *limit
		}
		if offset != nil && *offset > 0 {
			next = *offset
		}
		first := -1 // the first page's total
		var anchor K
		anchored := false // anchor is the last item yielded, and the next page starts with it
		for page := 1; ; page++ {
			off, lim := next, size
			if anchored {
				off, lim = next-1, min(size+1, maxLimit)
			}
			items, total, err := fetch(lim, off)
			if err == nil {
				items, err = checkPage(op, next, first, total, items, key, anchor, anchored)
				first = total
			}
			if c.t.events {
				c.t.event(ctx, &Event{Kind: EventPage, Name: op, N: page, Err: err, Offset: next, Items: len(items), Total: total,
					Done: err != nil || len(items) == 0 || next+len(items) >= total})
			}
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range items {
				if !yield(&items[i], nil) {
					return
				}
			}
			next += len(items)
			if len(items) == 0 || next >= total {
				return
			}
			anchored = false
			if key != nil && min(size+1, maxLimit) >= 2 {
				anchor, anchored = key(&items[len(items)-1])
			}
		}
	}
}

// checkPage returns the new items of a page that paginate asked for the
// items from offset next on (from next-1, the anchor's, when anchored),
// or the *ListChangedError that the page shows: a total other than the
// first page's (first, -1 for the first page), no anchor where it was, or
// an empty page before the total.
func checkPage[T any, K comparable](op string, next, first, total int, items []T, key func(*T) (K, bool), anchor K, anchored bool) ([]T, error) {
	fail := func(reason string, args ...any) ([]T, error) {
		return nil, &ListChangedError{Operation: op, Offset: next, Reason: fmt.Sprintf(reason, args...)}
	}
	if first >= 0 && total != first {
		return fail("its total went from %d to %d", first, total)
	}
	if anchored {
		if len(items) == 0 {
			return fail("the last item seen is gone from its place")
		}
		if id, ok := key(&items[0]); !ok || id != anchor {
			return fail("items before it came or went: the last item seen moved")
		}
		items = items[1:]
	}
	if len(items) == 0 && next < total {
		return fail("a page came back empty before the total of %d", total)
	}
	return items, nil
}

// idOf is the key of an item whose id is optional: nil has none.
func idOf[K comparable](id *K) (K, bool) {
	if id == nil {
		var zero K
		return zero, false
	}
	return *id, true
}
