// Package pgstore is a watch.Store on PostgreSQL, for a watcher that runs
// as several replicas: they share the fleet's users through leases, each
// event is handed to one replica's handler at a time, and a replica that
// dies is replaced within a lease period. It is a module of its own
// (github.com/podero-go/podero/watch/pgstore), so that a service that
// imports only package api or watch downloads no Postgres driver.
//
//	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
//	store, err := pgstore.Open(ctx, pool, pgstore.Options{})
//	w, err := watch.New(client, watch.Options{Store: store})
//
// How it keeps watch.Store's promises:
//
//   - Leases. Each replica has one row with the end of its lease; a user
//     row names the replica that holds it. A replica's claim renews its
//     row, frees the users of replicas whose lease lapsed, and takes free
//     users up to its share with SELECT ... FOR UPDATE SKIP LOCKED, so that
//     replicas claiming at once never take the same user. Users leave a
//     replica only by its own claims while its lease runs.
//   - Fencing. A commit locks the rows of the users whose state it writes
//     (FOR UPDATE) and writes only if the replica owns them and its lease
//     runs: a replica that lost a user cannot overwrite the state of the
//     one that holds it now. The lock also keeps a claimer from taking the
//     user in the middle of the commit (it skips locked rows).
//   - An outbox. Events are inserted in the commit's transaction, with the
//     state that produced them (an ID stored once: ON CONFLICT DO NOTHING);
//     ClaimEvents hands them out with FOR UPDATE SKIP LOCKED, to one
//     replica at a time until acknowledged, released, or its claim ends.
//   - Order. Listings and boosts carry sequence numbers taken under a row
//     lock held until commit, so they commit in sequence order and a
//     replica that has seen sequence n has seen everything before it.
//
// Times are the watchers' clock's, passed as parameters, not Postgres's
// now(): the replicas' clocks must agree to within a small part of a lease.
//
// Open creates the tables (prefix_replicas, _users, _boosts, _events,
// _meta) if they do not exist.
package pgstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/watch"
)

// Options configures Open.
type Options struct {
	// Prefix names the tables: Prefix_users and so on. Default
	// "podero_watch". Letters, digits and underscores.
	Prefix string
	// AckRetention is how long the ID of an acknowledged event is kept, so
	// that the same ID committed again is ignored; default 7 days.
	AckRetention time.Duration
}

// Store is the Postgres store.
type Store struct {
	pool *pgxpool.Pool
	o    Options
	q    queries
	// pruned is when acknowledged IDs were last forgotten. Several watchers
	// may share a Store (replicas in one process), and discovery moves
	// between them: mu keeps their claims from racing on it.
	mu     sync.Mutex
	pruned time.Time
}

var _ watch.Store = (*Store)(nil)

var prefixRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,40}$`)

// Open returns a store on pool, creating its tables if need be. The pool
// is the caller's: Close does not close it.
func Open(ctx context.Context, pool *pgxpool.Pool, o Options) (*Store, error) {
	if o.Prefix == "" {
		o.Prefix = "podero_watch"
	}
	if !prefixRE.MatchString(o.Prefix) {
		return nil, fmt.Errorf("pgstore: Options.Prefix %q: want letters, digits and underscores, starting with a letter", o.Prefix)
	}
	if o.AckRetention <= 0 {
		o.AckRetention = 7 * 24 * time.Hour
	}
	s := &Store{pool: pool, o: o, q: newQueries(o.Prefix)}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// migrate creates the tables, under an advisory lock so that replicas
// starting together do not race.
func (s *Store) migrate(ctx context.Context) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, s.o.Prefix); err != nil {
			return fmt.Errorf("pgstore: lock for the schema: %w", err)
		}
		if _, err := tx.Exec(ctx, s.q.schema); err != nil {
			return fmt.Errorf("pgstore: create the tables: %w", err)
		}
		return nil
	})
}

// Close does nothing: the pool is the caller's.
func (s *Store) Close() error { return nil }

// queries are the statements, with the tables' prefix.
type queries struct {
	schema string
	t      func(name string) string
}

func newQueries(prefix string) queries {
	t := func(name string) string { return pgx.Identifier{prefix + "_" + name}.Sanitize() }
	schema := fmt.Sprintf(`
