package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/mod/semver"
)

// git runs git in dir and returns its standard output.
func git(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return out, nil
}

// lastReleaseTag is the highest version among the tags v* that HEAD
// contains, or "" when there is none (a shallow clone has no tags either).
func lastReleaseTag(dir string) (string, error) {
	out, err := git(dir, "tag", "--list", "v*", "--merged", "HEAD")
	if err != nil {
		return "", err
	}
	best := ""
	for _, tag := range strings.Fields(string(out)) {
		// Only full versions: v1.2.3 or v1.2.3-rc.1, not v1 or v1.2.
		if !semver.IsValid(tag) || semver.Canonical(tag) != strings.SplitN(tag, "+", 2)[0] {
			continue
		}
		if best == "" || semver.Compare(tag, best) > 0 {
			best = tag
		}
	}
	return best, nil
}

// checkout writes the tree of rev into a new temporary directory.
func checkout(dir, rev string) (string, error) {
	archive, err := git(dir, "archive", "--format=tar", rev)
	if err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp("", "apicheck-")
	if err != nil {
		return "", err
	}
	if err := untar(tmp, bytes.NewReader(archive)); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("unpack %s: %w", rev, err)
	}
	return tmp, nil
}

func untar(dst string, r io.Reader) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if h.Typeflag != tar.TypeReg || !filepath.IsLocal(h.Name) {
			continue // directories come with their files; links are not Go code
		}
		name := filepath.Join(dst, filepath.FromSlash(h.Name))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return err
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return err
		}
		if err := os.WriteFile(name, data, 0o644); err != nil {
			return err
		}
	}
}
