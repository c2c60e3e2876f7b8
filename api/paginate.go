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
	// Reason says what showed it: the total changed, a page came back
	// empty before the total, or an item came twice.
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
// Offset paging shifts when the list changes between pages. What shows it
// ends the walk with a [ListChangedError]: a total that differs from the
// first page's, an empty page before the total, and, when key gives the
// items' ids (key may be nil), an id that came before. A page is checked
// whole before any of its items is yielded. The walk remembers the ids it
// has yielded, one map entry each.
func paginate[T any, K comparable](ctx context.Context, c *PartnerClient, op string, limit, offset *int, maxLimit int, key func(*T) (K, bool), fetch func(limit, offset int) ([]T, int, error)) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		size, next := maxLimit, 0
		if limit != nil && *limit > 0 && *limit < maxLimit {
			size = *limit
		}
		if offset != nil && *offset > 0 {
			next = *offset
		}
		first := -1             // the first page's total
		var seen map[K]struct{} // made at the first page, for its total
		for page := 1; ; page++ {
			items, total, err := fetch(size, next)
			if err == nil {
				err = changed(op, next, first, total, items, key, &seen)
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
		}
	}
}

// changed returns the *ListChangedError of a page (at offset next, with
// total) that shows that the list changed since the first page (whose
// total was first, -1 for none yet), or nil; it adds the page's ids to
// *seen, which it makes at the first page.
func changed[T any, K comparable](op string, next, first, total int, items []T, key func(*T) (K, bool), seen *map[K]struct{}) error {
	fail := func(reason string, args ...any) error {
		return &ListChangedError{Operation: op, Offset: next, Reason: fmt.Sprintf(reason, args...)}
	}
	switch {
	case first >= 0 && total != first:
		return fail("its total went from %d to %d", first, total)
	case len(items) == 0 && next < total:
		return fail("a page came back empty before the total of %d", total)
	case key == nil:
		return nil
	}
	if *seen == nil {
		*seen = make(map[K]struct{}, min(max(total-next, len(items)), maxPresized))
	}
	for i := range items {
		id, ok := key(&items[i])
		if !ok {
			continue
		}
		if _, dup := (*seen)[id]; dup {
			return fail("an item came twice: id %v", id)
		}
		(*seen)[id] = struct{}{}
	}
	return nil
}

// maxPresized bounds the ids paginate makes room for at once: a total
// of millions must not allocate before the walk needs it.
const maxPresized = 1 << 14

// idOf is the key of an item whose id is optional: nil has none.
func idOf[K comparable](id *K) (K, bool) {
	if id == nil {
		var zero K
		return zero, false
	}
	return *id, true
}
