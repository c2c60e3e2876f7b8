// Package watch watches a fleet of Podero users: it polls the Partner API
// and turns what it reads into typed, edge-triggered events (a device
// added or gone, an attention episode opened and resolved, charging
// started and stopped, a boost settled, the watcher lagging), delivered to
// a handler.
//
// The handler is the primary shape ([Watcher.Run]) because delivery is
// durable: an event is written to the store with the state that produced
// it, before anything else sees it, and is delivered until the handler
// returns nil, which acknowledges it. An error or a panic hands it out
// again later, with backoff. Delivery is at least once (a crash between
// the handler's work and the acknowledgement delivers again), so each
// event has a stable ID ([Event.EventID]), the same on every delivery and
// every replica: a handler that must not act twice keeps the IDs it acted
// on. Ending Run's context is as safe as a crash; an event whose handler
// returned nil by then is still acknowledged.
//
// On the first run against a fleet, every existing user and device is
// announced (UserAdded, OnboardingCompleted, DeviceAdded);
// [Options.Baseline] records them silently instead, announcing only what
// needs acting on (attention) and what changes later.
//
// Polling sees states, not transitions: an episode that begins and ends
// between two reads of a device (shorter than the read interval, about
// Options.Freshness) is never seen, and a change is seen up to a read
// interval late. Each episode is one event, however many reads show it.
//
// The store ([Store]) keeps what the watcher knows across restarts: the
// last state of every device, open episodes, tracked boosts, and the
// events not yet acknowledged. [OpenFile] is a one-file store for one
// process; module github.com/podero-go/podero/watch/pgstore keeps it in
// Postgres and shares the fleet among replicas, each holding users under
// a lease ([Options.LeasePeriod]). [NewMemoryStore] is for tests.
//
// The schedule reads each device at least every Options.Freshness, less
// the reads that Podero's refresh cadence makes useless
// (Options.MinRefresh), within the request budget (Options.Rate); it
// reports a Lagging event when the budget cannot keep up. Reads are
// grouped by user (one list per device kind, one GET per wallbox) and
// queued in lanes, served in order: boosts being tracked, then reads
// likely to show attention (new or changed users, retries, open
// episodes), then the regular reads, then listing the users. The lanes
// also set the priority of the calls that wait for the client's pace.
//
// Boosts: [Watcher.Boost] requests a boost and tracks it until it settles;
// [Watcher.TrackBoost] tracks one requested elsewhere.
package watch
