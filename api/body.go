package api

import (
	"errors"
	"fmt"
	"io"
	"sync"
)

// maxResponseBody bounds a response body the client reads into memory.
const maxResponseBody = 64 << 20

// Body reading. A response is read whole (so that a connection that breaks
// mid-body is a failed attempt that can be retried), into a buffer that is
// never much larger than the body:
//
//   - a declared Content-Length over the limit is refused without reading;
//   - a declared length gets a buffer of that size;
//   - an undeclared length (chunked, or gzip that net/http decompresses)
//     is read in chunks, so that a body over the limit, however large it
//     claims to be once decompressed, costs about the limit and not twice
//     it, as a doubling buffer would.
//
// The PartnerClient methods decode from a pooled buffer and give it back;
// the raw client keeps its body, so it gets a buffer of its own.

// chunkSize is how large a buffer of undeclared length grows, doubling,
// before the rest is read in chunks of this size.
const chunkSize = 256 << 10

// maxPooled is the largest buffer kept for reuse.
const maxPooled = 1 << 20

var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// tooLargeError is a body over the limit.
type tooLargeError struct {
	status string
	limit  int64
}

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("the response (%s) is larger than %d MiB; not read", e.status, e.limit>>20)
}

// readBody reads r, whose declared length is contentLength (-1 when
// unknown), up to limit bytes. With pooled it reads into a buffer from the
// pool, which the caller gives back with putBody.
func readBody(r io.Reader, contentLength, limit int64, status string, pooled bool) ([]byte, *[]byte, error) {
	if contentLength > limit {
		return nil, nil, &tooLargeError{status: status, limit: limit}
	}
	var bp *[]byte
	var b []byte
	if pooled {
		bp = bodyPool.Get().(*[]byte)
		b = (*bp)[:0]
	}
	want := 512
	if contentLength >= 0 {
		want = int(contentLength) + 1 // +1: the read that sees EOF
	}
	if cap(b) < want {
		b = make([]byte, 0, want)
	}
	var chunks [][]byte // past chunkSize of undeclared length
	total := int64(0)
	for {
		if len(b) == cap(b) {
			if cap(b) < chunkSize && contentLength < 0 {
				// Double (append would grow a large slice by only 1.25,
				// allocating several times the body on the way).
				nb := make([]byte, len(b), min(2*cap(b), chunkSize))
				copy(nb, b)
				b = nb
			} else {
				chunks = append(chunks, b)
				b = make([]byte, 0, chunkSize)
			}
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		total += int64(n)
		if total > limit {
			putBody(bp)
			return nil, nil, &tooLargeError{status: status, limit: limit}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			putBody(bp)
			return nil, nil, err
		}
	}
	if chunks != nil {
		out := make([]byte, 0, total)
		for _, c := range chunks {
			out = append(out, c...)
		}
		b = append(out, b...)
	}
	if bp != nil {
		*bp = b
	}
	return b, bp, nil
}

// putBody gives a pooled buffer back (nil is ignored), unless it grew too
// large to keep.
func putBody(bp *[]byte) {
	if bp == nil || cap(*bp) > maxPooled {
		return
	}
	*bp = (*bp)[:0]
	bodyPool.Put(bp)
}
