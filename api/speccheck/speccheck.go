// Package speccheck reports where the Podero API's responses differ from
// the SDK's pinned spec: an [api.ResponseChecker] for [api.Config.ResponseCheck].
//
//	checker, err := speccheck.New(speccheck.Options{SampleRate: 0.02})
//	if err != nil { ... }
//	defer checker.Close()
//	client, err := api.New(api.Config{..., Logger: logger, ResponseCheck: checker})
//
// The pinned openapi.json is a reconstruction from Podero's reference pages
// and guides, so it can be wrong where the live API is right: a property it
// does not declare, a field it says is an integer and is a string, an enum
// value it does not list, a null it does not allow, a required field the
// API leaves out, a status it does not declare. The checker sees the
// responses a client receives, checks them against the spec, and reports
// each distinct mismatch once: to [Options.OnMismatch] and as a warning to
// the client's logger ([api.Config.Logger]). A report names the operation,
// the status, the JSON pointer (array indexes as "*") and what is wrong;
// it never holds a value from the response, only its JSON type.
// [Checker.Summary] counts how many responses had each mismatch.
//
// kin-openapi parses the spec, the first time a response is checked, and
// checks formats and ranges; the rest (types, enums, nulls, required and
// undeclared properties, following $ref, allOf, anyOf and oneOf with its
// discriminator) is this package's own, because kin-openapi does not report
// undeclared properties and says little about which alternative of an
// anyOf a value failed. Package api does not import this package, so a
// service that does not import it does not link kin-openapi.
//
// Error statuses the spec does not declare (a 401, a 404 {"detail": ...},
// a 422 with django-ninja's detail list) are not drift: the spec declares
// the success responses and a boost's 409 only. [Options.ReportUndeclaredErrors]
// reports them too. An undeclared 2xx is always reported.
//
// # Cost
//
// CheckResponse runs on the caller's goroutine, and only decides whether to
// sample the response and copies its body; one goroutine per Checker
// validates in the background, from a bounded queue. A response that finds
// the queue full is dropped and counted ([Summary.Dropped]), so a call
// never waits for the checker. [Options.SampleRate] bounds the cost: every
// response (the default, for tests), or in production a fraction such as
// 0.01 to 0.05. Drift is usually in every response of an operation, so a
// small rate still finds it within the first few hundred calls.
package speccheck

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"math/rand/v2"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/specformat"
)

// Defaults for the zero Options.
const (
	DefaultQueueSize   = 64
	DefaultMaxBodySize = 1 << 20
)

// Options configure a Checker. The zero value checks every response.
type Options struct {
	// SampleRate is the fraction of responses checked, from 0 to 1; zero
	// means 1, every response. In production, 0.01 to 0.05 (see the
	// package documentation).
	SampleRate float64
	// QueueSize bounds the sampled responses waiting to be checked; zero
	// means DefaultQueueSize. A response that finds the queue full is
	// dropped.
	QueueSize int
	// MaxBodySize is the largest body checked; zero means
	// DefaultMaxBodySize (1 MiB). A larger body is skipped, not copied, so
	// the queue holds at most QueueSize × MaxBodySize bytes.
	MaxBodySize int
	// OnMismatch, if set, is called once for each distinct mismatch (the
	// same operation, method, status, pointer and kind), the first time it
	// is seen. It runs on the checker's goroutine, one call at a time, and
	// must not call Flush or Close.
	OnMismatch func(Mismatch)
	// ReportUndeclaredErrors reports the error statuses (not 2xx) that the
	// operation does not declare, which are not reported by default.
	ReportUndeclaredErrors bool
}

// Checker checks the responses a client receives against the pinned
// spec. It implements [api.ResponseChecker]; set it as
// [api.Config.ResponseCheck]. A Checker may serve several clients, and is
// safe for concurrent use. Close it when done with it.
type Checker struct {
	opts  Options
	queue chan job
	start sync.Once
	done  chan struct{} // closed when the worker ends
	stop  atomic.Bool

	responses, sampled, checked, dropped, failed atomic.Int64
	tooLarge, unknownPath, undeclaredError       atomic.Int64

	mu        sync.Mutex
	seen      map[key]*Tally
	order     []key // in the order first seen
	loadError bool  // the spec's load error was logged
}

