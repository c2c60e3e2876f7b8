package watch

import (
	"container/heap"
	"context"
	"errors"
	"slices"
	"strings"
	"time"
)

// checkpointEvery is how often the states that changed without an event
// (read times, state times) are written. They are not needed to be exact
// (events are written with their state at once): a crash loses at most
// this much of them, and the reads it covered are done again.
const checkpointEvery = 30 * time.Second

func (w *Watcher) checkpointLoop(ctx context.Context) {
	for ctx.Err() == nil {
		w.sleep(ctx, checkpointEvery, nil)
		if ctx.Err() == nil {
			w.checkpoint(ctx)
		}
	}
}

// checkpoint writes the states of the free users that changed, in one
// batch, holding them busy meanwhile so that no job changes them.
func (w *Watcher) checkpoint(ctx context.Context) {
	w.mu.Lock()
	var users []*userRT
	for _, u := range w.users {
		if !u.busy && u.dirty { // busy first: a busy user's fields are its job's
			u.busy = true
			users = append(users, u)
		}
	}
	w.mu.Unlock()
	if len(users) == 0 {
		return
	}
	release := func() {
		w.mu.Lock()
		for _, u := range users {
			u.busy = false
			for _, j := range u.jobs {
				if j.index < 0 && !j.due.IsZero() && !u.dropped {
					w.pushLocked(j)
				}
			}
		}
		w.changes++
		w.mu.Unlock()
		signal(w.wake)
	}
	defer release()
	for len(users) > 0 {
		b := &Batch{Replica: w.o.Replica, Now: w.now()}
		for _, u := range users {
			b.States = append(b.States, UserState{User: u.id, Data: mustJSON(&u.doc)})
		}
		err := w.o.Store.Commit(ctx, b)
		var lost *LeaseLostError
		if errors.As(err, &lost) {
			w.mu.Lock()
			for _, id := range lost.Users {
				if u := w.users[id]; u != nil {
					w.dropLocked(u)
				}
			}
			w.mu.Unlock()
			users = slices.DeleteFunc(users, func(u *userRT) bool { return u.dropped })
			continue
		}
		if err != nil {
			if ctx.Err() == nil {
				w.o.Logger.Warn("watch: write a checkpoint", "err", err)
			}
			return
		}
		for _, u := range users {
			u.dirty = false
		}
		return
	}
}

// pushLocked queues a job in its lane. w.mu is held.
func (w *Watcher) pushLocked(j *job) {
	if j.index < 0 {
		heap.Push(&w.lanes[j.lane], j)
	}
}

// monitorEvery is how often the watcher checks for devices not read in
// time (Stale) and a budget too small (Lagging).
const monitorEvery = time.Minute

func (w *Watcher) monitor(ctx context.Context) {
	for ctx.Err() == nil {
		w.sleep(ctx, monitorEvery, nil)
		if ctx.Err() != nil {
			return
		}
		w.checkStale(ctx)
		w.checkLagging(ctx)
		w.gauges()
	}
}

// gauges updates the rates of Stats over the last minute.
func (w *Watcher) gauges() {
	now := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.samples = append(w.samples, sample{at: now, attempts: w.stats.Attempts})
	if len(w.samples) > 11 { // ten minutes of minutes
		w.samples = w.samples[1:]
	}
	if first := w.samples[0]; now.After(first.at) {
		w.stats.RequestsPerSecond = float64(w.stats.Attempts-first.attempts) / now.Sub(first.at).Seconds()
	}
	if w.sweepN > 0 {
		w.stats.SweepDuration = w.sweepSum / time.Duration(w.sweepN)
	}
	w.sweepSum, w.sweepN = 0, 0
}

// sample is the attempts counted at a time, for RequestsPerSecond.
type sample struct {
	at       time.Time
	attempts int
}

// checkStale opens a Stale episode for each device of a free user that
// has not been read within its freshness target.
func (w *Watcher) checkStale(ctx context.Context) {
	now := w.now()
	w.mu.Lock()
	var users []*userRT
	oldest := time.Duration(0)
	for _, u := range w.users {
		if u.busy {
			continue
		}
		for id, dev := range u.doc.Devices {
			if age := now.Sub(dev.ReadAt); !dev.ReadAt.IsZero() && age > oldest {
				oldest = age
			}
			if dev.Stale == "" && now.After(w.deadline(id, dev, dev.ReadAt)) {
				u.busy = true
				users = append(users, u)
				break
			}
		}
	}
	w.stats.OldestReading = oldest
	w.mu.Unlock()
	slices.SortFunc(users, func(a, b *userRT) int { return strings.Compare(a.id.String(), b.id.String()) })
	for _, u := range users {
		w.commitEvents(ctx, u, w.stale(u, now))
		w.mu.Lock()
		u.busy = false
		for _, j := range u.jobs {
			if j.index < 0 && !j.due.IsZero() && !u.dropped {
				w.pushLocked(j)
			}
		}
		w.changes++
		w.mu.Unlock()
	}
	signal(w.wake)
}

// checkLagging compares the requests a second the schedule needs with
// Options.Rate: each unit read once per its freshness target (a full
// sweep: the reads MinRefresh skips are a margin), each boost polled at
// its interval, the users listed every UsersEvery. A Lagging event opens
// an episode when the need passes the rate.
func (w *Watcher) checkLagging(ctx context.Context) {
	now := w.now()
	w.mu.Lock()
	need := 0.0
	if w.discovery != nil {
		need += 1 / w.o.UsersEvery.Seconds()
	}
	for _, u := range w.users {
		need += u.need
	}
	w.stats.Need = need
	open := w.lagging
	rate := w.rate
	lagging := need > rate
	if !lagging {
		w.lagging = ""
	}
	w.stats.Lagging = lagging
	w.mu.Unlock()
	if !lagging || open != "" {
		return
	}
	ev := Lagging{Header: Header{ID: "lagging:" + w.o.Replica + ":" + ms(now), At: now}, Need: need, Rate: rate}
	err := w.o.Store.Commit(ctx, &Batch{Replica: w.o.Replica, Now: now, Events: []StoredEvent{{ID: ev.ID, Data: encodeEvent(ev)}}})
	if err != nil {
		w.o.Logger.Warn("watch: write a Lagging event", "err", err)
		return
	}
	w.mu.Lock()
	w.lagging = ev.ID
	w.stats.Events++
	w.mu.Unlock()
	w.o.Logger.Warn("watch: the request budget cannot meet the freshness target", "need_per_second", need, "rate", rate)
	signal(w.wakeSend)
}