CREATE TABLE IF NOT EXISTS %[1]s (
	id text PRIMARY KEY,
	lease_until timestamptz NOT NULL,
	held int NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS %[2]s (
	id uuid PRIMARY KEY,
	owner text,
	listing bytea NOT NULL,
	listing_seq bigint NOT NULL,
	state bytea
);
CREATE INDEX IF NOT EXISTS %[6]s ON %[2]s (owner, listing_seq);
CREATE TABLE IF NOT EXISTS %[3]s (
	id text PRIMARY KEY,
	user_id uuid NOT NULL,
	seq bigint NOT NULL,
	data bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS %[7]s ON %[3]s (user_id);
CREATE TABLE IF NOT EXISTS %[4]s (
	id text PRIMARY KEY,
	seq bigserial,
	user_id uuid,
	data bytea NOT NULL,
	acked_at timestamptz,
	claimed_by text,
	claim_until timestamptz,
	next_at timestamptz,
	attempts int NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS %[8]s ON %[4]s (seq) WHERE acked_at IS NULL;
CREATE INDEX IF NOT EXISTS %[9]s ON %[4]s (acked_at) WHERE acked_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS %[5]s (
	key text PRIMARY KEY,
	owner text,
	seq bigint NOT NULL DEFAULT 0
);
INSERT INTO %[5]s (key) VALUES ('discovery'), ('listing'), ('boost'), ('users') ON CONFLICT DO NOTHING;
`, t("replicas"), t("users"), t("boosts"), t("events"), t("meta"),
		pgx.Identifier{prefix + "_users_owner"}.Sanitize(), pgx.Identifier{prefix + "_boosts_user"}.Sanitize(),
		pgx.Identifier{prefix + "_events_pending"}.Sanitize(), pgx.Identifier{prefix + "_events_acked"}.Sanitize())
	return queries{schema: schema, t: t}
}

// readCommitted is the isolation claims and commits are written for: each
// statement sees what committed before it, and a row lock waited for is
// read again as it is now. A server whose default is REPEATABLE READ or
// SERIALIZABLE would fail them with serialization errors instead.
var readCommitted = pgx.TxOptions{IsoLevel: pgx.ReadCommitted}

// Claim implements watch.Store.
func (s *Store) Claim(ctx context.Context, c watch.Claim) (*watch.Claimed, error) {
	var out *watch.Claimed
	err := pgx.BeginTxFunc(ctx, s.pool, readCommitted, func(tx pgx.Tx) error {
		var err error
		out, err = s.claim(ctx, tx, c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pgstore: claim: %w", err)
	}
	return out, nil
}

func (s *Store) claim(ctx context.Context, tx pgx.Tx, c watch.Claim) (*watch.Claimed, error) {
	t := s.q.t
	out := &watch.Claimed{}
	var prev time.Time
	held := 0
	err := tx.QueryRow(ctx, `SELECT lease_until, held FROM `+t("replicas")+` WHERE id = $1 FOR UPDATE`, c.Replica).Scan(&prev, &held)
	known := err == nil
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return nil, err
	}
	out.Reset = !known || !c.Now.Before(prev)
	// The sequence numbers first: every listing and boost up to them has
	// committed (each takes its number under a row lock held until commit),
	// so the statements below, each in a snapshot of its own (READ
	// COMMITTED), see them all. Read after the news, they could count a
	// listing or boost committed in between, which the next claim would
	// skip. One committed after this read may show below too: the next
	// claim returns it again, which the watcher ignores.
	if err := tx.QueryRow(ctx, `SELECT (SELECT seq FROM `+t("meta")+` WHERE key = 'listing'), (SELECT seq FROM `+t("meta")+
		` WHERE key = 'boost')`).Scan(&out.ListingSeq, &out.BoostSeq); err != nil {
		return nil, err
	}
	// The users of lapsed replicas (this one's own, after a lapse) are
	// free. A replica's count of users held is kept in its row, so that a
	// claim costs what changed. A swept replica's lease is set to the
	// epoch (1970): its next claim is a Reset and its writes are refused,
	// whatever its own clock reads (one behind this replica's, or a Now
	// taken before a slow claim, would still be inside the old lease and
	// go on reading users that are now another's).
	if _, err := tx.Exec(ctx, `WITH lapsed AS (UPDATE `+t("replicas")+` SET held = 0, lease_until = 'epoch'
			WHERE lease_until <= $1 AND held > 0 AND id <> $2 RETURNING id)
		UPDATE `+t("users")+` SET owner = NULL WHERE owner IN (SELECT id FROM lapsed)`, c.Now, c.Replica); err != nil {
		return nil, err
	}
	if out.Reset && known {
		if _, err := tx.Exec(ctx, `UPDATE `+t("users")+` SET owner = NULL WHERE owner = $1`, c.Replica); err != nil {
			return nil, err
		}
		held = 0
	}
	if len(c.Release) > 0 {
		rows, _ := tx.Query(ctx, `UPDATE `+t("users")+` SET owner = NULL WHERE owner = $1 AND id = ANY($2) RETURNING id`, c.Replica, c.Release)
		lost, err := pgx.CollectRows(rows, pgx.RowTo[api.UUID])
		if err != nil {
			return nil, err
		}
		out.Lost, held = append(out.Lost, lost...), held-len(lost)
	}
	var live, total int
	if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM `+t("replicas")+` WHERE lease_until > $1 AND id <> $2) + 1,
		(SELECT seq FROM `+t("meta")+` WHERE key = 'users')`, c.Now, c.Replica).Scan(&live, &total); err != nil {
		return nil, err
	}
	share := (total + live - 1) / live
	take := ""
	switch {
	case held > share: // beyond the share: give some up for the others
		rows, _ := tx.Query(ctx, `UPDATE `+t("users")+` SET owner = NULL WHERE id IN (SELECT id FROM `+t("users")+
			` WHERE owner = $1 ORDER BY id DESC LIMIT $2) RETURNING id`, c.Replica, held-share)
		lost, err := pgx.CollectRows(rows, pgx.RowTo[api.UUID])
		if err != nil {
			return nil, err
		}
		out.Lost, held = append(out.Lost, lost...), held-len(lost)
	case out.Reset:
		// SKIP LOCKED: replicas claiming at once take different users.
		take = `WITH taken AS (UPDATE ` + t("users") + ` u SET owner = $1 FROM (SELECT id FROM ` + t("users") +
			` WHERE owner IS NULL ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED) f WHERE u.id = f.id RETURNING u.id)
			SELECT id, listing, listing_seq, state FROM ` + t("users") + ` WHERE owner = $1 OR id IN (SELECT id FROM taken)`
	case held < share:
		take = `UPDATE ` + t("users") + ` u SET owner = $1 FROM (SELECT id FROM ` + t("users") +
			` WHERE owner IS NULL ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED) f WHERE u.id = f.id
			RETURNING u.id, u.listing, u.listing_seq, u.state`
	}
	var acquired []watch.UserRecord
	if take != "" {
		rows, _ := tx.Query(ctx, take, c.Replica, max(share-held, 0))
		acquired, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (watch.UserRecord, error) {
			var r watch.UserRecord
			err := row.Scan(&r.Listing.User, &r.Listing.Data, &r.Listing.Seq, &r.State)
			return r, err
		})
		if err != nil {
			return nil, err
		}
	}
	if out.Reset {
		held = len(acquired)
	} else {
		held += len(acquired)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO `+t("replicas")+` (id, lease_until, held) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET lease_until = $2, held = $3`, c.Replica, c.Until, held); err != nil {
		return nil, err
	}
	slices.SortFunc(acquired, func(a, b watch.UserRecord) int { return bytes.Compare(a.Listing.User[:], b.Listing.User[:]) })
	ids := make([]api.UUID, len(acquired))
	for i, r := range acquired {
		ids[i] = r.Listing.User
	}
	if len(ids) > 0 {
		rows, _ := tx.Query(ctx, `SELECT id, user_id, seq, data FROM `+t("boosts")+` WHERE user_id = ANY($1) ORDER BY seq`, ids)
		boosts, err := pgx.CollectRows(rows, scanBoost)
		if err != nil {
			return nil, err
		}
		byUser := map[api.UUID][]watch.BoostRecord{}
		for _, b := range boosts {
			byUser[b.User] = append(byUser[b.User], b)
		}
		for i := range acquired {
			acquired[i].Boosts = byUser[acquired[i].Listing.User]
		}
	}
	out.Acquired = acquired
	// What changed since the replica's last claim, of users it kept.
	rows, _ := tx.Query(ctx, `SELECT id, listing, listing_seq FROM `+t("users")+
		` WHERE owner = $1 AND listing_seq > $2 AND NOT (id = ANY($3)) ORDER BY listing_seq`, c.Replica, c.ListingSeq, ids)
	out.Listings, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (watch.Listing, error) {
		var l watch.Listing
		err := row.Scan(&l.User, &l.Data, &l.Seq)
		return l, err
	})
	if err != nil {
		return nil, err
	}
	rows, _ = tx.Query(ctx, `SELECT b.id, b.user_id, b.seq, b.data FROM `+t("boosts")+` b JOIN `+t("users")+
		` u ON u.id = b.user_id WHERE b.seq > $2 AND u.owner = $1 AND NOT (b.user_id = ANY($3)) ORDER BY b.seq`, c.Replica, c.BoostSeq, ids)
	if out.Boosts, err = pgx.CollectRows(rows, scanBoost); err != nil {
		return nil, err
	}
	// The discovery lease: this replica's, or free, or of a lapsed one.
	var owner *string
	err = tx.QueryRow(ctx, `UPDATE `+t("meta")+` m SET owner = $1 WHERE key = 'discovery' AND (owner = $1 OR owner IS NULL
		OR NOT EXISTS (SELECT 1 FROM `+t("replicas")+` r WHERE r.id = m.owner AND r.lease_until > $2)) RETURNING owner`,
		c.Replica, c.Now).Scan(&owner)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return nil, err
	default:
		out.Discovery = true
	}
	if out.Discovery && s.prune(c.Now) { // one replica forgets old acknowledged IDs
		if _, err := tx.Exec(ctx, `DELETE FROM `+t("events")+` WHERE acked_at < $1`, c.Now.Add(-s.o.AckRetention)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// prune reports whether it is time to forget old acknowledged IDs, once an
// hour, and if so records that it is done now.
func (s *Store) prune(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.pruned) <= time.Hour {
		return false
	}
	s.pruned = now
	return true
}

func scanBoost(row pgx.CollectableRow) (watch.BoostRecord, error) {
	var b watch.BoostRecord
	err := row.Scan(&b.ID, &b.User, &b.Seq, &b.Data)
	return b, err
}

// Listings implements watch.Store.
func (s *Store) Listings(ctx context.Context) ([]watch.Listing, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, listing, listing_seq FROM `+s.q.t("users")+` ORDER BY listing_seq`)
	ls, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (watch.Listing, error) {
		var l watch.Listing
		err := row.Scan(&l.User, &l.Data, &l.Seq)
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("pgstore: listings: %w", err)
	}
	return ls, nil
}

