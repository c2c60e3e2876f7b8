package watch

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// The one-file store. Why this shape, and not bbolt or SQLite: package
// watch is in the SDK's main module, where a service that imports only
// api must not download another dependency; and what a watcher writes is
// small and append-only (a user's state, events, acknowledgements), so a
// journal does it with the standard library in a page of code.
//
// The file is a header and a sequence of records, each framed as a
// little-endian uint32 length, the CRC-32C of the payload, and the payload
// (JSON). The first record is a snapshot of everything the store holds;
// each later one is a write (a Commit's batch, an Ack). A write is appended
// and fsynced before Commit or Ack returns, so an event is on disk in the
// same record as the state that produced it, and is not handed out before
// (events wait for their generation to be durable). Writes that arrive
// while one is being synced are written together, with one fsync (group
// commit).
//
// When the writes since the snapshot outgrow it, the store writes a new
// file holding one snapshot, fsyncs it, renames it over the old one and
// fsyncs the directory: write-temp + fsync + rename, so a crash leaves the
// old file or the new one, whole.
//
// A crash in the middle of an append leaves a torn last record: its
// length runs past the end of the file or its CRC does not match. Opening
// drops it: its Commit never returned, so nothing of it was delivered. A
// bad record followed by good ones is not a torn append but corruption,
// and opening fails.

const fileMagic = "podero-watch v1\n"

// compactAfter is how many bytes of writes the journal holds before it is
// compacted, at least: more when the snapshot is larger (twice its size).
// A variable, for tests.
var compactAfter int64 = 4 << 20

// fileStore is a memStore whose writes go to a file first.
type fileStore struct {
	*memStore
	path string
	lock *os.File // holds the lock on path + ".lock"

	syncMu sync.Mutex // one sync at a time; guards f, written, snapSize
	f      *os.File
	// Guarded by memStore.mu:
	buf     []byte // records applied but not yet written
	gen     int64  // the generation of the last record applied
	now     time.Time
	err     error // a failed write: the store refuses everything after
	written int64 // bytes of writes since the snapshot
	snap    int64 // bytes of the snapshot
}

// OpenFile opens the one-file store at path, creating it if it does not
// exist: the store for a watcher that runs in one process (see [Store]). A
// second process cannot open the same file while the first has it open.
// Close it when the watcher has returned.
func OpenFile(path string) (Store, error) {
	lock, err := lockFile(path + ".lock")
	if err != nil {
		return nil, err
	}
	fs := &fileStore{memStore: newMemStore(), path: path, lock: lock}
	if err := fs.open(); err != nil {
		unlockFile(lock)
		return nil, err
	}
	fs.memStore.durable = fs.gen
	fs.memStore.journal = fs.append
	return fs, nil
}

// open reads the file into memory, dropping a torn last record, or
// creates it.
func (fs *fileStore) open() error {
	data, err := os.ReadFile(fs.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fs.compact()
	case err != nil:
		return fmt.Errorf("watch: open the store: %w", err)
	}
	if !bytes.HasPrefix(data, []byte(fileMagic)) {
		return fmt.Errorf("watch: %s is not a watch store (no %q header): refusing to overwrite it", fs.path, fileMagic[:len(fileMagic)-1])
	}
	off, good, first := int64(len(fileMagic)), int64(len(fileMagic)), true
	for off < int64(len(data)) {
		rec, n, err := readRecord(data[off:])
		if err != nil {
			// A torn append is the last thing in the file; anything after a
			// bad record means the file is damaged.
			if _, _, err2 := nextGoodRecord(data[off:]); err2 == nil {
				return fmt.Errorf("watch: %s is damaged at byte %d: %v (the records after it are intact, so this is not an interrupted write; restore it from a backup or remove it to start afresh)", fs.path, off, err)
			}
			break
		}
		switch {
		case rec.Snapshot != nil && first:
			fs.restore(rec.Snapshot)
			fs.snap = n
		case first:
			return fmt.Errorf("watch: %s does not start with a snapshot", fs.path)
		case rec.Batch != nil:
			fs.gen++
			fs.applyBatch(rec.Batch, fs.gen)
			fs.now = rec.Batch.Now
			fs.written += n
		case rec.Ack != nil:
			fs.applyAck(rec.Ack.IDs, rec.Ack.At)
			fs.now = rec.Ack.At
			fs.written += n
		}
		first = false
		off += n
		good = off
	}
	if first {
		return fs.compact() // an empty store, or a crash while it was created
	}
	f, err := os.OpenFile(fs.path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("watch: open the store: %w", err)
	}
	if good < int64(len(data)) { // drop the torn last record
		if err := f.Truncate(good); err != nil {
			f.Close()
			return fmt.Errorf("watch: drop the interrupted last write of %s: %w", fs.path, err)
		}
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return fmt.Errorf("watch: open the store: %w", err)
	}
	fs.f = f
	return nil
}

