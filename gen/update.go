package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/podero-go/podero/internal/httpguard"
)

// Defaults of update-spec.
const (
	defaultSpecURL     = "https://app.podero.com/api/partners/v2.0/openapi.json"
	defaultTimeout     = 60 * time.Second
	defaultMaxSpecSize = 32 << 20 // the reconstructed spec is 0.3 MB
	changelogFile      = "CHANGELOG.md"
	userAgent          = "podero-go-gen/update-spec (+https://github.com/podero-go/podero)"
)

// updateOptions configures updateSpec.
type updateOptions struct {
	Root     string
	URL      string
	Timeout  time.Duration // the whole download, redirects and body included
	MaxBytes int64         // a larger answer is refused
	DryRun   bool          // fetch, check and report, but write nothing
	// KeepBroken keeps the new files when the build fails, for the
	// maintainer to mend the hand-written code they break.
	KeepBroken bool

	// Build checks the repository after the new files are written; an error
	// restores the previous files. nil skips it.
	Build func(ctx context.Context, root string) error
	// Now dates the CHANGELOG entry (time.Now when nil). The date goes
	// nowhere else, so generated code stays reproducible.
	Now func() time.Time
}

// updateSpec takes the spec at o.URL: it downloads and validates it, generates
// the client from it in memory, reports what changed, and only then writes
// openapi.json, its pin, api/*.gen.go and a CHANGELOG.md entry, and builds.
// Any failure before the writes leaves the repository untouched; a failed
// build puts the previous files back.
func updateSpec(ctx context.Context, o updateOptions, stdout io.Writer) error {
	files, err := planUpdate(ctx, o, stdout)
	if err != nil {
		return fmt.Errorf("%w\nnothing was written", err)
	}
	if files == nil {
		return nil
	}
	written, restore, err := writeFiles(o.Root, files)
	if err != nil {
		return fmt.Errorf("writing the update failed, so the previous files are restored: %w", err)
	}
	if o.Build != nil {
		fmt.Fprintln(stdout, "gen: building: go build ./... && go vet ./api/...")
		if err := o.Build(ctx, o.Root); err != nil {
			if o.KeepBroken && ctx.Err() == nil {
				for _, path := range written {
					fmt.Fprintf(stdout, "gen: wrote %s\n", path)
				}
				fmt.Fprintf(stdout, "gen: kept the new files although the build fails (-keep-broken)\n")
				return fmt.Errorf("the build failed with the new spec: %w\n%s", err, describeBreakage(err.Error(), true))
			}
			if rerr := restore(); rerr != nil {
				return fmt.Errorf("the build failed with the new spec, and restoring the previous files failed too (%v); "+
					"run `git checkout -- .` to go back: %w", rerr, err)
			}
			return fmt.Errorf("the build failed with the new spec, so the previous files are restored: %w\n%s", err, describeBreakage(err.Error(), false))
		}
	}
	for _, path := range written {
		fmt.Fprintf(stdout, "gen: wrote %s\n", path)
	}
	p, err := readPin(filepath.Join(o.Root, pinFile))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "gen: pinned %s at sha256 %s from %s\n", p.File, p.SHA256, p.Source)
	return nil
}