// Commit implements watch.Store.
func (s *Store) Commit(ctx context.Context, b *watch.Batch) error {
	err := pgx.BeginTxFunc(ctx, s.pool, readCommitted, func(tx pgx.Tx) error { return s.commit(ctx, tx, b) })
	var lost *watch.LeaseLostError
	if err != nil && !errors.As(err, &lost) {
		return fmt.Errorf("pgstore: commit: %w", err)
	}
	return err
}

func (s *Store) commit(ctx context.Context, tx pgx.Tx, b *watch.Batch) error {
	t := s.q.t
	if len(b.States) > 0 || len(b.Listings) > 0 {
		var until time.Time
		err := tx.QueryRow(ctx, `SELECT lease_until FROM `+t("replicas")+` WHERE id = $1 FOR SHARE`, b.Replica).Scan(&until)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		leased := err == nil && b.Now.Before(until)
		lost := &watch.LeaseLostError{}
		if len(b.States) > 0 {
			ids := make([]api.UUID, len(b.States))
			for i, st := range b.States {
				ids[i] = st.User
			}
			rows, _ := tx.Query(ctx, `SELECT id FROM `+t("users")+` WHERE id = ANY($1) AND owner = $2 ORDER BY id FOR UPDATE`, ids, b.Replica)
			owned, err := pgx.CollectRows(rows, pgx.RowTo[api.UUID])
			if err != nil {
				return err
			}
			for _, id := range ids {
				if !leased || !slices.Contains(owned, id) {
					lost.Users = append(lost.Users, id)
				}
			}
		}
		if len(b.Listings) > 0 {
			var owner *string
			if err := tx.QueryRow(ctx, `SELECT owner FROM `+t("meta")+` WHERE key = 'discovery' FOR SHARE`).Scan(&owner); err != nil {
				return err
			}
			lost.Discovery = !leased || owner == nil || *owner != b.Replica
		}
		if len(lost.Users) > 0 || lost.Discovery {
			return lost
		}
	}
	if len(b.Listings) > 0 {
		// Sequence numbers under the row lock, held until commit.
		var last int64
		if err := tx.QueryRow(ctx, `UPDATE `+t("meta")+` SET seq = seq + $1 WHERE key = 'listing' RETURNING seq`, len(b.Listings)).Scan(&last); err != nil {
			return err
		}
		ids, data, seqs := make([]api.UUID, len(b.Listings)), make([][]byte, len(b.Listings)), make([]int64, len(b.Listings))
		for i, l := range b.Listings {
			ids[i], data[i], seqs[i] = l.User, l.Data, last-int64(len(b.Listings))+int64(i)+1
		}
		var added int
		if err := tx.QueryRow(ctx, `WITH w AS (INSERT INTO `+t("users")+` (id, listing, listing_seq)
			SELECT * FROM unnest($1::uuid[], $2::bytea[], $3::bigint[])
			ON CONFLICT (id) DO UPDATE SET listing = excluded.listing, listing_seq = excluded.listing_seq
			RETURNING xmax = 0 AS added) SELECT count(*) FILTER (WHERE added) FROM w`, ids, data, seqs).Scan(&added); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE `+t("meta")+` SET seq = seq + $1 WHERE key = 'users'`, added); err != nil {
			return err
		}
	}
	if len(b.States) > 0 {
		ids, data := make([]api.UUID, len(b.States)), make([][]byte, len(b.States))
		for i, st := range b.States {
			ids[i], data[i] = st.User, st.Data
		}
		if _, err := tx.Exec(ctx, `UPDATE `+t("users")+` u SET state = v.state FROM unnest($1::uuid[], $2::bytea[]) AS v(id, state)
			WHERE u.id = v.id`, ids, data); err != nil {
			return err
		}
	}
	if len(b.Boosts) > 0 {
		var last int64
		if err := tx.QueryRow(ctx, `UPDATE `+t("meta")+` SET seq = seq + $1 WHERE key = 'boost' RETURNING seq`, len(b.Boosts)).Scan(&last); err != nil {
			return err
		}
		ids, users, seqs, data := make([]string, len(b.Boosts)), make([]api.UUID, len(b.Boosts)), make([]int64, len(b.Boosts)), make([][]byte, len(b.Boosts))
		for i, bo := range b.Boosts {
			ids[i], users[i], seqs[i], data[i] = bo.ID, bo.User, last-int64(len(b.Boosts))+int64(i)+1, bo.Data
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+t("boosts")+` (id, user_id, seq, data)
			SELECT * FROM unnest($1::text[], $2::uuid[], $3::bigint[], $4::bytea[]) ON CONFLICT (id) DO NOTHING`, ids, users, seqs, data); err != nil {
			return err
		}
	}
	if len(b.Done) > 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM `+t("boosts")+` WHERE id = ANY($1)`, b.Done); err != nil {
			return err
		}
	}
	if len(b.Events) > 0 {
		ids, users, data := make([]string, len(b.Events)), make([]*api.UUID, len(b.Events)), make([][]byte, len(b.Events))
		for i, e := range b.Events {
			ids[i], data[i] = e.ID, e.Data
			if e.User != (api.UUID{}) {
				users[i] = &b.Events[i].User
			}
		}
		// In the order given: seq follows the unnest's order.
		if _, err := tx.Exec(ctx, `INSERT INTO `+t("events")+` (id, user_id, data)
			SELECT v.id, v.user_id, v.data FROM unnest($1::text[], $2::uuid[], $3::bytea[]) WITH ORDINALITY AS v(id, user_id, data, n)
			ORDER BY v.n ON CONFLICT (id) DO NOTHING`, ids, users, data); err != nil {
			return err
		}
	}
	return nil
}