// readRecord reads one framed record from the start of data, returning it
// and its length on the file.
func readRecord(data []byte) (*journalRec, int64, error) {
	if len(data) < 8 {
		return nil, 0, errors.New("a truncated record header")
	}
	n := binary.LittleEndian.Uint32(data)
	sum := binary.LittleEndian.Uint32(data[4:])
	if uint64(n) > uint64(len(data)-8) {
		return nil, 0, fmt.Errorf("a record of %d bytes runs past the end of the file", n)
	}
	payload := data[8 : 8+n]
	if crc32.Checksum(payload, castagnoli) != sum {
		return nil, 0, errors.New("a record whose checksum does not match")
	}
	rec := &journalRec{}
	if err := json.Unmarshal(payload, rec); err != nil {
		return nil, 0, fmt.Errorf("a record that does not decode: %v", err)
	}
	return rec, int64(8 + n), nil
}

// nextGoodRecord looks for an intact record after a bad one at the start
// of data.
func nextGoodRecord(data []byte) (*journalRec, int64, error) {
	for i := 1; i+8 <= len(data); i++ {
		if rec, _, err := readRecord(data[i:]); err == nil && (rec.Batch != nil || rec.Ack != nil) {
			return rec, int64(i), nil
		}
	}
	return nil, 0, errors.New("none")
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func frame(rec *journalRec) []byte {
	payload, err := json.Marshal(rec)
	if err != nil {
		panic("watch: encode a store record: " + err.Error()) // our own types
	}
	out := make([]byte, 8, 8+len(payload))
	binary.LittleEndian.PutUint32(out, uint32(len(payload)))
	binary.LittleEndian.PutUint32(out[4:], crc32.Checksum(payload, castagnoli))
	return append(out, payload...)
}

// append buffers a write; memStore.mu is held.
func (fs *fileStore) append(rec *journalRec) int64 {
	fs.buf = append(fs.buf, frame(rec)...)
	fs.gen++
	switch {
	case rec.Batch != nil:
		fs.now = rec.Batch.Now
	case rec.Ack != nil:
		fs.now = rec.Ack.At
	}
	return fs.gen
}

func (fs *fileStore) Commit(ctx context.Context, b *Batch) error {
	if err := fs.failed(); err != nil {
		return err
	}
	if err := fs.memStore.Commit(ctx, b); err != nil {
		return err
	}
	return fs.sync()
}

func (fs *fileStore) Ack(ctx context.Context, replica string, ids []string, now time.Time) error {
	if err := fs.failed(); err != nil {
		return err
	}
	if err := fs.memStore.Ack(ctx, replica, ids, now); err != nil {
		return err
	}
	return fs.sync()
}

func (fs *fileStore) failed() error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.err
}

// sync writes and fsyncs every write buffered so far (and those buffered
// meanwhile by others), then compacts the file if it has grown enough.
func (fs *fileStore) sync() error {
	fs.mu.Lock()
	want := fs.gen
	fs.mu.Unlock()

	fs.syncMu.Lock()
	defer fs.syncMu.Unlock()
	fs.mu.Lock()
	if fs.err != nil || fs.durable >= want {
		err := fs.err
		fs.mu.Unlock()
		return err // written by the sync before, with ours
	}
	buf, upto := fs.buf, fs.gen
	fs.buf = nil
	fs.mu.Unlock()

	_, err := fs.f.Write(buf)
	if err == nil {
		err = fs.f.Sync()
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if err != nil {
		// What is in memory is no longer what is on disk: refuse
		// everything from now on, so that nothing is delivered that a
		// restart would not find.
		fs.err = fmt.Errorf("watch: write the store %s: %w (the store refuses further writes; restart to recover from the file)", fs.path, err)
		return fs.err
	}
	fs.durable = upto
	fs.written += int64(len(buf))
	if len(fs.buf) == 0 && fs.written > max(compactAfter, 2*fs.snap) {
		if err := fs.compact(); err != nil {
			fs.err = err
			return err
		}
	}
	return nil
}

// compact writes a new file holding a snapshot of the store, fsyncs it,
// renames it over the old one and fsyncs the directory. memStore.mu and
// syncMu are held (or the store is being opened).
func (fs *fileStore) compact() error {
	tmp := fs.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("watch: compact the store: %w", err)
	}
	rec := frame(&journalRec{Snapshot: fs.snapshot(fs.now)})
	w := bufio.NewWriter(f)
	_, _ = w.WriteString(fileMagic)
	_, _ = w.Write(rec)
	err = w.Flush()
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = os.Rename(tmp, fs.path)
	}
	if err == nil {
		err = syncDir(filepath.Dir(fs.path))
	}
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("watch: compact the store: %w", err)
	}
	if fs.f != nil {
		fs.f.Close()
	}
	fs.f = f // at its end: appends follow the snapshot
	fs.snap, fs.written = int64(len(rec)), 0
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func (fs *fileStore) Close() error {
	fs.syncMu.Lock()
	defer fs.syncMu.Unlock()
	_ = fs.memStore.Close()
	var err error
	if fs.f != nil {
		err = fs.f.Close()
		fs.f = nil
	}
	if fs.lock != nil {
		unlockFile(fs.lock)
		fs.lock = nil
	}
	return err
}
