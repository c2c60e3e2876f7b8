package otel

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/podero-go/podero/watch"
)

// ReplicaKey names the watcher a metric of [WatchMetrics] is about.
const ReplicaKey = attribute.Key("podero.watch.replica")

// WatchMetrics reports a fleet watcher's [watch.Stats] as metrics, read from
// w.Stats() at each collection, with the attribute podero.watch.replica
// (w.Replica()). It uses the meter provider of [WithMeterProvider], or the
// global one; the other options do not apply. Unregister the returned
// registration when the watcher is gone.
//
// Counters, since the watcher started: podero.watch.requests (its calls),
// podero.watch.requests.failed, podero.watch.boost_polls,
// podero.watch.attempts (the HTTP requests they sent, retries included),
// podero.watch.rate_limited (answered 429), podero.watch.events (written to
// the store), podero.watch.events.delivered (acknowledged by the handler)
// and podero.watch.handler.errors.
//
// Gauges: podero.watch.users and podero.watch.units (held by this replica),
// podero.watch.reading.oldest_age (s: the oldest reading of a device, as
// the freshness it is held to), podero.watch.requests.rate (requests a
// second over the last ten minutes), podero.watch.sweep.duration (s: the
// time to read every unit once), podero.watch.pace.need and
// podero.watch.pace.limit (the requests a second the schedule needs, and
// those the watcher allows itself now) and podero.watch.lagging (1 while
// the need is over the pace).
func WatchMetrics(w *watch.Watcher, opts ...Option) (metric.Registration, error) {
	if w == nil {
		return nil, errors.New("podero/otel: WatchMetrics of a nil *watch.Watcher")
	}
	c := config{}
	for _, o := range opts {
		o(&c)
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	m := c.mp.Meter(ScopeName)
	var errs []error
	counter := func(name, unit, desc string) metric.Int64ObservableCounter {
		in, err := m.Int64ObservableCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return in
	}
	intGauge := func(name, unit, desc string) metric.Int64ObservableGauge {
		in, err := m.Int64ObservableGauge(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return in
	}
	gauge := func(name, unit, desc string) metric.Float64ObservableGauge {
		in, err := m.Float64ObservableGauge(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return in
	}
	var (
		requests    = counter("podero.watch.requests", "{request}", "The watcher's calls.")
		failed      = counter("podero.watch.requests.failed", "{request}", "The watcher's calls that failed.")
		boostPolls  = counter("podero.watch.boost_polls", "{request}", "The calls that polled a boost.")
		attempts    = counter("podero.watch.attempts", "{request}", "The HTTP requests the watcher's calls sent, retries included.")
		rateLimited = counter("podero.watch.rate_limited", "{request}", "The HTTP requests answered 429.")
		events      = counter("podero.watch.events", "{event}", "The events the watcher wrote to its store.")
		delivered   = counter("podero.watch.events.delivered", "{event}", "The events the handler acknowledged.")
		handlerErrs = counter("podero.watch.handler.errors", "{error}", "The handler's errors.")
		users       = intGauge("podero.watch.users", "{user}", "The users this replica holds.")
		units       = intGauge("podero.watch.units", "{unit}", "The lists, wallboxes and searches this replica reads.")
		oldest      = gauge("podero.watch.reading.oldest_age", "s", "The age of the oldest reading of a device.")
		rate        = gauge("podero.watch.requests.rate", "{request}/s", "Requests a second over the last ten minutes.")
		sweep       = gauge("podero.watch.sweep.duration", "s", "How long the schedule takes to read every unit once.")
		need        = gauge("podero.watch.pace.need", "{request}/s", "The requests a second the schedule needs.")
		limit       = gauge("podero.watch.pace.limit", "{request}/s", "The requests a second the watcher allows itself now.")
		lagging     = intGauge("podero.watch.lagging", "1", "1 while the schedule needs more than the pace.")
	)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	set := metric.WithAttributeSet(attribute.NewSet(ReplicaKey.String(w.Replica())))
	return m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		s := w.Stats()
		for in, v := range map[metric.Int64Observable]int{
			requests: s.Requests, failed: s.Failed, boostPolls: s.BoostPolls, attempts: s.Attempts,
			rateLimited: s.RateLimited, events: s.Events, delivered: s.Delivered, handlerErrs: s.HandlerErrors,
			users: s.Users, units: s.Units,
		} {
			o.ObserveInt64(in, int64(v), set)
		}
		lag := int64(0)
		if s.Lagging {
			lag = 1
		}
		o.ObserveInt64(lagging, lag, set)
		o.ObserveFloat64(oldest, s.OldestReading.Seconds(), set)
		o.ObserveFloat64(rate, s.RequestsPerSecond, set)
		o.ObserveFloat64(sweep, s.SweepDuration.Seconds(), set)
		o.ObserveFloat64(need, s.Need, set)
		o.ObserveFloat64(limit, s.Pace, set)
		return nil
	}, requests, failed, boostPolls, attempts, rateLimited, events, delivered, handlerErrs,
		users, units, oldest, rate, sweep, need, limit, lagging)
}