// job is a sampled response, copied, or a marker for Flush and Close.
type job struct {
	ctx          context.Context
	operation    string
	method, path string
	status       int
	contentType  string
	body         []byte
	logger       *slog.Logger
	flushed      chan struct{} // a Flush marker
	quit         bool          // Close's marker
}

// New returns a Checker. It parses nothing yet: the spec is parsed when
// the first sampled response is checked, once per process.
func New(opts Options) (*Checker, error) {
	switch {
	case opts.SampleRate < 0 || opts.SampleRate > 1 || opts.SampleRate != opts.SampleRate:
		return nil, fmt.Errorf("speccheck: Options.SampleRate is %v: want 0 to 1", opts.SampleRate)
	case opts.QueueSize < 0:
		return nil, fmt.Errorf("speccheck: Options.QueueSize is %d: want 0 (the default) or more", opts.QueueSize)
	case opts.MaxBodySize < 0:
		return nil, fmt.Errorf("speccheck: Options.MaxBodySize is %d: want 0 (the default) or more", opts.MaxBodySize)
	}
	if opts.SampleRate == 0 {
		opts.SampleRate = 1
	}
	if opts.QueueSize == 0 {
		opts.QueueSize = DefaultQueueSize
	}
	if opts.MaxBodySize == 0 {
		opts.MaxBodySize = DefaultMaxBodySize
	}
	return &Checker{opts: opts, queue: make(chan job, opts.QueueSize), done: make(chan struct{}), seen: map[key]*Tally{}}, nil
}

var _ api.ResponseChecker = (*Checker)(nil)

// CheckResponse samples r and, if chosen, queues a copy of it to be
// checked in the background. It never blocks: when the queue is full, or
// the checker is closed, the response is dropped and counted.
func (c *Checker) CheckResponse(ctx context.Context, r *api.CheckedResponse) {
	c.responses.Add(1)
	if c.opts.SampleRate < 1 && rand.Float64() >= c.opts.SampleRate {
		return
	}
	c.sampled.Add(1)
	if len(r.Body) > c.opts.MaxBodySize {
		c.tooLarge.Add(1)
		return
	}
	// A full queue is seen before the body is copied: a response that
	// would be dropped costs no copy. The select below still drops one
	// that loses a race for the last slot.
	if c.stop.Load() || len(c.queue) == cap(c.queue) {
		c.dropped.Add(1)
		return
	}
	j := job{
		ctx: context.WithoutCancel(ctx), operation: r.Operation, method: r.Method, path: r.Path,
		status: r.StatusCode, body: bytes.Clone(r.Body), logger: r.Logger,
	}
	if r.Header != nil {
		j.contentType = r.Header.Get("Content-Type")
	}
	c.start.Do(c.startWorker)
	select {
	case c.queue <- j:
	default:
		c.dropped.Add(1)
	}
}

func (c *Checker) startWorker() { go c.run() }

// run checks the queued responses, one at a time, until Close.
func (c *Checker) run() {
	defer close(c.done)
	for j := range c.queue {
		switch {
		case j.quit:
			return
		case j.flushed != nil:
			close(j.flushed)
		default:
			c.process(j)
		}
	}
}

