package watch

import (
	"container/heap"
	"context"
	"time"

	"github.com/podero-go/podero/api"
)

// The schedule: each unit (a user's list of a kind, a wallbox, the search
// for wallboxes) has one job, due when the freshest of its devices' next
// reads is; boosts have a job each; discovery has one. The dispatcher
// starts the most urgent due job whose user is free, at the pace of
// Options.Rate, on one of Options.Concurrency workers.

// readAhead is how much before a device's deadline its read is due, so
// that a read delayed by the pace or the queue still lands in time.
func readAhead(freshness time.Duration) time.Duration { return max(freshness/40, 5*time.Second) }

// dueLocked is when a unit's next read is due: at once when it is urgent
// or never read; after a failure, at its retry; else the earliest of its
// devices' deadlines, each Freshness after the read or, when the device's
// state cannot have changed since (current_state_last_updated_at +
// MinRefresh is later), after that. w.mu is held, and the doc is not
// being changed (its user is free, or the caller set busy).
func (w *Watcher) dueLocked(u *userRT, key string, now time.Time) time.Time {
	ud := u.doc.Units[key]
	switch {
	case ud == nil:
		return time.Time{}
	case ud.Urgent || ud.ReadAt.IsZero():
		return now
	case ud.Fails > 0:
		return u.retryAt[key]
	}
	devices := u.doc.devicesOf(key)
	if len(devices) == 0 {
		return ud.ReadAt.Add(w.o.Freshness - readAhead(w.o.Freshness))
	}
	var due time.Time
	for _, id := range devices {
		dev := u.doc.Devices[id]
		if dev == nil { // a wallbox found, not read yet
			return now
		}
		f := w.o.freshness(dev.Kind, id)
		if d := w.deadline(id, dev, ud.ReadAt).Add(-readAhead(f)); due.IsZero() || d.Before(due) {
			due = d
		}
	}
	return due
}

