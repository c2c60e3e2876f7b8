package api

import (
	"context"
	"iter"
)

// paginate is the engine of the generated ...Iter methods of c: it asks
// fetch for a page at a time and yields its items, until it has yielded
// total items (counted from the start offset), a page comes back empty,
// fetch fails (the error is yielded once, then it stops) or the caller
// stops. The items it yields point into the page, which is not reused.
// Each page is an Event for the client's middleware, in ctx, of the
// operation op.
func paginate[T any](ctx context.Context, c *PartnerClient, op string, limit, offset *int, maxLimit int, fetch func(limit, offset int) ([]T, int, error)) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		size, next := maxLimit, 0
		if limit != nil && *limit > 0 && *limit < maxLimit {
			size = *limit
		}
		if offset != nil && *offset > 0 {
			next = *offset
		}
		for page := 1; ; page++ {
			items, total, err := fetch(size, next)
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