// Flush waits until the responses queued before it have been checked and
// reported, or ctx ends. After Close it returns at once.
func (c *Checker) Flush(ctx context.Context) error {
	if c.stop.Load() {
		return nil
	}
	c.start.Do(c.startWorker)
	flushed := make(chan struct{})
	select {
	case c.queue <- job{flushed: flushed}:
	case <-c.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-flushed:
		return nil
	case <-c.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close checks the responses already queued, then stops the checker's
// goroutine; later responses are dropped. It returns when the goroutine
// has ended. Summary still works after Close.
func (c *Checker) Close() error {
	if c.stop.Swap(true) {
		<-c.done
		return nil
	}
	c.start.Do(c.startWorker)
	c.queue <- job{quit: true}
	<-c.done
	return nil
}

// process checks one response, and reports what is new. A panic in the
// checker is counted, not passed on: it must never take the service down.
func (c *Checker) process(j job) {
	defer func() {
		if p := recover(); p != nil {
			c.failed.Add(1)
			if j.logger != nil {
				j.logger.LogAttrs(j.ctx, slog.LevelError, "speccheck: checking a response failed",
					slog.String("operation", j.operation), slog.Int("status", j.status), slog.String("panic", fmt.Sprint(p)))
			}
		}
	}()
	s, err := loadSpec()
	if err != nil {
		c.failed.Add(1)
		c.mu.Lock()
		first := !c.loadError
		c.loadError = true
		c.mu.Unlock()
		if first && j.logger != nil {
			j.logger.LogAttrs(j.ctx, slog.LevelError, "speccheck: cannot check responses", slog.String("error", err.Error()))
		}
		return
	}
	op := s.ops[opKey{j.method, j.path}]
	if op == nil {
		c.unknownPath.Add(1) // a path the spec does not have: nothing to check against
		return
	}
	found, checked := check(op, j, c.opts.ReportUndeclaredErrors)
	if !checked {
		c.undeclaredError.Add(1)
		return
	}
	c.checked.Add(1)
	var fresh []Mismatch
	c.mu.Lock()
	for _, f := range found {
		m := Mismatch{Operation: cmp.Or(j.operation, op.id), OperationID: op.id, Method: op.method, Path: op.path, Status: j.status,
			Pointer: f.pointer, Schema: f.schema, Kind: f.kind, Expected: f.expected, Got: f.got}
		k := m.key()
		t := c.seen[k]
		if t == nil {
			t = &Tally{Mismatch: m}
			c.seen[k] = t
			c.order = append(c.order, k)
			fresh = append(fresh, m)
		}
		t.Responses++
		t.types |= f.types
		t.itemTypes |= f.itemTypes
	}
	c.mu.Unlock()
	for _, m := range fresh {
		if j.logger != nil {
			j.logger.LogAttrs(j.ctx, slog.LevelWarn, "podero: the response differs from the pinned spec", m.attrs()...)
		}
		if c.opts.OnMismatch != nil {
			c.opts.OnMismatch(m)
		}
	}
}

// check checks one response against its operation, and reports whether
// there was anything to check: an undeclared error status is not, unless
// reportErrors.
func check(op *specOp, j job, reportErrors bool) ([]finding, bool) {
	resp := op.op.Responses.Status(j.status)
	if resp == nil {
		resp = op.op.Responses.Default()
	}
	if resp == nil || resp.Value == nil {
		if (j.status < 200 || j.status > 299) && !reportErrors {
			return nil, false
		}
		return []finding{{kind: UndeclaredStatus, expected: declaredStatuses(op.op), got: statusClass(j.status)}}, true
	}
	content := resp.Value.Content
	media, _, err := mime.ParseMediaType(j.contentType)
	if err != nil {
		media = ""
	}
	if len(content) == 0 {
		if len(bytes.TrimSpace(j.body)) == 0 {
			return nil, true
		}
		return []finding{{kind: UndeclaredContentType, expected: "no body", got: describeMedia(media)}}, true
	}
	mt := content.Get(media)
	if media == "" || mt == nil {
		return []finding{{kind: UndeclaredContentType, expected: strings.Join(slices.Sorted(maps.Keys(content)), " or "), got: describeMedia(media)}}, true
	}
	if mt.Schema == nil || !specformat.IsJSONMedia(media) {
		return nil, true
	}
	var v any
	if len(bytes.TrimSpace(j.body)) == 0 {
		return []finding{{kind: InvalidBody, expected: "a JSON body", got: "an empty body"}}, true
	}
	if err := decodeBody(j.body, &v); err != nil {
		return []finding{{kind: InvalidBody, expected: "a JSON body", got: "a body that is not JSON"}}, true
	}
	w := &walker{}
	w.ref(mt.Schema, v, "")
	slices.SortFunc(w.found, func(a, b finding) int {
		return cmp.Or(cmp.Compare(a.pointer, b.pointer), cmp.Compare(a.kind, b.kind))
	})
	return w.found, true
}

// decodeBody decodes a JSON body into v. A body with a whole number written
// with a fraction or an exponent (2.0, 1e2) keeps its numbers as written
// (UseNumber), so that the walker can tell an integer so written from 2;
// any other body decodes as before, numbers as float64, which costs less.
func decodeBody(body []byte, v *any) error {
	if !wholeFloats(body) {
		return json.Unmarshal(body, v)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

// wholeFloats reports whether a JSON text has a number outside its strings
// that is written with a fraction or an exponent but is whole.
func wholeFloats(b []byte) bool {
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		case c == '-' || (c >= '0' && c <= '9'):
			j, float := i, false
			for ; j < len(b) && strings.IndexByte("+-0123456789.eE", b[j]) >= 0; j++ {
				float = float || b[j] == '.' || b[j] == 'e' || b[j] == 'E'
			}
			if float {
				if f, err := strconv.ParseFloat(string(b[i:j]), 64); err == nil && f == math.Trunc(f) {
					return true
				}
			}
			i = j - 1
		}
	}
	return false
}

func describeMedia(media string) string {
	if media == "" {
		return "no Content-Type"
	}
	return media
}

// declaredStatuses lists the statuses an operation declares: "200".
func declaredStatuses(op *openapi3.Operation) string {
	return "status " + strings.Join(slices.Sorted(maps.Keys(op.Responses.Map())), " or ")
}

// statusClass says what kind of status it is: "a success", ...
func statusClass(status int) string {
	text := http.StatusText(status)
	if text == "" {
		return strconv.Itoa(status)
	}
	return strconv.Itoa(status) + " " + text
}

// Summary is what a Checker has seen so far.
type Summary struct {
	// Responses is how many responses the checker was given; Sampled how
	// many SampleRate chose; Checked how many were checked against the
	// spec.
	Responses, Sampled, Checked int64
	// Dropped were sampled but found the queue full or the checker closed.
	Dropped int64
	// TooLarge were sampled but not checked: the body was over
	// MaxBodySize.
	TooLarge int64
	// UnknownPath had nothing to check against: a path the spec does not
	// have.
	UnknownPath int64
	// UndeclaredError were error statuses (not 2xx) the operation does not
	// declare, not checked unless ReportUndeclaredErrors.
	UndeclaredError int64
	// Failed could not be checked: the spec did not load, or the checker
	// has a bug.
	Failed int64
	// Mismatches are the distinct mismatches, in the order first seen.
	Mismatches []Tally
}

// Tally is a distinct mismatch and how often it was seen.
type Tally struct {
	// Mismatch is as first reported.
	Mismatch
	// Responses is how many checked responses had it.
	Responses int64

	types, itemTypes uint8
}

// Types are the JSON types found at the pointer, in all the responses
// that had the mismatch ("string", "null", ...; "integer" for a number
// without a fraction): for an undeclared property, what a schema for it
// must allow. It is empty for a mismatch of the whole response or an
// absent property.
func (t Tally) Types() []string { return typeList(t.types) }

// ItemTypes are the JSON types of the elements, where Types has "array".
func (t Tally) ItemTypes() []string { return typeList(t.itemTypes) }

// Summary returns what the checker has seen so far. Call Flush first to
// include the responses still queued.
func (c *Checker) Summary() Summary {
	s := Summary{
		Responses: c.responses.Load(), Sampled: c.sampled.Load(), Checked: c.checked.Load(),
		Dropped: c.dropped.Load(), Failed: c.failed.Load(),
		TooLarge: c.tooLarge.Load(), UnknownPath: c.unknownPath.Load(), UndeclaredError: c.undeclaredError.Load(),
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range c.order {
		s.Mismatches = append(s.Mismatches, *c.seen[k])
	}
	return s
}
