//go:build !unix

package watch

import (
	"fmt"
	"os"
)

// lockFile opens path; without flock, two processes are not kept from
// one store file.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("watch: open the store's lock: %w", err)
	}
	return f, nil
}

func unlockFile(f *os.File) { f.Close() }