// planUpdate does all of updateSpec but the writes: it returns the files to
// write (paths relative to the root) after printing the report, or nil when
// there is nothing to write (the spec is unchanged, or o.DryRun).
func planUpdate(ctx context.Context, o updateOptions, stdout io.Writer) (map[string][]byte, error) {
	u, err := checkSpecURL(o.URL)
	if err != nil {
		return nil, err
	}
	// The URL may be signed (?token=..., ?X-Amz-Signature=...): the
	// download uses all of it, but only source, without the query and the
	// fragment, is printed and recorded in the pin and CHANGELOG.md.
	source := publicURL(u)
	oldPin, err := readPin(filepath.Join(o.Root, pinFile))
	if err != nil {
		return nil, err
	}
	oldData, err := os.ReadFile(filepath.Join(o.Root, oldPin.File))
	if err != nil {
		return nil, fmt.Errorf("read pinned spec: %w", err)
	}
	// The report compares against the pinned spec, so it has to be what
	// the pin says.
	if err := checkPin(oldPin, oldData); err != nil {
		return nil, err
	}

	if source != u.Redacted() {
		fmt.Fprintf(stdout, "gen: downloading %s (the URL's query and fragment are not shown, and not recorded in %s or %s)\n",
			source, pinFile, changelogFile)
	} else {
		fmt.Fprintf(stdout, "gen: downloading %s\n", source)
	}
	data, err := fetchSpec(ctx, u, o.Timeout, o.MaxBytes)
	if err != nil {
		return nil, err
	}
	sum := sha256Hex(data)
	if sum == oldPin.SHA256 {
		fmt.Fprintf(stdout, "gen: spec unchanged: sha256 %s is the pinned %s; nothing to do\n", sum, oldPin.File)
		return nil, nil
	}
	name := "the spec from " + source
	newPin := pin{File: oldPin.File, SHA256: sum, Source: source, Note: "Fetched from " + source + "."}
	// Generation validates the spec first, naming it as it came.
	res, err := generateWith(o.Root, newPin, data, genOptions{Name: name})
	if err == nil {
		res, err = withFrontEnds(o.Root, res) // the podero command and the MCP server
	}
	if err != nil {
		if errors.As(err, new(*specError)) {
			return nil, err
		}
		return nil, fmt.Errorf("generating the client from %s: %w", name, err)
	}
	// The Go API diff compares code generated in memory from both specs,
	// not the generated files on disk: a stale or hand-edited file must not
	// show up as a change the new spec makes. (Generated after the new
	// spec: oapi-codegen keeps package-level state, so this runs one
	// generation at a time like the rest.)
	oldRes, err := generateFrom(o.Root, oldPin, oldData)
	if err != nil {
		return nil, fmt.Errorf("generating the client from the pinned %s, to compare with: %w", oldPin.File, err)
	}
	rep, err := buildReport(oldData, oldRes, data, res)
	if err != nil {
		return nil, fmt.Errorf("comparing %s with the pinned %s: %w", name, oldPin.File, err)
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	entry := changelogEntry(now().UTC().Format(time.DateOnly), source, oldPin, newPin, rep)
	fmt.Fprint(stdout, entry)
	if o.DryRun {
		fmt.Fprintln(stdout, "gen: dry run: nothing written")
		return nil, nil
	}

	files := map[string][]byte{
		newPin.File: data,
		pinFile:     newPin.encode(),
	}
	for path, code := range res.Files {
		files[path] = code
	}
	oldLog, err := os.ReadFile(filepath.Join(o.Root, changelogFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	files[changelogFile] = prependChangelog(oldLog, entry)
	return files, nil
}

// checkSpecURL accepts https, and plain http only to this machine (a local
// mirror or a test server): the spec becomes code, so it must not be open to
// tampering on the way. Its errors show the URL without its query and
// fragment, which may hold a signature or a token.
func checkSpecURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // it repeats the URL, query included
		}
		return nil, fmt.Errorf("spec URL %q: %w", withoutQuery(raw), err)
	}
	if u.User != nil {
		// The URL is recorded in openapi.pin.json and CHANGELOG.md.
		return nil, fmt.Errorf("spec URL %s carries credentials; they would be recorded in %s and %s", publicURL(u), pinFile, changelogFile)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("spec URL %q has no host; want https://host/path", publicURL(u))
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return u, nil
	case "http":
		if httpguard.IsLoopback(u.Hostname()) {
			return u, nil
		}
		return nil, fmt.Errorf("refusing plain http:// to %s: use https (http is allowed only to loopback addresses: 127.0.0.0/8, ::1, localhost)", u.Host)
	default:
		return nil, fmt.Errorf("spec URL %q: scheme %q is not supported; use https", publicURL(u), u.Scheme)
	}
}

// publicURL is u as it may be shown and recorded: without its query and
// fragment, and with any password redacted.
func publicURL(u *url.URL) string {
	c := *u
	c.RawQuery, c.ForceQuery, c.Fragment, c.RawFragment = "", false, "", ""
	return c.Redacted()
}