// deadline is when a device read at readAt must be read again: a
// freshness target after the read or, when its state cannot have changed
// since (current_state_last_updated_at + MinRefresh is later), after that.
func (w *Watcher) deadline(id api.UUID, dev *deviceDoc, readAt time.Time) time.Time {
	from := readAt
	if minRefresh := w.o.MinRefresh[dev.Kind]; minRefresh > 0 && !dev.StateAt.IsZero() {
		// Nothing new can show before the next refresh; a state time
		// ahead of the read (a clock apart) counts as the read's.
		if next := minTime(dev.StateAt, readAt).Add(minRefresh); next.After(from) {
			from = next
		}
	}
	return from.Add(w.o.freshness(dev.Kind, id))
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// laneOf is the lane of a unit's read: attention for new and changed
// units, retries and open episodes; state for the rest.
func (w *Watcher) laneOf(u *userRT, key string) lane {
	ud := u.doc.Units[key]
	if ud == nil || ud.Urgent || ud.Fails > 0 || ud.ReadAt.IsZero() || key == unitFindWallboxes {
		return laneAttention
	}
	for _, id := range u.doc.devicesOf(key) {
		if u.doc.Devices[id].Attention != nil {
			return laneAttention
		}
	}
	return laneState
}

// scheduleUnitsLocked (re)schedules every unit of a free user, and drops
// the jobs of units it no longer has. w.mu is held.
func (w *Watcher) scheduleUnitsLocked(u *userRT, now time.Time) {
	for key, j := range u.jobs {
		if j.what == jobRead && u.doc.Units[key] == nil {
			w.unqueueLocked(j)
			delete(u.jobs, key)
		}
	}
	u.need = 0
	for _, b := range u.boosts {
		u.need += 1 / w.boostInterval(b.Requested, now).Seconds()
	}
	for key := range u.doc.Units {
		w.scheduleLocked(u, key, jobRead, w.laneOf(u, key), w.dueLocked(u, key, now))
		f := w.o.Freshness
		for _, id := range u.doc.devicesOf(key) {
			if dev := u.doc.Devices[id]; dev != nil {
				f = min(f, w.o.freshness(dev.Kind, id))
			}
		}
		u.need += 1 / f.Seconds()
	}
}

// scheduleLocked puts a user's job (one per key) in its lane, due at due.
// w.mu is held.
func (w *Watcher) scheduleLocked(u *userRT, key string, what jobKind, l lane, due time.Time) {
	j := u.jobs[key]
	if j == nil {
		j = &job{user: u, key: key, what: what, index: -1}
		u.jobs[key] = j
	}
	if j.index >= 0 && j.lane == l {
		if due.Before(j.due) || what != jobRelist {
			j.due = due
			heap.Fix(&w.lanes[l], j.index)
		}
		return
	}
	w.unqueueLocked(j)
	j.lane, j.due = l, due
	if !u.busy { // a busy user's jobs are queued when it is free
		heap.Push(&w.lanes[l], j)
	}
	w.changes++
}

func (w *Watcher) unqueueLocked(j *job) {
	if j.index >= 0 {
		heap.Remove(&w.lanes[j.lane], j.index)
	}
}

// dispatch starts due jobs until ctx ends. It takes a worker, then waits
// for a job to be due and for the pace, and only then picks the most
// urgent job due: a boost's poll that comes due while the dispatcher waits
// goes before the read it was waiting to send.
func (w *Watcher) dispatch(ctx context.Context) {
	slots := make(chan struct{}, w.o.Concurrency)
	defer func() {
		for range cap(slots) { // wait for the running jobs
			slots <- struct{}{}
		}
	}()
	for ctx.Err() == nil {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		j := w.await(ctx)
		if j == nil {
			<-slots
			continue
		}
		go func() {
			defer func() { <-slots }()
			w.run(ctx, j)
		}()
	}
}

// await waits until a job is due and the pace lets a request go, and
// takes the most urgent job due then; nil when ctx ends.
func (w *Watcher) await(ctx context.Context) *job {
	paced := false
	for ctx.Err() == nil {
		due, wait, seen := w.peek()
		if !due {
			w.mu.Lock()
			changed := w.changes != seen
			w.mu.Unlock()
			if !changed {
				w.sleep(ctx, wait, w.wake)
			}
			continue
		}
		if !paced {
			w.pace(ctx)
			paced = true
			continue // something more urgent may be due now
		}
		if j, _, _ := w.next(); j != nil {
			return j
		}
	}
	return nil
}

// peek reports whether a job is due that next would take, or how long
// until one may be, and the change count.
func (w *Watcher) peek() (bool, time.Duration, int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	wait := time.Minute
	for l := range w.lanes {
		if h := w.lanes[l]; h.Len() > 0 {
			if d := h[0].due.Sub(now); d > 0 {
				wait = min(wait, d)
			} else {
				return true, 0, w.changes // next takes it, or sets aside a busy user's
			}
		}
	}
	return false, wait, w.changes
}

// next takes the most urgent due job whose user is free, marking the user
// busy; or, if none is due, says how long until one may be and what the
// change count was. A due job of a busy user leaves its lane until the
// user is free (finish queues it again).
func (w *Watcher) next() (*job, time.Duration, int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	wait := time.Minute
	// Boosts go first; after them, a lane may not starve the ones below
	// it: a job overdue by a quarter of the target goes first, whatever
	// its lane.
	if h := w.lanes[laneBoost]; h.Len() > 0 && !h[0].due.After(now) && !h[0].user.busy {
		j := heap.Pop(&w.lanes[laneBoost]).(*job)
		j.user.busy = true
		j.due = time.Time{}
		return j, 0, w.changes
	}
	for l := laneCount - 1; l > laneBoost; l-- {
		if h := w.lanes[l]; h.Len() > 0 && now.Sub(h[0].due) > w.o.Freshness/4 && (h[0].user == nil || !h[0].user.busy) {
			j := heap.Pop(&w.lanes[l]).(*job)
			if j.user != nil {
				j.user.busy = true
			}
			j.due = time.Time{}
			return j, 0, w.changes
		}
	}
	for l := range w.lanes {
		h := &w.lanes[l]
		for h.Len() > 0 {
			j := (*h)[0]
			if d := j.due.Sub(now); d > 0 {
				wait = min(wait, d)
				break
			}
			heap.Pop(h)
			if j.user != nil && j.user.busy {
				continue
			}
			if j.user != nil {
				j.user.busy = true
			}
			j.due = time.Time{} // the job reschedules itself, or is done
			return j, 0, w.changes
		}
	}
	return nil, wait, w.changes
}

// pace waits for the next request's turn at Options.Rate, with bursts of
// Options.Burst after a pause.
func (w *Watcher) pace(ctx context.Context) {
	w.mu.Lock()
	gap := time.Duration(float64(time.Second) / w.rate)
	now := w.now()
	// A pause earns up to Burst requests at once.
	earliest := now.Add(-gap * time.Duration(w.o.Burst-1))
	if w.nextSend.Before(earliest) {
		w.nextSend = earliest
	}
	at := w.nextSend
	w.nextSend = w.nextSend.Add(gap)
	w.mu.Unlock()
	w.sleep(ctx, at.Sub(now), nil)
}

// finish ends a job: reschedule (if not nil) runs with w.mu held and the
// user free, and then every job of the user that is due is queued again.
// A job that reschedule leaves with a zero due is done.
func (w *Watcher) finish(j *job, reschedule func(now time.Time)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	u := j.user
	if u != nil {
		u.busy = false
	}
	if reschedule != nil {
		reschedule(now)
	}
	switch {
	case u == nil:
		if j == w.discovery && !j.due.IsZero() && j.index < 0 {
			heap.Push(&w.lanes[j.lane], j)
		}
	case !u.dropped:
		for key, p := range u.jobs {
			switch {
			case p.index >= 0:
			case p.due.IsZero():
				if p == j && p.what != jobRead {
					delete(u.jobs, key) // done
				}
			default:
				heap.Push(&w.lanes[p.lane], p)
			}
		}
	}
	w.changes++
	signal(w.wake)
}

// lanePriority is each lane's priority while its calls wait for the
// client's pace (api.Config.RateLimit), which other code using the client
// shares.
var lanePriority = [laneCount]api.Priority{
	laneBoost:     api.PriorityUrgent,
	laneAttention: api.PriorityHigh,
	laneState:     api.PriorityNormal,
	laneDiscovery: api.PriorityLow,
}

// callOptions are the options of a request in a lane: its priority, and
// the middleware that counts its attempts (each request sent, retries
// included) for Stats.
func (w *Watcher) callOptions(l lane) []api.CallOption { return w.opts[l] }

// metrics is the middleware of the watcher's calls. It counts them, and
// adapts the watcher's pace to Podero's, as TCP does its window: a 429
// halves it (once in 5 s at most: the 429s of one burst are one signal;
// never below a twentieth of Options.Rate), each success gives back a
// two-hundredth of Options.Rate. So when Podero lowers its limit, the
// watcher's own lanes, boosts first, share what Podero lets through,
// rather than every lane's requests meeting 429s alike.
func (w *Watcher) metrics() api.Middleware {
	return api.Middleware{Attempt: func(ctx context.Context, a *api.Attempt, next api.Next) error {
		err := next(ctx)
		w.mu.Lock()
		w.stats.Attempts++
		switch now := w.now(); {
		case a.StatusCode == 429:
			w.stats.RateLimited++
			if now.Sub(w.cut) >= 5*time.Second {
				w.rate, w.cut = max(w.rate/2, w.o.Rate/20), now
			}
		case a.StatusCode >= 200 && a.StatusCode < 300:
			w.rate = min(w.rate+w.o.Rate/200, w.o.Rate)
		}
		w.stats.Pace = w.rate
		w.mu.Unlock()
		return err
	}}
}
