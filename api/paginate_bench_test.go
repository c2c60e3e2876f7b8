package api

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
)

// BenchmarkPaginate is the iterator's own cost over 1,000 items in pages
// of 200, without HTTP or decoding: with the anchor check (the generated
// iterators') and without it.
func BenchmarkPaginate(b *testing.B) {
	all := make([]SessionItem, 1000)
	for i := range all {
		id := uuid.NewSHA1(uuid.Nil, fmt.Appendf(nil, "%d", i))
		all[i].ID = &id
	}
	fetch := func(limit, offset int) ([]SessionItem, int, error) {
		return all[offset:min(offset+limit, len(all))], len(all), nil
	}
	c := &PartnerClient{t: &transport{}} // no middleware: no events
	for _, tc := range []struct {
		name string
		key  func(*SessionItem) (UUID, bool)
	}{
		{"anchor=checked", func(it *SessionItem) (UUID, bool) { return idOf(it.ID) }},
		{"anchor=none", nil},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				n := 0
				for _, err := range paginate(context.Background(), c, "List", nil, nil, 200, tc.key, fetch) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != 1000 {
					b.Fatal(n)
				}
			}
		})
	}
}
