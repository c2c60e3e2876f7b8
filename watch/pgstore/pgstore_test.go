package pgstore_test

import (
	"context"
	"crypto/rand"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/podero-go/podero/watch"
	"github.com/podero-go/podero/watch/pgstore"
	"github.com/podero-go/podero/watch/storetest"
)

// The tests need a PostgreSQL server: make test-postgres starts a
// throwaway cluster and sets PODERO_PG_URL.
func pgURL(t testing.TB) string {
	url := os.Getenv("PODERO_PG_URL")
	if url == "" {
		t.Skip("PODERO_PG_URL is not set: make test-postgres runs these against a throwaway PostgreSQL cluster")
	}
	return url
}

// open returns a store on tables of their own (a random prefix), dropped
// when the test ends.
func open(t testing.TB, pool *pgxpool.Pool) *pgstore.Store {
	t.Helper()
	prefix := "t_" + strings.ToLower(rand.Text()[:12])
	s, err := pgstore.Open(context.Background(), pool, pgstore.Options{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, table := range []string{"replicas", "users", "boosts", "events", "meta"} {
			pool.Exec(context.Background(), "DROP TABLE IF EXISTS "+prefix+"_"+table)
		}
	})
	return s
}

func newPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), pgURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// TestStore: the promises of watch.Store.
func TestStore(t *testing.T) {
	pool := newPool(t)
	storetest.Run(t, func(t *testing.T) watch.Store { return open(t, pool) })
}

// TestOptions: a prefix that is not an identifier is refused before
// anything is sent.
func TestOptions(t *testing.T) {
	if _, err := pgstore.Open(context.Background(), nil, pgstore.Options{Prefix: "x; DROP TABLE y"}); err == nil || !strings.Contains(err.Error(), "Prefix") {
		t.Fatalf("a bad prefix: %v", err)
	}
}
