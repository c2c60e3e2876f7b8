package watch

import (
	"time"
)

// Stats are a watcher's counters and gauges, for metrics.
type Stats struct {
	// Requests the watcher sent (calls, retries inside a call not
	// counted), and of them Failed; BoostPolls of them polled boosts.
	Requests, Failed, BoostPolls int
	// Events the watcher wrote; Delivered the handler acknowledged;
	// HandlerErrors the handler's errors.
	Events, Delivered, HandlerErrors int
	// Users held by this replica, and their Units (the lists, wallboxes
	// and searches it reads).
	Users, Units int
	// OldestReading is the age of the oldest reading of a device, at the
	// last check (every minute).
	OldestReading time.Duration
	// Need is the requests a second the schedule needs (see Lagging), and
	// Lagging whether it is more than Options.Rate.
	Need    float64
	Lagging bool
}

// Stats returns the watcher's counters and gauges.
func (w *Watcher) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.stats
	s.Users = len(w.users)
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