// ClaimEvents implements watch.Store.
func (s *Store) ClaimEvents(ctx context.Context, c watch.EventClaim) ([]watch.StoredEvent, error) {
	t := s.q.t
	rows, _ := s.pool.Query(ctx, `UPDATE `+t("events")+` e SET claimed_by = $1, claim_until = $2, attempts = e.attempts + 1
		FROM (SELECT id FROM `+t("events")+` WHERE acked_at IS NULL AND (claim_until IS NULL OR claim_until <= $3)
			AND (next_at IS NULL OR next_at <= $3) ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED) d
		WHERE e.id = d.id RETURNING e.seq, e.id, e.user_id, e.data, e.attempts - 1`, c.Replica, c.Until, c.Now, c.Max)
	type row struct {
		seq int64
		ev  watch.StoredEvent
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var out row
		var user *api.UUID
		err := r.Scan(&out.seq, &out.ev.ID, &user, &out.ev.Data, &out.ev.Attempts)
		if user != nil {
			out.ev.User = *user
		}
		return out, err
	})
	if err != nil {
		return nil, fmt.Errorf("pgstore: claim events: %w", err)
	}
	slices.SortFunc(got, func(a, b row) int { return int(a.seq - b.seq) })
	out := make([]watch.StoredEvent, len(got))
	for i, g := range got {
		out[i] = g.ev
	}
	return out, nil
}

// Ack implements watch.Store. The replica that lists the users forgets,
// once an hour, the IDs acknowledged longer ago than Options.AckRetention.
func (s *Store) Ack(ctx context.Context, replica string, ids []string, now time.Time) error {
	t := s.q.t
	_, err := s.pool.Exec(ctx, `UPDATE `+t("events")+` SET acked_at = $1, claimed_by = NULL, claim_until = NULL
		WHERE id = ANY($2) AND acked_at IS NULL`, now, ids)
	if err != nil {
		return fmt.Errorf("pgstore: acknowledge: %w", err)
	}
	return nil
}

// Retry implements watch.Store.
func (s *Store) Retry(ctx context.Context, replica, id string, at time.Time) error {
	if _, err := s.pool.Exec(ctx, `UPDATE `+s.q.t("events")+` SET claimed_by = NULL, claim_until = NULL, next_at = $1
		WHERE id = $2 AND claimed_by = $3 AND acked_at IS NULL`, at, id, replica); err != nil {
		return fmt.Errorf("pgstore: release an event: %w", err)
	}
	return nil
}
