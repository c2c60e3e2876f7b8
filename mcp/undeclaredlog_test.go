package mcp

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/podero-go/podero/api"
)

// TestUndeclaredLogIsBounded: a Podero whose every answer has properties
// of new names (a name with a request id, say) neither grows the server's
// memory nor its log without end: the log names at most maxLoggedSets sets,
// then says once that it names no more; and a record names a few of an
// answer's properties, not every one.
func TestUndeclaredLogIsBounded(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/token") {
			_, _ = w.Write([]byte(`{"access_token":"tok-exact-0123456789","token_type":"Bearer","expires_in":3600}`))
			return
		}
		i := n.Add(1)
		var extra strings.Builder
		for j := range 30 {
			fmt.Fprintf(&extra, `,"req_%d_%d":1`, i, j)
		}
		_, _ = w.Write([]byte(`{"id":"3fa85f64-5717-4562-b3fc-2c963f66afa6"` + extra.String() + `}`))
	}))
	defer srv.Close()
	c, err := api.New(api.Config{BaseURL: srv.URL, TokenURL: srv.URL + "/token", ClientID: "client",
		ClientSecret: "client-secret-0123456789", OrgID: api.UUID{1}})
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	server := NewServer(c, Options{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	ctx := context.Background()
	st, ct := mcpsdk.NewInMemoryTransports()
	ss, err := server.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	cs, err := mcpsdk.NewClient(&mcpsdk.Implementation{Name: "test", Version: "1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	args := map[string]any{"user_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "electric_vehicle_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}
	for range maxLoggedSets + 10 {
		if text, isErr := call(t, cs, "get_electric_vehicle", args); isErr {
			t.Fatal(text)
		}
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	named := 0
	for _, l := range lines {
		if strings.Contains(l, "properties the API spec does not declare") {
			named++
			if strings.Count(l, "req_") >= 30 {
				t.Errorf("a record names all 30 properties: %.300s…", l)
			}
		}
	}
	if named != maxLoggedSets || !strings.Contains(log.String(), "no more") {
		t.Errorf("%d records name undeclared properties over %d calls, want %d and then one that says no more:\n%.2000s",
			named, maxLoggedSets+10, maxLoggedSets, log.String())
	}
}
