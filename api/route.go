package api

import (
	"strings"
	"sync"
)

// routes are the operations of operationList (client.gen.go) by method,
// for lookupOperation.
var routes = sync.OnceValue(func() map[string][]route { return routesOf(operationList) })

func routesOf(ops []*operation) map[string][]route {
	m := map[string][]route{}
	for _, op := range ops {
		r := route{op: op}
		for _, s := range splitPath(op.path) {
			if strings.HasPrefix(s, "{") {
				s = ""
			} else {
				r.literals++
			}
			r.segs = append(r.segs, s)
		}
		m[op.method] = append(m[op.method], r)
	}
	return m
}