// hideQuery takes the query and fragment out of the URL that a *url.Error
// in err names (the http client's errors say "Get "URL": ...", with the URL
// of the request that failed, perhaps a redirect).
func hideQuery(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if p, perr := url.Parse(ue.URL); perr == nil {
			ue.URL = publicURL(p)
		} else {
			ue.URL = withoutQuery(ue.URL)
		}
	}
	return err
}

// withoutQuery is raw, a URL or not, cut at its query or fragment.
func withoutQuery(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		return raw[:i]
	}
	return raw
}

// fetchSpec downloads the spec. It refuses an answer that is not 2xx or is
// larger than maxBytes, and a redirect to a URL that checkSpecURL refuses.
// Its errors show URLs as publicURL does: a redirect, too, may be signed.
func fetchSpec(ctx context.Context, u *url.URL, timeout time.Duration, maxBytes int64) ([]byte, error) {
	client := &http.Client{
		Timeout: timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			if _, err := checkSpecURL(req.URL.String()); err != nil {
				return fmt.Errorf("redirected to %s: %w", publicURL(req.URL), err)
			}
			return nil
		},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("download of %s: %w", publicURL(u), hideQuery(err))
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download failed: %w", hideQuery(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		msg := fmt.Sprintf("download of %s failed with HTTP status %s", publicURL(u), resp.Status)
		if s := strings.Join(strings.Fields(string(snippet)), " "); s != "" {
			msg += ": " + s
		}
		return nil, errors.New(msg)
	}
	tooLarge := fmt.Errorf("the spec from %s is larger than %d bytes (see -max-size)", publicURL(u), maxBytes)
	if resp.ContentLength > maxBytes {
		return nil, tooLarge
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("download of %s failed while reading the body: %w", publicURL(u), hideQuery(err))
	}
	if int64(len(data)) > maxBytes {
		return nil, tooLarge
	}
	return data, nil
}

// writeFiles writes files (paths relative to root), skipping those whose
// content is already on disk, and returns what it wrote and a function that
// puts back what was there before. A failed write restores at once.
func writeFiles(root string, files map[string][]byte) (written []string, restore func() error, err error) {
	type saved struct {
		path    string
		data    []byte
		mode    fs.FileMode
		existed bool
	}
	var backups []saved
	restore = func() error {
		var errs []error
		for i := len(backups) - 1; i >= 0; i-- {
			b := backups[i]
			if b.existed {
				errs = append(errs, writeFileAtomic(b.path, b.data, b.mode))
			} else if err := os.Remove(b.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		path := filepath.Join(root, filepath.FromSlash(name))
		b := saved{path: path, mode: 0o644}
		if info, err := os.Stat(path); err == nil {
			b.existed, b.mode = true, info.Mode().Perm()
			if b.data, err = os.ReadFile(path); err != nil {
				return nil, nil, errors.Join(err, restore())
			}
			if bytes.Equal(b.data, files[name]) {
				continue
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, nil, errors.Join(err, restore())
		}
		backups = append(backups, b)
		if err := writeFileAtomic(path, files[name], b.mode); err != nil {
			return nil, nil, errors.Join(err, restore())
		}
		written = append(written, name)
	}
	return written, restore, nil
}

// writeFileAtomic replaces path by way of a temporary file and a rename, so
// an interrupted write cannot leave half a file (and a read-only
// openapi.json can be replaced).
func writeFileAtomic(path string, data []byte, mode fs.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	err = errors.Join(err, f.Chmod(mode), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// goBuild is the build that update-spec runs after writing: the whole module
// must compile, and the generated package must pass vet. -trimpath keeps
// the build cache's entries independent of where the checkout is, so that
// building a copy of the repository (as the tests do) reuses them.
func goBuild(ctx context.Context, root string) error {
	for _, args := range [][]string{{"build", "-trimpath", "./..."}, {"vet", "-trimpath", "./api/..."}} {
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, bytes.TrimSpace(out))
		}
	}
	return nil
}
