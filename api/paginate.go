package api

import "iter"

// paginate is the engine of the generated ...Iter methods: it asks fetch
// for a page at a time and yields its items, until it has yielded total
// items (counted from the start offset), a page comes back empty, fetch
// fails (the error is yielded once, then it stops) or the caller stops.
// The items it yields point into the page, which is not reused.
func paginate[T any](limit, offset *int, maxLimit int, fetch func(limit, offset int) ([]T, int, error)) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		size, next := maxLimit, 0
		if limit != nil && *limit > 0 && *limit < maxLimit {
			size = *limit
		}
		if offset != nil && *offset > 0 {
			next = *offset
		}
		for {
			items, total, err := fetch(size, next)
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
