package poderotest

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/podero-go/podero/internal/specserver"
)

// Checking a response against the spec costs milliseconds (kin-openapi
// compiles the schema on every check), which a fleet of thousands of
// devices, read for a simulated day, cannot afford. So the fake checks
// every response until it has checked DefaultChecksFirst of them; after
// that, every response of a shape it has not checked yet (an operation, a
// status, and the structure of the body: which fields, and the JSON type
// of each value), and one in DefaultChecksEvery of the rest. A test of a
// handful of calls checks everything; a simulation still checks each new
// shape, and a steady sample of values.
const (
	DefaultChecksFirst = 1000
	DefaultChecksEvery = 100
)

type checkPolicy struct {
	mu      sync.Mutex
	first   int // check everything until this many are checked
	every   int // then one in every this many (beside new shapes)
	checked int
	skipped int
	shapes  map[string]bool
}

func newCheckPolicy() *checkPolicy {
	return &checkPolicy{first: DefaultChecksFirst, every: DefaultChecksEvery, shapes: map[string]bool{}}
}

// SampleChecks sets how the fake samples the responses it checks against
// the spec: every response until it has checked first of them, then every
// response of a shape not checked yet, and one in every n of the rest. n
// <= 1 checks every response, as first < 0 does. The defaults are
// DefaultChecksFirst and DefaultChecksEvery.
func (s *Server) SampleChecks(first, n int) {
	p := s.checks
	p.mu.Lock()
	defer p.mu.Unlock()
	if first < 0 || n <= 1 {
		first, n = -1, 1
	}
	p.first, p.every = first, n
}

// CheckedResponses returns how many responses the fake has checked
// against the spec and how many it let through unchecked ([Server.SampleChecks]).
func (s *Server) CheckedResponses() (checked, unchecked int) {
	p := s.checks
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.checked, p.skipped
}

// shouldCheck is specserver.Handler.ShouldCheck.
func (p *checkPolicy) shouldCheck(c *specserver.Call, resp specserver.Response) bool {
	key := c.Operation().OperationID + " " + strconv.Itoa(resp.Status) + " " + shape(resp.Body)
	p.mu.Lock()
	defer p.mu.Unlock()
	check := p.first < 0 || p.checked < p.first || !p.shapes[key] || (p.checked+p.skipped)%p.every == 0
	if check {
		p.checked++
		p.shapes[key] = true
	} else {
		p.skipped++
	}
	return check
}

// shape describes the structure of a JSON value (as encoding/json decodes
// into any, or []byte for a body sent as is): objects by their sorted keys
// and the shapes of their values, arrays by the distinct shapes of their
// items, and scalars by their JSON type.
func shape(v any) string {
	switch x := v.(type) {
	case nil:
		return "0"
	case bool:
		return "b"
	case string:
		return "s"
	case []byte:
		return "raw"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var b strings.Builder
		b.WriteByte('{')
		for _, k := range keys {
			b.WriteString(k)
			b.WriteByte(':')
			b.WriteString(shape(x[k]))
			b.WriteByte(',')
		}
		b.WriteByte('}')
		return b.String()
	case []any:
		var items []string
		for _, e := range x {
			if sh := shape(e); !slices.Contains(items, sh) {
				items = append(items, sh)
			}
		}
		slices.Sort(items)
		return "[" + strings.Join(items, "|") + "]"
	}
	return "n" // numbers, in whatever Go type the fake holds them
}
