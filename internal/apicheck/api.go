package main

import (
	"errors"
	"fmt"
	"go/build"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/podero-go/podero/internal/goapi"
)

// exportedAPI reads the exported identifiers of the package in dir, from the
// non-test files the build context selects. ok is false when dir holds no
// package.
func exportedAPI(dir string) (api packageAPI, ok bool, err error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, false, nil
	}
	pkg, err := build.Default.ImportDir(dir, 0)
	if _, noGo := errors.AsType[*build.NoGoError](err); noGo {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	files := map[string][]byte{}
	for _, name := range pkg.GoFiles {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, false, err
		}
		files[name] = data
	}
	api, err = goapi.Declarations(files)
	return api, true, err
}

// An apiDiff is how a package's exported API changed.
type apiDiff struct {
	gone, isNew bool     // the package was removed, or is new
	absent      bool     // no package, then or now
	added       []string // compatible additions (not the members of a new type)
	addedCount  int      // all of them
	broken      []string // removed or changed identifiers, new interface methods
	removed     int
	changed     int
}

// diffAPI lists what changed from old to cur. A type removed or added
// speaks for its members: they are counted, not listed.
func diffAPI(old, cur map[string]goapi.Decl) apiDiff {
	var d apiDiff
	for _, id := range slices.Sorted(maps.Keys(old)) {
		o := old[id]
		c, ok := cur[id]
		switch {
		case !ok:
			d.removed++
			if parent, _, member := strings.Cut(id, "."); member {
				if _, kept := cur[parent]; !kept {
					continue // the type's removal says it
				}
			}
			d.broken = append(d.broken, fmt.Sprintf("removed %s (%s)", id, o))
		case c != o:
			d.changed++
			d.broken = append(d.broken, fmt.Sprintf("changed %s: %s → %s", id, o, c))
		}
	}
	for _, id := range slices.Sorted(maps.Keys(cur)) {
		c := cur[id]
		if _, ok := old[id]; ok {
			continue
		}
		parent, _, member := strings.Cut(id, ".")
		if p, ok := old[parent]; member && ok && p == cur[parent] &&
			(c.Kind == "interface method" || c.Kind == "interface embeds") && p.Type == "interface{…}" {
			d.broken = append(d.broken, fmt.Sprintf("added %s to interface %s (%s): a type outside the package no longer implements it", id, parent, c))
			continue
		}
		d.addedCount++
		if member {
			if _, existed := old[parent]; !existed {
				continue // the new type says it
			}
		}
		d.added = append(d.added, id)
	}
	return d
}

func (d apiDiff) summary() string {
	switch {
	case d.absent:
		return "not a package, then or now"
	case d.gone:
		return "package removed"
	case d.isNew:
		return fmt.Sprintf("new package, %d identifiers", d.addedCount)
	}
	return fmt.Sprintf("%d added, %d removed, %d changed", d.addedCount, d.removed, d.changed)
}

func (d apiDiff) breaking() []string {
	if d.gone {
		return []string{"package removed"}
	}
	return d.broken
}
