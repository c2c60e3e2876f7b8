package api

import (
	"strings"
	"sync"
)

// route is one operation's path template split into segments; "" stands
// for a path parameter.
type route struct {
	name     string
	segs     []string
	literals int
}

var routesByMethod = sync.OnceValue(func() map[string][]route {
	m := map[string][]route{}
	for _, op := range Operations {
		r := route{name: op.Name}
		for _, s := range strings.Split(strings.Trim(op.Path, "/"), "/") {
			if strings.HasPrefix(s, "{") {
				s = ""
			} else {
				r.literals++
			}
			r.segs = append(r.segs, s)
		}
		m[op.Method] = append(m[op.Method], r)
	}
	return m
})

// operationName finds the operation a request is for, for error messages
// and logs: the route whose template matches the end of the path (a base
// URL may add a prefix), preferring literal segments over parameters
// (".../hems-sessions/current" over ".../hems-sessions/{session_id}").
// It returns "" when no operation matches.
func operationName(method, path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	best, bestLiterals := "", -1
	for _, r := range routesByMethod()[method] {
		if len(r.segs) > len(segs) || r.literals <= bestLiterals {
			continue
		}
		tail := segs[len(segs)-len(r.segs):]
		ok := true
		for i, s := range r.segs {
			if (s == "" && tail[i] == "") || (s != "" && s != tail[i]) {
				ok = false
				break
			}
		}
		if ok {
			best, bestLiterals = r.name, r.literals
		}
	}
	return best
}
