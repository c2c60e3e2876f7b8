package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/podero-go/podero/api"
)

// A body over the limit is refused on its declared Content-Length without
// reading, and a gzip bomb (no length: net/http decompresses it) costs about
// the limit, not a multiple of it.
func TestOversizedBodiesStayNearTheLimit(t *testing.T) {
	const limit = 4 << 20
	// 256 MiB of zeros as 256 gzip members of 1 MiB each (gzip readers read
	// concatenated members as one stream), a few hundred KiB on the wire,
	// made up front so that the server allocates nothing while the client
	// reads.
	var member, bomb bytes.Buffer
	gz := gzip.NewWriter(&member)
	gz.Write(make([]byte, 1<<20))
	gz.Close()
	for range 256 {
		bomb.Write(member.Bytes())
	}
	chunk := make([]byte, 64<<10)
	var sent atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("gzip") == "" && strings.HasSuffix(r.URL.Path, "/users") {
			w.Header().Set("Content-Length", fmt.Sprint(200<<20))
			for range 200 << 20 / len(chunk) {
				n, err := w.Write(chunk)
				sent.Add(int64(n))
				if err != nil {
					return
				}
			}
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb.Bytes())
	}))
	t.Cleanup(srv.Close)
	c, err := api.New(api.Config{BaseURL: srv.URL, OrgID: id, TokenSource: staticToken("t"), Retry: &api.RetryPolicy{}})
	if err != nil {
		t.Fatal(err)
	}
	api.SetMaxBody(c, limit)
	ctx := context.Background()

	_, err = c.ListUsers(ctx, api.ListUsersParams{})
	if err == nil || !strings.Contains(err.Error(), "larger than 4 MiB") {
		t.Fatalf("declared 200 MB: %v", err)
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = c.GetUser(ctx, id)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "larger than 4 MiB") {
		t.Fatalf("gzip bomb: %v", err)
	}
	// Everything the call allocated, garbage included: the chunks up to the
	// limit, the decompressor's state, and the request.
	t.Logf("reading the bomb allocated %.1f MiB", float64(after.TotalAlloc-before.TotalAlloc)/(1<<20))
	if grew := after.TotalAlloc - before.TotalAlloc; grew > limit*3/2 {
		t.Errorf("reading the bomb allocated %.1f MiB against a %d MiB limit", float64(grew)/(1<<20), limit>>20)
	}
}
