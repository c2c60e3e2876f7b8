package watch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podero-go/podero/api"
)

var t0 = time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)

func uid(n int) api.UUID {
	var id api.UUID
	id[15], id[14] = byte(n), byte(n>>8)
	return id
}

func openTest(t *testing.T, path string) *fileStore {
	t.Helper()
	s, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return s.(*fileStore)
}

// fill makes a replica hold n users with a state and commits an event for
// each, acknowledging the even ones.
func fill(t *testing.T, s Store, n int) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Claim(ctx, Claim{Replica: "r", Now: t0, Until: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	b := &Batch{Replica: "r", Now: t0}
	for i := range n {
		b.Listings = append(b.Listings, Listing{User: uid(i), Data: []byte(`{"counts":{"ev":1}}`)})
	}
	if err := s.Commit(ctx, b); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Claim(ctx, Claim{Replica: "r", Now: t0, Until: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		err := s.Commit(ctx, &Batch{Replica: "r", Now: t0, States: []UserState{{User: uid(i), Data: []byte(fmt.Sprintf(`{"n":%d}`, i))}},
			Events: []StoredEvent{{ID: fmt.Sprint("e", i), User: uid(i), Data: []byte(`{}`)}}})
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if err := s.Ack(ctx, "r", []string{fmt.Sprint("e", i)}, t0); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// check says whether s holds what fill(n) wrote.
func check(t *testing.T, s Store, n int) {
	t.Helper()
	ctx := context.Background()
	cl, err := s.Claim(ctx, Claim{Replica: "r2", Now: t0.Add(2 * time.Hour), Until: t0.Add(3 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(cl.Acquired) != n {
		t.Fatalf("%d users after reopening, want %d", len(cl.Acquired), n)
	}
	for _, r := range cl.Acquired {
		i := int(r.Listing.User[15]) | int(r.Listing.User[14])<<8
		if string(r.State) != fmt.Sprintf(`{"n":%d}`, i) {
			t.Fatalf("user %d's state: %q", i, r.State)
		}
	}
	evs, err := s.ClaimEvents(ctx, EventClaim{Replica: "r2", Now: t0.Add(2 * time.Hour), Until: t0.Add(3 * time.Hour), Max: n})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != n/2 {
		t.Fatalf("%d events unacknowledged after reopening, want %d", len(evs), n/2)
	}
	for _, e := range evs {
		var i int
		fmt.Sscanf(e.ID, "e%d", &i)
		if i%2 == 0 {
			t.Fatalf("acknowledged event %s handed out after reopening", e.ID)
		}
	}
}

// TestFileStoreReopen: what was committed and acknowledged is there after
// a close and an open, and after a compaction.
func TestFileStoreReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fleet.watch")
	s := openTest(t, path)
	fill(t, s, 40)
	s.Close()
	s = openTest(t, path)
	check(t, s, 40)
	s.Close()

	old := compactAfter
	compactAfter = 2 << 10
	defer func() { compactAfter = old }()
	path = filepath.Join(t.TempDir(), "fleet.watch")
	s = openTest(t, path)
	fill(t, s, 40)
	if s.written > 2*compactAfter || s.snap == 0 {
		t.Errorf("no compaction: %d bytes of writes after a snapshot of %d", s.written, s.snap)
	}
	s.Close()
	s = openTest(t, path)
	check(t, s, 40)
	s.Close()
}

// TestFileStoreTornWrite: a crash in the middle of an append leaves a torn
// last record, which opening drops; nothing else is lost.
func TestFileStoreTornWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fleet.watch")
	s := openTest(t, path)
	fill(t, s, 10)
	s.Close()
	full, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// One more commit, cut short at every length.
	s = openTest(t, path)
	if err := s.Commit(context.Background(), &Batch{Replica: "x", Now: t0, Events: []StoredEvent{{ID: "torn", Data: []byte(`{}`)}}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	withTorn, _ := os.ReadFile(path)
	for cut := len(full) + 1; cut < len(withTorn); cut += 7 {
		if err := os.WriteFile(path, withTorn[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		s = openTest(t, path)
		check(t, s, 10)
		s.Close()
		if fi, _ := os.Stat(path); fi.Size() != int64(len(full)) {
			t.Fatalf("cut at %d: the torn record was not dropped (%d bytes, want %d)", cut, fi.Size(), len(full))
		}
	}
}

// TestFileStoreDamaged: a bad record followed by good ones is damage, not
// a torn write: opening fails and says so, and a file that is not a store
// is not overwritten.
func TestFileStoreDamaged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fleet.watch")
	s := openTest(t, path)
	fill(t, s, 10)
	s.Close()
	data, _ := os.ReadFile(path)
	data[len(fileMagic)+len(data)/2-len(fileMagic)/2] ^= 0xff // a byte in the middle
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := OpenFile(path)
	if err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("a damaged store opened: %v", err)
	}
	other := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(other, []byte("not a store"), 0o600)
	if _, err := OpenFile(other); err == nil || !strings.Contains(err.Error(), "not a watch store") {
		t.Fatalf("a file that is not a store: %v", err)
	}
	if b, _ := os.ReadFile(other); string(b) != "not a store" {
		t.Error("OpenFile overwrote a file that is not a store")
	}
}

// TestFileStoreLocked: a second open of a store in use fails and says why.
func TestFileStoreLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fleet.watch")
	s := openTest(t, path)
	if _, err := OpenFile(path); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("a second open: %v", err)
	}
	s.Close()
	s2 := openTest(t, path)
	s2.Close()
}

// TestFileStoreDurableBeforeDelivery: an event is handed out only once its
// record is on disk.
func TestFileStoreDurableBeforeDelivery(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "fleet.watch"))
	defer s.Close()
	ctx := context.Background()
	// A commit applied in memory, its sync not yet run: as a concurrent
	// commit would be seen by another goroutine.
	if err := s.memStore.Commit(ctx, &Batch{Replica: "r", Now: t0, Events: []StoredEvent{{ID: "e", Data: []byte(`{}`)}}}); err != nil {
		t.Fatal(err)
	}
	evs, _ := s.ClaimEvents(ctx, EventClaim{Replica: "r", Now: t0, Until: t0.Add(time.Minute), Max: 1})
	if len(evs) != 0 {
		t.Fatal("an event was handed out before it was written")
	}
	if err := s.sync(); err != nil {
		t.Fatal(err)
	}
	evs, _ = s.ClaimEvents(ctx, EventClaim{Replica: "r", Now: t0, Until: t0.Add(time.Minute), Max: 1})
	if len(evs) != 1 {
		t.Fatal("a written event is not handed out")
	}
}
