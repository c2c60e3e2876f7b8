package watch_test

import (
	"path/filepath"
	"testing"

	"github.com/podero-go/podero/watch"
	"github.com/podero-go/podero/watch/storetest"
)

func TestMemoryStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) watch.Store { return watch.NewMemoryStore() })
}

func TestFileStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) watch.Store {
		s, err := watch.OpenFile(filepath.Join(t.TempDir(), "fleet.watch"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
