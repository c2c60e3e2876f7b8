package watch

import (
	"time"
)

// Stats are a watcher's counters and gauges, for metrics.
type Stats struct {
	// Requests are the watcher's calls, and of them Failed; BoostPolls of
	// them polled boosts. Attempts are the HTTP requests they sent, as the
	// client's middleware saw them (retries and re-authentications
	// included), and RateLimited those answered 429.
	Requests, Failed, BoostPolls, Attempts, RateLimited int
	// Events the watcher wrote; Delivered the handler acknowledged;
	// HandlerErrors the handler's errors.
	Events, Delivered, HandlerErrors int
	// Users held by this replica, and their Units (the lists, wallboxes
	// and searches it reads).
	Users, Units int
	// OldestReading is the age of the oldest reading of a device, at the
	// last check (every minute).
	OldestReading time.Duration
	// RequestsPerSecond is the rate of Attempts over the last ten minutes.
	RequestsPerSecond float64
	// SweepDuration is how long the schedule takes to read every unit once:
	// the mean time between two reads of a unit, over the reads of the
	// last minute.
	SweepDuration time.Duration
	// Need is the requests a second the schedule needs (see Lagging), and
	// Lagging whether it is more than the pace. Pace is the requests a
	// second the watcher allows itself now: Options.Rate, or less while
	// Podero answers 429.
	Need    float64
	Lagging bool
	Pace    float64
}

// Stats returns the watcher's counters and gauges.
func (w *Watcher) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.stats
	s.Users, s.Pace = len(w.users), w.rate
	for _, u := range w.users {
		if !u.busy {
			s.Units += len(u.doc.Units)
		}
	}
	return s
}

// count counts a request and whether it failed.
func (w *Watcher) count(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stats.Requests++
	if err != nil {
		w.stats.Failed++
	}
}

// Replica is the name of this watcher among the replicas that share its
// store: Options.Replica, or the one New made up.
func (w *Watcher) Replica() string { return w.o.Replica }
